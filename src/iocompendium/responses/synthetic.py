"""The demo data set: synthetic answers of 36 fictional organisations to the IO Survey.

Pure Python (no Django), seeded and deterministic: the same structure and seed give the
same answers. Every organisation here is invented (flagged ``synthetic``); none is a real
international organisation.

The generator walks the questionnaire structure, draws a plausible value for every
question (by type, and by name for the questions it knows: instruments, practice
examples...), then asks the expression engine (``questionnaires.engine.evaluate``)
which questions apply and which answers break a constraint: answers to questions that do
not apply are dropped, answers that break a constraint are drawn again, questions that
became relevant are answered, until the response is coherent.

It is CALIBRATED on the Seed facts of ``reference/domain.md``: over the 36 organisations,
the 15 options of ``stakeholders_section/stakeholders`` are chosen exactly
``STAKEHOLDER_COUNTS`` times, 12 organisations answer ``understanding_no_definition`` to
``stakeholders_section/stakeholder_definition`` and 13 answer ``yes`` to
``coordination/coordination_guidelines``. These answers are fixed before anything else
and the questions they depend on are set so that they apply.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from iocompendium.questionnaires.structure import (
    QuestionRef,
    Structure,
    iter_nodes,
    iter_questions,
    template_path,
)
from iocompendium.responses.tabular import answerable

DEFAULT_SEED = 2018
# Part of the demo's cache key: raise it when a change alters the generated answers.
GENERATOR_VERSION = 3
MAX_PASSES = 12
MAX_REDRAWS = 8

STAKEHOLDERS = "stakeholders_section/stakeholders"
STAKEHOLDER_DEFINITION = "stakeholders_section/stakeholder_definition"
STAKEHOLDER_DEFINITION_TEXT = "stakeholders_section/stakeholder_definition_text"
COORDINATION_GUIDELINES = "coordination/coordination_guidelines"
CATEGORY = "organisation/category"
INSTRUMENTS_REPEAT = "instruments"

# Seed facts: organisations (of 36) choosing each option, in the option order.
STAKEHOLDER_COUNTS = {
    "gov_members": 29,
    "gov_non_members": 27,
    "national_regulators": 29,
    "other_domestic": 26,
    "igos": 35,
    "international_ngos": 33,
    "academic_institutions": 27,
    "academic_unions": 16,
    "philanthropic_foundations": 19,
    "business_associations": 31,
    "private_sector": 28,
    "individual_experts": 28,
    "labour_unions": 14,
    "consumers": 19,
    "other": 13,
}
SEED_RESPONDENTS = 36
UNDERSTANDING_NO_DEFINITION = 12
COORDINATION_GUIDELINES_YES = 13

Evaluate = Callable[..., dict[str, dict]]


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


@dataclass
class SyntheticResponse:
    organisation: SyntheticOrganisation
    answers: dict[str, str] = field(default_factory=dict)


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

# --------------------------------------------------------------------------- vocabulary

INSTRUMENT_TYPES = {
    "igo": [
        "Convention",
        "Recommendation",
        "Guidelines",
        "Decision",
        "Standard",
        "Model law",
        "Declaration",
        "Code of practice",
    ],
    "tgn": [
        "Guidelines",
        "Principles",
        "Recommendation",
        "Memorandum of understanding",
        "Best practice note",
    ],
    "private": ["Standard", "Technical specification", "Code of practice", "Guidelines"],
    "convention": [
        "Protocol",
        "Decision of the Conference of the Parties",
        "Resolution",
        "Guidelines",
    ],
    "supranational": ["Regulation", "Directive", "Decision", "Recommendation"],
    "other": ["Guidelines", "Standard", "Recommendation"],
}
LEGAL_EFFECTS = {
    "Convention": "binding",
    "Protocol": "binding",
    "Regulation": "binding",
    "Directive": "binding",
    "Decision": "binding",
    "Decision of the Conference of the Parties": "mixed",
    "Resolution": "mixed",
    "Standard": "non_binding",
    "Memorandum of understanding": "non_binding",
}
ADOPTING_BODIES = {
    "igo": ["plenary", "governing_council", "technical_committee"],
    "tgn": ["plenary", "technical_committee", "secretariat"],
    "private": ["technical_committee"],
    "convention": ["conference_of_parties"],
    "supranational": ["governing_council", "plenary"],
    "other": ["other"],
}
TITLE_ASPECTS = [
    "the safety of",
    "data exchange in",
    "the certification of",
    "risk assessment in",
    "good practice in",
    "the quality of",
    "transparency in",
    "the monitoring of",
    "emergency preparedness in",
    "terminology for",
]
SUBJECT_WORDS = [
    "safety",
    "data",
    "certification",
    "monitoring",
    "transparency",
    "trade",
    "environment",
    "health",
    "capacity_building",
    "statistics",
    "innovation",
]

PRACTICE_SENTENCES = {
    "organisation": [
        "The secretariat of {acronym} prepares every instrument with its {committee} and "
        "reports on its work in {domain} to the members each year.",
        "{acronym} brings together national authorities responsible for {domain} and "
        "publishes its rules in a public register.",
    ],
    "variety": [
        "{acronym} keeps a public database of its instruments on {domain}, with the legal "
        "effect and status of each.",
        "Definitions of each type of instrument used by {acronym} are set out in its rules "
        "of procedure.",
        "A glossary explains to members how {acronym}'s recommendations on {domain} differ "
        "from its binding decisions.",
    ],
    "implementation": [
        "{acronym} runs a technical assistance programme that helps members apply its "
        "instruments on {domain}.",
        "Members report every two years on the implementation of {acronym}'s main "
        "instruments, and the secretariat publishes a summary.",
        "A peer review of members' practice in {domain} takes place during the plenary.",
        "{acronym} publishes interpretation notes and training material for national "
        "officials working on {domain}.",
    ],
    "evaluation": [
        "An ex post review of the main instruments on {domain} is carried out every five "
        "years by the secretariat.",
        "Before adopting a new instrument, {acronym} prepares a short impact note discussed "
        "by its {committee}.",
        "Evaluation findings are presented to members, who decide whether an instrument "
        "should be revised or withdrawn.",
    ],
    "stakeholders_section": [
        "Draft instruments of {acronym} are published for public comment for sixty days.",
        "Industry, consumer and academic observers take part in the {committee} meetings "
        "of {acronym}.",
        "{acronym} keeps a register of stakeholders in {domain} and reports on how their "
        "comments were taken into account.",
    ],
    "coordination": [
        "{acronym} has a memorandum of understanding with two other organisations working "
        "on {domain} to avoid overlapping instruments.",
        "The secretariats of {acronym} and partner organisations meet every year to align "
        "their work programmes on {domain}.",
        "{acronym} develops joint guidance on {domain} with another international "
        "organisation and shares data with it.",
    ],
}
COMMENT_SENTENCES = [
    "The answer reflects the practice of the secretariat in the last three years.",
    "Practice differs between committees; the answer describes the most common case.",
    "A revision of the relevant procedures is under discussion among members.",
]
EXCLUSIVE_CHOICES = frozenset({"none", "dont_know", "not_applicable", "prefer_not_answer", "na"})
CITIES = [
    "Geneva",
    "Vienna",
    "Paris",
    "Nairobi",
    "Montreal",
    "Rome",
    "Bonn",
    "Copenhagen",
    "Singapore",
    "Panama City",
    "Madrid",
    "Brussels",
]


# --------------------------------------------------------------------------- calibration

# How each organisation describes its understanding of "stakeholder", by its answer to
# STAKEHOLDER_DEFINITION (invented wording; some in French, as organisations answer in
# their working language). The coding demo codes these texts.
DEFINITION_TEXTS = {
    "formal_definition": [
        "Our rules of procedure define stakeholders as any person or body, other than "
        "members, that has an interest in or is affected by {acronym}'s instruments on "
        "{domain}.",
        "A written policy defines a stakeholder as an organisation accredited to take part "
        "in the work of {acronym}: NGOs, business associations and academic institutions.",
        "Le règlement intérieur de {acronym} définit les parties prenantes comme les "
        "organismes accrédités, autres que les membres, concernés par ses travaux.",
    ],
    "understanding_no_definition": [
        "There is no written definition; in practice we consider anyone affected by our "
        "work on {domain} to be a stakeholder, mainly business and other organisations.",
        "We have a broad shared understanding: governments, industry and civil society "
        "that take part in meetings of {acronym}. It is not written down anywhere.",
        "Il n'existe pas de définition écrite ; en pratique, nous considérons comme parties "
        "prenantes les acteurs concernés par nos travaux, surtout les entreprises.",
        "Staff share an understanding that stakeholders are the observers and experts who "
        "follow our work, but {acronym} has never adopted a definition.",
    ],
    "no_definition": [
        "{acronym} has not defined the term and does not use it in its procedures.",
        "Not applicable: the notion is not used by {acronym}.",
        "La notion n'est pas utilisée par {acronym}.",
    ],
}


def definition_text(label: str, organisation: SyntheticOrganisation, index: int) -> str:
    """The organisation's description of its understanding of "stakeholder"."""
    texts = DEFINITION_TEXTS[label]
    return texts[index % len(texts)].format(
        acronym=organisation.acronym, domain=organisation.domain
    )



def calibrated_answers(
    organisations: tuple[SyntheticOrganisation, ...] = ORGANISATIONS, seed: int = DEFAULT_SEED
) -> list[dict[str, str]]:
    """The fixed answers of every organisation reproducing the Seed facts exactly."""
    count = len(organisations)
    rng = random.Random(f"{seed}-calibration")
    chosen: list[list[str]] = [[] for _ in range(count)]
    for option, times in STAKEHOLDER_COUNTS.items():
        for index in rng.sample(range(count), _scaled(times, count)):
            chosen[index].append(option)
    # Everyone regards at least one actor as a stakeholder: give an empty set the option
    # of an organisation choosing the most options, keeping every count unchanged.
    for options in chosen:
        if not options:
            donor = max(range(count), key=lambda i: len(chosen[i]))
            options.append(chosen[donor].pop())
    order = list(STAKEHOLDER_COUNTS)
    definitions = _shuffled_labels(
        rng,
        count,
        _scaled(UNDERSTANDING_NO_DEFINITION, count),
        "understanding_no_definition",
        ["formal_definition", "no_definition"],
    )
    guidelines = _shuffled_labels(
        rng, count, _scaled(COORDINATION_GUIDELINES_YES, count), "yes", ["no"]
    )
    return [
        {
            CATEGORY: organisation.category,
            STAKEHOLDERS: " ".join(sorted(chosen[i], key=order.index)),
            STAKEHOLDER_DEFINITION: definitions[i],
            STAKEHOLDER_DEFINITION_TEXT: definition_text(definitions[i], organisation, i),
            COORDINATION_GUIDELINES: guidelines[i],
        }
        for i, organisation in enumerate(organisations)
    ]


def _scaled(times: int, count: int) -> int:
    """The Seed count for 36 respondents, in proportion for another number (benchmarks)."""
    return (
        times if count == SEED_RESPONDENTS else min(count, round(times * count / SEED_RESPONDENTS))
    )


def _shuffled_labels(
    rng: random.Random, count: int, times: int, label: str, others: list[str]
) -> list[str]:
    labels = [label] * times + [others[i % len(others)] for i in range(count - times)]
    rng.shuffle(labels)
    return labels


# --------------------------------------------------------------------------- generation


def generate(
    structure: Structure,
    *,
    seed: int = DEFAULT_SEED,
    organisations: tuple[SyntheticOrganisation, ...] = ORGANISATIONS,
    evaluate: Evaluate | None = None,
) -> list[SyntheticResponse]:
    """Coherent, calibrated synthetic responses of ``organisations`` to the form."""
    if evaluate is None:
        from iocompendium.questionnaires.engine import evaluate
    generator = _Generator(structure, evaluate)
    fixed = calibrated_answers(organisations, seed)
    return [
        SyntheticResponse(
            organisation,
            generator.response(
                organisation, fixed[i], random.Random(f"{seed}-{organisation.acronym}")
            ),
        )
        for i, organisation in enumerate(organisations)
    ]


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


class _Generator:
    def __init__(self, structure: Structure, evaluate: Evaluate) -> None:
        self.structure = structure
        self.evaluate = evaluate
        self.questions = {ref.path: ref for ref in iter_questions(structure)}
        self.by_name: dict[str, list[QuestionRef]] = {}
        for ref in self.questions.values():
            self.by_name.setdefault(ref.name, []).append(ref)
        self.nodes = {ref.path: ref for ref in iter_nodes(structure)}
        self.top_repeats = [
            ref for ref in iter_nodes(structure) if ref.type == "repeat" and not ref.repeats
        ]

    # --- one response
    def response(
        self, organisation: SyntheticOrganisation, fixed: Mapping[str, str], rng: random.Random
    ) -> dict[str, str]:
        fixed = {path: value for path, value in fixed.items() if path in self.questions}
        answers = dict(fixed)
        self._fill(answers, organisation, rng)
        results = self.evaluate(self.structure, answers, "en")
        for path in fixed:
            if not results.get(path, {}).get("relevant", True):
                self._make_relevant(answers, path)
        redraws: dict[str, int] = {}
        changed = True
        for _ in range(MAX_PASSES):
            changed, results = self._settle(answers, fixed, organisation, rng, redraws)
            if not changed:
                break
        if changed:
            results = self.evaluate(self.structure, answers, "en")
        self._check_fixed(results, fixed, organisation)
        return answers

    def _fill(self, answers: dict[str, str], organisation, rng: random.Random) -> None:
        """A value for every question, with 2-6 instruments and 1-3 instances elsewhere."""
        for ref in self.questions.values():
            if ref.repeats or ref.path in answers:
                continue
            value = self.value(ref, ref.path, organisation, rng, answers)
            if value != "":
                answers[ref.path] = value
        for repeat in self.top_repeats:
            count = rng.randint(2, 6) if repeat.name == INSTRUMENTS_REPEAT else rng.randint(1, 3)
            for index in range(1, count + 1):
                self._fill_instance(answers, repeat, f"{repeat.path}[{index}]", organisation, rng)

    def _fill_instance(
        self, answers, repeat: QuestionRef, prefix: str, organisation, rng: random.Random
    ) -> None:
        instrument = _instrument(organisation, rng) if repeat.name == INSTRUMENTS_REPEAT else {}
        for child in repeat.node.get("children", []):
            path = f"{prefix}/{child['name']}"
            ref = self.nodes[f"{repeat.path}/{child['name']}"]
            if ref.type == "repeat":
                for index in range(1, rng.randint(1, 3) + 1):
                    self._fill_instance(answers, ref, f"{path}[{index}]", organisation, rng)
            elif ref.type == "group":
                self._fill_instance(answers, ref, path, organisation, rng)
            elif ref.name in instrument and answerable(ref):
                answers[path] = instrument[ref.name]
            elif answerable(ref):
                value = self.value(ref, path, organisation, rng, answers)
                if value != "":
                    answers[path] = value

    def _settle(self, answers, fixed, organisation, rng, redraws) -> tuple[bool, dict]:
        """One pass of the engine over the response: (anything changed?, the engine's results)."""
        results = self.evaluate(self.structure, answers, "en")
        changed = False
        for path in [p for p in answers if p not in results]:
            del answers[path]  # an instance the engine does not count
            changed = True
        for path, result in results.items():
            ref = self.questions.get(template_path(path))
            if ref is None or not answerable(ref) or path in fixed:
                continue
            if not result.get("relevant", True):
                if path in answers:
                    del answers[path]
                    changed = True
            elif result.get("error") or path not in answers:
                if path in answers and redraws.get(path, 0) >= MAX_REDRAWS:
                    if not result.get("required"):
                        del answers[path]  # no value fits: leave the optional question empty
                        changed = True
                    continue
                if path in answers:
                    redraws[path] = redraws.get(path, 0) + 1
                value = self.value(
                    ref, path, organisation, rng, answers, attempt=redraws.get(path, 0)
                )
                if value != answers.get(path, ""):
                    if value == "":
                        answers.pop(path, None)
                    else:
                        answers[path] = value
                    changed = True
        return changed, results

    def _make_relevant(self, answers: dict[str, str], path: str) -> None:
        """Set the questions a fixed question's relevance reads so that it applies."""
        for name in self._relevance_references(path):
            for ref in self.by_name.get(name, []):
                if ref.repeats:
                    continue
                for candidate in self._candidates(ref):
                    trial = dict(answers, **{ref.path: candidate})
                    if self.evaluate(self.structure, trial, "en").get(path, {}).get("relevant"):
                        answers[ref.path] = candidate
                        return

    def _relevance_references(self, path: str) -> list[str]:
        names, parts = [], path.split("/")
        for depth in range(1, len(parts) + 1):
            node = self.nodes.get("/".join(parts[:depth]))
            if node is not None:
                names += re.findall(r"\$\{([^}]+)\}", node.node.get("relevant", ""))
        return names

    def _candidates(self, ref: QuestionRef) -> list[str]:
        choices = [
            c["name"]
            for c in self.structure.get("choices", {}).get(ref.node.get("choice_list", ""), [])
        ]
        if ref.type in {"select_one", "select_multiple"}:
            return choices
        if ref.type in {"integer", "decimal"}:
            return ["1", "5", "20", "100"]
        return ["yes"]

    def _check_fixed(self, results, fixed, organisation) -> None:
        for path in fixed:
            result = results.get(path, {})
            if not result.get("relevant", True) or result.get("error"):
                raise ValueError(
                    f"The form does not let {organisation.acronym} answer {path} as calibrated "
                    f"({result.get('error') or 'not relevant'})."
                )

    # --- one value
    def value(
        self,
        ref: QuestionRef,
        path: str,
        organisation: SyntheticOrganisation,
        rng: random.Random,
        answers: Mapping[str, str],
        attempt: int = 0,
    ) -> str:
        kind, name = ref.type, ref.name
        section = ref.path.split("/", 1)[0]
        if kind == "text":
            return _text_value(name, section, organisation, rng)
        if kind == "integer":
            return str(_integer(name, rng, attempt))
        if kind == "decimal":
            return f"{rng.uniform(0, 100 if attempt < 3 else 1):.1f}"
        if kind == "range":
            params = ref.node.get("parameters", {})
            start, end = int(params.get("start", 0)), int(params.get("end", 10))
            return str(rng.randint(min(start, end), max(start, end)))
        if kind == "date":
            start = dt.date(2000, 1, 1)
            return (start + dt.timedelta(days=rng.randint(0, 9400))).isoformat()
        if kind == "select_one":
            return self._select_one(ref, organisation, rng, self._choices(ref, path, answers))
        if kind == "select_multiple":
            return self._select_multiple(rng, attempt, self._choices(ref, path, answers))
        if kind == "acknowledge":
            return "OK"
        return ""

    def _choices(self, ref: QuestionRef, path: str, answers: Mapping[str, str]) -> list[str]:
        """The choices offered, after the question's choice_filter if it has one."""
        if ref.node.get("choice_filter"):
            from iocompendium.questionnaires.engine import visible_choices

            return visible_choices(self.structure, path, answers)
        listed = self.structure.get("choices", {}).get(ref.node.get("choice_list", ""), [])
        return [c["name"] for c in listed]

    def _select_one(
        self, ref: QuestionRef, organisation, rng: random.Random, choices: list[str]
    ) -> str:
        if not choices:
            return ""
        if ref.name == "category" and organisation.category in choices:
            return organisation.category
        weights = [0.3 if c in EXCLUSIVE_CHOICES or c == "other" else 1.0 for c in choices]
        return rng.choices(choices, weights=weights)[0]

    def _select_multiple(self, rng: random.Random, attempt: int, choices: list[str]) -> str:
        ordinary = [c for c in choices if c not in EXCLUSIVE_CHOICES] or choices
        if not ordinary:
            return ""
        if attempt >= 3:  # a constraint keeps refusing sets: try a single choice
            return rng.choice(choices)
        # "other" (with its free-text follow-up) is chosen by about one organisation in ten.
        common = [c for c in ordinary if c != "other"] or ordinary
        picked = set(rng.sample(common, rng.randint(1, min(4, len(common)))))
        if "other" in ordinary and rng.random() < 0.1:
            picked.add("other")
        return " ".join(c for c in choices if c in picked)


def _integer(name: str, rng: random.Random, attempt: int) -> int:
    if attempt >= 2:
        return [0, 1, 3, 10, 2000][attempt % 5]
    if "year" in name:
        return rng.randint(1965, 2025)
    if "member" in name:
        return rng.randint(12, 190)
    if "staff" in name:
        return rng.randint(8, 900)
    return rng.randint(1, 60)


def _instrument(organisation: SyntheticOrganisation, rng: random.Random) -> dict[str, str]:
    kind = rng.choice(INSTRUMENT_TYPES.get(organisation.category, INSTRUMENT_TYPES["other"]))
    effect = LEGAL_EFFECTS.get(kind, "non_binding")
    if rng.random() < 0.08:
        effect = "unknown"
    addressees = ["states", "regulators", "private_operators", "other_ios", "general_public"]
    picked = set(rng.sample(addressees, rng.randint(1, 3)))
    if organisation.category == "private":
        picked.add("private_operators")
    aspect = rng.choice(TITLE_ASPECTS)
    return {
        "title": f"{kind} on {aspect} {organisation.domain}",
        "instrument_type": kind,
        "legal_effect": effect,
        "addressees": " ".join(a for a in addressees if a in picked),
        "adopting_body": rng.choice(ADOPTING_BODIES.get(organisation.category, ["other"])),
        "year": str(rng.randint(1972, 2025)),
        "status": rng.choices(
            ["in_force", "superseded", "draft", "withdrawn"], weights=[8, 2, 1, 0.5]
        )[0],
        "subjects": ";".join(rng.sample(SUBJECT_WORDS, rng.randint(1, 3))),
    }


def _text_value(
    name: str, section: str, organisation: SyntheticOrganisation, rng: random.Random
) -> str:
    if "respondent" in name and "email" not in name:
        return f"Focal point, {organisation.acronym} secretariat (synthetic)"
    values = {
        "acronym": organisation.acronym,
        "website": organisation.website,
        "url": f"{organisation.website}/instruments",
    }
    for key, value in values.items():
        if key in name:
            return value
    if "email" in name:
        return f"focal.point@{organisation.acronym.lower()}.example.org"
    if name.endswith("_other"):
        return f"Other arrangement specific to {organisation.domain}"
    if "name" in name:
        return organisation.name_en
    if any(word in name for word in ("seat", "headquarters", "city", "location")):
        return rng.choice(CITIES)
    if name.endswith("_comments"):
        return rng.choice(COMMENT_SENTENCES)
    sentences = PRACTICE_SENTENCES.get(section) or PRACTICE_SENTENCES["implementation"]
    picked = rng.sample(sentences, min(2, len(sentences)))
    committee = rng.choice(["technical committee", "governing council", "plenary"])
    return " ".join(
        s.format(acronym=organisation.acronym, domain=organisation.domain, committee=committee)
        for s in picked
    )
