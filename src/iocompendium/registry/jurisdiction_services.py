"""Writes and look-ups of the jurisdictions registry (respondent units that are countries,
economies or others such as the European Union)."""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from django.db import transaction

from iocompendium.registry.jurisdictions import iso_countries
from iocompendium.registry.models import Jurisdiction

CODE_PATTERN = re.compile(r"[A-Z][A-Z0-9]{1,7}")
FIELDS = ("alpha_2", "name_en", "name_fr", "region", "oecd_member")


class JurisdictionError(Exception):
    """A jurisdiction the registry refuses (one plain sentence)."""


class LoadCounts(NamedTuple):
    created: int
    updated: int
    unchanged: int


def load_jurisdictions(model=Jurisdiction) -> LoadCounts:
    """Upsert every ISO 3166-1 country (idempotent). ``model``: the historical model when
    called from a data migration. Jurisdictions added by hand are left as they are."""
    existing = {j.code: j for j in model.objects.all()}
    created = updated = unchanged = 0
    with transaction.atomic():
        for record in iso_countries():
            values = {name: getattr(record, name) for name in FIELDS}
            current = existing.get(record.code)
            if current is None:
                model.objects.create(code=record.code, iso=True, **values)
                created += 1
                continue
            changed = [name for name, value in values.items() if getattr(current, name) != value]
            if not changed:
                unchanged += 1
                continue
            for name in changed:
                setattr(current, name, values[name])
            current.save(update_fields=changed)
            updated += 1
    return LoadCounts(created, updated, unchanged)


def add_jurisdiction(
    code: str,
    name_en: str,
    name_fr: str = "",
    *,
    region: str = "",
    oecd_member: bool = False,
) -> Jurisdiction:
    """A jurisdiction outside ISO 3166 (the European Union: ``EUU``), or a correction of one."""
    code = code.strip().upper()
    if not CODE_PATTERN.fullmatch(code):
        raise JurisdictionError(
            f"'{code}' is not a jurisdiction code: use 2 to 8 capital letters or digits."
        )
    if not name_en.strip():
        raise JurisdictionError("A jurisdiction needs an English name.")
    jurisdiction, _created = Jurisdiction.objects.update_or_create(
        code=code,
        defaults={
            "name_en": name_en.strip(),
            "name_fr": name_fr.strip(),
            "region": region.strip(),
            "oecd_member": oecd_member,
        },
    )
    return jurisdiction


def _folded(text: str) -> str:
    """Case, accents and punctuation do not matter when a file names a jurisdiction."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def jurisdiction_index() -> dict[str, Jurisdiction]:
    """Every way a file may name a jurisdiction -> it: alpha-3, alpha-2, English and French
    names (case and accents folded). Codes win over names when they collide."""
    index: dict[str, Jurisdiction] = {}
    jurisdictions = list(Jurisdiction.objects.all())
    for jurisdiction in jurisdictions:
        for name in (jurisdiction.name_en, jurisdiction.name_fr):
            if name:
                index.setdefault(_folded(name), jurisdiction)
    for jurisdiction in jurisdictions:
        index[_folded(jurisdiction.code)] = jurisdiction
        if jurisdiction.alpha_2:
            index[_folded(jurisdiction.alpha_2)] = jurisdiction
    return index


def find_jurisdiction(text: str, index: dict[str, Jurisdiction] | None = None):
    """The jurisdiction a cell names, or None."""
    index = jurisdiction_index() if index is None else index
    return index.get(_folded(text))
