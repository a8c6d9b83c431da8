"""The indicators' pages on SYNTHETIC data: dashboard, unit page, editor with its live
preview and version check, and who may see what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from iocompendium.indicators.models import FrameworkVersion
from tests.indicators.presentation_fixtures import SLUG, build
from tests.responses.conftest import PASSWORD, make_contributor

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(django_user_model):
    responses = build()
    staff = django_user_model.objects.create_user("analyst", "s@example.org", PASSWORD,
                                                  is_staff=True)
    focal_a = make_contributor(django_user_model, "focal-a", responses["SYN-A"].organisation)
    focal_b = make_contributor(django_user_model, "focal-b", responses["SYN-B"].organisation)
    return {"staff": staff, "focal_a": focal_a, "focal_b": focal_b, "responses": responses}


def test_dashboard_shows_scores_ranks_and_the_indicator_table(client, world):
    client.force_login(world["staff"])
    reply = client.get(reverse("indicators:dashboard", args=[SLUG]))
    assert reply.status_code == 200
    html = reply.content.decode()
    view = reply.context["view"]
    scores = {row.unit: row.score for row in view.rows}
    assert scores == {"SYN-A": pytest.approx(1.5), "SYN-B": pytest.approx(1.0),
                      "SYN-C": pytest.approx(0.2)}
    assert "<svg" in html and 'id="rank-chart"' in html
    assert "Synthetic data." in html
    # A label from the framework is text, never markup.
    assert "Staff &lt;b&gt;count&lt;/b&gt;" in html and "Staff <b>count</b>" not in html
    assert reverse("indicators:unit", args=[SLUG, "SYN-C"]) in html


def test_responses_not_yet_approved_are_pointed_to(client, world):
    """Imported submissions are "submitted": the default (approved only) page says they
    are left out and links to them, instead of an unexplained empty dashboard."""
    client.force_login(world["staff"])
    url = reverse("indicators:dashboard", args=[SLUG])
    note = "are not counted here: only approved responses are."
    assert note not in client.get(url).content.decode()
    world["responses"]["SYN-B"].status = "submitted"
    world["responses"]["SYN-B"].save()
    world["responses"]["SYN-C"].status = "in_review"
    world["responses"]["SYN-C"].save()
    html = client.get(url).content.decode()
    assert f"2 responses submitted or in review {note}" in html
    assert '<a href="?status=submitted">Show every submitted response</a>' in html
    shown = client.get(url + "?status=submitted")
    assert note not in shown.content.decode() and len(shown.context["view"].rows) == 3
    french = client.get(url.replace("/en/", "/fr/")).content.decode()
    assert "2 réponses soumises ou en revue ne sont pas comptées ici" in french


def test_dashboard_in_french(client, world):
    client.force_login(world["staff"])
    reply = client.get(reverse("indicators:dashboard", args=[SLUG]).replace("/en/", "/fr/"))
    html = reply.content.decode()
    assert "Indice synthétique de pratique" in html and "Intervalles de rang" in html


def test_unit_page_traces_every_score_to_its_answer(client, world):
    client.force_login(world["staff"])
    reply = client.get(reverse("indicators:unit", args=[SLUG, "SYN-C"]))
    assert reply.status_code == 200
    lines = {item["line"].indicator: item for item in reply.context["page"].lines}
    assert lines["staff"]["pairs"] == [("organisation/staff", "10")]
    assert lines["staff"]["line"].raw == pytest.approx(0.1)
    assert lines["has_instruments"]["line"].status == "not_applicable"
    assert reply.context["page"].trace.score == pytest.approx(0.2)
    assert "not applicable" in reply.content.decode()


def test_focal_point_sees_only_its_own_unit_page(client, world):
    client.force_login(world["focal_a"])
    assert client.get(reverse("indicators:unit", args=[SLUG, "SYN-A"])).status_code == 200
    assert client.get(reverse("indicators:unit", args=[SLUG, "SYN-B"])).status_code == 404
    assert client.get(reverse("indicators:unit", args=[SLUG, "NOPE"])).status_code == 404
    assert client.get(reverse("indicators:dashboard", args=[SLUG])).status_code == 403
    assert client.post(reverse("indicators:preview", args=[SLUG])).status_code == 403
    index = client.get(reverse("indicators:index")).content.decode()
    assert reverse("indicators:unit", args=[SLUG, "SYN-A"]) in index
    assert "SYN-B" not in index


def form_data(base_version: int, **changes) -> dict:
    data = {"base_version": base_version, "missing": "na", "normalisation": "none",
            "weighting": "manual", "aggregation": "arithmetic", "zero_rule": "offset",
            "winsorise": "0", "scale": "2",
            "weight__adoption": "1", "weight__adoption_sub": "1",
            "weight__has_instruments": "1", "direction__has_instruments": "1",
            "weight__size": "1", "weight__size_sub": "1", "weight__staff": "1",
            "direction__staff": "1"}
    data.update(changes)
    return data


def test_preview_recomputes_without_saving(client, world):
    client.force_login(world["staff"])
    reply = client.post(reverse("indicators:preview", args=[SLUG]),
                        form_data(1, weight__adoption="3"))
    assert reply.status_code == 200
    rows = {row.unit: (row.score, before) for row, before in reply.context["compared"]}
    # SYN-A: (3 * 1 + 1 * .5) / 4 * 2 = 1.75 (saved: 1.5); SYN-C has no adoption: 0.2.
    assert rows["SYN-A"] == (pytest.approx(1.75), pytest.approx(1.5))
    assert rows["SYN-C"][0] == pytest.approx(0.2)
    assert FrameworkVersion.objects.filter(framework__slug=SLUG).count() == 1
    bad = client.post(reverse("indicators:preview", args=[SLUG]),
                      form_data(1, aggregation="geometric", normalisation="zscore"))
    assert bad.status_code == 422 and "geometric" in bad.content.decode()


def test_save_makes_a_new_version_and_a_stale_editor_is_refused(client, world):
    client.force_login(world["staff"])
    url = reverse("indicators:edit", args=[SLUG])
    assert client.get(url).status_code == 200
    reply = client.post(url, form_data(1, weight__adoption="3"))
    assert reply.status_code == 302
    latest = FrameworkVersion.objects.filter(framework__slug=SLUG).order_by("-number").first()
    assert latest.number == 2
    adoption = next(n for n in latest.definition["nodes"] if n["name"] == "adoption")
    assert adoption["weight"] == 3.0
    dashboard = client.get(reverse("indicators:dashboard", args=[SLUG])).context["view"]
    assert {r.unit: r.score for r in dashboard.rows}["SYN-A"] == pytest.approx(1.75)
    # A second editor opened on version 1 saves after: refused, nothing overwritten.
    stale = client.post(url, form_data(1, weight__size="5"))
    assert stale.status_code == 409
    assert "version 2" in stale.content.decode()
    assert FrameworkVersion.objects.filter(framework__slug=SLUG).count() == 2


def test_editor_needs_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["staff"])
    reply = client.post(reverse("indicators:edit", args=[SLUG]), form_data(1))
    assert reply.status_code == 403
    assert FrameworkVersion.objects.filter(framework__slug=SLUG).count() == 1


def test_dashboard_shows_the_stored_sensitivity_indices(client, world):
    from iocompendium.indicators import services

    client.force_login(world["staff"])
    url = reverse("indicators:dashboard", args=[SLUG])
    assert 'id="sensitivity-table"' not in client.get(url).content.decode()
    run = services.run_sensitivity(SLUG, 16, 5)
    html = client.get(url).content.decode()
    assert 'id="sensitivity-table"' in html and "runs 16, seed 5" in html
    assert len(run.sensitivity) == 6 and "Aggregation" in html
