"""Source of the three frameworks shipped for the IO Survey, written out as workbooks.

``python -m iocompendium.indicators.frameworks_source`` rewrites
``indicators/frameworks/*.xlsx`` (through ``iocompendium.spreadsheets``). The files are
the shipped data; this script is how they are made, so a change is reviewed as code.

Built on the public iREG structure (OECD, Indicators of Regulatory Policy and Governance):
one composite per practice, four equally weighted categories (systematic adoption,
methodology, oversight and quality control, transparency), each of equally weighted
sub-categories of indicators; categories score 0-1 and the composite is their sum (0-4,
``scale`` 4). Weights are ``manual``, all 1 (equal, as in the iREG), so that a weight
edited in the workbook changes the scores. Every indicator reads an IO Survey question
(``rules`` sheet) and, where the 2021 iREG survey asks the same of governments, names
that iREG item in ``mirrors`` (codes of the code list ``CL_MEASURE_QDD_REG_SH``,
primary-law variant ``_P``); an indicator with no counterpart names none, so that only
like is compared with like.

Questions asked only when the practice exists (skip logic) are read with a ``condition``
rule on the practice question: an organisation that never assesses scores 0 there, as the
iREG scores a country without the practice; a question left unanswered stays missing and
is treated as "not applicable" (the framework's default), never as 0.
"""

from __future__ import annotations

from pathlib import Path

from iocompendium.atomic import write_bytes_atomic
from iocompendium.indicators.workbook import workbook_bytes

FOLDER = Path(__file__).resolve().parent / "frameworks"
VERSION = "2026120101"
QUESTIONNAIRE = "io-survey"
CATEGORIES = [
    ("systematic_adoption", "Systematic adoption", "Adoption systématique"),
    ("methodology", "Methodology", "Méthodologie"),
    ("oversight", "Oversight and quality control", "Contrôle et assurance qualité"),
    ("transparency", "Transparency", "Transparence"),
]
PRACTISED = ["always", "frequently", "sometimes"]
FREQUENCY = {"always": 1, "frequently": 0.67, "sometimes": 0.33, "never": 0}


def choice(question: str, scores: dict, **extra) -> dict:
    return {"kind": "choice", "question": question, "scores": scores, "choices": [],
            "cap": None, "question2": "", "choices2": [], "op": "and", "missing": "", **extra}


def count(question: str, choices: list[str], cap: float | None = 1, **extra) -> dict:
    return {"kind": "count", "question": question, "scores": {}, "choices": choices,
            "cap": cap, "question2": "", "choices2": [], "op": "and", "missing": "", **extra}


def condition(question: str, choices: list[str], question2: str, choices2: list[str],
              **extra) -> dict:
    return {"kind": "condition", "question": question, "scores": {}, "choices": choices,
            "cap": None, "question2": question2, "choices2": choices2, "op": "and",
            "missing": "", **extra}


def framework(slug: str, title_en: str, title_fr: str, composite: str, root: tuple,
              tree: dict) -> dict:
    """``tree``: {category: [(subcategory, en, fr, [(indicator, en, fr, rule, mirrors)])]}."""
    nodes = [{"name": root[0], "level": "composite", "parent": "", "label_en": root[1],
              "label_fr": root[2], "weight": 1.0, "direction": 1, "target": None,
              "mirrors": "", "rule": None}]
    for name, en, fr in CATEGORIES:
        nodes.append({"name": name, "level": "category", "parent": root[0], "label_en": en,
                      "label_fr": fr, "weight": 1.0, "direction": 1, "target": None,
                      "mirrors": "", "rule": None})
        for sub, sub_en, sub_fr, indicators in tree[name]:
            nodes.append({"name": sub, "level": "subcategory", "parent": name,
                          "label_en": sub_en, "label_fr": sub_fr, "weight": 1.0,
                          "direction": 1, "target": None, "mirrors": "", "rule": None})
            for ind, ind_en, ind_fr, rule, mirrors in indicators:
                nodes.append({"name": ind, "level": "indicator", "parent": sub,
                              "label_en": ind_en, "label_fr": ind_fr, "weight": 1.0,
                              "direction": 1, "target": None, "mirrors": mirrors,
                              "rule": rule})
    return {
        "slug": slug, "title_en": title_en, "title_fr": title_fr,
        "questionnaire": QUESTIONNAIRE, "version": VERSION, "country_composite": composite,
        "construction": {"missing": "na", "group": "", "winsorise": 0.0,
                         "normalisation": "none", "weighting": "manual",
                         "aggregation": "arithmetic", "zero_rule": "offset", "scale": 4.0},
        "nodes": nodes,
    }


S = "stakeholders_section/"
E = "evaluation/"

STAKEHOLDER_ENGAGEMENT = framework(
    "ireg-stakeholder-engagement", "Stakeholder engagement (iREG structure)",
    "Participation des parties prenantes (structure iREG)", "SA",
    ("stakeholder_engagement", "Stakeholder engagement", "Participation des parties prenantes"),
    {
        "systematic_adoption": [
            ("se_commitment", "Commitment to engage", "Engagement à associer", [
                ("se_strategy", "A written engagement policy or strategy",
                 "Une politique ou stratégie écrite de participation",
                 choice(S + "engagement_strategy", {"written": 1, "informal": 0.5, "none": 0}),
                 "2C2_P"),
            ]),
            ("se_practice", "Engagement in practice", "Participation en pratique", [
                ("se_consults_drafts", "Public consultation on drafts",
                 "Consultation publique sur les projets",
                 count(S + "engagement_mechanisms", ["consultation"]), "2C5_P"),
                ("se_early_engagement", "Stakeholders engaged when the agenda is set",
                 "Parties prenantes associées dès la définition du programme",
                 count(S + "engagement_stages", ["agenda"]), "2C4_P"),
            ]),
        ],
        "methodology": [
            ("se_guidance_sub", "Guidance", "Orientations", [
                ("se_guidance", "Guidance for staff on engaging stakeholders",
                 "Orientations pour le personnel sur la participation",
                 choice(S + "engagement_guidance", {"yes": 1, "no": 0}), "2A3_P"),
            ]),
            ("se_methods", "Forms of engagement", "Formes de participation", [
                ("se_mechanisms", "Several forms of engagement (four or more)",
                 "Plusieurs formes de participation (quatre ou plus)",
                 count(S + "engagement_mechanisms", [], cap=4), "2A7a_P"),
                ("se_stages", "Engagement across the rulemaking cycle (share of five stages)",
                 "Participation tout au long du cycle (part des cinq étapes)",
                 count(S + "engagement_stages", [], cap=5), ""),
            ]),
        ],
        "oversight": [
            ("se_monitoring", "Monitoring of engagement", "Suivi de la participation", [
                ("se_oversight", "A body monitors how well stakeholders are engaged",
                 "Un organe suit la qualité de la participation",
                 choice(S + "engagement_oversight", {"yes": 1, "no": 0}), "2B6_P"),
                ("se_strategy_evaluation", "The strategy provides for evaluating engagement",
                 "La stratégie prévoit l'évaluation de la participation",
                 condition(S + "engagement_strategy", ["written"], S + "strategy_elements",
                           ["evaluation"]), ""),
            ]),
        ],
        "transparency": [
            ("se_openness", "Openness of drafts", "Ouverture des projets", [
                ("se_drafts_public", "Draft instruments are made public",
                 "Les projets d'instruments sont rendus publics",
                 choice(S + "drafts_public", {"yes": 1, "partly": 0.5, "no": 0}), "2D3_P"),
                ("se_online", "Online platforms for engagement",
                 "Plateformes en ligne pour la participation",
                 count(S + "engagement_mechanisms", ["online"]), "2D5_P"),
            ]),
            ("se_response", "Response to comments", "Réponse aux commentaires", [
                ("se_feedback", "Participants are told (always or frequently) how their input "
                 "was used",
                 "Les participants sont informés (toujours ou souvent) de l'utilisation de leurs "
                 "contributions",
                 condition(S + "engagement_mechanisms", ["consultation"],
                           S + "consultation_feedback", ["always", "frequently"]), "2D7_P"),
            ]),
        ],
    },
)

EX_ANTE = framework(
    "ireg-ex-ante-assessment", "Ex ante assessment (iREG structure)",
    "Évaluation ex ante (structure iREG)", "RIA",
    ("ex_ante_assessment", "Ex ante assessment", "Évaluation ex ante"),
    {
        "systematic_adoption": [
            ("ea_practice", "Assessment in practice", "Évaluation en pratique", [
                ("ea_frequency", "Expected effects are assessed before adoption",
                 "Les effets attendus sont évalués avant l'adoption",
                 choice(E + "ex_ante", FREQUENCY), "1C5_P"),
            ]),
        ],
        "methodology": [
            ("ea_content", "What is assessed", "Contenu de l'évaluation", [
                ("ea_costs_benefits", "Costs and benefits are assessed",
                 "Les coûts et avantages sont évalués",
                 condition(E + "ex_ante", PRACTISED, E + "ex_ante_methods", ["cost_benefit"]),
                 "1A1_P"),
                ("ea_need", "The need for the instrument is analysed",
                 "Le besoin de l'instrument est analysé",
                 condition(E + "ex_ante", PRACTISED, E + "ex_ante_methods", ["needs_analysis"]),
                 ""),
                ("ea_risk", "Risks are assessed", "Les risques sont évalués",
                 condition(E + "ex_ante", PRACTISED, E + "ex_ante_methods", ["risk"]), ""),
            ]),
            ("ea_inputs", "Inputs to the assessment", "Apports à l'évaluation", [
                ("ea_consultation", "Those affected are consulted in the assessment",
                 "Les personnes concernées sont consultées lors de l'évaluation",
                 condition(E + "ex_ante", PRACTISED, E + "ex_ante_methods", ["consultation"]),
                 "2D9a_P"),
                ("ea_existing_work", "Similar work elsewhere is reviewed",
                 "Les travaux similaires ailleurs sont examinés",
                 condition(E + "ex_ante", PRACTISED, E + "ex_ante_methods",
                           ["existing_work"]), ""),
            ]),
        ],
        "oversight": [
            ("ea_quality", "Quality control", "Contrôle de la qualité", [
                ("ea_oversight", "A body other than the drafters checks assessments",
                 "Un organe autre que les rédacteurs contrôle les évaluations",
                 condition(E + "ex_ante", PRACTISED, E + "ex_ante_oversight", ["yes"]),
                 "1B1_P"),
            ]),
        ],
        "transparency": [
            ("ea_publication", "Publication", "Publication", [
                ("ea_published", "Assessments are published (always 1, sometimes 0.5; 0 when "
                 "no assessment is made)",
                 "Les évaluations sont publiées (toujours 1, parfois 0,5 ; 0 sans évaluation)",
                 choice(E + "ex_ante_published", {"always": 1, "sometimes": 0.5, "never": 0},
                        missing="zero"), "1D3_P"),
            ]),
        ],
    },
)

EX_POST = framework(
    "ireg-ex-post-evaluation", "Ex post evaluation (iREG structure)",
    "Évaluation ex post (structure iREG)", "EPE",
    ("ex_post_evaluation", "Ex post evaluation", "Évaluation ex post"),
    {
        "systematic_adoption": [
            ("ep_practice", "Evaluation in practice", "Évaluation en pratique", [
                ("ep_frequency", "Instruments are evaluated after adoption",
                 "Les instruments sont évalués après leur adoption",
                 choice(E + "ex_post", FREQUENCY), "3C1_P"),
            ]),
            ("ep_requirements", "Built-in reviews", "Réexamens prévus", [
                ("ep_review_clause", "Review clauses or a fixed review cycle start reviews",
                 "Des clauses de réexamen ou un cycle fixe déclenchent les réexamens",
                 condition(E + "ex_post", PRACTISED, E + "review_triggers",
                           ["review_clause", "periodic"]), "3C4b_P"),
            ]),
        ],
        "methodology": [
            ("ep_guidance_sub", "Guidance", "Orientations", [
                ("ep_guidance", "Written guidance for evaluators",
                 "Orientations écrites pour les évaluateurs",
                 condition(E + "ex_post", PRACTISED, E + "evaluation_guidance", ["yes"]),
                 "3A13_P"),
            ]),
            ("ep_scope", "Scope of evaluations", "Portée des évaluations", [
                ("ep_impact", "Evaluations look at impact (outcomes, effectiveness, costs)",
                 "Les évaluations portent sur l'impact (résultats, efficacité, coûts)",
                 condition(E + "ex_post", PRACTISED, E + "evaluation_focus",
                           ["impact", "both"]), "3A10_P"),
                ("ep_sets", "Sets of instruments or the whole stock are evaluated",
                 "Des ensembles d'instruments ou tout le stock sont évalués",
                 condition(E + "ex_post", PRACTISED, E + "evaluation_object",
                           ["set", "stock"]), "3C6_P"),
            ]),
        ],
        "oversight": [
            ("ep_independence", "Independent evaluation", "Évaluation indépendante", [
                ("ep_independent", "A dedicated unit or external experts evaluate",
                 "Une unité dédiée ou des experts externes évaluent",
                 condition(E + "ex_post", PRACTISED, E + "evaluators",
                           ["evaluation_unit", "external"]), "4B22_P"),
            ]),
            ("ep_use_sub", "Use of results", "Utilisation des résultats", [
                ("ep_use", "Results lead to revising instruments",
                 "Les résultats conduisent à réviser les instruments",
                 condition(E + "ex_post", PRACTISED, E + "evaluation_use", ["revision"]),
                 "4F2_P"),
            ]),
        ],
        "transparency": [
            ("ep_publication", "Publication", "Publication", [
                ("ep_published", "Evaluation results are published always",
                 "Les résultats des évaluations sont toujours publiés",
                 condition(E + "ex_post", PRACTISED, E + "evaluation_published", ["always"]),
                 "3D7_P"),
            ]),
            ("ep_participation", "Stakeholders in reviews", "Parties prenantes et réexamens", [
                ("ep_stakeholders", "Stakeholders are engaged in evaluation and review",
                 "Les parties prenantes participent à l'évaluation et au réexamen",
                 count(S + "engagement_stages", ["review"]), "3D6_P"),
            ]),
        ],
    },
)

FRAMEWORKS = (STAKEHOLDER_ENGAGEMENT, EX_ANTE, EX_POST)


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for definition in FRAMEWORKS:
        write_bytes_atomic(FOLDER / f"{definition['slug']}.xlsx", workbook_bytes(definition))
        print(f"wrote {definition['slug']}.xlsx")


if __name__ == "__main__":
    main()
