"""``iocompendium publish``: the compendium as a static bilingual website, PDFs and open data.

The site is written with the same templates as the web preview (``pages.Compendium``),
in relative-link mode, so it needs no server: it opens from disk (file://) and works on
any static host. Layout of the output folder::

    index.html                 language choice
    en/ fr/                    index, themes/, practices/<identifier>.html, organisations/,
                               families.html, search.html
    assets/                    styles, the search script and its per-language index (JS)
    downloads/compendium-en.pdf, compendium-fr.pdf
    data/datapackage.json + CSV tables (Frictionless Data Package)
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from iocompendium.analysis.tables import UNIT_INSTANCES
from iocompendium.atomic import replaced_folder
from iocompendium.compendium import selectors
from iocompendium.compendium.figures import ThemeFigures, survey_data, theme_figures
from iocompendium.compendium.pages import LICENCE, LICENCE_URL, Compendium
from iocompendium.compendium.related import related_pages
from iocompendium.compendium.site import LANGUAGES, Site
from iocompendium.compendium.survey_results import (
    DEFAULT_UNITS,
    SurveyResults,
    result_rows,
    survey_results,
)
from iocompendium.compendium.themes import THEMES
from iocompendium.spreadsheets import csv_text

STATIC_DIR = Path(__file__).resolve().parent / "static" / "compendium"
WEB_CSS = Path(__file__).resolve().parent.parent / "web" / "static" / "web" / "site.css"
Progress = Callable[[str], None]


class NothingToPublish(ValueError):
    """No respondent, or no question to publish: one sentence (``--allow-empty`` skips)."""


@dataclass
class PublishResult:
    output: Path
    coverage_line: str = ""
    pages: int = 0
    pdfs: list[Path] = field(default_factory=list)
    data_files: list[Path] = field(default_factory=list)
    practices: int = 0
    books: dict = field(default_factory=dict, repr=False)

    @property
    def index(self) -> Path:
        return self.output / "index.html"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def pdf_name(lang: str) -> str:
    return f"compendium-{lang}.pdf"


def search_index_name(lang: str) -> str:
    return f"search-index-{lang}.js"


class SiteWriter:
    """Writes every page of one language of the static site."""

    def __init__(self, output: Path, compendium: Compendium, *, with_pdf: bool = True) -> None:
        self.output = output
        self.with_pdf = with_pdf
        self.compendium = compendium
        self.lang = compendium.lang
        self.count = 0
        self.related = related_pages(compendium)

    def page(self, path: str, builder: Callable[[Site], tuple[str, dict]]) -> None:
        site = Site(static=True, lang=self.lang, page=path)
        template, context = builder(site)
        context.update(pdf_name=pdf_name(self.lang) if self.with_pdf else "",
                       search_index=search_index_name(self.lang),
                       related=self.related.get(path))
        _write(self.output / path, render_to_string(template, context))
        self.count += 1

    def write_all(self) -> int:
        c, lang = self.compendium, self.lang
        self.page(f"{lang}/index.html", c.index_page)
        for theme in THEMES if c.has_practices else ():
            self.page(f"{lang}/themes/{theme.slug}.html",
                      lambda site, slug=theme.slug: c.theme_page(site, slug))
        for practice in c.practices:
            self.page(f"{lang}/practices/{practice.identifier}.html",
                      lambda site, p=practice: c.practice_page(site, p))
        self.page(f"{lang}/organisations/index.html", c.organisations_page)
        for organisation in c.organisations:
            slug = selectors.organisation_slug(organisation)
            self.page(f"{lang}/organisations/{slug}.html",
                      lambda site, o=organisation: c.organisation_page(site, o))
        if c.has_families:
            self.page(f"{lang}/families.html", c.families_page)
        self.page(f"{lang}/search.html", c.search_page)
        self.write_search_index()
        return self.count

    def write_search_index(self) -> None:
        """The search index as a script: fetch() of a JSON file fails on file://."""
        entries = [
            {"u": f"practices/{p.identifier}.html", "t": p.title, "o": p.organisation.acronym,
             "h": p.theme_label, "s": _("Synthetic") if p.is_synthetic else "",
             "x": f"{p.description} {p.organisation.name} {p.sub_theme_label}"}
            for p in self.compendium.practices
        ]
        # "<" is escaped so no text can close the script element.
        payload = json.dumps(entries, ensure_ascii=False).replace("<", "\\u003c")
        _write(self.output / "assets" / search_index_name(self.lang),
               f"window.COMPENDIUM_INDEX = {payload};\n")


def write_indicator_pages(output: Path, questionnaire: str, lang: str) -> list:
    """A page per composite-indicator framework over the questionnaire (the methods written
    from the framework, the scores, countries beside IOs with their attribution); the
    dashboards written (the data package's indicator resources read the English ones)."""
    from iocompendium.indicators import publication

    views = publication.dashboards(questionnaire)
    for view in views:
        page = publication.page_path(lang, view.result.framework.slug)
        _write(output / page, render_to_string("indicators/published.html", {
            **publication.page_context(view),
            "site": Site(static=True, lang=lang, page=page),
            "index_url": "../index.html", "methods_url": "../methods.html",
            "licence": LICENCE, "licence_url": LICENCE_URL,
        }))
    return views


def write_results_pages(output: Path, results: SurveyResults, lang: str,
                        indicators: list | None = None) -> int:
    """One page per top-level group of the form, and the methods page (static site)."""
    from iocompendium.analysis.coverage import EXCLUDED, PUBLISHED

    written = 0
    for section in results.sections:
        page = f"{lang}/results/{section.slug}.html"
        site = Site(static=True, lang=lang, page=page)
        _write(output / page, render_to_string("compendium/results.html", {
            "site": site, "results": results, "section": section,
            "entries": section.entries(results.quotes),
            "index_url": "../index.html", "methods_url": "../methods.html",
            "licence": LICENCE, "licence_url": LICENCE_URL,
        }))
        written += 1
    page = f"{lang}/methods.html"
    _write(output / page, render_to_string("compendium/methods.html", {
        "site": Site(static=True, lang=lang, page=page), "results": results,
        "published": sum(r.status == PUBLISHED for r in results.coverage),
        "excluded": sum(r.status == EXCLUDED for r in results.coverage),
        "index_url": "index.html", "coverage_url": "../data/coverage.csv",
        "licence": LICENCE, "licence_url": LICENCE_URL,
        "indicators": [(view.title, f"indicators/{view.result.framework.slug}.html")
                       for view in indicators or []],
    }))
    return written + 1


def write_assets(output: Path) -> None:
    assets = output / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(WEB_CSS, assets / "site.css")
    for name in ("compendium.css", "search.js"):
        shutil.copyfile(STATIC_DIR / name, assets / name)


def write_root(output: Path) -> None:
    _write(output / "index.html", render_to_string("compendium/root.html", {}))


# --- PDF --------------------------------------------------------------------------------


def build_pdf(compendium: Compendium) -> bytes:
    """The whole compendium in one language: cover, contents, a chapter per theme."""
    from weasyprint import HTML

    site = Site(static=True, lang=compendium.lang, page=f"{compendium.lang}/index.html")
    css = "\n".join(p.read_text(encoding="utf-8") for p in (WEB_CSS, STATIC_DIR / "compendium.css"))
    html = render_to_string("compendium/pdf.html", {
        **compendium.base_context(site), "themes": compendium.themes(),
        "figures_state": compendium.figures, "css": css, "generated": timezone.now(),
    })
    return HTML(string=html).write_pdf()


# --- open data --------------------------------------------------------------------------


def _csv(rows: list[list], header: list[str]) -> str:
    return csv_text(header, rows)


def _field(name: str, type_: str, description: str, **extra) -> dict:
    return {"name": name, "type": type_, "description": description, **extra}


def data_tables(en: Compendium, fr: Compendium, results: SurveyResults | None = None,
                indicators: list | None = None,
                ) -> list[tuple[str, str, list[dict], list[list]]]:
    """(name, description, schema fields, rows) of each table of the data package."""
    practices = [
        [p.identifier, p.organisation.acronym, p.theme, p.sub_theme, p.title_en, p.title_fr,
         p.description_en, p.description_fr,
         ";".join(str(k.pk) for k in p.key_principles.all()),
         f"practices/{p.identifier}.html", p.is_synthetic]
        for p in en.practices
    ]
    organisations = [
        [o.acronym, o.name_en, o.name_fr, o.category, o.website, o.synthetic]
        for o in en.organisations
    ]
    principles = [[k.pk, k.theme, k.order, k.text_en, k.text_fr] for k in en.principles]
    # What the counts count: the questionnaire's units in each language (as in
    # question_tables), or instances of a repeat.
    own_units = results.units if results is not None else DEFAULT_UNITS
    figure_rows = []
    for theme in THEMES:
        for fig_en, fig_fr in zip(en.figures.of(theme.slug), fr.figures.of(theme.slug),
                                  strict=False):
            units = ([UNIT_INSTANCES, UNIT_INSTANCES] if fig_en.unit == UNIT_INSTANCES
                     else [own_units["en"], own_units["fr"]])
            for row_en, row_fr in zip(fig_en.rows, fig_fr.rows, strict=False):
                figure_rows.append([
                    theme.slug, fig_en.key, fig_en.label, fig_fr.label, row_en.label,
                    row_fr.label, row_en.count, fig_en.answered, fig_en.denominator, *units,
                ])
    return [
        ("practices", "Published practices of the compendium, in English and French.", [
            _field("identifier", "string", "Stable identifier of the practice (citation key).",
                   constraints={"required": True, "unique": True}),
            _field("organisation", "string",
                   "Acronym of the organisation (organisations.acronym)."),
            _field("theme", "string", "Theme of the compendium.",
                   constraints={"enum": [t.slug for t in THEMES]}),
            _field("sub_theme", "string", "Sub-theme (implementation and evaluation), or empty."),
            _field("title_en", "string", "Title in English."),
            _field("title_fr", "string", "Title in French (empty: not translated yet)."),
            _field("description_en", "string", "Description in English."),
            _field("description_fr", "string", "Description in French (empty: not translated)."),
            _field("key_principles", "string",
                   "Identifiers of the key principles illustrated (key_principles.id), "
                   "';'-separated."),
            _field("page", "string", "Path of the practice's page in the website."),
            _field("synthetic", "boolean", "True for invented demonstration data."),
        ], practices),
        ("organisations", "Organisations with practices or survey responses in the compendium.", [
            _field("acronym", "string", "Acronym (unique).",
                   constraints={"required": True, "unique": True}),
            _field("name_en", "string", "Name in English."),
            _field("name_fr", "string", "Name in French."),
            _field("category", "string", "Category of organisation (igo, tgn, private, "
                   "convention, supranational, other)."),
            _field("website", "string", "Website address."),
            _field("synthetic", "boolean", "True for invented demonstration organisations."),
        ], organisations),
        ("key_principles", "Key principles of each theme, in English and French.", [
            _field("id", "integer", "Identifier of the key principle.",
                   constraints={"required": True, "unique": True}),
            _field("theme", "string", "Theme of the compendium."),
            _field("order", "integer", "Position within the theme."),
            _field("text_en", "string", "Text in English."),
            _field("text_fr", "string", "Text in French."),
        ], principles),
        ("survey_tables", "Aggregate counts of the survey's choice questions by theme of "
         "the compendium (approved responses), with their denominators in the "
         "questionnaire's respondent units.", [
            _field("theme", "string", "Theme of the compendium."),
            _field("question", "string", "Question path in the questionnaire."),
            _field("question_en", "string", "Question label in English."),
            _field("question_fr", "string", "Question label in French."),
            _field("option_en", "string", "Answer option in English."),
            _field("option_fr", "string", "Answer option in French."),
            _field("count", "integer", "Respondent units (see unit), or instances of a "
                   "repeat, choosing the option."),
            _field("answered", "integer", "Respondent units that answered the question."),
            _field("denominator", "integer", "Respondent units to whom the question applied."),
            _field("unit", "string", "What the counts count, in English: the questionnaire's "
                   "respondent units (organisations, jurisdictions, submissions or its own "
                   "name for them) or instances of a repeat."),
            _field("unit_fr", "string", "The same in French."),
        ], figure_rows),
        *(_results_tables(results) if results is not None else []),
        *(_indicator_tables(indicators) if indicators else []),
    ]


def _indicator_tables(views: list) -> list[tuple[str, str, list[dict], list[list]]]:
    from iocompendium.indicators import publication

    return publication.data_tables(views)


def _results_tables(results: SurveyResults) -> list[tuple[str, str, list[dict], list[list]]]:
    return [
        ("question_tables", "Every published question of the survey by the form's own "
         "sections, whatever its type, with its denominator (approved responses).", [
            _field("section", "string", "Top-level group of the form (empty: none)."),
            _field("question", "string", "Question path (the repeat's path for its counts)."),
            _field("type", "string", "XLSForm type of the question."),
            _field("statistic", "string", "count, n, mean, median, q1, q3, min, max, bin, "
                   "period, hour, mean_rank, first_choice, answers, quote, instances, "
                   "respondents_with_any."),
            _field("label", "string", "Option, bin, period or quote the value is about."),
            _field("value", "number", "The value of the statistic (empty for a quote)."),
            _field("answered", "integer", "Respondents who answered."),
            _field("denominator", "integer", "Respondents to whom the question applied."),
            _field("unit", "string", "What counts count, in English: the questionnaire's "
                   "respondent units (organisations, jurisdictions, submissions or its own "
                   "name for them, e.g. households) or instances of a repeat."),
            _field("unit_fr", "string", "The same in French (e.g. ménages)."),
        ], result_rows(results)),
        ("coverage", "Every question of the form with a table in the report: published, or "
         "excluded with its reason (issue 12: nothing left out silently).", [
            _field("question", "string", "The question's key in the report's tables."),
            _field("type", "string", "XLSForm type of the question."),
            _field("status", "string", "published or excluded.",
                   constraints={"enum": ["published", "excluded"]}),
            _field("reason", "string", "Why an excluded question is left out."),
        ], [[row.question, row.type, row.status, row.reason] for row in results.coverage]),
    ]


def write_data_package(output: Path, en: Compendium, fr: Compendium,
                       results: SurveyResults | None = None,
                       indicators: list | None = None) -> list[Path]:
    folder = output / "data"
    folder.mkdir(parents=True, exist_ok=True)
    resources, written = [], []
    for name, description, fields, rows in data_tables(en, fr, results, indicators):
        path = folder / f"{name}.csv"
        path.write_text(_csv(rows, [f["name"] for f in fields]), encoding="utf-8")
        written.append(path)
        resources.append({
            "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "description": description, "schema": {"fields": fields},
        })
    package = {
        "profile": "tabular-data-package",
        "name": "io-compendium",
        "title": "Compendium of international organisations' practices",
        "description": "Practices of international organisations, key principles per theme "
                       "and the aggregate survey tables behind the compendium."
                       + (" Composite indicators: the frameworks and the scores per unit."
                          if indicators else "")
                       + (" The country scores keep their source's attribution (see "
                          "indicator_country_scores.attribution)."
                          if indicators and any(v.countries for v in indicators) else "")
                       + (" Contains synthetic (fictional) demonstration data."
                          if en.synthetic else ""),
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "licenses": [{"name": LICENCE, "path": LICENCE_URL,
                      "title": "Creative Commons Attribution 4.0"}],
        "resources": resources,
    }
    path = folder / "datapackage.json"
    path.write_text(json.dumps(package, ensure_ascii=False, indent=2), encoding="utf-8")
    return [*written, path]


# --- everything -------------------------------------------------------------------------


def publish(output: Path, *, questionnaire: str = selectors.SURVEY_SLUG, with_pdf: bool = True,
            progress: Progress | None = None, allow_empty: bool = True) -> PublishResult:
    """Build the site, the PDFs and the data package into ``output``, all or nothing: the
    new compendium is built in a folder beside ``output`` and replaces it only once whole,
    so a failure or a kill at any moment leaves the previous compendium as it was.

    ``allow_empty=False`` stops with ``NothingToPublish`` before writing anything when no
    response is approved or no question can be published."""
    data = survey_data(questionnaire)
    results = _survey_results(questionnaire, data)
    if not allow_empty:
        _check_something_to_publish(questionnaire, results)
    output = Path(output)
    if output.exists() and any(output.iterdir()) and not (output / "index.html").exists():
        raise ValueError(_("The output folder %(path)s is not empty and is not a published "
                           "compendium; choose another folder.") % {"path": output})
    with replaced_folder(output) as build:
        result = _build(build, questionnaire=questionnaire, with_pdf=with_pdf,
                        progress=progress, data=data, results=results)
    result.output = output
    result.pdfs = [output / path.relative_to(build) for path in result.pdfs]
    result.data_files = [output / Path(path).relative_to(build) for path in result.data_files]
    return result


def _build(output: Path, *, questionnaire: str, with_pdf: bool, progress: Progress | None,
           data: object | None, results: dict[str, SurveyResults | None]) -> PublishResult:
    step = progress or (lambda label: None)
    result = PublishResult(output)
    books: dict[str, Compendium] = {}
    indicators: dict[str, list] = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            step(_("Computing figures (%(lang)s)") % {"lang": lang})
            figures: ThemeFigures = theme_figures(questionnaire, lang, data=data)
            books[lang] = Compendium.load(lang, questionnaire=questionnaire, figures=figures)
            books[lang].survey_results = results.get(lang)
            step(_("Writing pages (%(lang)s)") % {"lang": lang})
            result.pages += SiteWriter(output, books[lang], with_pdf=with_pdf).write_all()
            step(_("Writing the indicators (%(lang)s)") % {"lang": lang})
            indicators[lang] = write_indicator_pages(output, questionnaire, lang)
            result.pages += len(indicators[lang])
            if results.get(lang) is not None:
                result.pages += write_results_pages(output, results[lang], lang,
                                                    indicators[lang])
    write_assets(output)
    with translation.override("en"):
        write_root(output)
    result.pages += 1
    result.books = books
    if with_pdf:
        _write_pdfs_into(output, result, step)
    step(_("Writing the data package"))
    with translation.override("en"):
        result.data_files = write_data_package(output, books["en"], books["fr"],
                                               results.get("en"), indicators.get("en"))
    result.practices = len(books["en"].practices)
    if results.get("en") is not None:
        from iocompendium.analysis.coverage import summary_line

        result.coverage_line = summary_line(results["en"].coverage)
    return result


def _survey_results(questionnaire: str, data: object | None) -> dict[str, SurveyResults | None]:
    """The published survey results per language (None where there is no survey data)."""
    if data is None:
        return dict.fromkeys(LANGUAGES)
    from iocompendium.evidence import selectors as evidence

    marked = evidence.personal_questions(questionnaire)
    quotes: dict[str, list[str]] = {}
    for quote in evidence.publishable_quotes(questionnaire):
        quotes.setdefault(quote.question, []).append(quote.text)
    from iocompendium.analysis.tables import analyse_languages

    # One analysis for both languages: only the labels differ.
    analyses = analyse_languages(data.version.structure, data.answers, LANGUAGES,
                                 respondents=data.respondents, relevance=data.relevance)
    results = {}
    for lang in LANGUAGES:
        with translation.override(lang):
            results[lang] = survey_results(data, lang, quotes, marked, analyses[lang])
    return results


def _check_something_to_publish(questionnaire: str, results: dict) -> None:
    english = results.get("en")
    if english is None or english.respondents == 0:
        raise NothingToPublish(
            f"No approved response to '{questionnaire}': there is nothing to publish "
            "(use --allow-empty to publish the site anyway).")
    if not any(row.status == "published" for row in english.coverage):
        raise NothingToPublish(
            f"Every question of '{questionnaire}' is left out as personal data: there is "
            "nothing to publish (use --allow-empty to publish the site anyway).")


def write_pdfs(result: PublishResult, *, progress: Progress | None = None) -> None:
    """The PDF of each language, and the site's index pages relinked to them (on a
    published site: a copy is completed aside, then swapped in)."""
    live = result.output
    with replaced_folder(live) as build:
        shutil.copytree(live, build, dirs_exist_ok=True)
        _write_pdfs_into(build, result, progress)
    result.pdfs = [live / path.relative_to(build) for path in result.pdfs]


def _write_pdfs_into(output: Path, result: PublishResult, progress: Progress | None) -> None:
    step = progress or (lambda label: None)
    for lang, book in result.books.items():
        with translation.override(lang):
            step(_("Writing the PDF (%(lang)s)") % {"lang": lang})
            path = output / "downloads" / pdf_name(lang)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(build_pdf(book))
            result.pdfs.append(path)
            SiteWriter(output, book, with_pdf=True).page(f"{lang}/index.html",
                                                         book.index_page)


STEPS_WITH_PDF = 3 * len(LANGUAGES) + len(LANGUAGES) + 1
STEPS_WITHOUT_PDF = 3 * len(LANGUAGES) + 1
