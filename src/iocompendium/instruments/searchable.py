"""What the instruments app puts into search: instruments and their families."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils import translation

from iocompendium import search
from iocompendium.instruments import selectors, services
from iocompendium.instruments.models import FamilyRun, Instrument
from iocompendium.search.kinds import Kind, register

FAMILY_KIND = "family"
FAMILY_EXAMPLES = 12  # instrument titles that tell what a family is about


def instrument_urls(keys: Sequence[str]) -> Mapping[str, str]:
    rows = Instrument.objects.filter(external_key__in=list(keys)).values_list(
        "external_key", "pk"
    )
    return {key: reverse("instruments:detail", args=[pk]) for key, pk in rows}


def family_urls(keys: Sequence[str]) -> Mapping[str, str]:
    return {key: reverse("instruments:family", args=[int(key)]) for key in keys
            if key.isdigit()}


def family_entries() -> list[search.Entry]:
    """One entry per family of the current run: its name and profile in both languages
    and some of its instruments' titles."""
    run = selectors.current_run()
    if run is None:
        return []
    types = selectors.type_table()
    entries = []
    for family in run.families.select_related("curated"):
        titles = list(
            Instrument.objects.filter(family=family)
            .order_by("-family_confidence", "pk")
            .values_list("title", flat=True)[:FAMILY_EXAMPLES]
        )
        named = {}
        for lang in ("en", "fr"):
            with translation.override(lang):
                named[lang] = (
                    f"{family.number} · {selectors.family_display_name(family, lang == 'fr')}",
                    selectors.family_profile_text(family.profile, types),
                )
        entries.append(search.Entry(
            key=str(family.number),
            fields={"title": named["en"][0], "title_fr": named["fr"][0],
                    "profile": named["en"][1], "profile_fr": named["fr"][1],
                    "examples": "; ".join(titles)},
            facets={"language": ["en", "fr"]},
        ))
    return entries


def rebuild_families() -> int:
    with transaction.atomic():
        search.remove_all(FAMILY_KIND)
        return search.index_many(FAMILY_KIND, family_entries())


def _families_changed(sender, instance, created, **kwargs) -> None:
    """A new family run: the worker re-indexes the families once it has committed."""
    if created:
        from iocompendium.search.tasks import reindex_kind_task

        transaction.on_commit(lambda: _enqueue(reindex_kind_task, FAMILY_KIND))


def _enqueue(task, *args) -> None:
    try:
        task.enqueue(*args)
    except Exception:  # noqa: BLE001 - no worker backend: 'search reindex' catches up
        return


register(Kind("instrument", instrument_urls, services.reindex))
register(Kind(FAMILY_KIND, family_urls, rebuild_families))
post_save.connect(_families_changed, sender=FamilyRun, dispatch_uid="search-families")
