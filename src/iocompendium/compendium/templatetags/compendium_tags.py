"""``{% clink "theme" slug %}``: a link that works in the web app and in the static site."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def clink(context, name: str, *args) -> str:
    return context["site"].url(name, *args)


@register.filter
def percent(share: float | None) -> str:
    return "" if share is None else f"{share * 100:.0f}%"


@register.filter
def figures_of(figures_state, theme: str) -> list:
    return figures_state.of(theme)
