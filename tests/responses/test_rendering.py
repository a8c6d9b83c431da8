"""A question's box built in Python (responses/rendering.py): every text escaped,
hidden and selected options marked as the template marked them, the fixed texts from the
French catalogue, the secretariat's query box only for the secretariat. SYNTHETIC
questions."""

from __future__ import annotations

from django.utils import translation

from iocompendium.responses.formtree import Choice, Question
from iocompendium.responses.rendering import question_html


def _question(node_type: str, appearance: str = "", editable: bool = True) -> Question:
    node = {"type": node_type, "name": "q", "appearance": appearance, "choice_list": "l"}
    return Question(path='g/q"1', node=node, label="Q", hint="", state={}, value="a",
                    revision=0, editable=editable, choices=[
                        Choice("a", "<b>A & co</b>", True, "q-1"),
                        Choice('b"x', "B", False, "q-2", visible=False)])


def test_radios_escape_every_text_and_keep_hidden_options():
    html = str(_question("select_one").choices_html)
    assert '<input type="radio" id="q-1" name="g/q&quot;1" value="a" checked>' in html
    assert "&lt;b&gt;A &amp; co&lt;/b&gt;" in html and "<b>" not in html
    assert '<p class="choice" data-choice="b&quot;x" hidden>' in html


def test_checkboxes_disabled_when_not_editable():
    html = str(_question("select_multiple", editable=False).choices_html)
    assert html.count('type="checkbox"') == 2 and html.count(" disabled>") == 2


def test_drop_down_options():
    html = str(_question("select_one", appearance="minimal").choices_html)
    assert '<option value="a" data-choice="a" selected>&lt;b&gt;A &amp; co&lt;/b&gt;</option>' \
        in html
    assert '<option value="b&quot;x" data-choice="b&quot;x" hidden disabled>B</option>' in html


def _box(node_type: str, **fields) -> Question:
    node = {"type": node_type, "name": "q", "appearance": "", "choice_list": ""}
    values = {"path": "g/q", "node": node, "label": "<i>Label</i>", "hint": "", "state": {},
              "value": '"><script>', "revision": 0, "editable": True}
    values.update(fields)
    return Question(**values)


def test_question_box_escapes_label_value_and_error():
    question = _box("text", state={"error": "<b>bad</b>", "relevant": True}, show_error=True)
    html = str(question_html(question))
    assert '<div class="question q-text has-error" id="q-g--q" data-path="g/q"' in html
    assert "&lt;i&gt;Label&lt;/i&gt;" in html and "<i>" not in html
    assert 'value="&quot;&gt;&lt;script&gt;"' in html and "<script>" not in html
    assert "&lt;b&gt;bad&lt;/b&gt;" in html
    assert "raise-query" not in html


def test_question_box_in_french_with_the_secretariat_query_box():
    question = _box("geopoint", value="12.5 -3.25", state={"required": True})
    with translation.override("fr"):
        html = str(question_html(question, is_secretariat=True))
    assert "(obligatoire)" in html and "Latitude (-90 à 90)" in html
    assert 'data-part="lat" value="12.5"' in html and 'data-part="lon" value="-3.25"' in html
    assert '<details class="raise-query">' in html


def test_hidden_question_and_read_only_input():
    question = _box("integer", state={"relevant": False}, editable=False)
    html = str(question_html(question))
    assert 'data-type="integer" hidden>' in html
    assert ' disabled aria-describedby=' in html and 'inputmode="numeric"' in html
