"""The workspace's documents in the one search: their kind, links, rebuild and who may
see them (the same audiences as ``selectors.access_keys``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.urls import reverse

from iocompendium import search
from iocompendium.search.kinds import Kind, register, register_access
from iocompendium.workspace import selectors, services
from iocompendium.workspace.models import Document


def document_urls(keys: Sequence[str]) -> Mapping[str, str]:
    return {key: reverse("workspace:document", args=[int(key)]) for key in keys
            if key.isdigit()}


def rebuild_documents() -> int:
    with transaction.atomic():
        search.remove_all(services.DOCUMENT_KIND)
        count = 0
        for document in Document.objects.select_related("working_group"):
            version = document.versions.order_by("-number").first()
            if version is not None:
                services.index_document(document, version)
                count += 1
    return count


def document_access(user) -> list[str]:
    return selectors.access_keys(user) or []


register(Kind(services.DOCUMENT_KIND, document_urls, rebuild_documents, public=False))
register_access(document_access)
