"""The secretariat opens a framework's dashboard in Chromium (stacked bars and rank
intervals drawn), follows a unit to the page that traces its scores to its answers, then
changes a weight in the editor and sees the preview recompute before saving a new
version. SYNTHETIC data (tests/indicators/presentation_fixtures.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from iocompendium.indicators.models import FrameworkVersion
from tests.indicators.presentation_fixtures import SLUG, build

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page) -> None:
    page.goto("/en/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst-pass-2026")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_dashboard_unit_page_and_live_preview(page, secretariat_user):
    build("approved")
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page)

    page.goto(f"/en/indicators/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Synthetic practice index")
    expect(page.locator("#stacked-chart svg")).to_be_visible()
    expect(page.locator("#rank-chart svg")).to_be_visible()
    assert page.locator("#score-table tbody tr").count() == 3
    page.locator("#score-table").get_by_role("link", name="Synthetic SYN-C").click()
    expect(page.locator("#unit-score")).to_contain_text("0.2000")
    expect(page.locator("#trace tr[data-indicator=has_instruments]")).to_contain_text(
        "not applicable")
    expect(page.locator("#trace tr[data-indicator=staff]")).to_contain_text("10")

    page.goto(f"/en/indicators/{SLUG}/edit/")
    row_a = page.locator("#preview-table tr[data-unit=SYN-A] td.score")
    expect(row_a).to_have_text("1.5000")  # the first preview: the saved choices
    page.get_by_label("Weight of Adoption").fill("3")
    page.get_by_label("Weight of Adoption").dispatch_event("change")
    expect(row_a).to_have_text("1.7500")  # (3 * 1 + 1 * .5) / 4 * 2, not saved yet
    assert FrameworkVersion.objects.filter(framework__slug=SLUG).count() == 1
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("Saved as version 2.")).to_be_visible()
    assert FrameworkVersion.objects.filter(framework__slug=SLUG).count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_the_dashboard_in_french(page, secretariat_user):
    build("approved")
    _log_in(page)
    page.goto(f"/fr/indicators/{SLUG}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Indice synthétique de pratique")
    expect(page.get_by_role("heading", name="Intervalles de rang")).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_indicator_pages_have_no_serious_axe_violation(page, secretariat_user, lang):
    from axe_playwright_python.sync_playwright import Axe

    build("approved")
    _log_in(page)
    axe = Axe()
    found = []
    for url in (f"/{lang}/indicators/", f"/{lang}/indicators/{SLUG}/",
                f"/{lang}/indicators/{SLUG}/units/SYN-A/", f"/{lang}/indicators/{SLUG}/edit/"):
        page.goto(url)
        if url.endswith("/edit/"):
            page.wait_for_selector("#preview-table")
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                targets = [node["target"] for node in violation["nodes"]]
                found.append(f"{url}: {violation['id']} {targets}")
    assert not found, "\n".join(found)
