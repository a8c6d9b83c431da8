"""Families in plain words, in English and French (pure Python, no Django).

A family's name and its ten-second description are generated from its defining values
(``clustering.describe``) and from counts computed on its instruments; nothing in them is
written by hand, and "not recorded" never names a family (missing values never define
one). The phrases are data, in both languages, so that the same function writes both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LANGUAGES = ("en", "fr")

# Adjectives that qualify "instruments" (plural), per language.
LEGAL = {
    "binding": {"en": "binding", "fr": "contraignants"},
    "non_binding": {"en": "non-binding", "fr": "non contraignants"},
    "mixed": {"en": "partly binding", "fr": "en partie contraignants"},
}
LEGAL_NAME = {
    "binding": {"en": "binding", "fr": "contraignant"},
    "non_binding": {"en": "non-binding", "fr": "non contraignant"},
    "mixed": {"en": "partly binding", "fr": "en partie contraignant"},
}
BODIES = {
    "plenary": {"en": "plenary bodies", "fr": "des organes pléniers"},
    "governing_council": {"en": "governing councils", "fr": "des conseils de direction"},
    "technical_committee": {"en": "technical committees", "fr": "des comités techniques"},
    "conference_of_parties": {"en": "conferences of the parties",
                              "fr": "des conférences des parties"},
    "secretariat": {"en": "secretariats", "fr": "des secrétariats"},
    "states": {"en": "negotiating states", "fr": "des États qui les négocient"},
    "other": {"en": "other bodies", "fr": "d'autres organes"},
}
BODY_NAME = {
    "plenary": {"en": "plenary", "fr": "plénière"},
    "governing_council": {"en": "governing council", "fr": "conseil de direction"},
    "technical_committee": {"en": "technical committee", "fr": "comité technique"},
    "conference_of_parties": {"en": "conference of the parties", "fr": "conférence des parties"},
    "secretariat": {"en": "secretariat", "fr": "secrétariat"},
    "states": {"en": "negotiating states", "fr": "États négociateurs"},
    "other": {"en": "other body", "fr": "autre organe"},
}
ADDRESSEES = {
    "states": {"en": "states", "fr": "les États"},
    "regulators": {"en": "regulators", "fr": "les régulateurs"},
    "private_operators": {"en": "private operators", "fr": "les opérateurs privés"},
    "other_ios": {"en": "other international organisations",
                  "fr": "d'autres organisations internationales"},
    "general_public": {"en": "the general public", "fr": "le grand public"},
}
NATURES = {
    "legal": {"en": "legal", "fr": "juridique"},
    "policy": {"en": "policy", "fr": "politique"},
    "technical": {"en": "technical", "fr": "technique"},
}
SCOPES = {
    "bilateral": {"en": "bilateral", "fr": "bilatéral"},
    "plurilateral": {"en": "plurilateral", "fr": "plurilatéral"},
    "multilateral": {"en": "multilateral", "fr": "multilatéral"},
    "regional": {"en": "regional", "fr": "régional"},
    "global": {"en": "global", "fr": "mondial"},
    "external": {"en": "external", "fr": "externe"},
    "interministerial": {"en": "interministerial", "fr": "interministériel"},
}
WORDS = {
    "all": {"en": "Only", "fr": "Uniquement des"},
    "mostly": {"en": "Mostly", "fr": "Surtout des"},
    "many": {"en": "Many", "fr": "Beaucoup d'"},
    "instruments": {"en": "instruments", "fr": "instruments"},
    "such_as": {"en": "such as", "fr": "tels que"},
    "or": {"en": "or", "fr": "ou"},
    "and": {"en": "and", "fr": "et"},
    "adopted_by": {"en": "adopted by", "fr": "adoptés par"},
    "addressed_to": {"en": "addressed to", "fr": "destinés à"},
    "scope": {"en": "scope", "fr": "portée"},
    "nature": {"en": "nature", "fr": "nature"},
    "mixed": {"en": "Mixed instruments", "fr": "Instruments variés"},
}


@dataclass(frozen=True)
class Facts:
    """What a family's words are made of, all computed from its instruments."""

    size: int
    n_organisations: int
    defining: Sequence[Mapping]  # clustering.describe entries (most distinctive first)
    types: Sequence[tuple[str, int]]  # (type label per language, count), most common first


def _quantifier(share: float, lang: str) -> str:
    if share >= 0.95:
        return WORDS["all"][lang]
    return WORDS["mostly"][lang] if share >= 0.7 else WORDS["many"][lang]


def _join(items: Sequence[str], lang: str, word: str = "and") -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {WORDS[word][lang]} {items[-1]}"


def _value(defining: Sequence[Mapping], attribute: str) -> Mapping | None:
    return next((d for d in defining if d["attribute"] == attribute), None)


def _addressees(value: str, lang: str) -> str:
    return _join([ADDRESSEES.get(v, {}).get(lang, v) for v in value.split("+") if v], lang)


def counts_phrase(size: int, n_organisations: int, lang: str) -> str:
    if lang == "fr":
        noun = "instrument" if size == 1 else "instruments"
        orgs = "organisation" if n_organisations == 1 else "organisations"
        return f"{size} {noun} de {n_organisations} {orgs}"
    noun = "instrument" if size == 1 else "instruments"
    orgs = "organisation" if n_organisations == 1 else "organisations"
    return f"{size} {noun} from {n_organisations} {orgs}"


def description(facts: Facts, lang: str, type_labels: Mapping[str, str]) -> str:
    """E.g. "Mostly binding instruments such as Decision or Regulation, adopted by
    plenary bodies, addressed to states; 28 instruments from 9 organisations."

    ``type_labels`` gives each native type's label in ``lang``."""
    defining = facts.defining
    legal = _value(defining, "legal_effect")
    shares = [d["share"] for d in defining if d["attribute"] in
              {"legal_effect", "adopting_body", "addressees"}]
    top_types = _typical_types(facts, type_labels)
    if top_types:
        shares.append(sum(n for _, n in facts.types[:len(top_types)]) / max(facts.size, 1))
    if not shares:
        return f"{WORDS['mixed'][lang]}; {counts_phrase(facts.size, facts.n_organisations, lang)}."
    head = _quantifier(min(shares), lang)
    adjective = LEGAL.get(legal["value"], {}).get(lang, "") if legal else ""
    noun = WORDS["instruments"][lang]
    if lang == "fr":
        space = "" if head.endswith("'") else " "
        phrase = f"{head}{space}{noun}" + (f" {adjective}" if adjective else "")
    else:
        phrase = f"{head} " + (f"{adjective} " if adjective else "") + noun
    parts = [phrase]
    if top_types:
        parts[0] += f" {WORDS['such_as'][lang]} {_join(top_types, lang, 'or')}"
    body = _value(defining, "adopting_body")
    if body and body["value"] in BODIES:
        parts.append(f"{WORDS['adopted_by'][lang]} {BODIES[body['value']][lang]}")
    addressees = _value(defining, "addressees")
    if addressees:
        parts.append(f"{WORDS['addressed_to'][lang]} {_addressees(addressees['value'], lang)}")
    scope = _value(defining, "scope")
    if scope and scope["value"] in SCOPES:
        parts.append(f"{WORDS['scope'][lang]} {SCOPES[scope['value']][lang]}")
    text = ", ".join(parts)
    separator = " ; " if lang == "fr" else "; "
    return f"{text}{separator}{counts_phrase(facts.size, facts.n_organisations, lang)}."


def _typical_types(facts: Facts, type_labels: Mapping[str, str]) -> list[str]:
    """The types that together make half the family (at most three)."""
    chosen: list[str] = []
    covered = 0
    for native, count in facts.types[:3]:
        chosen.append(type_labels.get(native, native))
        covered += count
        if covered >= facts.size / 2:
            return chosen
    return chosen if covered >= facts.size / 2 else []


def name(facts: Facts, lang: str, type_labels: Mapping[str, str], depth: int = 1) -> str:
    """A short name from the dominant values, e.g. "Decision · binding · plenary";
    ``depth`` adds more distinguishing values (to tell apart families that share one)."""
    parts: list[str] = []
    if facts.types and facts.types[0][1] >= facts.size * 0.4:
        parts.append(type_labels.get(facts.types[0][0], facts.types[0][0]))
    for entry in facts.defining:
        if len(parts) > depth:
            break
        label = _name_part(entry, lang)
        if label and label not in parts:
            parts.append(label)
    return " · ".join(parts) if parts else WORDS["mixed"][lang]


def _name_part(entry: Mapping, lang: str) -> str:
    attribute, value = entry["attribute"], entry["value"]
    if attribute == "legal_effect":
        return LEGAL_NAME.get(value, {}).get(lang, "")
    if attribute == "adopting_body":
        return BODY_NAME.get(value, {}).get(lang, "")
    if attribute == "addressees":
        return _addressees(value, lang)
    if attribute == "scope":
        return SCOPES.get(value, {}).get(lang, value)
    if attribute == "nature":
        return NATURES.get(value, {}).get(lang, value)
    return ""  # the type is named first, from the counts


def unique_names(all_facts: Sequence[Facts], lang: str,
                 type_labels: Mapping[str, str]) -> list[str]:
    """Names for every family, made longer where two would read the same; numbered as a
    last resort."""
    names = [name(f, lang, type_labels) for f in all_facts]
    for depth in (2, 3, 4):
        repeated = {n for n in names if names.count(n) > 1}
        if not repeated:
            break
        names = [name(f, lang, type_labels, depth) if n in repeated else n
                 for f, n in zip(all_facts, names, strict=True)]
    seen: dict[str, int] = {}
    result = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        result.append(n if names.count(n) == 1 else f"{n} ({seen[n]})")
    return result
