"""The content of each compendium page, for the web preview and the static site alike.

``Compendium`` reads everything once (practices, principles, organisations, figures) in
one language; each ``*_page`` method returns the template name and its context.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from iocompendium.compendium import selectors
from iocompendium.compendium.figures import ThemeFigures
from iocompendium.compendium.models import KeyPrinciple, Practice
from iocompendium.compendium.site import Site
from iocompendium.compendium.themes import SUB_THEME_LABELS, THEME_BY_SLUG, THEMES
from iocompendium.registry.models import Organisation

LICENCE = "CC-BY-4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass
class ThemeView:
    slug: str
    label: str
    principles: list[KeyPrinciple]
    practices: list[Practice]

    @property
    def groups(self) -> list[tuple[str, list[Practice]]]:
        """Practices by sub-theme, in the theme's order of sub-themes, then the rest."""
        theme = THEME_BY_SLUG[self.slug]
        order = {name: n for n, name in enumerate(theme.sub_themes)}
        groups: dict[str, list[Practice]] = {}
        for practice in sorted(self.practices, key=lambda p: order.get(p.sub_theme, 99)):
            label = str(SUB_THEME_LABELS.get(practice.sub_theme, "")) or _("Practices")
            groups.setdefault(label, []).append(practice)
        return list(groups.items())


@dataclass
class Compendium:
    """Everything the pages show, in one language."""

    lang: str
    questionnaire: str
    include_drafts: bool
    figures: ThemeFigures
    practices: list[Practice] = field(default_factory=list)
    principles: list[KeyPrinciple] = field(default_factory=list)
    organisations: list[Organisation] = field(default_factory=list)
    families: Any = None
    # The survey's results by the form's own sections (static site; issue 12).
    survey_results: Any = None

    @property
    def is_io_survey(self) -> bool:
        return self.questionnaire == selectors.SURVEY_SLUG

    @property
    def has_practices(self) -> bool:
        """Another form without practices gets a site without theme pages, not empty
        ones (the IO Survey keeps its themes as a layer on top of its results)."""
        return self.is_io_survey or bool(self.practices)

    @property
    def has_families(self) -> bool:
        return self.is_io_survey or bool(family_rows(self.families))

    @classmethod
    def load(cls, lang: str, *, questionnaire: str = selectors.SURVEY_SLUG,
             include_drafts: bool = False, figures: ThemeFigures | None = None,
             with_families: bool = True) -> Compendium:
        from iocompendium.compendium.figures import theme_figures

        return cls(
            lang=lang, questionnaire=questionnaire, include_drafts=include_drafts,
            figures=figures if figures is not None else theme_figures(questionnaire, lang),
            practices=list(selectors.practices(include_drafts=include_drafts)),
            principles=list(selectors.key_principles()),
            organisations=selectors.organisations_in_compendium(
                questionnaire, include_drafts=include_drafts
            ),
            families=selectors.families_summary(lang) if with_families else None,
        )

    # --- shared facts ---------------------------------------------------------------
    @property
    def synthetic(self) -> bool:
        return (
            self.figures.synthetic
            or any(p.is_synthetic for p in self.practices)
            or any(o.synthetic for o in self.organisations)
        )

    def themes(self) -> list[ThemeView]:
        return [
            ThemeView(
                theme.slug, str(theme.label),
                [p for p in self.principles if p.theme == theme.slug],
                [p for p in self.practices if p.theme == theme.slug],
            )
            for theme in THEMES
        ]

    def theme(self, slug: str) -> ThemeView:
        for view in self.themes():
            if view.slug == slug:
                return view
        from django.http import Http404

        raise Http404("No such theme.")

    def practices_of(self, organisation: Organisation) -> list[Practice]:
        return [p for p in self.practices if p.organisation_id == organisation.pk]

    def base_context(self, site: Site) -> dict[str, Any]:
        return {"site": site, "compendium": self, "synthetic": self.synthetic,
                "licence": LICENCE, "licence_url": LICENCE_URL}

    # --- pages ----------------------------------------------------------------------
    def index_page(self, site: Site) -> tuple[str, dict[str, Any]]:
        return "compendium/index.html", {**self.base_context(site), "themes": self.themes()}

    def theme_page(self, site: Site, slug: str) -> tuple[str, dict[str, Any]]:
        return "compendium/theme.html", {
            **self.base_context(site), "theme": self.theme(slug),
            "figures": self.figures.of(slug), "figures_state": self.figures,
        }

    def practice_page(self, site: Site, practice: Practice) -> tuple[str, dict[str, Any]]:
        return "compendium/practice.html", {
            **self.base_context(site), "practice": practice,
            "organisation_slug": selectors.organisation_slug(practice.organisation),
            "principles": list(practice.key_principles.all()),
        }

    def organisations_page(self, site: Site) -> tuple[str, dict[str, Any]]:
        rows = [(o, selectors.organisation_slug(o), len(self.practices_of(o)))
                for o in self.organisations]
        return "compendium/organisations.html", {**self.base_context(site), "rows": rows}

    def organisation_page(self, site: Site, organisation: Organisation) -> tuple[str, dict]:
        return "compendium/organisation.html", {
            **self.base_context(site), "organisation": organisation,
            "practices": self.practices_of(organisation),
        }

    def families_page(self, site: Site) -> tuple[str, dict[str, Any]]:
        method = _get(self.families, "method") if isinstance(self.families, dict) else None
        return "compendium/families.html", {
            **self.base_context(site), "families": family_rows(self.families),
            "method": method or "",
            "pictures": selectors.family_pictures(self.families),
        }

    def search_page(self, site: Site, query: str = "",
                    hits: list[Practice] | None = None) -> tuple[str, dict[str, Any]]:
        return "compendium/search.html", {
            **self.base_context(site), "query": query, "hits": hits,
        }


@dataclass
class FamilyRow:
    label: str
    size: Any
    description: str
    traits: list[str]


def _get(item: Any, *names: str) -> Any:
    for name in names:
        value = item.get(name) if isinstance(item, dict) else getattr(item, name, None)
        if value not in (None, ""):
            return value
    return None


def family_rows(summary: Any) -> list[FamilyRow] | None:
    """The families of ``instruments.selectors.families_summary`` as plain rows.

    The summary may be a list of families or a mapping holding one under ``families``;
    each family is a mapping or an object with a label, a size and a description."""
    if summary is None:
        return None
    families = _get(summary, "families") if not isinstance(summary, list | tuple) else summary
    if not families:
        return []
    rows = []
    for n, family in enumerate(families, start=1):
        profile = _get(family, "profile", "traits")
        traits = list(profile) if isinstance(profile, list | tuple) else []
        description = _get(family, "description", "summary")
        if description is None and isinstance(profile, str):
            description = profile
        rows.append(FamilyRow(
            label=str(_get(family, "label", "name", "title") or _("Family %(n)d") % {"n": n}),
            size=_get(family, "size", "count", "instruments"),
            description=str(description or ""),
            traits=[str(t if not isinstance(t, dict) else ", ".join(map(str, t.values())))
                    for t in traits][:8],
        ))
    return rows
