"""Issue 17, item 5: the review list and the evidence can be filtered by survey round
(responses.selectors.GROUPINGS, registered by the workspace). SYNTHETIC organisations
and form."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from iocompendium.responses import services as responses_services
from iocompendium.responses.models import ResponseStatus
from iocompendium.workspace import services
from tests.responses.conftest import make_contributor, make_organisation, make_version

pytestmark = pytest.mark.django_db
OPENS = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)


@pytest.fixture
def rounds(django_user_model):
    """R1: SYN-A and SYN-B submitted; R2: SYN-A submitted (carried over), SYN-C a draft."""
    cache.clear()
    version = make_version()
    orgs = {a: make_organisation(a) for a in ["SYN-A", "SYN-B", "SYN-C"]}
    for acronym, organisation in orgs.items():
        make_contributor(django_user_model, f"fp-{acronym.lower()}", organisation)
    first = services.create_round(version, "R1", opens=OPENS, closes=DEADLINE)
    second = services.create_round(version, "R2", opens=OPENS + timedelta(days=400),
                                   closes=DEADLINE + timedelta(days=400), previous=first)
    responses = {}
    for round_, acronyms in ((first, ["SYN-A", "SYN-B"]), (second, ["SYN-A", "SYN-C"])):
        for acronym in acronyms:
            response = services.response_for_round(round_, orgs[acronym]).response
            responses[(round_.label, acronym)] = response
            if (round_.label, acronym) != ("R2", "SYN-C"):
                responses_services.save_answer(response, "organisation/name", acronym,
                                               user=None, base_revision=None, via="import")
                responses_services.set_status(response, ResponseStatus.SUBMITTED, user=None)
    return first, second, responses


def test_the_review_list_shows_one_round(rounds, client, secretariat_user):
    first, second, responses = rounds
    client.force_login(secretariat_user)
    url = "/en/responses/?questionnaire=synthetic-small"
    every = client.get(url).content.decode()
    assert all(f"/responses/{r.pk}/" in every for r in responses.values())
    assert '<label for="f-round">Survey round</label>' in every
    page = client.get(f"{url}&round={second.pk}").content.decode()
    assert f"/responses/{responses[('R2', 'SYN-A')].pk}/" in page
    assert f"/responses/{responses[('R2', 'SYN-C')].pk}/" in page
    assert f"/responses/{responses[('R1', 'SYN-A')].pk}/" not in page
    assert f"/responses/{responses[('R1', 'SYN-B')].pk}/" not in page
    assert f'<option value="{second.pk}" selected>R2</option>' in page
    # SYN-B has no response in R2: listed as not started in that round.
    assert client.get(f"{url}&round={second.pk}&status=not_started").content.decode().count(
        "SYN-B") >= 1
    french = client.get(f"/fr/responses/?questionnaire=synthetic-small&round={first.pk}")
    assert "Campagne d'enquête" in html.unescape(french.content.decode())
    # An unknown round is ignored (every response), never an error.
    assert client.get(f"{url}&round=x'1").status_code == 200


def test_approving_every_response_shown_keeps_to_the_round(rounds, client, secretariat_user):
    first, second, responses = rounds
    client.force_login(secretariat_user)
    client.post("/en/responses/approve/", {"questionnaire": "synthetic-small",
                                           "scope": "shown", "round": str(second.pk),
                                           "status": "submitted"})
    for key, response in responses.items():
        response.refresh_from_db()
        approved = response.status == ResponseStatus.APPROVED
        assert approved == (key == ("R2", "SYN-A")), key


def test_the_evidence_counts_one_round(rounds, client, secretariat_user):
    first, second, _responses = rounds
    client.force_login(secretariat_user)
    url = "/en/evidence/?questionnaire=synthetic-small&status=submitted"
    # Every round: SYN-A (in both) and SYN-B.
    assert "2 responding organisations" in client.get(url).content.decode()
    page = client.get(f"{url}&round={first.pk}").content.decode()
    assert "2 responding organisations" in page
    assert f'<option value="{first.pk}" selected>R1</option>' in page
    assert f"round={first.pk}" in page  # the charts are drawn for the same round
    assert "1 responding organisation." in client.get(f"{url}&round={second.pk}").content.decode()
