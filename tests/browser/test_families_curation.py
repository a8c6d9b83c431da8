"""The secretariat curates the families in Chromium: renames one, merges two, pins an
instrument, computes the families again after an import, and finds the names and the pin
kept; the pages fit a 1,280-pixel window (issue 18). Instruments are SYNTHETIC."""

from __future__ import annotations

import pytest

from iocompendium.instruments import services
from iocompendium.instruments.models import Instrument
from tests.instruments.test_curation import make_instruments

pytestmark = pytest.mark.django_db(transaction=True)


def _log_in(page) -> None:
    page.goto("/en/accounts/login/")
    page.fill("#id_username", "analyst")
    page.fill("#id_password", "analyst-pass-2026")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def _fits(page, width: int = 1280) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_secretariat_curation_survives_reclustering(page, secretariat_user):
    make_instruments()
    run = services.compute_families(seed=1, bootstrap=5)
    standard = Instrument.objects.get(external_key="syn-Standard-0").family.number
    others = [f.number for f in run.families.all() if f.number != standard]
    odd = Instrument.objects.get(external_key="syn-Guidelines-0")
    page.set_viewport_size({"width": 1280, "height": 900})
    _log_in(page)

    page.goto(f"/en/instruments/families/{standard}/")
    page.get_by_label("Name in English").fill("Technical standards")
    page.get_by_label("Name in French").fill("Normes techniques")
    page.get_by_role("button", name="Rename").click()
    page.wait_for_selector("text=The family was renamed.")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Technical standards")

    page.goto(f"/en/instruments/families/{others[0]}/")
    page.locator("select[name=other]").select_option(str(others[1]))
    page.get_by_role("button", name="Merge", exact=True).click()
    page.wait_for_selector("text=The families were merged.")

    page.goto(f"/en/instruments/{odd.pk}/")
    page.locator("select[name=family]").select_option(str(standard))
    page.get_by_label("Reason").fill("Written with the standards body")
    page.get_by_role("button", name="Pin", exact=True).click()
    page.wait_for_selector("text=The instrument is pinned to the family.")

    page.goto("/en/instruments/families/")
    cards_before = page.locator(".family-card").count()
    assert cards_before == run.families.count() - 1  # the merged two read as one
    _fits(page)

    # New instruments arrive (an import), then the secretariat computes again.
    make_instruments("new", [("Standard", "non_binding", "technical_committee", 6),
                             ("Treaty", "binding", "states", 5)])
    page.get_by_role("button", name="Compute the families again").click()
    page.wait_for_selector("text=The families were computed again")
    assert page.get_by_role("link", name="Technical standards").count() == 1
    _fits(page)

    page.goto(f"/en/instruments/{odd.pk}/")
    body = page.locator("main").inner_text() if page.locator("main").count() else \
        page.content()
    assert "pinned by the secretariat: Written with the standards body" in body
    assert page.get_by_role("link", name="Technical standards").count() == 1

    page.goto("/fr/instruments/families/")
    assert page.get_by_role("link", name="Normes techniques").count() == 1
    _fits(page)
    page.goto("/en/instruments/families/methods/")
    assert "Pins held: 1 of 1." in page.content()
    _fits(page)
