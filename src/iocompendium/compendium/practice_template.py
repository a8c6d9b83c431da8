"""The practice template: the readable source of ``data/practice_template.xlsx``.

An XLSForm in English and French that an organisation answers once per practice (the
response's title tells several practices apart). Regenerate the spreadsheet with::

    .venv/bin/python -m iocompendium.compendium.practice_template

The question names below are read by curation (``services.practice_from_template``).
"""

from __future__ import annotations

from pathlib import Path

SLUG = "practice-template"
FORM_ID = "practice_template"
FORM_VERSION = "2026112601"
XLSX_PATH = Path(__file__).resolve().parent.parent / "data" / "practice_template.xlsx"

EN, FR = "English (en)", "French (fr)"
SURVEY_HEADER = [
    "type", "name", f"label::{EN}", f"label::{FR}", f"hint::{EN}", f"hint::{FR}",
    "required", "relevant", "choice_filter", "appearance",
]
# (type, name, label EN, label FR, hint EN, hint FR, required, relevant, choice_filter, appearance)
SURVEY = [
    ("note", "intro",
     "Describe one practice of your organisation. Answer once per practice.",
     "Décrivez une pratique de votre organisation. Répondez une fois par pratique.",
     "", "", "", "", "", ""),
    ("text", "organisation_name", "Organisation", "Organisation",
     "The name of your organisation as it should appear in the compendium.",
     "Le nom de votre organisation tel qu'il doit figurer dans le recueil.",
     "", "", "", ""),
    ("text", "practice_title", "Title of the practice", "Intitulé de la pratique",
     "A short name, e.g. 'Public consultation on draft standards'.",
     "Un nom court, par exemple « Consultation publique sur les projets de normes ».",
     "yes", "", "", ""),
    ("select_one theme", "theme", "Theme", "Thème", "", "", "yes", "", "", ""),
    ("select_one sub_theme", "sub_theme", "Sub-theme", "Sous-thème", "", "",
     "yes", "${theme} = 'implementation' or ${theme} = 'evaluation'", "theme=${theme}", ""),
    ("text", "description", "Description of the practice", "Description de la pratique",
     "What the practice is and how it works.",
     "En quoi consiste la pratique et comment elle fonctionne.",
     "yes", "", "", "multiline"),
    ("text", "objective", "Objective", "Objectif",
     "What the practice aims to achieve.", "Ce que la pratique cherche à accomplir.",
     "", "", "", "multiline"),
    ("select_one formal_basis", "formal_basis", "Formal basis", "Fondement formel",
     "", "", "", "", "", ""),
    ("select_multiple stage", "stages", "Stages of the rulemaking cycle",
     "Étapes du cycle normatif", "Select all that apply.",
     "Cochez toutes les réponses pertinentes.",
     "", "", "", ""),
    ("select_multiple actor", "actors", "Actors involved", "Acteurs concernés",
     "Select all that apply.", "Cochez toutes les réponses pertinentes.", "", "", "", ""),
    ("text", "results", "Results and evidence", "Résultats et données probantes",
     "What changed, and how you know.", "Ce qui a changé, et comment vous le savez.",
     "", "", "", "multiline"),
    ("text", "challenges", "Challenges and lessons learned", "Difficultés et enseignements",
     "", "", "", "", "", "multiline"),
    ("text", "links", "Links", "Liens",
     "Web addresses of documents describing the practice, one per line.",
     "Adresses web de documents décrivant la pratique, une par ligne.",
     "", "", "", "multiline"),
]

CHOICES_HEADER = ["list_name", "name", f"label::{EN}", f"label::{FR}", "theme"]
CHOICES = [
    ("theme", "variety", "Variety of international instruments",
     "Variété des instruments internationaux", ""),
    ("theme", "implementation", "Implementation of international instruments",
     "Mise en œuvre des instruments internationaux", ""),
    ("theme", "evaluation", "Evaluation of international instruments",
     "Évaluation des instruments internationaux", ""),
    ("theme", "stakeholders", "Stakeholder engagement", "Participation des parties prenantes", ""),
    ("theme", "coordination", "Co-ordination among international organisations",
     "Coordination entre organisations internationales", ""),
    ("sub_theme", "assistance", "Assistance", "Assistance", "implementation"),
    ("sub_theme", "compliance", "Compliance", "Respect des instruments", "implementation"),
    ("sub_theme", "advocacy", "Advocacy", "Promotion", "implementation"),
    ("sub_theme", "monitoring", "Monitoring", "Suivi", "implementation"),
    ("sub_theme", "ex_ante", "Ex ante evaluation", "Évaluation ex ante", "evaluation"),
    ("sub_theme", "ex_post", "Ex post evaluation", "Évaluation ex post", "evaluation"),
    ("formal_basis", "rule", "Rule (rules of procedure, statutes)",
     "Règle (règlement intérieur, statuts)", ""),
    ("formal_basis", "policy", "Policy", "Politique", ""),
    ("formal_basis", "guideline", "Guideline", "Ligne directrice", ""),
    ("formal_basis", "informal", "Informal practice", "Pratique informelle", ""),
    ("stage", "agenda_setting", "Agenda setting", "Définition des priorités", ""),
    ("stage", "development", "Development of the instrument", "Élaboration de l'instrument", ""),
    ("stage", "adoption", "Adoption", "Adoption", ""),
    ("stage", "implementation", "Implementation", "Mise en œuvre", ""),
    ("stage", "evaluation", "Evaluation and review", "Évaluation et révision", ""),
    ("actor", "secretariat", "Secretariat", "Secrétariat", ""),
    ("actor", "members", "Members", "Membres", ""),
    ("actor", "stakeholders", "Stakeholders", "Parties prenantes", ""),
    ("actor", "other_ios", "Other international organisations",
     "Autres organisations internationales", ""),
    ("actor", "experts", "Experts", "Experts", ""),
    ("actor", "other", "Other", "Autre", ""),
]

# pyxform takes one form title; the French title is set on the questionnaire by the demo.
TITLES = {"en": "Practice template", "fr": "Modèle de pratique"}
SETTINGS_HEADER = ["form_title", "form_id", "version", "default_language"]
SETTINGS = [(TITLES["en"], FORM_ID, FORM_VERSION, EN)]


def write_practice_template(path: Path = XLSX_PATH) -> Path:
    """Write the XLSForm (survey, choices, settings sheets) to ``path``."""
    from openpyxl import Workbook

    from iocompendium.spreadsheets import append_row

    workbook = Workbook()
    sheets = [("survey", SURVEY_HEADER, SURVEY), ("choices", CHOICES_HEADER, CHOICES),
              ("settings", SETTINGS_HEADER, SETTINGS)]
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title)
        append_row(sheet, header)
        for row in rows:
            append_row(sheet, row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


if __name__ == "__main__":
    print(write_practice_template())
