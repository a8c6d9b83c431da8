"""The published compendium's search page works offline, opened from disk (file://)."""

from __future__ import annotations

import pytest

from iocompendium.compendium import services
from iocompendium.compendium.models import PracticeStatus
from iocompendium.compendium.publishing import publish
from tests.compendium.conftest import organisations, survey  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLE = "implementation/implementation_examples"


def test_static_search_from_disk_finds_a_practice_by_a_word_of_its_description(
    browser, survey, tmp_path  # noqa: F811
):
    # "metrology" is in SYN-A's description only (not in any title, nor in SYN-B's text).
    practice = services.practice_from_answer(survey["SYN-A"], EXAMPLE,
                                             title="Summer school for regulators")
    other = services.practice_from_answer(survey["SYN-B"], EXAMPLE, title="Scoreboard")
    for item in (practice, other):
        services.set_practice_status(item, PracticeStatus.PUBLISHED, base_version=item.version)
    assert "metrology" in practice.description_en and "metrology" not in other.description_en
    result = publish(tmp_path / "site", with_pdf=False)
    context = browser.new_context()  # no server at all: the pages come from the disk
    page = context.new_page()
    page.set_default_timeout(15000)
    for lang, label, query in (("en", "Words to find", "metrology"),
                               ("fr", "Mots à chercher", "MÉTROLOGY school")):
        page.goto((result.output / lang / "search.html").as_uri())
        assert page.url.startswith("file://")
        assert page.locator("html").get_attribute("lang") == lang
        page.get_by_label(label).fill(query)
        page.keyboard.press("Enter")
        results = page.locator("#search-results li")
        assert results.count() == 1
        assert ("Synthetic" if lang == "en" else "Synthétique") in results.first.inner_text()
        results.first.get_by_role("link").click()
        page.wait_for_url(f"**/{lang}/practices/{practice.identifier}.html")
        assert "Summer school for regulators" in page.locator("h1").inner_text()
    context.close()
