"""``iocompendium instruments import|families|runs|search|generate|types``."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from iocompendium.instruments import clustering, selectors, services, synthetic
from iocompendium.instruments.mapping import MappingError
from iocompendium.instruments.models import FamilyRun


class Command(BaseCommand):
    help = "Instruments: import a file, compute families, search, generate synthetic data."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imp = actions.add_parser("import", help="Import instruments from a CSV or XLSX file.")
        imp.add_argument("file")
        imp.add_argument("--mapping", required=True, help="JSON column mapping.")
        imp.add_argument("--organisation", help="Acronym of the organisation of every row.")
        fam = actions.add_parser("families", help="Group the instruments into families.")
        fam.add_argument("--json", action="store_true", help="Print one JSON object.")
        fam.add_argument("--seed", type=int, default=1)
        fam.add_argument("--bootstrap", type=int, default=20, help="Bootstrap resamples.")
        fam.add_argument("--lang", default="en", choices=["en", "fr"])
        fam.add_argument(
            "--weight", action="append", default=[], metavar="ATTRIBUTE=WEIGHT",
            help="Weight of an attribute in the distance (kept for the next runs); "
                 "defaults: " + ", ".join(f"{k}={v:g}" for k, v in
                                         clustering.DEFAULT_WEIGHTS.items()) + ".",
        )
        fam.add_argument("--max-families", type=int, default=None,
                         help="Largest number of families tried (default 10).")
        actions.add_parser("runs", help="Compare the recorded family runs (settings, scores).")
        srch = actions.add_parser("search", help="Full-text search with facets.")
        srch.add_argument("query", nargs="?", default="")
        srch.add_argument("--facet", action="append", default=[], metavar="KEY=VALUE")
        srch.add_argument("--json", action="store_true", help="Print one JSON object.")
        srch.add_argument("--limit", type=int, default=10)
        srch.add_argument("--offset", type=int, default=0)
        gen = actions.add_parser("generate", help="Write synthetic instruments to a CSV file.")
        gen.add_argument("-n", type=int, default=100_000)
        gen.add_argument("-o", "--output", required=True)
        gen.add_argument("--seed", type=int, default=1)
        actions.add_parser("types", help="List type mappings and the types not yet mapped.")
        actions.add_parser("reindex", help="Rebuild the search index of instruments.")

    def handle(self, *args, **options):
        getattr(self, f"do_{options['action']}")(options)

    # --- import ---------------------------------------------------------------------
    def do_import(self, options) -> None:
        started = time.monotonic()
        try:
            report = services.import_instruments(
                options["file"], options["mapping"], organisation=options.get("organisation")
            )
        except MappingError as error:
            raise CommandError(str(error)) from error
        except services.ImportRefused as error:
            self._print_problems(error.problems)
            raise CommandError(str(error)) from error
        self._print_problems(report.warnings)
        self.stdout.write(
            f"Imported {report.rows} instruments from {options['file']} "
            f"({report.created} new, {report.updated} updated, "
            f"{len(report.warnings)} warning(s)) in {time.monotonic() - started:.1f} s."
        )
        if report.attribution:
            self.stdout.write(f"Source: {report.source}. {report.attribution}")

    def _print_problems(self, problems) -> None:
        # Every problem is reported, errors first, each with its row and column.
        for problem in sorted(problems, key=lambda p: (p.level != "error", p.row)):
            self.stderr.write(f"{problem.level}: {problem}")

    # --- families -------------------------------------------------------------------
    def do_families(self, options) -> None:
        if options["bootstrap"] < 0:
            raise CommandError("--bootstrap must be 0 or more.")
        weights = self._weights(options["weight"])
        k_values = None
        if options["max_families"] is not None:
            if options["max_families"] < 2:
                raise CommandError("--max-families must be 2 or more.")
            k_values = list(range(2, options["max_families"] + 1))
        started = time.monotonic()
        run = services.compute_families(seed=options["seed"], bootstrap=options["bootstrap"],
                                        weights=weights, k_values=k_values)
        if run is None:
            raise CommandError("there are no instruments to group: import some first.")
        summary = selectors.families_summary(options["lang"])
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2))
            return
        with translation.override(options["lang"]):
            self._print_families(summary, time.monotonic() - started)

    def _weights(self, items: list[str]) -> dict[str, float] | None:
        weights: dict[str, float] = {}
        for item in items:
            name, sep, value = item.partition("=")
            try:
                number = float(value)
            except ValueError:
                number = -1.0
            if not sep or name not in selectors.FAMILY_ATTRIBUTES or number < 0:
                raise CommandError(
                    f'"{item}" is not ATTRIBUTE=WEIGHT with ATTRIBUTE one of '
                    f"{', '.join(selectors.FAMILY_ATTRIBUTES)} and WEIGHT a number >= 0."
                )
            weights[name] = number
        return weights or None

    def do_runs(self, options) -> None:
        for run in FamilyRun.objects.all()[:20]:
            settings = run.settings or {}
            weights = ", ".join(f"{k}={v:g}" for k, v in settings.get("weights", {}).items())
            self.stdout.write(
                f"{run.created_at:%Y-%m-%d %H:%M:%S} run {run.pk}: {run.families.count()} "
                f"families, stability {run.stability:.3f}, expert agreement "
                f"{run.expert_agreement if run.expert_agreement is not None else '-'}; "
                f"seed {run.seed}, {run.bootstrap} resamples, weights {weights or '-'}; "
                f"pins {settings.get('pins', 0)}"
            )

    def _print_families(self, summary: dict, seconds: float) -> None:
        self.stdout.write(
            f"{summary['k']} families of {summary['n_instruments']} instruments "
            f"({summary['n_profiles']} distinct profiles of {', '.join(summary['attributes'])}) "
            f"in {seconds:.1f} s."
        )
        quality = ", ".join(f"k={k}: {v}" for k, v in summary["quality"]["by_k"].items())
        self.stdout.write(f"Silhouette by number of families: {quality}")
        stability = summary["stability"]
        self.stdout.write(
            f"Stability: mean adjusted Rand index {stability['mean']} over "
            f"{stability['resamples']} bootstrap resamples."
        )
        for family in summary["families"]:
            mark = " (curated)" if family["curated"] else ""
            self.stdout.write(
                f"\nFamily {family['number']}: {family['name']}{mark} — {family['size']} "
                f"instruments, mean confidence {family['mean_confidence']}\n  "
                f"{family['description']}"
            )
            expert = summary["comparison"]["table"].get(str(family["number"]), {})
            parts = ", ".join(f"{summary['expert_families'][c]} {n}" for c, n in expert.items())
            self.stdout.write(f"  Expert families: {parts}")
        self.stdout.write(
            f"\nAgreement with the expert families (adjusted Rand index): "
            f"{summary['comparison']['adjusted_rand']}"
        )
        for line in summary["attribution"]:
            self.stdout.write(f"Data: {line}")

    # --- search ---------------------------------------------------------------------
    def do_search(self, options) -> None:
        facets: dict[str, list[str]] = {}
        for item in options["facet"]:
            key, sep, value = item.partition("=")
            if not sep or key not in selectors.FACETS:
                raise CommandError(
                    f'"{item}" is not a facet filter KEY=VALUE with KEY one of '
                    f"{', '.join(selectors.FACETS)}."
                )
            facets.setdefault(key, []).append(value)
        if options["limit"] < 0 or options["offset"] < 0:
            raise CommandError("--limit and --offset must be 0 or more.")
        result = selectors.search_instruments(
            options["query"], facets, limit=options["limit"], offset=options["offset"]
        )
        if options["json"]:
            for item in result["results"]:
                item.pop("title_html", None)
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{result['total']} instruments found.")
        for facet, values in result["facets"].items():
            if values:
                top = ", ".join(f"{v} ({n})" for v, n in list(values.items())[:8])
                self.stdout.write(f"  {facet}: {top}")
        for item in result["results"]:
            self.stdout.write(
                f"- {item['title']} [{item['organisation'] or '?'}; {item['type'] or '?'}; "
                f"{item['legal_effect']}; {item['year'] or '?'}; family {item['family'] or '-'}]"
            )
        for line in result["attribution"]:
            self.stdout.write(f"Data: {line}")

    # --- generate, types, reindex -----------------------------------------------------
    def do_generate(self, options) -> None:
        if options["n"] < 1:
            raise CommandError("-n must be at least 1.")
        try:
            count = synthetic.write_csv(options["output"], options["n"], options["seed"])
        except OSError as error:
            raise CommandError(f"cannot write {options['output']}: {error.strerror}.") from error
        self.stdout.write(
            f"Wrote {count} synthetic instruments to {options['output']} (seed "
            f"{options['seed']}); import them with the mapping "
            "src/iocompendium/data/mappings/synthetic.json."
        )

    def do_types(self, options) -> None:
        for item in selectors.type_mappings():
            self.stdout.write(
                f"{item.name}: {item.legal_effect}, {item.nature or '-'}, "
                f"{item.addressees or '-'}, {item.adopting_body or '-'}"
            )
        unmapped = selectors.unmapped_types()
        self.stdout.write(f"{len(unmapped)} type(s) not yet mapped.")
        for item in unmapped:
            self.stdout.write(f"  {item['name']} ({item['count']} instruments)")

    def do_reindex(self, options) -> None:
        count = services.reindex()
        self.stdout.write(f"Indexed {count} instruments.")
