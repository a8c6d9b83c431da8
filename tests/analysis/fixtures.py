"""A tiny SYNTHETIC questionnaire and answers, with every expected figure worked out by hand
in the tests (four fictional organisations A, B, C, D)."""

from __future__ import annotations

import pandas as pd


def node(type_: str, name: str, en: str = "", fr: str = "", **extra) -> dict:
    base = {
        "type": type_, "name": name, "row": 0, "label": {"en": en or name, "fr": fr or en or name},
        "hint": {}, "relevant": "", "required": "", "required_message": {}, "constraint": "",
        "constraint_message": {}, "soft_constraint": "", "soft_constraint_message": {},
        "calculation": "", "default": "", "read_only": "", "choice_list": "",
        "choice_filter": "", "or_other": False, "appearance": "", "repeat_count": "",
        "parameters": {},
    }
    base.update(extra)
    if type_ in {"group", "repeat"}:
        base.setdefault("children", [])
    return base


def choice(name: str, en: str, fr: str) -> dict:
    return {"name": name, "label": {"en": en, "fr": fr}, "extra": {}}


STRUCTURE = {
    "form_id": "tiny", "form_version": "1", "title": {"en": "Tiny", "fr": "Minuscule"},
    "default_language": "en", "languages": ["en", "fr"],
    "choices": {
        "category": [choice("igo", "IGO", "OIG"), choice("tgn", "Network", "Réseau")],
        "actors": [choice("a", "Actor <A> & co", "Acteur <A> & cie"),
                   choice("b", "Actor B", "Acteur B"), choice("c", "Actor C", "Acteur C")],
        "definition": [choice("formal", "Formal", "Formelle"),
                       choice("understanding", "Understanding", "Compréhension"),
                       choice("none", "None", "Aucune")],
        "effect": [choice("binding", "Binding", "Contraignant"),
                   choice("non_binding", "Non-binding", "Non contraignant")],
    },
    "children": [
        node("group", "org", "Organisation", "Organisation", children=[
            node("select_one", "category", "Category", "Catégorie", choice_list="category"),
            node("integer", "staff", "Staff", "Personnel"),
            node("date", "founded", "Founded", "Fondée"),
            node("note", "thanks", "Thanks", "Merci"),
        ]),
        node("group", "stake", "Stakeholders", "Parties prenantes", children=[
            node("select_multiple", "actors", "Which actors?", "Quels acteurs ?",
                 choice_list="actors"),
            node("select_one", "definition", "Definition?", "Définition ?",
                 choice_list="definition"),
            node("text", "practice_examples", "Examples", "Exemples",
                 relevant="${definition} = 'formal'"),
        ]),
        node("group", "variety", "Variety", "Variété", children=[
            node("repeat", "instruments", "Instrument", "Instrument", children=[
                node("text", "type", "Type", "Type"),
                node("select_one", "effect", "Legal effect", "Effet juridique",
                     choice_list="effect"),
            ]),
        ]),
    ],
}

ANSWERS_BY_ORGANISATION = {
    "A": {"org/category": "igo", "org/staff": "10", "org/founded": "2001-05-01",
          "stake/actors": "a b", "stake/definition": "formal",
          "stake/practice_examples": "We consult <everyone> & publish",
          "variety/instruments[1]/type": "Standard", "variety/instruments[1]/effect": "binding",
          "variety/instruments[2]/type": "standard ",
          "variety/instruments[2]/effect": "non_binding"},
    "B": {"org/category": "igo", "org/staff": "20", "stake/actors": "a",
          "stake/definition": "understanding",
          # Left over from before the definition changed: no longer relevant.
          "stake/practice_examples": "stale text",
          "variety/instruments[1]/type": "Guideline", "variety/instruments[1]/effect": "binding"},
    "C": {"org/category": "tgn", "org/staff": "40", "org/founded": "1999-01-01",
          "stake/actors": "b c", "stake/definition": "formal",
          "stake/practice_examples": "Public comment"},
    "D": {},
}
CATEGORIES = {"A": "igo", "B": "igo", "C": "tgn", "D": "tgn"}


def tidy(answers_by_organisation=ANSWERS_BY_ORGANISATION) -> pd.DataFrame:
    import re

    rows = []
    for organisation, answers in answers_by_organisation.items():
        for path, value in answers.items():
            indexes = re.findall(r"\[(\d+)\]", path)
            rows.append({
                "organisation": organisation, "category": CATEGORIES[organisation],
                "status": "approved", "path": path, "question": re.sub(r"\[\d+\]", "", path),
                "repeat_index": int(indexes[-1]) if indexes else None, "value": value,
            })
    return pd.DataFrame(rows)


def respondents() -> pd.DataFrame:
    return pd.DataFrame(
        [{"organisation": o, "category": c} for o, c in CATEGORIES.items()]
    )


def relevance() -> pd.DataFrame:
    """Worked out by hand from the skip logic: the examples apply to A and C only; the
    instrument questions to the organisations with instruments (A, B)."""
    rows = []
    for organisation in CATEGORIES:
        for question in ["org/category", "org/staff", "org/founded", "stake/actors",
                         "stake/definition"]:
            rows.append((organisation, question, True))
    rows += [("A", "stake/practice_examples", True), ("C", "stake/practice_examples", True)]
    for organisation in ["A", "B"]:
        rows += [(organisation, "variety/instruments/type", True),
                 (organisation, "variety/instruments/effect", True)]
    return pd.DataFrame(rows, columns=["organisation", "question", "relevant"])
