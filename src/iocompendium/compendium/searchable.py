"""What the compendium puts into search: its published practices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.urls import reverse

from iocompendium import search
from iocompendium.compendium import selectors, services
from iocompendium.search.kinds import Kind, register


def practice_urls(keys: Sequence[str]) -> Mapping[str, str]:
    return {key: reverse("compendium:practice", args=[key]) for key in keys}


def rebuild_practices() -> int:
    """Re-index every published practice (drafts never enter search)."""
    with transaction.atomic():
        search.remove_all(services.SEARCH_KIND)
        count = 0
        for practice in selectors.practices():
            services.index_practice(practice)
            count += 1
    return count


register(Kind(services.SEARCH_KIND, practice_urls, rebuild_practices))
