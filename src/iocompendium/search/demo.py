"""Demo step: every kind's search index rebuilt, then embedded (so that search by meaning
works as soon as the demo serves); skipped with a line when the embedder cannot load."""

from __future__ import annotations

import time
from typing import Any

from iocompendium.search import embedder, kinds, vectors


def run(context: Any) -> None:
    started = time.monotonic()
    for kind in kinds.registered().values():
        kind.rebuild()
    try:
        model = embedder.get_embedder()
    except embedder.EmbedderUnavailable as error:
        context.write(f"Search by meaning off ({error}); word search works.")
        return
    done = vectors.embed_stale(embedder=model)
    total, _current = vectors.counts(model=model.model_id)
    context.write(
        f"Search: {total} records indexed, {done} embedded with {model.model_id} "
        f"({time.monotonic() - started:.1f} s)."
    )
