"""Accessibility of the shell pages, checked by axe-core in Chromium, in both languages."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from iocompendium.registry.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = ["/{lang}/", "/{lang}/organisations/", "/{lang}/organisations/?category=tgn",
         "/{lang}/organisations/SYN/", "/{lang}/accounts/login/"]


@pytest.fixture
def organisations():
    # Synthetic records; one without a French name (shown in English on French pages).
    Organisation.objects.create(acronym="SYN", name_en="Synthetic Organisation",
                                name_fr="Organisation synthétique", category="tgn",
                                membership="Regulators", website="https://syn.example.org",
                                verified=True)
    Organisation.objects.create(acronym="ENONLY", name_en="English Only Network",
                                category="tgn")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_serious_or_critical_axe_violation(page, organisations, lang):
    axe = Axe()
    found = []
    for template in PAGES:
        url = template.format(lang=lang)
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == lang
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                targets = [node["target"] for node in violation["nodes"]]
                found.append(f"{url}: {violation['id']} ({violation['impact']}) {targets}")
    assert not found, "\n".join(found)


def test_axe_finds_a_planted_violation(page, organisations):
    """The check above can fail: an unlabelled field added to the page is reported."""
    page.goto("/en/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', "
                  "'<input type=text id=unlabelled>')")
    ids = {v["id"] for v in Axe().run(page).response["violations"]}
    assert "label" in ids


def test_keyboard_focus_is_visible_and_skip_link_comes_first(page):
    page.goto("/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("""() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        const box = el.getBoundingClientRect();
        return {text: el.textContent.trim(), outline: style.outlineStyle,
                width: parseFloat(style.outlineWidth), left: box.left};
    }""")
    assert focused["text"] == "Skip to main content"
    assert focused["outline"] != "none" and focused["width"] >= 2
    assert focused["left"] >= 0  # moved on screen when focused
