"""Demo step: synthetic practices, published, and the compendium built from disk.

From the demo data (the synthetic responses of dataio's fictional organisations to the IO
Survey, if present): the key principles are loaded, the practice template is imported and
published, three fictional organisations answer it (one response per practice), a few
``*_examples`` survey answers and those templates become practices (flagged synthetic),
which are published; then the static compendium is written into ``<data dir>/compendium/``.
Running it twice gives the same state.
"""

from __future__ import annotations

import time
from typing import Any

from iocompendium.compendium import practice_template, services
from iocompendium.compendium.models import KeyPrinciple, PracticeStatus
from iocompendium.compendium.publishing import publish, write_pdfs
from iocompendium.compendium.themes import THEMES
from iocompendium.questionnaires.models import Questionnaire
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Answer, Response, ResponseStatus

PRACTICES_PER_THEME = 3
# (organisation acronym, response title, answers): invented practices of fictional bodies.
TEMPLATE_ANSWERS: list[tuple[str, str, dict[str, str]]] = [
    ("DEMO-A", "Online consultation on draft standards", {
        "practice_title": "Online consultation on draft standards",
        "theme": "stakeholders",
        "description": "Every draft standard is open for public comment on a web platform "
                       "for sixty days; comments and the committee's replies are published.",
        "objective": "Gather evidence and views from beyond the membership.",
        "formal_basis": "rule", "stages": "development adoption",
        "actors": "secretariat stakeholders",
        "results": "Comments per draft doubled in three years (synthetic figure).",
        "challenges": "Reaching small businesses remains hard.",
    }),
    ("DEMO-B", "Peer review of implementation", {
        "practice_title": "Peer review of implementation",
        "theme": "implementation", "sub_theme": "compliance",
        "description": "Members review each other's implementation of the network's "
                       "recommendations every four years, with a public report.",
        "formal_basis": "policy", "stages": "implementation evaluation",
        "actors": "members secretariat",
    }),
    ("DEMO-C", "Ex post review clause", {
        "practice_title": "Ex post review clause in every standard",
        "theme": "evaluation", "sub_theme": "ex_post",
        "description": "Each standard carries a clause that triggers its systematic review "
                       "five years after publication, using user surveys.",
        "formal_basis": "guideline", "stages": "evaluation", "actors": "secretariat experts",
    }),
]


def run(context: Any) -> None:
    started = time.monotonic()
    services.load_key_principles()
    template_version = _practice_template_version(context)
    if template_version is not None:
        for acronym, title, answers in TEMPLATE_ANSWERS:
            response = _template_response(template_version, acronym, title, answers)
            if response is not None:
                _publish(services.practice_from_template(response, synthetic=True))
    for practice in _survey_practices():
        _publish(practice)
    output = context.data_dir / "compendium"
    result = publish(output, with_pdf=False)
    # The PDFs cost three times the site (WeasyPrint, about 7 s a language): built only
    # with ``demo --with-pdf``, so that the demo stays quick; the site links them once built.
    if context.options.get("with_pdf"):
        write_pdfs(result)
        pdf_note = "PDFs in English and French included"
    else:
        pdf_note = f"PDFs: iocompendium publish -o {output}"
    context.lines.append(
        f"Compendium published ({result.practices} synthetic practices, {pdf_note}, "
        f"{time.monotonic() - started:.1f} s): open {result.index}"
    )


def _practice_template_version(context: Any):
    """The practice template imported and published (through questionnaires.services)."""
    try:
        from iocompendium.questionnaires.services import import_questionnaire
    except ImportError:
        context.write("Practice template not imported: questionnaires.services is missing.")
        return None
    version, _created = import_questionnaire(
        practice_template.XLSX_PATH, slug=practice_template.SLUG, publish=True
    )
    questionnaire = Questionnaire.objects.get(pk=version.questionnaire_id)
    if questionnaire.title != practice_template.TITLES:
        questionnaire.title = dict(practice_template.TITLES)
        questionnaire.save(update_fields=["title"])
    return version


def _template_response(version, acronym: str, title: str, answers: dict[str, str]):
    """One approved, synthetic practice-template response (written once)."""
    from iocompendium.responses import services as responses

    organisation = Organisation.objects.filter(acronym=acronym).first()
    if organisation is None:
        return None
    response = responses.get_or_create_response(organisation, version, title=title)
    if response.status == ResponseStatus.APPROVED:
        return response
    for path, value in answers.items():
        responses.save_answer(response, path, value, user=None, base_revision=None,
                              via="import")
    Response.objects.filter(pk=response.pk).update(synthetic=True)
    for status in (ResponseStatus.SUBMITTED, ResponseStatus.APPROVED):
        responses.set_status(response, status, user=None, via="system")
    response.refresh_from_db()
    return response


def _survey_practices():
    """A few ``*_examples`` answers per theme of the synthetic survey responses."""
    practices = []
    for theme in THEMES:
        answers = (
            Answer.objects.filter(
                response__version__questionnaire__slug="io-survey",
                response__status=ResponseStatus.APPROVED,
                response__organisation__synthetic=True,
                path__startswith=f"{theme.survey_section}/",
                path__endswith=services.EXAMPLES_SUFFIX,
            )
            .exclude(value="")
            .select_related("response__organisation")
            .order_by("response__organisation__acronym", "path")[:PRACTICES_PER_THEME]
        )
        for answer in answers:
            # The title is the answer's first words; the curator writes the French title.
            practices.append(services.practice_from_answer(
                answer.response, answer.path, synthetic=True
            ))
    return practices


def _publish(practice) -> None:
    if not practice.key_principles.exists():
        first = KeyPrinciple.objects.filter(theme=practice.theme).order_by("order").first()
        if first is not None:
            practice.key_principles.add(first)
    if practice.status != PracticeStatus.PUBLISHED:
        services.set_practice_status(practice, PracticeStatus.PUBLISHED,
                                     base_version=practice.version)
