"""A question of a respondent page as HTML, built in Python (issue 12 benchmark).

The REACH 2024 form's largest section holds 186 questions and every option of every
cascading select (hidden ones included, so a changed answer shows the right ones at
once). Drawn through Django's template engine (one ``{% include %}`` per question, some
forty variable look-ups each), the questions were most of the page's time; joining
escaped strings gives the same HTML several times faster. Every value goes through
``escape`` (the standard library's ``html.escape``, which Django's own ``escape``
calls); the fixed texts are the template's msgids, so the French catalogue still
applies, and like ``{% translate %}`` they are written as the catalogue has them.
A question with queries from the secretariat (rare) draws them with the small template
``responses/_question_queries.html``."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from iocompendium.responses.formtree import Question

_INPUT_TYPES = {
    "integer": 'type="text" inputmode="numeric"', "decimal": 'type="text" inputmode="decimal"',
    "date": 'type="date"', "datetime": 'type="text" placeholder="YYYY-MM-DDTHH:MM"',
    "time": 'type="time"',
}


def choices_html(question: Question) -> SafeString:
    """The radio buttons or check boxes of ``question`` (widget radios/checkboxes), or the
    ``<option>`` elements of its drop-down list (widget select), after the empty one."""
    return mark_safe(_choices(question, question.widget))  # noqa: S308 - escaped inside


def _choices(question: Question, widget: str) -> str:
    path = escape(question.path)
    disabled = "" if question.editable else " disabled"
    parts: list[str] = []
    if widget == "select":
        for choice in question.choices:
            name = escape(choice.name)
            parts.append(
                f'<option value="{name}" data-choice="{name}"'
                f'{" selected" if choice.selected else ""}'
                f'{"" if choice.visible else " hidden disabled"}>{escape(choice.label)}</option>')
        return "".join(parts)
    kind = "radio" if widget == "radios" else "checkbox"
    for choice in question.choices:
        name, ident = escape(choice.name), escape(choice.input_id)
        parts.append(
            f'<p class="choice" data-choice="{name}"{"" if choice.visible else " hidden"}>'
            f'<input type="{kind}" id="{ident}" name="{path}" value="{name}"'
            f'{" checked" if choice.selected else ""}{disabled}>\n'
            f'        <label for="{ident}">{escape(choice.label)}</label></p>\n    ')
    return "".join(parts)


class _Parts:
    """The escaped pieces most widgets share, computed once per question."""

    def __init__(self, question: Question) -> None:
        self.ident = escape(question.input_id)
        self.path = escape(question.path)
        self.label = escape(question.label)
        self.hint = escape(question.hint)
        self.disabled = "" if question.editable else " disabled"
        self.required = (f' <span class="required-mark"{"" if question.required else " hidden"}>'
                         f'({_("required")})</span>')
        self.hint_p = (f'<p class="hint" id="{self.ident}-hint"'
                       f'{"" if question.hint else " hidden"}>{self.hint}</p>')
        self.described = f"{self.ident}-hint {self.ident}-error {self.ident}-warning"


def question_html(question: Question, *, is_secretariat: bool = False,
                  response: Any = None) -> SafeString:
    """The whole box of one question, as ``_items.html`` shows it."""
    parts = _Parts(question)
    widget = question.widget
    html = [f'<div class="question q-{escape(question.type)}'
            f'{" has-error" if question.show_error else ""}" id="{parts.ident}" '
            f'data-path="{parts.path}" data-type="{escape(question.type)}"'
            f'{"" if question.relevant else " hidden"}>\n',
            _control(question, widget, parts), "\n"]
    if question.node.get("or_other"):
        other = escape(question.other_id)
        html.append(
            f'  <p class="other-text" data-other-for="{parts.path}"'
            f'{"" if question.other_selected else " hidden"}>\n'
            f'    <label for="{other}-input">{_("Please specify")}</label>\n'
            f'    <input type="text" id="{other}-input" name="{escape(question.other_path)}" '
            f'value="{escape(question.other_value)}"'
            f'{"" if question.other_editable else " disabled"}></p>\n')
    error = escape(str(question.state.get("error") or "")) if question.show_error else ""
    warning = question.state.get("warning")
    html.append(
        f'<p class="error-message" id="{parts.ident}-error"'
        f'{"" if question.show_error else " hidden"}>{error}</p>\n'
        f'<p class="warning-message" id="{parts.ident}-warning"{"" if warning else " hidden"}>'
        f'{_("Check:") + " " + escape(str(warning)) if warning else ""}</p>\n'
        f'<div class="conflict-box" id="{parts.ident}-conflict" hidden></div>\n')
    if question.queries:
        html.append(render_to_string("responses/_question_queries.html",
                                     {"q": question, "response": response}))
    if is_secretariat and widget != "note":
        html.append(
            f'  <details class="raise-query"><summary>'
            f'{_("Raise a query on this answer")}</summary>\n'
            f'    <label for="raise-{parts.ident}">{_("Question to the organisation")}'
            f'</label>\n'
            f'    <textarea id="raise-{parts.ident}" name="text-{parts.path}" rows="2" '
            f'form="raise-query"></textarea>\n'
            f'    <button type="submit" name="path" value="{parts.path}" form="raise-query">'
            f'{_("Send the query")}</button>\n  </details>\n')
    html.append("</div>\n")
    return mark_safe("".join(html))  # noqa: S308 - every text escaped above


def _control(question: Question, widget: str, parts: _Parts) -> str:
    drawer = _DRAWERS.get(widget, _input)
    return drawer(question, widget, parts)


def _note(question: Question, widget: str, parts: _Parts) -> str:
    hint = f'\n  <p class="hint">{parts.hint}</p>' if question.hint else ""
    return f'  <p class="note-text">{parts.label}</p>{hint}'


def _calculate(question: Question, widget: str, parts: _Parts) -> str:
    return (f'  <p class="calculated"><span class="calc-label" id="{parts.ident}-label">'
            f'{parts.label}</span>\n'
            f'    <output name="{parts.path}" aria-labelledby="{parts.ident}-label" '
            f'data-value-for="{parts.path}">{escape(question.value)}</output>\n'
            f'    <span class="muted">({_("calculated")})</span></p>')


def _fieldset(question: Question, css: str, parts: _Parts, described: str, body: str,
              hint: str | None = None) -> str:
    return (f'  <fieldset class="{css}" aria-describedby="{described}">\n'
            f'    <legend>{parts.label}{parts.required}</legend>\n'
            f'    {parts.hint_p if hint is None else hint}\n{body}\n  </fieldset>')


def _select_boxes(question: Question, widget: str, parts: _Parts) -> str:
    return _fieldset(question, "choices", parts, parts.described,
                     "    " + _choices(question, widget))


def _geopoint(question: Question, widget: str, parts: _Parts) -> str:
    latitude, longitude = (escape(part) for part in question.geo_parts)
    body = (
        f'    <input type="hidden" name="{parts.path}" value="{escape(question.value)}" '
        f'data-composed="geopoint">\n'
        f'    <span class="geo-part"><label for="{parts.ident}-lat">'
        f'{_("Latitude (-90 to 90)")}</label>\n'
        f'      <input type="text" inputmode="decimal" id="{parts.ident}-lat" '
        f'name="{parts.path}--lat" data-part-of="{parts.path}" data-part="lat" '
        f'value="{latitude}"{parts.disabled}></span>\n'
        f'    <span class="geo-part"><label for="{parts.ident}-lon">'
        f'{_("Longitude (-180 to 180)")}</label>\n'
        f'      <input type="text" inputmode="decimal" id="{parts.ident}-lon" '
        f'name="{parts.path}--lon" data-part-of="{parts.path}" data-part="lon" '
        f'value="{longitude}"{parts.disabled}></span>')
    return _fieldset(question, "geo", parts, f"{parts.ident}-hint {parts.ident}-error", body)


def _rank(question: Question, widget: str, parts: _Parts) -> str:
    hint = (f'<p class="hint" id="{parts.ident}-hint">'
            f'{parts.hint + " " if question.hint else ""}'
            f'{_("Give each item its rank (1 = first).")}</p>')
    rows = [f'    <input type="hidden" name="{parts.path}" value="{escape(question.value)}" '
            f'data-composed="rank">']
    positions = question.positions
    for position, choice in question.ranked:
        ident, name = escape(choice.input_id), escape(choice.name)
        options = "".join(f'<option value="{number}"{" selected" if number == position else ""}>'
                          f'{number}</option>' for number in positions)
        rows.append(
            f'      <p class="choice"><label for="{ident}">{escape(choice.label)}</label>\n'
            f'        <select id="{ident}" name="{parts.path}--rank-{name}" '
            f'data-part-of="{parts.path}" data-part="{name}"{parts.disabled}>\n'
            f'          <option value="">—</option>\n          {options}\n        </select></p>')
    return _fieldset(question, "rank", parts, f"{parts.ident}-hint {parts.ident}-error",
                     "\n".join(rows), hint)


def _upload(question: Question, widget: str, parts: _Parts) -> str:
    if question.value:
        received = _("File received: %(name)s") % {"name": escape(question.value)}
    else:
        received = _("No file yet.")
    html = (f'  <p class="upload"><span class="upload-label">{parts.label}</span>\n'
            f'    <span class="muted">{received}</span></p>\n  {parts.hint_p}')
    if question.editable:
        accept = ' accept="image/*"' if question.type == "image" else ""
        html += (f'\n  <p><label for="{parts.ident}-file">{_("File to upload")}</label>\n'
                 f'    <input type="file" id="{parts.ident}-file" name="file:{parts.path}" '
                 f'form="upload-answer-file"{accept}>\n'
                 f'    <button type="submit" class="secondary" form="upload-answer-file" '
                 f'name="path" value="{parts.path}">{_("Upload")}</button></p>')
    return html


def _acknowledge(question: Question, widget: str, parts: _Parts) -> str:
    return (f'  <p class="choice"><input type="checkbox" id="{parts.ident}-input" '
            f'name="{parts.path}" value="OK"{" checked" if question.acknowledged else ""}'
            f'{parts.disabled} aria-describedby="{parts.ident}-hint {parts.ident}-error">\n'
            f'    <label for="{parts.ident}-input">{parts.label}{parts.required}</label></p>\n'
            f'  {parts.hint_p}')


def _input(question: Question, widget: str, parts: _Parts) -> str:
    """A text box, text area or drop-down list with its label and hint."""
    head = (f'  <label for="{parts.ident}-input">{parts.label}{parts.required}</label>\n'
            f'  {parts.hint_p}\n')
    named = f'id="{parts.ident}-input" name="{parts.path}"'
    described = f'{parts.disabled} aria-describedby="{parts.described}"'
    if widget == "textarea":
        return (head + f'  <textarea {named} rows="4"{described}>'
                f'{escape(question.value)}</textarea>')
    if widget == "select":
        return (head + f'  <select {named}{described}>\n'
                f'    <option value="">{_("— choose —")}</option>\n'
                f'    {_choices(question, widget)}\n  </select>')
    if widget == "range":
        low, high, step = question.range_bounds
        kind = f'type="number" min="{low}" max="{high}" step="{step}"'
    elif widget == "geolines":
        placeholder = _("latitude longitude; latitude longitude; …")
        kind = f'type="text" placeholder="{placeholder}"'
    else:
        kind = _INPUT_TYPES.get(widget, 'type="text"')
    return head + f'  <input {named} value="{escape(question.value)}"{described}\n    {kind}>'


_DRAWERS = {
    "note": _note, "calculate": _calculate, "radios": _select_boxes,
    "checkboxes": _select_boxes, "geopoint": _geopoint, "rank": _rank, "upload": _upload,
    "acknowledge": _acknowledge,
}
