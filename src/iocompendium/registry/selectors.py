"""Reads of the registry."""

from __future__ import annotations

from django.db.models import QuerySet

from iocompendium.registry.models import Category, Organisation


def organisations(category: str | None = None) -> QuerySet[Organisation]:
    """Every organisation, or those of one category (an unknown category means all)."""
    queryset = Organisation.objects.all()
    if category in Category.values:
        queryset = queryset.filter(category=category)
    return queryset


def organisation_by_acronym(acronym: str) -> Organisation | None:
    return Organisation.objects.filter(acronym=acronym).first()


def organisation_counts() -> tuple[int, int]:
    """(real organisations, fictional demo organisations) in the registry."""
    synthetic = Organisation.objects.filter(synthetic=True).count()
    return Organisation.objects.count() - synthetic, synthetic
