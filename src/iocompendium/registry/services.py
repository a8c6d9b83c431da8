"""Writes of the registry: loading organisations from a file (validated, all or nothing)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.db import transaction

from iocompendium.registry.models import Organisation

FIELDS = ["acronym", "name_en", "name_fr", "category", "membership", "website", "verified"]


def load_organisations(path: Path) -> tuple[int, int]:
    """Upsert organisations from a CSV file; returns (created, updated). (Provisional.)"""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    created = updated = 0
    with transaction.atomic():
        for row in rows:
            values = {key: (row.get(key) or "").strip() for key in FIELDS[1:]}
            values["verified"] = values["verified"].lower() in {"1", "true", "yes"}
            _, was_created = Organisation.objects.update_or_create(
                acronym=row["acronym"].strip(), defaults=values
            )
            created += was_created
            updated += not was_created
    return created, updated
