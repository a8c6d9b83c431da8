"""Storage of the search index: one document per indexed record, its facet values.

The full-text index itself lives beside these tables and is engine-specific: an FTS5
virtual table ``search_fts`` on SQLite, a generated ``tsv`` tsvector column with a GIN
index on PostgreSQL (both made by migration 0002, each only on its own engine).
"""

from __future__ import annotations

from django.db import models


class Document(models.Model):
    """One record of another app (``kind`` + ``key``) as the search engine sees it."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    title = models.TextField()
    # Every other searchable field, joined: the engine ranks title matches higher.
    body = models.TextField(blank=True)
    # The French title where the record has one (shown to French readers). Nullable, so
    # adding it does not rebuild the SQLite table (which would drop the FTS5 triggers).
    title_fr = models.TextField(null=True, blank=True)
    # A digest of the text given to the embedder: a vector is current while it matches.
    text_hash = models.CharField(max_length=32, null=True, blank=True)

    class Meta:
        db_table = "search_document"
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="search_document_kind_key")
        ]
        indexes = [
            models.Index(fields=["kind", "title"], name="search_doc_kind_title"),
            # With search_vector_current, which vectors are current is read from two
            # indexes alone (the vector index's reload, search/vectors.py).
            models.Index(fields=["kind", "key", "text_hash"], name="search_doc_current"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"


class FacetValue(models.Model):
    """One value of one facet of a document (a multi-valued facet has several rows)."""

    # No index of its own: search_facet_doc (document, facet, value) serves lookups by it.
    document = models.ForeignKey(
        Document, on_delete=models.CASCADE, related_name="facets", db_index=False
    )
    facet = models.CharField(max_length=40)
    value = models.CharField(max_length=200)

    class Meta:
        db_table = "search_facetvalue"
        indexes = [
            models.Index(fields=["document", "facet", "value"], name="search_facet_doc"),
            models.Index(fields=["facet", "value"], name="search_facet_value"),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}"


class Generation(models.Model):
    """Changed (to a random number) by every write to a kind's documents: tells processes
    that their cached facet tables of that kind are stale."""

    kind = models.CharField(max_length=40, primary_key=True)
    number = models.BigIntegerField(default=0)

    class Meta:
        db_table = "search_generation"

    def __str__(self) -> str:
        return f"{self.kind}@{self.number}"


class Vector(models.Model):
    """An embedding of one record's text by one model, found by (model, kind, key, part),
    kept while its ``text_hash`` matches the document's (so re-writing an unchanged record
    costs no embedding). Part 0 is the whole text; parts 1.. are its longer sentences (a
    record is as near to a query as its nearest part). Float32 bytes, L2-normalised."""

    model = models.CharField(max_length=60)
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    part = models.PositiveSmallIntegerField(default=0)
    text_hash = models.CharField(max_length=32)
    vector = models.BinaryField()

    class Meta:
        db_table = "search_vector"
        constraints = [
            models.UniqueConstraint(
                fields=["model", "kind", "key", "part"], name="search_vector_key"
            )
        ]
        # Which vectors are current (their digest matches the document's) read from this
        # index alone: the vector rows (2 KiB each) are not visited by the index reload.
        indexes = [models.Index(fields=["model", "kind", "key", "text_hash", "part"],
                                name="search_vector_current")]

    def __str__(self) -> str:
        return f"{self.model}:{self.kind}:{self.key}"
