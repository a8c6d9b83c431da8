"""One rendering path for the compendium's pages: the web preview and the static site.

The same templates render both; a ``Site`` in their context says how to link. In the web
app, links are Django URLs; in the static site, they are relative file paths computed from
the page being written, so the site works from disk (file://) and on any static host.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from django.templatetags.static import static
from django.urls import reverse

STATIC_PAGES = {
    "index": "{lang}/index.html",
    "theme": "{lang}/themes/{0}.html",
    "practice": "{lang}/practices/{0}.html",
    "organisations": "{lang}/organisations/index.html",
    "organisation": "{lang}/organisations/{0}.html",
    "families": "{lang}/families.html",
    "search": "{lang}/search.html",
    "asset": "assets/{0}",
    "download": "downloads/{0}",
    "data": "data/{0}",
    "root": "index.html",
}
LANGUAGES = ("en", "fr")


@dataclass
class Site:
    static: bool
    lang: str
    page: str = ""  # static site: the path of the page being written, e.g. "en/index.html"
    include_drafts: bool = False
    can_curate: bool = False

    @property
    def base_template(self) -> str:
        return "compendium/static_base.html" if self.static else "compendium/web_base.html"

    @property
    def other_lang(self) -> str:
        return "fr" if self.lang == "en" else "en"

    def static_path(self, name: str, *args: object, lang: str | None = None) -> str:
        return STATIC_PAGES[name].format(*args, lang=lang or self.lang)

    def url(self, name: str, *args: object) -> str:
        if self.static:
            target = self.static_path(name, *args)
            return posixpath.relpath(target, posixpath.dirname(self.page) or ".")
        if name == "asset":
            return static(f"compendium/{args[0]}")
        return reverse(f"compendium:{name}", args=[str(a) for a in args])

    def other_language_url(self) -> str:
        """The same page in the other language (static site only; the web has its switch)."""
        parts = self.page.split("/", 1)
        target = f"{self.other_lang}/{parts[1]}" if len(parts) == 2 else self.page
        return posixpath.relpath(target, posixpath.dirname(self.page) or ".")
