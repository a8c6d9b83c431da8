"""The 36 fictional organisations of the demo data set (all invented, flagged synthetic).

Pure Python (no Django). ``scaled_organisations`` numbers them again for benchmarks.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SyntheticOrganisation:
    acronym: str
    name_en: str
    name_fr: str
    category: str  # registry.models.Category codes
    domain: str  # what it regulates, for titles and practice texts
    synthetic: bool = True

    @property
    def website(self) -> str:
        return f"https://{self.acronym.lower()}.example.org"


# Invented organisations: 21 IGOs, 6 transgovernmental networks, 4 private standard
# setters, 4 convention secretariats, 1 supranational organisation.
ORGANISATIONS: tuple[SyntheticOrganisation, ...] = tuple(
    SyntheticOrganisation(*row)
    for row in [
        (
            "IOIW",
            "International Organisation for Inland Waterways",
            "Organisation internationale des voies navigables intérieures",
            "igo",
            "inland waterways",
        ),
        (
            "WSCO",
            "World Seed Certification Organisation",
            "Organisation mondiale de certification des semences",
            "igo",
            "seed certification",
        ),
        (
            "IBTM",
            "Intergovernmental Bureau of Thermal Metrology",
            "Bureau intergouvernemental de métrologie thermique",
            "igo",
            "thermal metrology",
        ),
        (
            "IOCF",
            "International Office for Coastal Fisheries",
            "Office international des pêches côtières",
            "igo",
            "coastal fisheries",
        ),
        (
            "OCRI",
            "Organisation for Cross-border Rail Interoperability",
            "Organisation pour l'interopérabilité ferroviaire transfrontière",
            "igo",
            "cross-border rail",
        ),
        (
            "IAPS",
            "International Agency for Pipeline Safety",
            "Agence internationale pour la sécurité des pipelines",
            "igo",
            "pipeline safety",
        ),
        (
            "GOSD",
            "Global Organisation for Seismic Data",
            "Organisation mondiale des données sismiques",
            "igo",
            "seismic data",
        ),
        (
            "ICAL",
            "Intergovernmental Commission on Arid Lands",
            "Commission intergouvernementale des terres arides",
            "igo",
            "arid land management",
        ),
        (
            "IUPA",
            "International Union for Postal Addressing",
            "Union internationale de l'adressage postal",
            "igo",
            "postal addressing",
        ),
        (
            "WOPH",
            "World Organisation for Pollinator Health",
            "Organisation mondiale de la santé des pollinisateurs",
            "igo",
            "pollinator health",
        ),
        (
            "ICCL",
            "International Centre for Cold-Chain Logistics",
            "Centre international de la logistique du froid",
            "igo",
            "cold-chain logistics",
        ),
        (
            "IOSS",
            "Intergovernmental Organisation for Satellite Spectrum",
            "Organisation intergouvernementale du spectre satellitaire",
            "igo",
            "satellite spectrum",
        ),
        (
            "IBWT",
            "International Bureau of Weights in Trade",
            "Bureau international des poids dans le commerce",
            "igo",
            "trade weighing",
        ),
        (
            "OMRC",
            "Organisation for Mountain Regions Co-operation",
            "Organisation de coopération des régions de montagne",
            "igo",
            "mountain regions",
        ),
        (
            "IORBD",
            "International Office of River Basin Data",
            "Office international des données de bassins fluviaux",
            "igo",
            "river basin data",
        ),
        (
            "WFCR",
            "World Forum for Civil Registration",
            "Forum mondial de l'état civil",
            "igo",
            "civil registration",
        ),
        (
            "IADS",
            "International Agency for Desalination Standards",
            "Agence internationale des normes de dessalement",
            "igo",
            "desalination",
        ),
        (
            "ICGS",
            "Intergovernmental Council on Grain Storage",
            "Conseil intergouvernemental du stockage des céréales",
            "igo",
            "grain storage",
        ),
        (
            "IOADT",
            "International Organisation for Aerial Drone Traffic",
            "Organisation internationale du trafic des drones",
            "igo",
            "drone traffic",
        ),
        (
            "CPSS",
            "Commission for Polar Shipping Safety",
            "Commission pour la sécurité de la navigation polaire",
            "igo",
            "polar shipping",
        ),
        (
            "IOFGR",
            "International Organisation for Forest Genetic Resources",
            "Organisation internationale des ressources génétiques forestières",
            "igo",
            "forest genetic resources",
        ),
        (
            "NESR",
            "Network of Energy Storage Regulators",
            "Réseau des régulateurs du stockage d'énergie",
            "tgn",
            "energy storage",
        ),
        (
            "FDIS",
            "Forum of Digital Identity Supervisors",
            "Forum des autorités de contrôle de l'identité numérique",
            "tgn",
            "digital identity",
        ),
        (
            "GNWTR",
            "Global Network of Water Tariff Regulators",
            "Réseau mondial des régulateurs des tarifs de l'eau",
            "tgn",
            "water tariffs",
        ),
        (
            "IAMSI",
            "International Association of Mine Safety Inspectors",
            "Association internationale des inspecteurs de la sécurité minière",
            "tgn",
            "mine safety",
        ),
        (
            "NPASS",
            "Network of Pharmacovigilance Authorities of Small States",
            "Réseau des autorités de pharmacovigilance des petits États",
            "tgn",
            "pharmacovigilance",
        ),
        (
            "FCCS",
            "Forum of Consumer Credit Supervisors",
            "Forum des superviseurs du crédit à la consommation",
            "tgn",
            "consumer credit",
        ),
        (
            "ASCS",
            "Alliance for Sustainable Cocoa Standards",
            "Alliance pour des normes de cacao durable",
            "private",
            "sustainable cocoa",
        ),
        (
            "IBTG",
            "International Board for Timber Grading",
            "Conseil international du classement des bois",
            "private",
            "timber grading",
        ),
        (
            "GCBRS",
            "Global Consortium for Battery Recycling Standards",
            "Consortium mondial des normes de recyclage des batteries",
            "private",
            "battery recycling",
        ),
        (
            "AIHR",
            "Association for Interoperable Health Records",
            "Association pour des dossiers de santé interopérables",
            "private",
            "health records",
        ),
        (
            "SCMB",
            "Secretariat of the Convention on Migratory Bats",
            "Secrétariat de la Convention sur les chauves-souris migratrices",
            "convention",
            "migratory bats",
        ),
        (
            "STTA",
            "Secretariat of the Treaty on Transboundary Aquifers",
            "Secrétariat du Traité sur les aquifères transfrontières",
            "convention",
            "transboundary aquifers",
        ),
        (
            "SCLP",
            "Secretariat of the Convention on Light Pollution",
            "Secrétariat de la Convention sur la pollution lumineuse",
            "convention",
            "light pollution",
        ),
        (
            "SASC",
            "Secretariat of the Agreement on Seabed Cables",
            "Secrétariat de l'Accord sur les câbles sous-marins",
            "convention",
            "seabed cables",
        ),
        (
            "CAEU",
            "Commission of the Atlantic Economic Union",
            "Commission de l'Union économique atlantique",
            "supranational",
            "the single market",
        ),
    ]
)



def scaled_organisations(count: int) -> tuple[SyntheticOrganisation, ...]:
    """More fictional organisations for benchmarks: the 36 again with numbered acronyms."""
    scaled = []
    for i in range(count):
        base, round_number = ORGANISATIONS[i % len(ORGANISATIONS)], i // len(ORGANISATIONS) + 1
        scaled.append(
            SyntheticOrganisation(
                f"{base.acronym}{round_number}",
                f"{base.name_en} {round_number}",
                f"{base.name_fr} {round_number}",
                base.category,
                base.domain,
            )
        )
    return tuple(scaled)
