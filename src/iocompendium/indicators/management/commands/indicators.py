"""``iocompendium indicators list|import|export|compute|sensitivity|countries``.

Contract (other tools depend on it; documented in docs/guide/indicators.md):

* ``indicators list --json`` -> ``[{"slug", "title_en", "title_fr", "questionnaire"}]``
* ``indicators import FILE.xlsx`` ; ``indicators export SLUG -o FILE.xlsx``
* ``indicators compute SLUG [--questionnaire Q] --json`` -> ``{"framework": SLUG,
  "units": [{"unit", "score", "categories": {NAME: score}, "indicators": {NAME: score}}]}``
* ``indicators sensitivity SLUG --runs N --seed S --json``: the same, with per unit
  ``median_rank`` and ``rank_interval`` [p5, p95], and ``sensitivity``:
  ``[{"choice", "first_order", "total"}]``
* ``indicators countries import PATH [--keep-valid] [--source ... --licence ...
  --attribution ...]`` ; ``indicators countries list --json``
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iocompendium.atomic import write_bytes_atomic
from iocompendium.indicators import countries, selectors, services
from iocompendium.indicators.workbook import WorkbookError


class Command(BaseCommand):
    help = "Composite indicators: frameworks (import, export, compute, sensitivity), countries."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        listing = actions.add_parser("list", help="The frameworks.")
        listing.add_argument("--json", action="store_true", help="Print one JSON array.")
        imp = actions.add_parser("import", help="Import a framework workbook (a new version).")
        imp.add_argument("file")
        imp.add_argument("--json", action="store_true",
                         help="Print the outcome (or the problems) as JSON.")
        export = actions.add_parser("export", help="Write a framework's workbook, unchanged.")
        export.add_argument("slug")
        export.add_argument("-o", "--output", required=True, help="FILE.xlsx")
        export.add_argument("--version", type=int, default=None,
                            help="A version number (default: the latest).")
        for name, text in (("compute", "Score a framework on a questionnaire's responses."),
                           ("sensitivity", "Compute, then the Monte Carlo rank intervals and "
                                           "the Sobol sensitivity of each choice.")):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("slug")
            sub.add_argument("--questionnaire", default=None,
                             help="Score another questionnaire with the same questions.")
            sub.add_argument("--status", default="submitted",
                             choices=sorted(selectors.STATUS_SETS),
                             help="Responses scored (default: submitted, in review, "
                                  "approved).")
            sub.add_argument("--json", action="store_true", help="Print one JSON object.")
            if name == "sensitivity":
                sub.add_argument("--runs", type=int, default=1000)
                sub.add_argument("--seed", type=int, default=1)
        country = actions.add_parser("countries", help="Published country scores.")
        country_actions = country.add_subparsers(dest="country_action", required=True,
                                                 metavar="ACTION")
        cimp = country_actions.add_parser(
            "import", help="Import an OECD iREG SDMX CSV, a World Bank GIRG file or a simple "
                           "CSV (jurisdiction, year, composite, category, score).")
        cimp.add_argument("path")
        cimp.add_argument("--keep-valid", action="store_true",
                          help="Import the valid values and report the others.")
        cimp.add_argument("--source", default="", help="Simple CSV: a short source name.")
        cimp.add_argument("--title", default="", help="Simple CSV: the dataset's title.")
        cimp.add_argument("--publisher", default="", help="Simple CSV: the publisher.")
        cimp.add_argument("--licence", default="", help="Simple CSV: the licence.")
        cimp.add_argument("--attribution", default="",
                          help="Simple CSV: the attribution to show with the scores.")
        cimp.add_argument("--json", action="store_true", help="Print one JSON object.")
        clist = country_actions.add_parser("list", help="The imported country datasets.")
        clist.add_argument("--json", action="store_true", help="Print one JSON array.")

    def handle(self, *args, **options):
        try:
            getattr(self, f"do_{options['action']}")(options)
        except selectors.IndicatorsError as error:
            raise CommandError(str(error)) from error

    def _json(self, document) -> None:
        self.stdout.write(json.dumps(document, ensure_ascii=False))

    def do_list(self, options) -> None:
        rows = selectors.framework_list()
        if options["json"]:
            self._json(rows)
            return
        for row in rows:
            self.stdout.write(f"{row['slug']}: {row['title_en']} ({row['questionnaire']})")

    def do_import(self, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}.")
        try:
            imported = services.import_framework_file(path)
        except WorkbookError as error:
            if options["json"]:
                self._json({"imported": False,
                            "problems": [p.as_dict() for p in error.problems]})
            for problem in error.problems:
                self.stderr.write(problem.line())
            raise CommandError(f"{path.name}: {len(error.problems)} problem(s); nothing "
                               "imported.") from error
        version = imported.version
        if options["json"]:
            self._json({"imported": imported.created, "slug": version.framework.slug,
                        "version": version.number, "problems": []})
            return
        if imported.created:
            self.stdout.write(f"Imported {path.name} as {version.framework.slug} version "
                              f"{version.number}.")
        else:
            self.stdout.write(f"{path.name} is the same as {version.framework.slug} version "
                              f"{version.number}; nothing changed.")

    def do_export(self, options) -> None:
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("the output must end in .xlsx.")
        if not output.parent.is_dir():
            raise CommandError(f"the folder {output.parent} does not exist.")
        data, _name = services.export_framework(options["slug"], options["version"])
        write_bytes_atomic(output, data)
        self.stdout.write(f"Wrote {options['slug']} to {output}.")

    def do_compute(self, options) -> None:
        statuses = selectors.STATUS_SETS[options["status"]]
        run = services.compute(options["slug"], options["questionnaire"], statuses)
        self._report(run, options, with_uncertainty=False)

    def do_sensitivity(self, options) -> None:
        statuses = selectors.STATUS_SETS[options["status"]]
        run = services.run_sensitivity(options["slug"], options["runs"], options["seed"],
                                       options["questionnaire"], statuses)
        self._report(run, options, with_uncertainty=True)

    def _report(self, run, options, with_uncertainty: bool) -> None:
        document = services.compute_json(run, with_uncertainty)
        if options["json"]:
            self._json(document)
            return
        scored = [u for u in document["units"] if u["score"] is not None]
        self.stdout.write(f"{document['framework']}: {len(scored)} of "
                          f"{len(document['units'])} units scored.")
        for unit in sorted(scored, key=lambda u: -u["score"])[:20]:
            line = f"  {unit['unit']}: {unit['score']:.3f}"
            if with_uncertainty and unit.get("median_rank") is not None:
                low, high = unit["rank_interval"]
                line += f" (median rank {unit['median_rank']:g}, 5-95 %: {low:g}-{high:g})"
            self.stdout.write(line)
        for index in document.get("sensitivity", []):
            self.stdout.write(f"  {index['choice']}: first order {index['first_order']:.3f}, "
                              f"total {index['total']:.3f}")

    def do_countries(self, options) -> None:
        if options["country_action"] == "list":
            rows = selectors.country_dataset_summary()
            if options["json"]:
                self._json(rows)
                return
            for row in rows:
                self.stdout.write(f"{row['source']}: {row['scores']} scores, years "
                                  f"{', '.join(map(str, row['years']))}. {row['attribution']}")
            return
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"no file {path}.")
        simple = {k: options[k] for k in ("source", "title", "licence", "attribution",
                                          "publisher")}
        try:
            result = countries.import_country_scores(path, keep_valid=options["keep_valid"],
                                                     **simple)
        except countries.CountryImportError as error:
            if options["json"]:
                self._json({"imported": False,
                            "problems": [p.as_dict() for p in error.problems]})
            for problem in error.problems[:50]:
                self.stderr.write(problem.line())
            raise CommandError(str(error)) from error
        if options["json"]:
            self._json({"imported": True, **result.as_json()})
            return
        for problem in result.problems:
            self.stderr.write(f"skipped: {problem.line()}")
        self.stdout.write(f"Imported {result.stored} scores from {path.name} "
                          f"({result.layout}) as {result.dataset.source}.")
        self.stdout.write(f"Attribution: {result.dataset.attribution}")
