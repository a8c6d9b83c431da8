"""The vocabulary of instruments (no Django models): normalised attribute codes with their
English and French labels, and the rules that place a native type in an expert family.

The codes are those of the IO Survey (``variety/instruments``); the expert families are
those proposed in the IO Compendium (reference/domain.md, section 4.3).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

LEGAL_EFFECTS = {
    "binding": _("binding"),
    "non_binding": _("non-binding"),
    "mixed": _("mixed"),
    "unknown": _("unknown"),
}
NATURES = {"legal": _("legal"), "policy": _("policy"), "technical": _("technical")}
ADDRESSEES = {
    "states": _("states"),
    "regulators": _("regulators"),
    "private_operators": _("private operators"),
    "other_ios": _("other IOs"),
    "general_public": _("general public"),
}
ADOPTING_BODIES = {
    "plenary": _("plenary"),
    "governing_council": _("governing council"),
    "technical_committee": _("technical committee"),
    "conference_of_parties": _("conference of the parties"),
    "secretariat": _("secretariat"),
    "states": _("negotiating states"),
    "other": _("other body"),
}
STATUSES = {
    "in_force": _("in force"),
    "superseded": _("superseded"),
    "draft": _("draft"),
    "withdrawn": _("withdrawn"),
    "ended": _("ended"),
}
SCOPES = {
    "bilateral": _("bilateral"),
    "plurilateral": _("plurilateral"),
    "multilateral": _("multilateral"),
    "regional": _("regional"),
    "global": _("global"),
    "external": _("external"),
    "interministerial": _("interministerial"),
}
EXPERT_FAMILIES = {
    "treaties": _("Treaties and conventions"),
    "binding_decisions": _("Binding decisions"),
    "recommendations": _("Recommendations and resolutions"),
    "declarations": _("Declarations"),
    "technical_standards": _("Technical standards"),
    "model_laws": _("Model laws and treaties"),
    "guidance": _("Guidance and principles"),
    "mras": _("Mutual recognition arrangements"),
    "other": _("Other (not in the expert families)"),
}
ATTRIBUTE_LABELS = {
    "type": _("type"),
    "legal_effect": _("legal effect"),
    "nature": _("nature"),
    "addressees": _("addressees"),
    "adopting_body": _("adopting body"),
    "scope": _("scope"),
    "domain": _("domain"),
    "status": _("status"),
}
VALUE_LABELS = {
    "legal_effect": LEGAL_EFFECTS,
    "nature": NATURES,
    "adopting_body": ADOPTING_BODIES,
    "status": STATUSES,
    "scope": SCOPES,
}

# Checked in order: the first rule whose pattern appears in the native type wins.
_EXPERT_RULES: list[tuple[str, str]] = [
    (r"mutual recognition|\bmra\b|\bmla\b|reconnaissance mutuelle", "mras"),
    (r"model (law|treaty|convention|provision|regulation)|loi type|modèle", "model_laws"),
    (r"declaration|déclaration|communiqu|joint statement", "declarations"),
    (r"standard|norme|specification|spécification|code\b|codex", "technical_standards"),
    (r"guid|principle|principe|best practice|manual|handbook|report|rapport|toolkit",
     "guidance"),
    (r"recommendation|recommandation|resolution|résolution|opinion|avis", "recommendations"),
    (r"decision|décision|regulation|règlement|directive|rule|ruling", "binding_decisions"),
    (r"treaty|traité|convention|agreement|accord|protocol|amendment|amendement|charter"
     r"|covenant|pact|extending", "treaties"),
]


def expert_family_of(native_type: str, legal_effect: str = "") -> str:
    """The expert family a native type belongs to, by keyword rules (``other`` if none).

    A resolution or recommendation that is binding counts as a binding decision (the
    Compendium puts "binding resolutions" with decisions)."""
    text = (native_type or "").casefold()
    for pattern, family in _EXPERT_RULES:
        if re.search(pattern, text):
            if family == "recommendations" and legal_effect == "binding":
                return "binding_decisions"
            return family
    return "other"


def type_key(native_type: str) -> str:
    """The key under which a native type is mapped: trimmed, single spaces, case-folded."""
    return " ".join((native_type or "").split()).casefold()


def label(attribute: str, value: str) -> str:
    """The label of a value in the active language (addressee sets joined by ' + ')."""
    if not value:
        return str(_("not recorded"))
    if attribute == "addressees":
        return " + ".join(str(ADDRESSEES.get(v, v)) for v in value.split("+") if v) or value
    labels = VALUE_LABELS.get(attribute, {})
    return str(labels.get(value, value))
