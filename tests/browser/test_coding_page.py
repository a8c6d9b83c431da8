"""A coder codes a passage selected with the mouse on the coding page in Chromium and
finds it saved, at the exact offsets (issue 16). Organisations and coders are SYNTHETIC."""

from __future__ import annotations

import pytest

from iocompendium.coding.models import Segment
from tests.coding.conftest import QUESTION, codebook, coders, survey  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_coder_selects_a_passage_applies_a_code_and_sees_it_saved(  # noqa: F811
        page, codebook, survey, coders):  # noqa: F811
    _version, answers = survey
    answer = answers["SYN-B"]
    word = "définition écrite"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/en/accounts/login/")
    page.fill("#id_username", "coder-one")
    page.fill("#id_password", "pw-2026-x")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"/en/coding/{codebook.slug}/code/?question={QUESTION}")
    text = page.locator(f".answer-text[data-answer='{answer.pk}']")
    # Select the passage as a mouse drag leaves it, then release the button over it.
    text.evaluate("""(element, word) => {
        const node = element.firstChild;
        const start = node.textContent.indexOf(word);
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, start + word.length);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        element.dispatchEvent(new MouseEvent("mouseup", {bubbles: true}));
    }""", word)
    assert page.locator(f"#passage_{answer.pk}").input_value() == word
    page.get_by_label("Code to apply").select_option(label="No written definition")
    page.locator(f"button[name=answer][value='{answer.pk}']").click()
    page.wait_for_load_state()
    saved = page.locator(f"#a{answer.pk} .segments")
    assert "«définition écrite»" in saved.inner_text()
    segment = Segment.objects.get(answer=answer, coder=coders[0])
    start = answer.value.index(word)
    assert (segment.start, segment.end, segment.text, segment.code.name) == (
        start, start + len(word), word, "no_definition")
    # Reloaded, the page still shows it (saved, not only drawn).
    page.reload()
    assert "«définition écrite»" in page.locator(f"#a{answer.pk} .segments").inner_text()
