"""Template tags of the respondent pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

from iocompendium.responses.rendering import question_html

register = template.Library()


@register.simple_tag(takes_context=True)
def question_box(context: template.Context, question: Any) -> SafeString:
    """One question's box (``rendering.question_html``): the page's secretariat flag and
    response come from the page's context."""
    return question_html(question, is_secretariat=bool(context.get("is_secretariat")),
                         response=context.get("response"))
