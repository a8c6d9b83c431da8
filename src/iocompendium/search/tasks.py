"""Background jobs of search (django-tasks): embedding new and changed records."""

from __future__ import annotations

from django_tasks import task


@task()
def embed_stale_task() -> int:
    """Embed every record whose vector is missing or out of date; returns how many."""
    from iocompendium.search import embedder, vectors

    try:
        return vectors.embed_stale()
    except embedder.EmbedderUnavailable:
        return 0  # logged by the loader; word search goes on without vectors


@task()
def reindex_kind_task(kind: str) -> int:
    """Rebuild one kind's text index (its app's rebuild); the embedding follows."""
    from iocompendium.search import kinds

    found = kinds.get(kind)
    return found.rebuild() if found else 0
