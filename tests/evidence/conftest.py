"""Fixtures of the evidence tests: the tiny SYNTHETIC form of tests/analysis/fixtures.py
stored as a published questionnaire, with the four fictional organisations' responses."""

from __future__ import annotations

import pytest
from django.utils import timezone

from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Answer, Response
from tests.analysis.fixtures import ANSWERS_BY_ORGANISATION, CATEGORIES, STRUCTURE

SLUG = "tiny"


def make_version(structure: dict = STRUCTURE, slug: str = SLUG) -> QuestionnaireVersion:
    questionnaire, _ = Questionnaire.objects.get_or_create(
        slug=slug, defaults={"title": {"en": "Tiny survey", "fr": "Mini-enquête"}}
    )
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, structure=structure, languages=["en", "fr"],
        xlsform=b"", fingerprint=f"synthetic-{slug}", published_at=timezone.now(),
    )


def store_responses(version, answers_by_organisation=ANSWERS_BY_ORGANISATION,
                    status="approved") -> dict[str, Response]:
    stored = {}
    for acronym, answers in answers_by_organisation.items():
        organisation, _ = Organisation.objects.get_or_create(
            acronym=acronym,
            defaults={"name_en": f"Synthetic {acronym}", "category": CATEGORIES[acronym],
                      "synthetic": True},
        )
        response = Response.objects.create(
            organisation=organisation, version=version, status=status, synthetic=True
        )
        Answer.objects.bulk_create(
            [Answer(response=response, path=p, value=v) for p, v in answers.items()]
        )
        stored[acronym] = response
    return stored


@pytest.fixture
def tiny(db):
    version = make_version()
    return version, store_responses(version)


@pytest.fixture(autouse=True)
def _empty_cache(settings, tmp_path):
    """Caches live in the process and the data folder: no test sees another test's."""
    from django.core.cache import cache

    from iocompendium.evidence import selectors

    settings.DATA_DIR = tmp_path / "data"
    cache.clear()
    selectors._relevance_cache.clear()
    yield
    cache.clear()
    selectors._relevance_cache.clear()
