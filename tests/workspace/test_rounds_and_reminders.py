"""Survey rounds: the rounds list contract, reminders (never to an organisation that has
submitted; subject names the acronym; sent once), carried-over answers and the round
comparison. Real mail through a local SMTP server; SYNTHETIC organisations and form."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from iocompendium.responses import services as responses_services
from iocompendium.responses.models import Answer, Response, ResponseStatus
from iocompendium.workspace import selectors, services
from iocompendium.workspace.models import CarriedAnswer
from tests.notifications.conftest import smtp_server  # noqa: F401 - the fixture
from tests.responses.conftest import make_contributor, make_organisation, make_version

pytestmark = pytest.mark.django_db
OPENS = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)


@pytest.fixture
def world(django_user_model):
    version = make_version()
    orgs = {acronym: make_organisation(acronym) for acronym in ["SYN-A", "SYN-B", "SYN-C"]}
    for acronym, organisation in orgs.items():
        make_contributor(django_user_model, f"fp-{acronym.lower()}", organisation)
    round_ = services.create_round(version, "R1", opens=OPENS, closes=DEADLINE,
                                   reminder_days=[14, 7, 2])
    # SYN-A has submitted; SYN-B has a draft; SYN-C has not started.
    submitted = services.response_for_round(round_, orgs["SYN-A"]).response
    responses_services.set_status(submitted, ResponseStatus.SUBMITTED, user=None)
    services.response_for_round(round_, orgs["SYN-B"])
    return version, orgs, round_


def run(now: datetime, capsys) -> str:
    call_command("reminders", "run", "--now", now.isoformat())
    return capsys.readouterr().out


def test_rounds_list_json_contract(world, capsys):
    call_command("rounds", "list", "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows == [{"questionnaire": "synthetic-small", "round": "R1",
                     "opens": OPENS.isoformat(), "closes": DEADLINE.isoformat(),
                     "deadline": DEADLINE.isoformat()}]


def test_reminders_reach_the_two_organisations_that_have_not_submitted_once(
    world, smtp_server, capsys,  # noqa: F811
):
    assert "0 reminder(s) due" in run(DEADLINE - timedelta(days=20), capsys)
    out = run(DEADLINE - timedelta(days=13), capsys)
    assert "SYN-B" in out and "SYN-C" in out and "SYN-A" not in out
    recipients = sorted(address for mail in smtp_server.received for address in mail.to)
    assert recipients == ["fp-syn-b@example.org", "fp-syn-c@example.org"]
    assert {("SYN-B" in m.subject) or ("SYN-C" in m.subject) for m in smtp_server.received} \
        == {True}
    # The same moment again: nothing more.
    assert "0 reminder(s) due" in run(DEADLINE - timedelta(days=13), capsys)
    assert len(smtp_server.received) == 2
    # Seven days before: the next point; SYN-B submits first and is left out.
    _version, orgs, round_ = world
    link = services.response_for_round(round_, orgs["SYN-B"])
    responses_services.set_status(link.response, ResponseStatus.SUBMITTED, user=None)
    out = run(DEADLINE - timedelta(days=6), capsys)
    assert "SYN-C" in out and "SYN-B" not in out
    assert [m.to for m in smtp_server.received[2:]] == [["fp-syn-c@example.org"]]


def test_an_organisation_deadline_moves_its_reminders(world, smtp_server, capsys):  # noqa: F811
    _version, orgs, round_ = world
    services.set_organisation_deadline(round_, orgs["SYN-C"], DEADLINE + timedelta(days=30))
    out = run(DEADLINE - timedelta(days=13), capsys)
    assert "SYN-B" in out and "SYN-C" not in out


def test_a_new_round_starts_from_the_previous_answers_and_knows_what_was_confirmed(world):
    version, orgs, first = world
    old = services.response_for_round(first, orgs["SYN-C"]).response
    responses_services.save_answer(old, "organisation/name", "Synthetic C", user=None,
                                   base_revision=None, via="import")
    responses_services.save_answer(old, "coordination/guidelines", "yes", user=None,
                                   base_revision=None, via="import")
    responses_services.set_status(old, ResponseStatus.SUBMITTED, user=None)
    second = services.create_round(version, "R2", opens=OPENS + timedelta(days=400),
                                   closes=DEADLINE + timedelta(days=400), previous=first)
    link = services.response_for_round(second, orgs["SYN-C"])
    assert dict(Answer.objects.filter(response=link.response).values_list("path", "value")) \
        == {"organisation/name": "Synthetic C", "coordination/guidelines": "yes"}
    assert CarriedAnswer.objects.filter(round_response=link).count() == 2
    focal = orgs["SYN-C"].contributors.get().user
    services.confirm_carried(link, "organisation/name", user=focal)
    responses_services.save_answer(link.response, "coordination/guidelines", "no", user=focal,
                                   base_revision=None, via="import")
    states = {s.path: s.state for s in selectors.carried_states(link)}
    assert states == {"organisation/name": "confirmed", "coordination/guidelines": "changed"}
    responses_services.set_status(link.response, ResponseStatus.SUBMITTED, user=None)

    comparison = selectors.compare(first, second)
    assert comparison.units_both == 1  # only SYN-C answered (submitted) both rounds
    by_path = {q.path: q for q in comparison.questions}
    assert (by_path["coordination/guidelines"].changed,
            by_path["coordination/guidelines"].answered_both) == (1, 1)
    assert by_path["organisation/name"].unchanged == 1
    assert selectors.round_answers(second).keys() == {"SYN-C"}


def test_responses_of_a_round_are_its_own(world):
    _version, orgs, round_ = world
    ids = selectors.round_response_ids(round_)
    assert set(Response.objects.filter(pk__in=ids).values_list(
        "organisation__acronym", flat=True)) == {"SYN-A", "SYN-B"}


def test_review_list_filtered_by_round_and_status(world, client, secretariat_user):
    _version, orgs, round_ = world
    client.force_login(secretariat_user)
    page = client.get(f"/en/rounds/{round_.pk}/").content.decode()
    assert "SYN-A" in page and "SYN-B" in page and "SYN-C" not in page  # C has not started
    page = client.get(f"/en/rounds/{round_.pk}/?status=submitted").content.decode()
    assert "SYN-A" in page and "SYN-B" not in page
    french = client.get(f"/fr/rounds/{round_.pk}/").content.decode()
    assert "Réponses reprises à confirmer" in french


def test_opening_a_round_starts_responses_from_the_previous_and_tells_focal_points(
    world, client, secretariat_user, smtp_server, django_capture_on_commit_callbacks,  # noqa: F811
):
    version, orgs, first = world
    second = services.create_round(version, "R2", opens=OPENS + timedelta(days=400),
                                   closes=DEADLINE + timedelta(days=400), previous=first)
    client.force_login(secretariat_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/en/rounds/{second.pk}/open/").status_code == 302
        client.post(f"/en/rounds/{second.pk}/open/")  # a second click tells nobody again
    links = second.round_responses.select_related("response__organisation")
    assert {link.response.organisation.acronym for link in links} == {"SYN-A", "SYN-B", "SYN-C"}
    assert {link.carried_from_id is not None for link in links
            if link.response.organisation.acronym in {"SYN-A", "SYN-B"}} == {True}
    assert sorted(a for m in smtp_server.received for a in m.to) == [
        "fp-syn-a@example.org", "fp-syn-b@example.org", "fp-syn-c@example.org"]
