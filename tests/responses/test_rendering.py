"""The options of a select built in Python (responses/rendering.py): every text escaped,
hidden and selected options marked as the template marked them. SYNTHETIC question."""

from __future__ import annotations

from iocompendium.responses.formtree import Choice, Question


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
