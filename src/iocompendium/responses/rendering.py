"""The options of a select question, built in Python (issue 12 benchmark): the REACH 2024
form's largest section holds 186 questions and every option of every cascading select
(hidden ones included, so a changed answer shows the right ones at once); drawn through
Django's template engine, the option loops were most of the page's time. Joining escaped
strings gives the same HTML as the template did. Every text goes through ``escape`` (the
standard library's ``html.escape``, which Django's own ``escape`` calls)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from iocompendium.responses.formtree import Question


def choices_html(question: Question) -> SafeString:
    """The radio buttons or check boxes of ``question`` (widget radios/checkboxes), or the
    ``<option>`` elements of its drop-down list (widget select), after the empty one."""
    path = escape(question.path)
    disabled = "" if question.editable else " disabled"
    parts: list[str] = []
    if question.widget == "select":
        for choice in question.choices:
            name = escape(choice.name)
            parts.append(
                f'<option value="{name}" data-choice="{name}"'
                f'{" selected" if choice.selected else ""}'
                f'{"" if choice.visible else " hidden disabled"}>{escape(choice.label)}</option>')
        return mark_safe("".join(parts))  # noqa: S308 - every text escaped above
    kind = "radio" if question.widget == "radios" else "checkbox"
    for choice in question.choices:
        name, ident = escape(choice.name), escape(choice.input_id)
        parts.append(
            f'<p class="choice" data-choice="{name}"{"" if choice.visible else " hidden"}>'
            f'<input type="{kind}" id="{ident}" name="{path}" value="{name}"'
            f'{" checked" if choice.selected else ""}{disabled}>\n'
            f'        <label for="{ident}">{escape(choice.label)}</label></p>\n    ')
    return mark_safe("".join(parts))  # noqa: S308 - every text escaped above
