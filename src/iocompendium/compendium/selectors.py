"""Reads of the compendium: practices (public or with drafts), key principles, sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.text import slugify

from iocompendium.compendium import practice_template
from iocompendium.compendium.models import KeyPrinciple, Practice, PracticeStatus
from iocompendium.compendium.services import EXAMPLES_SUFFIX
from iocompendium.compendium.themes import THEMES, theme_of_survey_path
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Answer, Response, ResponseStatus

SURVEY_SLUG = "io-survey"


def practices(*, include_drafts: bool = False) -> QuerySet[Practice]:
    """Published practices (and drafts too for the secretariat's preview)."""
    queryset = Practice.objects.select_related("organisation").prefetch_related(
        Prefetch("key_principles", queryset=KeyPrinciple.objects.order_by("order", "id"))
    )
    if not include_drafts:
        queryset = queryset.filter(status=PracticeStatus.PUBLISHED)
    return queryset.order_by("theme", "sub_theme", "organisation__acronym", "identifier")


def practice_by_identifier(identifier: str, *, include_drafts: bool = False) -> Practice:
    practice = practices(include_drafts=include_drafts).filter(identifier=identifier).first()
    if practice is None:
        raise Http404("No such practice.")
    return practice


def practice_for_curation(pk: int) -> Practice:
    practice = Practice.objects.select_related("organisation", "source_response").filter(
        pk=pk
    ).first()
    if practice is None:
        raise Http404("No such practice.")
    return practice


def key_principles(theme: str | None = None) -> QuerySet[KeyPrinciple]:
    queryset = KeyPrinciple.objects.order_by("theme", "order", "id")
    return queryset.filter(theme=theme) if theme else queryset


def organisation_slug(organisation: Organisation) -> str:
    """The file name of an organisation's page: its acronym, made URL-safe."""
    return slugify(organisation.acronym) or f"organisation-{organisation.pk}"


def organisations_in_compendium(
    questionnaire: str = SURVEY_SLUG, *, include_drafts: bool = False
) -> list[Organisation]:
    """Organisations with a practice shown, or an approved response to the questionnaire."""
    with_practices = practices(include_drafts=include_drafts).values("organisation_id")
    responding = Response.objects.filter(
        version__questionnaire__slug=questionnaire, status=ResponseStatus.APPROVED
    ).values("organisation_id")
    return list(
        Organisation.objects.filter(pk__in=with_practices)
        | Organisation.objects.filter(pk__in=responding)
    )


def organisation_by_slug(slug: str, organisations: list[Organisation]) -> Organisation:
    for organisation in organisations:
        if organisation_slug(organisation) == slug:
            return organisation
    raise Http404("No such organisation.")


@dataclass
class Candidate:
    """A source that can become a practice: a template response or an ``_examples`` answer."""

    response: Response
    path: str
    theme: str
    text: str

    @property
    def kind(self) -> str:
        return "template" if not self.path else "answer"


def curation_candidates(
    survey: str = SURVEY_SLUG, limit: int = 200
) -> list[Candidate]:
    """Approved sources not yet turned into a practice, template responses first."""
    taken = set(
        Practice.objects.filter(source_response__isnull=False).values_list(
            "source_response_id", "source_path"
        )
    )
    found: list[Candidate] = []
    templates = Response.objects.filter(
        version__questionnaire__slug=practice_template.SLUG, status=ResponseStatus.APPROVED
    ).select_related("organisation")
    for response in templates:
        if (response.pk, "") not in taken:
            answers = dict(response.answers.values_list("path", "value"))
            found.append(Candidate(response, "", answers.get("theme", ""),
                                   answers.get("practice_title") or response.title))
    answers = (
        Answer.objects.filter(
            response__version__questionnaire__slug=survey,
            response__status=ResponseStatus.APPROVED,
            path__endswith=EXAMPLES_SUFFIX,
        )
        .exclude(value="")
        .select_related("response__organisation")
        .order_by("response__organisation__acronym", "path")
    )
    for answer in answers[: limit * 2]:
        theme = theme_of_survey_path(answer.path)
        if theme and (answer.response_id, answer.path) not in taken:
            found.append(Candidate(answer.response, answer.path, theme, answer.value))
    return found[:limit]


def practices_by_theme(items: list[Practice]) -> dict[str, list[Practice]]:
    grouped: dict[str, list[Practice]] = {theme.slug: [] for theme in THEMES}
    for practice in items:
        grouped.setdefault(practice.theme, []).append(practice)
    return grouped


def families_summary(lang: str) -> Any:
    """The instrument families from the instruments app, or None when not available."""
    try:
        from iocompendium.instruments import selectors as instrument_selectors
    except ImportError:
        return None
    summary = getattr(instrument_selectors, "families_summary", None)
    if summary is None:
        return None
    try:
        return summary(lang)
    except Exception:  # noqa: BLE001 - families are optional; the page says none were computed
        return None


def family_pictures(summary: Any) -> dict | None:
    """The families' pictures (heatmap, map, comparison) from the stored run, or None."""
    if not isinstance(summary, dict) or not summary.get("computed") or not summary.get(
            "families"):
        return None
    try:
        from iocompendium.instruments import selectors as instrument_selectors

        return instrument_selectors.family_pictures(summary)
    except Exception:  # noqa: BLE001 - pictures are optional, like the families themselves
        return None


def search_practices(query: str, shown: list[Practice]) -> list[Practice]:
    """Practices among ``shown`` matching ``query``: the platform's search when it is
    installed (published practices), plus a plain word match so drafts are found too."""
    by_identifier = {p.identifier: p for p in shown}
    found: list[Practice] = []
    try:
        from django.db import transaction

        from iocompendium import search

        with transaction.atomic():  # a failing engine must not spoil the request's transaction
            result = search.query("practice", query, limit=200)
        found = [by_identifier[hit.key] for hit in result.results if hit.key in by_identifier]
    except Exception:  # noqa: BLE001 - no search engine yet: the word match below serves
        found = []
    words = [w.casefold() for w in query.split() if w.strip()]
    for practice in shown:
        text = " ".join([practice.title_en, practice.title_fr, practice.description_en,
                         practice.description_fr, practice.organisation.acronym]).casefold()
        if practice not in found and all(w in text for w in words):
            found.append(practice)
    return found
