"""Survey instruments follow their response when it is approved (synthetic answers)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from iocompendium.instruments import selectors
from iocompendium.instruments.models import Instrument
from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.registry.models import Organisation
from iocompendium.responses import services as responses
from iocompendium.responses.models import Answer, Response, ResponseStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def response():
    questionnaire = Questionnaire.objects.create(slug="syn-io-survey", title={"en": "Synthetic"})
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, structure={"children": []}, languages=["en"],
        xlsform=b"", fingerprint="synthetic-instruments", published_at=timezone.now(),
    )
    organisation = Organisation.objects.create(acronym="SYN-I", name_en="Synthetic IO",
                                               category="tgn", synthetic=True)
    response = Response.objects.create(organisation=organisation, version=version)
    answers = {
        "variety/instruments[1]/title": "Synthetic recommendation on peer review",
        "variety/instruments[1]/instrument_type": "Recommendation",
        "variety/instruments[1]/legal_effect": "non_binding",
        "variety/instruments[1]/addressees": "states regulators",
        "variety/instruments[1]/year": "2015",
        "variety/instruments[1]/subjects": "peer review; evaluation",
        "variety/instruments[2]/title": "Synthetic charter",
        "variety/instruments[2]/instrument_type": "Charter",
        "variety/instruments[3]/instrument_type": "Untitled rows are skipped",
    }
    Answer.objects.bulk_create(Answer(response=response, path=p, value=v)
                               for p, v in answers.items())
    return response


def test_nothing_before_approval(response):
    responses.set_status(response, ResponseStatus.SUBMITTED, user=None)
    assert Instrument.objects.count() == 0


def test_approval_creates_then_keeps_in_step(response):
    responses.set_status(response, ResponseStatus.APPROVED, user=None)
    stored = {i.title: i for i in Instrument.objects.filter(response=response)}
    assert set(stored) == {"Synthetic recommendation on peer review", "Synthetic charter"}
    first = stored["Synthetic recommendation on peer review"]
    assert (first.organisation.acronym, first.native_type, first.legal_effect, first.year) == (
        "SYN-I", "Recommendation", "non_binding", 2015)
    assert first.addressees == "states regulators"
    assert selectors.search_instruments("peer review")["total"] == 1
    assert selectors.search_instruments("", {"organisation": ["SYN-I"]})["total"] == 2
    assert selectors.unmapped_types() == [{"name": "Charter", "key": "charter", "count": 1}] or \
        "charter" in {t["key"] for t in selectors.unmapped_types()}

    Answer.objects.filter(path__startswith="variety/instruments[2]/").delete()
    Answer.objects.filter(path="variety/instruments[1]/title").update(value="Renamed synthetic")
    response.save()  # any later save of the approved response syncs again
    assert list(Instrument.objects.values_list("title", flat=True)) == ["Renamed synthetic"]
    assert selectors.search_instruments("charter")["total"] == 0
    assert selectors.search_instruments("renamed")["total"] == 1
