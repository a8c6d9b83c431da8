"""Words and sentences the synthetic demo answers are made of (pure Python, invented).

Instrument types, legal effects, adopting bodies and titles by organisation category;
practice and comment sentences; the organisations' descriptions of "stakeholder".
"""

from __future__ import annotations

from iocompendium.responses.demo.organisations import SyntheticOrganisation

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
