"""``iocompendium search query|reindex|status``: one search over every public record."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from iocompendium.search import embedder, hybrid, kinds, vectors


class Command(BaseCommand):
    help = "Search every public record by words and meaning; rebuild the search index."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        query = actions.add_parser("query", help="Search practices, instruments, families, "
                                                 "published answers (public records only).")
        query.add_argument("text")
        query.add_argument("--mode", choices=hybrid.MODES, default="hybrid",
                           help="hybrid (default): words and meaning fused; words: every "
                                "word must match; vectors: meaning only.")
        query.add_argument("--kind", action="append", default=[], metavar="KIND",
                           help="Only this kind (repeatable): practice, instrument, family, "
                                "quote.")
        query.add_argument("--limit", type=int, default=10)
        query.add_argument("--lang", choices=["en", "fr"], default="en",
                           help="Language to show records in when they have both.")
        query.add_argument("--json", action="store_true", help="Print one JSON object.")
        reindex = actions.add_parser(
            "reindex", help="Rebuild the search index and embed what is stale (resumable)."
        )
        reindex.add_argument("--kind", action="append", default=[], metavar="KIND")
        reindex.add_argument("--embed-only", action="store_true",
                             help="Do not rebuild the text index; only embed stale records.")
        reindex.add_argument("--drop-other-models", action="store_true",
                             help="Also delete the vectors of other embedding models.")
        actions.add_parser("status", help="Records indexed and embedded, per kind.")

    def handle(self, *args, **options):
        getattr(self, f"do_{options['action']}")(options)

    def do_query(self, options) -> None:
        if options["limit"] < 0:
            raise CommandError("--limit must be 0 or more.")
        result = hybrid.search(options["text"], kinds=options["kind"] or None,
                               mode=options["mode"], lang=options["lang"],
                               limit=options["limit"])
        if options["json"]:
            payload = {
                "total": result.total,
                "results": [
                    {"kind": h.kind, "id": h.key, "title": h.title, "language": h.language,
                     "score": h.score, "matched": h.matched}
                    for h in result.results
                ],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False))
            return
        if result.notice:
            self.stderr.write(result.notice)
        counts = ", ".join(f"{kinds.label(k)} {n}" for k, n in result.by_kind.items())
        summary = f"{result.total} results ({result.mode})"
        self.stdout.write(f"{summary}: {counts}" if counts else summary)
        for hit in result.results:
            self.stdout.write(f"  [{hit.kind} {hit.language} {hit.matched}] {hit.title}")

    def do_status(self, options) -> None:
        model = embedder.model_id()
        self.stdout.write(f"Model: {model}")
        for kind in vectors.all_kinds():
            total, done = vectors.counts(kind, model)
            self.stdout.write(f"  {kind}: {total} records, {done} embedded, "
                              f"{total - done} stale")

    def do_reindex(self, options) -> None:
        registered = kinds.registered()
        wanted = options["kind"] or sorted(registered)
        unknown = [k for k in wanted if k not in registered]
        if unknown:
            raise CommandError(f"unknown kind(s): {', '.join(unknown)} "
                               f"(known: {', '.join(sorted(registered))}).")
        started = time.monotonic()
        if not options["embed_only"]:
            for name in wanted:
                count = registered[name].rebuild()
                self.stdout.write(f"{name}: {count} records in the text index.")
        try:
            model = embedder.get_embedder()
        except embedder.EmbedderUnavailable as error:
            raise CommandError(f"search by meaning is not available: {error}") from error
        removed = vectors.purge(model.model_id, other_models=options["drop_other_models"])
        embedded = 0
        embed_started = time.monotonic()
        for name in wanted:
            embedded += self._embed(name, model)
        seconds = time.monotonic() - embed_started
        rate = f" ({embedded / seconds:.0f} texts/s)" if embedded and seconds else ""
        self.stdout.write(
            f"Embedded {embedded} records with {model.model_id}{rate}; "
            f"{removed} old vectors removed; {time.monotonic() - started:.1f} s in all."
        )

    def _embed(self, kind: str, model) -> int:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        with Progress(TextColumn(f"Embedding {kind}"), BarColumn(), MofNCompleteColumn(),
                      TimeRemainingColumn(), transient=False) as progress:
            task = progress.add_task(kind, total=None)

            def report(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return vectors.embed_stale(kind, progress=report, embedder=model)
