"""The workspace's demo step (fictional-but-dated, marked demo): the seed's timeline, the
five working groups, a meeting with agenda, documents and minutes, two rounds of the IO
Survey with changed answers in the second, and the comparison on the evidence page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from iocompendium.web.management.commands import demo
from iocompendium.workspace import selectors
from iocompendium.workspace.models import Meeting, Round, WorkingGroup

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
STEPS = ["iocompendium.registry.demo", "iocompendium.questionnaires.demo",
         "iocompendium.responses.demo.invitations", "iocompendium.responses.demo.data",
         "iocompendium.workspace.demo", "iocompendium.notifications.demo"]


def state() -> tuple:
    return (WorkingGroup.objects.count(), Meeting.objects.count(),
            list(Round.objects.values_list("label", flat=True)),
            sorted(selectors.round_answers(Round.objects.get(label="2020")).keys()))


def test_demo_workspace(client, monkeypatch):
    monkeypatch.setattr(demo, "DEMO_STEPS", STEPS)
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    first = state()
    call_command("demo", "--no-serve", stdout=StringIO())
    assert state() == first  # idempotent
    assert "Workspace demo" in out.getvalue()
    assert first[0] == 5 and first[2] == ["2018", "2020"]

    technical = Meeting.objects.get(kind=Meeting.Kind.TECHNICAL, demo=True)
    assert technical.starts.date().isoformat() == "2019-11-05"
    assert technical.agenda.count() == 3 and technical.minutes_en
    assert technical.documents.count() >= 3
    annual = Meeting.objects.get(kind=Meeting.Kind.ANNUAL, demo=True)
    assert annual.starts.date().isoformat() == "2020-03-27" and "London" in annual.place

    second = Round.objects.get(label="2020")
    comparison = selectors.compare(second.previous, second)
    assert comparison.units_both == 35  # one organisation has not submitted round 2
    assert sum(q.changed for q in comparison.questions) > 0
    # The reminder schedule reaches the two organisations that have not submitted (the
    # draft, and DEMO-A: the round asks it, its focal point being the demo's log-in) and
    # no one else.
    reminded = StringIO()
    call_command("reminders", "run", "--now", "2020-12-02T12:00:00+00:00", stdout=reminded)
    lines = [line for line in reminded.getvalue().splitlines() if line.startswith("reminder ")]
    drafts = [link.response.organisation.acronym for link in second.round_responses
              .select_related("response__organisation").filter(response__status="draft")]
    assert len(drafts) == 1
    reminded_acronyms = {line.split()[1] for line in lines}
    assert reminded_acronyms == {drafts[0], "DEMO-A"}, lines
    assert any(f"focal-point@{drafts[0].lower()}.example.org" in line for line in lines)
    summary = selectors.carried_summary(second)
    assert summary["confirmed"] > 0 and summary["changed"] > 0

    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=_secretariat_username()))
    page = client.get("/fr/evidence/").content.decode()
    assert "Comparaison des campagnes d'enquête" in page
    assert "35 organisations ont répondu (soumis) aux deux campagnes" in page
    from iocompendium.notifications.models import Preferences
    assert Preferences.objects.get(user__username="focal-demo-a").language == "fr"
    timeline = client.get("/en/timeline/").content.decode()
    for text in ["5 November 2019", "27 March 2020", "Release of the compendium", "demo data"]:
        assert text in timeline


def _secretariat_username() -> str:
    from iocompendium.registry.demo import DEMO_SECRETARIAT

    return DEMO_SECRETARIAT[0]
