"""The coding page's list of answers, built in Python: with 1,000 answers and their
segments, Django's template engine (about 50 nodes a row) cost 0.7 s of CPU; joining
escaped strings costs a few milliseconds. Every user text goes through ``escape`` (the
standard library's ``html.escape``, the function Django's own ``escape`` calls, without
its lazy-string wrapper, which cost a third of the page's time); a code's name and colour
are escaped once per page."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from iocompendium.coding.selectors import CodingRow


def _code_html(code, cache: dict[int, str]) -> str:
    html = cache.get(code.pk)
    if html is None:
        html = cache[code.pk] = (f'<li><span class="swatch" data-colour="{escape(code.colour)}">'
                                 f"</span><strong>{escape(code.name)}</strong>")
    return html


def _segment(segment, final: bool, texts: dict[str, str], codes: dict[int, str]) -> str:
    parts = [
        f"{_code_html(segment.code, codes)} [{segment.start}–{segment.end}] "
        f"«{escape(segment.text)}»"
    ]
    if segment.needs_review:
        parts.append(f" <em>{texts['review']}</em>")
    if not final:
        pk = segment.pk
        parts.append(
            f'<label class="visually-hidden" for="segmemo_{pk}">{texts["memo"]}</label>'
            f'<input id="segmemo_{pk}" name="segmemo_{pk}" value="{escape(segment.memo)}" '
            f'placeholder="{texts["memo"]}" size="20"> '
            f'<button type="submit" name="segment" value="{pk}" formaction="{texts["u_memo"]}">'
            f'{texts["save_memo"]}</button> '
            f'<button type="submit" name="segment" value="{pk}" formaction="{texts["u_remove"]}">'
            f'{texts["remove"]}</button>')
    elif segment.memo:
        parts.append(f" — {escape(segment.memo)}")
    parts.append("</li>")
    return "".join(parts)


def answer_items(rows: list[CodingRow], *, final: bool, can_code: bool,
                 memo_url: str, remove_url: str) -> SafeString:
    """The ``<li>`` of every answer: who, the text, its segments, the apply controls."""
    texts = {
        "memo": escape(_("Memo")), "save_memo": escape(_("Save memo")),
        "remove": escape(_("Remove")), "review": escape(_("needs review: the answer changed")),
        "passage": escape(_("Passage (empty: the whole answer)")), "apply": escape(_("Apply")),
        "u_memo": escape(memo_url), "u_remove": escape(remove_url),
    }
    items = []
    codes: dict[int, str] = {}
    for row in rows:
        answer = row.answer
        pk = answer.pk
        item = [
            f'<li id="a{pk}" class="answer"><p class="who">'
            f"{escape(answer.unit)}</p>"
            f'<p class="answer-text" tabindex="0" data-answer="{pk}">{escape(answer.value)}</p>'
        ]
        if row.segments:
            item.append('<ul class="segments">')
            item.extend(_segment(segment, final, texts, codes) for segment in row.segments)
            item.append("</ul>")
        if can_code and not final:
            item.append(
                f'<p class="apply"><label for="passage_{pk}">{texts["passage"]}</label> '
                f'<input id="passage_{pk}" name="passage_{pk}" size="40" data-passage="{pk}">'
                f'<input type="hidden" name="start_{pk}" data-start="{pk}">'
                f'<input type="hidden" name="end_{pk}" data-end="{pk}"> '
                f'<label for="memo_{pk}">{texts["memo"]}</label> '
                f'<input id="memo_{pk}" name="memo_{pk}" size="20"> '
                f'<button type="submit" name="answer" value="{pk}">{texts["apply"]}</button></p>')
        item.append("</li>")
        items.append("".join(item))
    return mark_safe("\n".join(items))  # noqa: S308 - every text above is escaped
