"""Writes: importing instruments, keeping survey instruments in step, type mappings,
families and the search index."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from iocompendium import search
from iocompendium.instruments import clustering, mapping, selectors, typology
from iocompendium.instruments.models import (
    Family,
    FamilyRun,
    Instrument,
    InstrumentType,
    Source,
)
from iocompendium.registry.models import Organisation

SURVEY_SOURCE = "IO Survey"
WRITABLE = [
    "organisation", "organisation_name", "title", "other_titles", "native_type",
    "legal_effect", "nature", "addressees", "adopting_body", "scope", "domain", "year",
    "date_adopted", "status", "subjects", "url", "text_excerpt",
]


class ImportRefused(Exception):
    """The file has errors: nothing was written. ``problems`` lists them all."""

    def __init__(self, problems: list[mapping.Problem]):
        self.problems = problems
        errors = [p for p in problems if p.level == "error"]
        super().__init__(
            f"the file was not imported: {len(errors)} error(s), first: {errors[0]}"
            if errors else "the file was not imported."
        )


@dataclass
class ImportReport:
    source: str
    attribution: str
    rows: int
    created: int
    updated: int
    warnings: list[mapping.Problem] = field(default_factory=list)
    encoding: str = ""


# --- type mappings ------------------------------------------------------------------
def ensure_default_types() -> int:
    """Add the shipped type mappings that are missing; never overwrite edited ones."""
    resource = resources.files("iocompendium.data") / "mappings" / "instrument_types.json"
    defaults = json.loads(resource.read_text(encoding="utf-8"))
    known = set(InstrumentType.objects.values_list("key", flat=True))
    new = [
        InstrumentType(key=typology.type_key(item["name"]), **item)
        for item in defaults
        if typology.type_key(item["name"]) not in known
    ]
    InstrumentType.objects.bulk_create(new)
    return len(new)


class StaleTypeMapping(Exception):
    """The mapping changed since the editor loaded it (a colleague saved in between)."""

    def __init__(self, current: InstrumentType) -> None:
        super().__init__(current.name)
        self.current = current


def mapping_stamp(item: InstrumentType | None) -> str:
    """What an editor must send back to save over ``item`` ("" for a type not mapped)."""
    return item.updated_at.isoformat() if item is not None and item.pk else ""


def save_type_mapping(
    name: str, values: dict[str, Any], *, loaded_stamp: str | None = None
) -> InstrumentType:
    """Create or change the mapping of one native type, then refresh the index.

    With ``loaded_stamp`` (the ``mapping_stamp`` the editor saw), a mapping changed or
    created since is not overwritten: StaleTypeMapping carries the colleague's version."""
    key = typology.type_key(name)
    if not key:
        raise ValueError("the type name is empty.")
    with transaction.atomic():
        current = InstrumentType.objects.select_for_update().filter(key=key).first()
        if loaded_stamp is not None and mapping_stamp(current) != loaded_stamp:
            raise StaleTypeMapping(current)
        item, _ = InstrumentType.objects.update_or_create(
            key=key, defaults={"name": " ".join(name.split()), **values}
        )
        reindex(Instrument.objects.filter(native_type__iexact=item.name))
    return item


# --- import ---------------------------------------------------------------------------
def import_instruments(
    path: str | Path, mapping_source: str | Path | dict, *, organisation: str | None = None
) -> ImportReport:
    """Import a CSV/XLSX file through a mapping: all rows or none (raises ImportRefused)."""
    spec = mapping_source if isinstance(mapping_source, dict) else mapping.load_mapping(
        mapping_source
    )
    mapping.check_mapping(spec)
    owner = None
    if organisation:
        owner = Organisation.objects.filter(acronym__iexact=organisation).first()
        if owner is None:
            raise mapping.MappingError(f'no organisation has the acronym "{organisation}".')
    source_info = mapping.source_of(spec)
    table = mapping.read_table(path, spec.get("sheet"))
    converted = mapping.convert(
        table, spec, source=source_info["name"], organisation=owner.acronym if owner else ""
    )
    organisations = _resolve_organisations(converted, owner)
    if converted.errors:
        raise ImportRefused(converted.problems)
    with transaction.atomic():
        ensure_default_types()
        source, _ = Source.objects.update_or_create(
            name=source_info["name"],
            defaults={k: v for k, v in source_info.items() if k != "name"},
        )
        created, updated, keys = _write_rows(converted.rows, source, owner, organisations)
        if keys:
            reindex(Instrument.objects.filter(source=source, external_key__in=keys)
                    if len(keys) < 900 else Instrument.objects.filter(source=source))
    return ImportReport(
        source=source.name, attribution=source.attribution, rows=len(converted.rows),
        created=created, updated=updated, warnings=converted.warnings,
        encoding=table.encoding,
    )


def _resolve_organisations(converted: mapping.Converted, owner) -> dict[str, Organisation]:
    """Registry organisations named by an "organisation" column (acronyms); unknown
    acronyms stay as a name, with a warning."""
    acronyms = {r["organisation"] for r in converted.rows if r.get("organisation")}
    if owner is not None or not acronyms:
        return {}
    found = {o.acronym.casefold(): o for o in Organisation.objects.all()}
    for row in converted.rows:
        acronym = row.get("organisation") or ""
        if acronym and acronym.casefold() not in found:
            converted.problems.append(mapping.Problem(
                row["row"], "organisation",
                f'"{acronym}" is not in the registry; kept as the organisation\'s name.',
                "warning",
            ))
            row["organisation_name"] = row.get("organisation_name") or acronym
    return found


def _write_rows(rows, source, owner, organisations) -> tuple[int, int, list[str]]:
    """Create new rows, update changed ones; returns (created, updated, touched keys)."""
    present = set().union(*(r.keys() for r in rows)) if rows else set()
    fields = [f for f in WRITABLE if f != "organisation" and f in present] + ["organisation"]
    stored = {
        values[0]: values[1:]
        for values in Instrument.objects.filter(source=source).values_list(
            "external_key", "id", *[f if f != "organisation" else "organisation_id"
                                   for f in fields]
        )
    }
    new: list[dict] = []
    changed: list[Instrument] = []
    for row in rows:
        values = {name: row.get(name) for name in fields if name != "organisation"}
        values = {k: ("" if v is None and k != "year" else v) for k, v in values.items()}
        org = owner or organisations.get((row.get("organisation") or "").casefold())
        previous = stored.get(row["key"])
        if previous is None:
            new.append({**values, "organisation_id": org.pk if org else None,
                        "source_id": source.pk, "external_key": row["key"]})
            continue
        current = tuple(values[f] if f != "organisation" else (org.pk if org else None)
                        for f in fields)
        if current != tuple(previous[1:]):  # re-importing an unchanged row writes nothing
            changed.append(Instrument(pk=previous[0], source=source, external_key=row["key"],
                                      organisation=org, **values))
    _insert_many(new)
    Instrument.objects.bulk_update(changed, fields, batch_size=500)
    touched = [v["external_key"] for v in new] + [i.external_key for i in changed]
    return len(new), len(changed), touched


def _insert_many(rows: list[dict]) -> None:
    """Insert new instruments with one prepared statement: bulk_create on SQLite is cut
    into batches of ~40 rows by the variable limit and spends most time building SQL."""
    if not rows:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = [f for f in Instrument._meta.concrete_fields if not f.primary_key]
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {Instrument._meta.db_table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
    defaults = {f.attname: ("" if f.get_internal_type() in {"CharField", "TextField",
                                                               "URLField"} else None)
                for f in columns}
    defaults.update(created_at=now, updated_at=now)
    attnames = [f.attname for f in columns]
    values = [tuple(row.get(name, defaults[name]) if name not in {"created_at", "updated_at"}
                    else now for name in attnames) for row in rows]
    with connection.cursor() as cursor:
        for start in range(0, len(values), 5000):
            cursor.executemany(sql, values[start:start + 5000])


# --- the IO Survey -------------------------------------------------------------------
_INSTRUMENT_PATH = re.compile(r"^(?:variety/)?instruments\[(\d+)\]/(\w+)$")


def instruments_of_answers(answers: dict[str, str]) -> dict[int, dict[str, str]]:
    """The ``variety/instruments`` repeat of one response: {index: {child: value}}."""
    found: dict[int, dict[str, str]] = defaultdict(dict)
    for path, value in answers.items():
        match = _INSTRUMENT_PATH.match(path)
        if match and (value or "").strip():
            found[int(match.group(1))][match.group(2)] = value.strip()
    return dict(sorted(found.items()))


def sync_from_response(response) -> int:
    """Make the instruments of an approved response match its ``instruments`` repeat:
    new entries are created, changed ones updated, removed ones deleted."""
    answers = dict(response.answers.values_list("path", "value"))
    entries = instruments_of_answers(answers)
    with transaction.atomic():
        source, _ = Source.objects.get_or_create(
            name=SURVEY_SOURCE, defaults={"attribution": ""}
        )
        kept: list[str] = []
        for index, values in entries.items():
            if not values.get("title"):
                continue
            key = hashlib.sha256(
                f"{SURVEY_SOURCE}\x1f{response.organisation.acronym}\x1f{response.pk}\x1f{index}"
                .encode()
            ).hexdigest()[:40]
            kept.append(key)
            Instrument.objects.update_or_create(
                external_key=key,
                defaults={
                    "source": source, "organisation": response.organisation,
                    "response": response, **_survey_fields(values),
                },
            )
        stale = Instrument.objects.filter(response=response).exclude(external_key__in=kept)
        search.remove(selectors.SEARCH_KIND, list(stale.values_list("external_key", flat=True)))
        stale.delete()
        reindex(Instrument.objects.filter(external_key__in=kept))
    return len(kept)


def _survey_fields(values: dict[str, str]) -> dict[str, Any]:
    year, _ = mapping.parse_year(values.get("year", "")) if values.get("year") else (None, None)
    legal = values.get("legal_effect", "")
    body = values.get("adopting_body", "")
    addressees = [a for a in values.get("addressees", "").split() if a in typology.ADDRESSEES]
    return {
        "title": values["title"],
        "native_type": values.get("instrument_type", "")[:200],
        "legal_effect": legal if legal in typology.LEGAL_EFFECTS else "",
        "addressees": " ".join(addressees),
        "adopting_body": body if body in typology.ADOPTING_BODIES else "",
        "year": year,
        "date_adopted": str(year) if year else "",
        "status": values.get("status", "")[:40],
        "subjects": "; ".join(s.strip() for s in values.get("subjects", "").split(";")
                              if s.strip()),
    }


def sync_approved_responses() -> int:
    from iocompendium.responses.models import Response, ResponseStatus

    total = 0
    for response in Response.objects.filter(status=ResponseStatus.APPROVED).select_related(
        "organisation"
    ):
        total += sync_from_response(response)
    return total


# --- search index ----------------------------------------------------------------------
def reindex(queryset=None) -> int:
    """(Re)index instruments in the search engine (all of them by default)."""
    types = selectors.type_table()
    entries = (selectors.search_entry(row, types) for row in selectors.instrument_rows(queryset))
    if queryset is None:
        search.remove_all(selectors.SEARCH_KIND)
    return search.index_many(selectors.SEARCH_KIND, entries)


# --- families --------------------------------------------------------------------------
def compute_families(*, seed: int = 1, bootstrap: int = 20) -> FamilyRun | None:
    """Group all instruments into families and store them as the current run."""
    types = selectors.type_table()
    profile_of: dict[int, tuple[str, ...]] = {}
    experts: dict[int, str] = {}
    for row in selectors.instrument_rows():
        attributes = selectors.effective(row, types)
        profile_of[row["id"]] = tuple(attributes[a] for a in selectors.FAMILY_ATTRIBUTES)
        experts[row["id"]] = attributes["expert_family"]
    if not profile_of:
        return None
    counts = Counter(profile_of.values())
    profiles = list(counts)
    used = [j for j in range(len(selectors.FAMILY_ATTRIBUTES))
            if len({p[j] for p in profiles}) > 1]
    attributes = [selectors.FAMILY_ATTRIBUTES[j] for j in used] or ["type"]
    reduced = Counter()
    for profile, n in counts.items():
        reduced[tuple(profile[j] for j in used)] += n
    distinct = sorted(reduced)  # independent of the order the database returns rows in
    weights = [reduced[p] for p in distinct]
    result = clustering.find_families(distinct, weights, attributes, seed=seed,
                                      bootstrap=bootstrap)
    described = (clustering.describe(distinct, weights, result.labels, attributes)
                 if result.k > 1 else [[]])
    index_of = {p: i for i, p in enumerate(distinct)}
    profile_index = {
        pk: index_of[tuple(p[j] for j in used)] for pk, p in profile_of.items()
    }
    return _store_run(result, described, distinct, weights, profile_index, experts, seed,
                      bootstrap)


def _store_run(result, described, distinct, weights, profile_index, experts, seed, bootstrap):
    labels = result.labels
    confidence = result.confidence
    comparison = _comparison(labels, profile_index, experts)
    with transaction.atomic():
        FamilyRun.objects.all().delete()
        run = FamilyRun.objects.create(
            seed=seed, n_instruments=len(profile_index), n_profiles=len(distinct),
            attributes=result.attributes, quality={str(k): v for k, v in result.quality.items()},
            stability=result.stability, bootstrap=bootstrap, comparison=comparison,
        )
        w = np.asarray(weights, dtype=float)
        families = []
        for number in range(result.k):
            members = labels == number
            mean_conf = float((confidence[members] * w[members]).sum() / w[members].sum())
            families.append(Family(
                run=run, number=number + 1, size=int(w[members].sum()),
                profile=_plain(described[number]) if number < len(described) else [],
                mean_confidence=mean_conf,
            ))
        Family.objects.bulk_create(families)
        by_number = {f.number: f for f in Family.objects.filter(run=run)}
        groups: dict[tuple[int, float], list[int]] = defaultdict(list)
        for pk, i in profile_index.items():
            groups[(int(labels[i]) + 1, round(float(confidence[i]), 3))].append(pk)
        for (number, conf), pks in groups.items():
            for start in range(0, len(pks), 900):
                Instrument.objects.filter(pk__in=pks[start:start + 900]).update(
                    family=by_number[number], family_confidence=conf
                )
        keys = dict(Instrument.objects.values_list("id", "external_key"))
        search.set_facet(selectors.SEARCH_KIND, "family", {
            keys[pk]: str(int(labels[i]) + 1) for pk, i in profile_index.items()
        })
    return run


def _plain(items: list[dict]) -> list[dict]:
    return [{k: (float(v) if isinstance(v, np.floating) else v) for k, v in d.items()}
            for d in items]


def _comparison(labels, profile_index, experts) -> dict:
    """Families side by side with the expert families: counts and adjusted Rand index."""
    table: dict[str, Counter] = defaultdict(Counter)
    ours, theirs = [], []
    codes = list(typology.EXPERT_FAMILIES)
    for pk, i in profile_index.items():
        number = int(labels[i]) + 1
        table[str(number)][experts[pk]] += 1
        ours.append(number - 1)
        theirs.append(codes.index(experts[pk]))
    ari = clustering.adjusted_rand(np.array(ours), np.array(theirs), np.ones(len(ours)))
    return {
        "table": {family: dict(sorted(c.items())) for family, c in sorted(
            table.items(), key=lambda kv: int(kv[0]))},
        "adjusted_rand": round(ari, 3),
    }
