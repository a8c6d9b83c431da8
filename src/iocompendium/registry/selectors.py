"""Reads of the registry."""

from __future__ import annotations

from django.db.models import QuerySet

from iocompendium.registry.models import Category, Organisation


def organisations(category: str | None = None) -> QuerySet[Organisation]:
    queryset = Organisation.objects.all()
    if category in Category.values:
        queryset = queryset.filter(category=category)
    return queryset
