"""The compendium's five themes and their sub-themes (fixed by the partnership's work).

Each theme maps to the top-level section of the IO Survey that carries its questions, so
the theme page shows that section's figures and the survey's ``_examples`` answers of the
section become candidate practices of the theme.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ThemeInfo:
    slug: str
    label: Promise | str
    survey_section: str
    sub_themes: tuple[str, ...] = ()


SUB_THEME_LABELS: dict[str, Promise | str] = {
    "assistance": _("Assistance"),
    "compliance": _("Compliance"),
    "advocacy": _("Advocacy"),
    "monitoring": _("Monitoring"),
    "ex_ante": _("Ex ante evaluation"),
    "ex_post": _("Ex post evaluation"),
}

THEMES: tuple[ThemeInfo, ...] = (
    ThemeInfo("variety", _("Variety of international instruments"), "variety"),
    ThemeInfo(
        "implementation",
        _("Implementation of international instruments"),
        "implementation",
        ("assistance", "compliance", "advocacy", "monitoring"),
    ),
    ThemeInfo(
        "evaluation", _("Evaluation of international instruments"), "evaluation",
        ("ex_ante", "ex_post"),
    ),
    ThemeInfo("stakeholders", _("Stakeholder engagement"), "stakeholders_section"),
    ThemeInfo("coordination", _("Co-ordination among international organisations"),
              "coordination"),
)
THEME_BY_SLUG = {theme.slug: theme for theme in THEMES}
THEME_BY_SECTION = {theme.survey_section: theme for theme in THEMES}
THEME_CHOICES = [(theme.slug, theme.label) for theme in THEMES]
SUB_THEME_CHOICES = [("", _("(none)"))] + list(SUB_THEME_LABELS.items())


def theme_label(slug: str) -> str:
    theme = THEME_BY_SLUG.get(slug)
    return str(theme.label) if theme else slug


def sub_theme_label(slug: str) -> str:
    return str(SUB_THEME_LABELS.get(slug, slug)) if slug else ""


def valid_sub_theme(theme: str, sub_theme: str) -> bool:
    """A sub-theme belongs to its theme (or is blank)."""
    return not sub_theme or sub_theme in THEME_BY_SLUG.get(theme, THEMES[0]).sub_themes


def theme_of_survey_path(path: str) -> str | None:
    """The theme of a survey answer path, from its top-level section (None outside)."""
    section = path.split("/", 1)[0].split("[", 1)[0]
    theme = THEME_BY_SECTION.get(section)
    return theme.slug if theme else None
