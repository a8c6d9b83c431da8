"""Writes: importing instruments, keeping survey instruments in step, type mappings,
families and the search index."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from iocompendium import search
from iocompendium.instruments import clustering, mapping, selectors, typology, wording
from iocompendium.instruments.models import (
    CuratedFamily,
    Family,
    FamilyRun,
    Instrument,
    InstrumentType,
    Pin,
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
    # A spreadsheet import hands over the answers it has just written, and says whether it
    # created the response (then no instrument can point to it yet): two queries fewer
    # per response, 100,000 fewer for 50,000 rows (docs/benchmarks.md, issue 11).
    answers = getattr(response, "imported_answers", None)
    if answers is None:
        answers = dict(response.answers.values_list("path", "value"))
    entries = instruments_of_answers(answers)
    if not any(values.get("title") for values in entries.values()) and (
        getattr(response, "imported_new", False)
        or not Instrument.objects.filter(response=response).exists()
    ):
        return 0  # nothing to add and nothing to remove (most forms have no such repeat)
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
LOW_CONFIDENCE = clustering.LOW_CONFIDENCE
TYPICAL = 3  # typical instruments named per family


@dataclass
class Population:
    """The instruments as the clustering sees them, in a database-independent order:
    instruments by id, points (distinct profile + pin group) sorted."""

    ids: list[int]
    point_of: np.ndarray  # per instrument: its point
    organisation: list[str]
    native_type: list[str]
    expert: list[str]
    source: list[str]
    attributes: list[str]
    points: list[tuple[str, ...]]  # the profile of every point
    groups: list[int]  # the pin group of every point (-1: not pinned)
    counts: list[int]
    curated_of_group: list[int]  # the curated family of every pin group

    @property
    def index(self) -> dict[int, int]:
        return {pk: i for i, pk in enumerate(self.ids)}


def _pin_groups() -> dict[int, int]:
    """{instrument id: curated family id} of every pin (merged families followed)."""
    final = _final_curated()
    return {pk: final[fid] for pk, fid in Pin.objects.values_list("instrument_id", "family_id")}


def _final_curated() -> dict[int, int]:
    """Every curated family's id mapped to the family it was (last) merged into."""
    parent = dict(CuratedFamily.objects.values_list("id", "merged_into_id"))
    final = {}
    for fid in parent:
        seen, current = set(), fid
        while parent.get(current) and current not in seen:
            seen.add(current)
            current = parent[current]
        final[fid] = current
    return final


def load_population() -> Population | None:
    types = selectors.type_table()
    rows = sorted(selectors.instrument_rows(), key=lambda r: r["id"])
    if not rows:
        return None
    pins = _pin_groups()
    curated_ids = sorted(set(pins.values()))
    group_of = {fid: g for g, fid in enumerate(curated_ids)}
    full = []
    for row in rows:
        values = selectors.effective(row, types)
        full.append(tuple(values[a] for a in selectors.FAMILY_ATTRIBUTES))
    used = [j for j in range(len(selectors.FAMILY_ATTRIBUTES))
            if len({p[j] for p in full} - clustering.MISSING_VALUES) > 1] or [0]
    keys = [(tuple(p[j] for j in used), group_of.get(pins.get(row["id"]), -1))
            for p, row in zip(full, rows, strict=True)]
    counts = Counter(keys)
    distinct = sorted(counts)  # independent of the order the database returns rows in
    index_of = {key: i for i, key in enumerate(distinct)}
    return Population(
        ids=[r["id"] for r in rows],
        point_of=np.array([index_of[k] for k in keys], dtype=int),
        organisation=[selectors.organisation_label(r) for r in rows],
        native_type=[" ".join((r.get("native_type") or "").split()) for r in rows],
        expert=[selectors.effective(r, types)["expert_family"] for r in rows],
        source=[r.get("source__name") or "" for r in rows],
        attributes=[selectors.FAMILY_ATTRIBUTES[j] for j in used],
        points=[k[0] for k in distinct], groups=[k[1] for k in distinct],
        counts=[counts[k] for k in distinct], curated_of_group=curated_ids,
    )


def current_settings(**overrides: Any) -> clustering.Settings:
    """The last run's settings (weights edited once stay), with ``overrides`` applied."""
    run = FamilyRun.objects.first()
    settings = clustering.Settings()
    stored = (run.settings or {}) if run else {}
    if stored.get("weights"):
        settings.weights = {**settings.weights, **stored["weights"]}
    if stored.get("k_values"):
        settings.k_values = list(stored["k_values"])
    for name, value in overrides.items():
        if value is None:
            continue
        if name == "weights":
            settings.weights = {**settings.weights, **value}
        else:
            setattr(settings, name, value)
    return settings


def compute_families(
    *, seed: int = 1, bootstrap: int = 20, weights: dict[str, float] | None = None,
    k_values: list[int] | None = None,
) -> FamilyRun | None:
    """Group all instruments into families (pins held) and store them as the current run;
    curated names are carried over by overlap and what moved is recorded."""
    population = load_population()
    if population is None:
        return None
    settings = current_settings(seed=seed, bootstrap=bootstrap, weights=weights,
                                k_values=k_values)
    previous = _previous_membership(population)
    result = clustering.find_families(population.points, population.counts,
                                      population.attributes, settings=settings,
                                      pins=population.groups,
                                      starts=_starts(population, previous))
    return _store_run(population, result, settings, previous)


def _starts(population: Population, previous: dict[int, int]) -> list[int | None]:
    """For every pinned family, the point most of its instruments had before (so that a
    family with one odd pinned instrument is not rebuilt around that instrument)."""
    starts: list[int | None] = []
    for fid in population.curated_of_group:
        held = Counter(int(population.point_of[i]) for i, pk in enumerate(population.ids)
                       if previous.get(pk) == fid)
        starts.append(max(held.items(), key=lambda kv: (kv[1], -kv[0]))[0] if held else None)
    return starts


def _store_run(population: Population, result: clustering.Clustering,
               settings: clustering.Settings, previous: dict[int, int]) -> FamilyRun:
    labels = result.labels[population.point_of]
    confidence = result.confidence[population.point_of]
    comparison = _comparison(labels, population.expert)
    words = family_words(population, result.labels, result.medoids, confidence)
    with transaction.atomic():
        run = FamilyRun.objects.create(
            seed=settings.seed, n_instruments=len(population.ids),
            n_profiles=len(population.points), attributes=result.attributes,
            quality={str(k): v for k, v in result.quality.items()},
            stability=result.stability, bootstrap=settings.bootstrap, comparison=comparison,
            settings={**settings.as_dict(), "pins": int(sum(
                c for c, g in zip(population.counts, population.groups, strict=True)
                if g >= 0))},
            scores={str(k): v for k, v in result.scores.items()},
            expert_agreement=comparison["adjusted_rand"],
            pictures=_pictures(population, result),
        )
        families = Family.objects.bulk_create([
            Family(run=run, number=number + 1, mean_confidence=float(
                confidence[labels == number].mean()) if (labels == number).any() else 0.0,
                **words[number])
            for number in range(result.k)
        ])
        _assign_instruments(population, labels, confidence, families)
        run.changes = _link_curated(population, labels, families, previous, result)
        run.save(update_fields=["changes"])
        refresh_curated_words(run, population)
    return run


def _assign_instruments(population, labels, confidence, families) -> None:
    by_number = {f.number: f for f in families}
    groups: dict[tuple[int, float], list[int]] = defaultdict(list)
    for i, pk in enumerate(population.ids):
        groups[(int(labels[i]) + 1, round(float(confidence[i]), 3))].append(pk)
    for (number, conf), pks in groups.items():
        for start in range(0, len(pks), 900):
            Instrument.objects.filter(pk__in=pks[start:start + 900]).update(
                family=by_number[number], family_confidence=conf
            )
    keys = dict(Instrument.objects.values_list("id", "external_key"))
    search.set_facet(selectors.SEARCH_KIND, "family", {
        keys[pk]: str(int(labels[i]) + 1) for i, pk in enumerate(population.ids)
    })


def family_words(population: Population, point_labels: np.ndarray, medoids: list[int],
                 confidence: np.ndarray) -> list[dict]:
    """Per family: its size, profile, names and descriptions (EN, FR), typical
    instruments, organisations and the number of uncertain assignments."""
    labels = point_labels[population.point_of]
    k = int(point_labels.max()) + 1 if len(point_labels) else 0
    described = clustering.describe(population.points, population.counts, point_labels,
                                    population.attributes)
    facts = [_facts(population, labels == c, described[c]) for c in range(k)]
    type_labels = _type_labels()
    names = {lang: wording.unique_names(facts, lang, type_labels[lang])
             for lang in wording.LANGUAGES}
    result = []
    for c in range(k):
        members = np.flatnonzero(labels == c)
        organisations = Counter(population.organisation[i] for i in members
                                if population.organisation[i])
        result.append({
            "size": len(members), "profile": _plain(described[c]),
            "name_en": names["en"][c], "name_fr": names["fr"][c],
            "description_en": wording.description(facts[c], "en", type_labels["en"]),
            "description_fr": wording.description(facts[c], "fr", type_labels["fr"]),
            "typical": _typical(population, members, medoids[c] if c < len(medoids) else None),
            "organisations": [[name, n] for name, n in sorted(
                organisations.items(), key=lambda kv: (-kv[1], kv[0]))[:8]],
            "n_organisations": len(organisations),
            "low_confidence": int((confidence[members] < LOW_CONFIDENCE).sum()),
        })
    return result


def _facts(population: Population, members: np.ndarray, defining: list[dict]) -> wording.Facts:
    types = Counter(population.native_type[i] for i in np.flatnonzero(members)
                    if population.native_type[i])
    return wording.Facts(
        size=int(members.sum()),
        n_organisations=len({population.organisation[i] for i in np.flatnonzero(members)
                             if population.organisation[i]}),
        defining=defining,
        types=sorted(types.items(), key=lambda kv: (-kv[1], kv[0])),
    )


def _type_labels() -> dict[str, dict[str, str]]:
    """Each native type's label per language (its mapping's labels, else its name)."""
    labels: dict[str, dict[str, str]] = {"en": {}, "fr": {}}
    for item in InstrumentType.objects.values("name", "label_en", "label_fr"):
        labels["en"][item["name"]] = item["label_en"] or item["name"]
        labels["fr"][item["name"]] = item["label_fr"] or item["label_en"] or item["name"]
    return {lang: _Caseless(found) for lang, found in labels.items()}


class _Caseless(dict):
    """Type labels looked up by the type's mapping key (case and spaces ignored)."""

    def __init__(self, found: dict[str, str]) -> None:
        super().__init__({typology.type_key(k): v for k, v in found.items()})

    def get(self, key, default=None):  # noqa: D102 - dict.get over the mapping key
        return super().get(typology.type_key(key), default)


def _typical(population: Population, members: np.ndarray, medoid: int | None) -> list[int]:
    """The instruments of the medoid's profile (lowest ids first)."""
    if medoid is None:
        return []
    chosen = [population.ids[i] for i in members if population.point_of[i] == medoid]
    return chosen[:TYPICAL] or [population.ids[i] for i in members[:TYPICAL]]


def _plain(items: list[dict]) -> list[dict]:
    return [{k: (float(v) if isinstance(v, np.floating) else v) for k, v in d.items()}
            for d in items]


def _comparison(labels: np.ndarray, experts: list[str]) -> dict:
    """Families side by side with the expert families: counts and adjusted Rand index."""
    table: dict[str, Counter] = defaultdict(Counter)
    codes = list(typology.EXPERT_FAMILIES)
    for label, expert in zip(labels, experts, strict=True):
        table[str(int(label) + 1)][expert] += 1
    theirs = np.array([codes.index(e) for e in experts])
    ari = clustering.adjusted_rand(np.asarray(labels), theirs, np.ones(len(labels)))
    return {
        "table": {family: dict(sorted(c.items())) for family, c in sorted(
            table.items(), key=lambda kv: int(kv[0]))},
        "adjusted_rand": round(ari, 3),
    }


def _pictures(population: Population, result: clustering.Clustering,
              map_points: int = 800) -> dict:
    """Stored data of the pictures: the heatmap rows and the MCA map (the heaviest
    ``map_points`` profiles, each with its family and count)."""
    heat = clustering.heatmap(population.points, population.counts, result.labels,
                              population.attributes)
    coordinates, explained = clustering.correspondence_map(population.points,
                                                           population.counts)
    order = sorted(range(len(population.points)),
                   key=lambda i: (-population.counts[i], i))[:map_points]
    return {
        "heatmap": heat,
        "map": {
            "explained": explained,
            "points": [[round(float(coordinates[i, 0]), 4), round(float(coordinates[i, 1]), 4),
                        int(result.labels[i]) + 1, int(population.counts[i])]
                       for i in sorted(order)],
            "shown": len(order), "total": len(population.points),
        },
    }


# --- curation (the secretariat's typology) -------------------------------------------
class CurationError(ValueError):
    """A curation request that cannot be done (the message says why)."""


def _previous_membership(population: Population) -> dict[int, int]:
    """{instrument id: curated family id} before this run: pins first, then the curated
    family of the instrument's computed family."""
    final = _final_curated()
    found = {pk: final[fid] for pk, fid in Instrument.objects.filter(
        family__curated__isnull=False).values_list("id", "family__curated_id")}
    found.update(_pin_groups())
    return found


def _link_curated(population: Population, labels: np.ndarray, families: list[Family],
                  previous: dict[int, int], result: clustering.Clustering) -> dict:
    """Give every new family the curated family that held most (over half) of its
    instruments before; pinned families keep their pins' family. Returns what happened:
    names kept, curated families not matched (kept, to be looked at), what moved."""
    names = dict(CuratedFamily.objects.values_list("id", "name_en"))
    ids = np.asarray(population.ids)
    linked: dict[int, int | None] = {}
    for c in range(len(families)):
        if c < len(population.curated_of_group):
            linked[c] = population.curated_of_group[c]
            continue
        members = ids[labels == c]
        held = Counter(previous[pk] for pk in members.tolist() if pk in previous)
        top = max(held.items(), key=lambda kv: (kv[1], -kv[0]), default=None)
        linked[c] = top[0] if top and top[1] * 2 > len(members) else None
    for c, family in enumerate(families):
        family.curated_id = linked[c]
    Family.objects.bulk_update(families, ["curated"])
    now_of = {pk: linked[int(label)] for pk, label in zip(population.ids, labels, strict=True)}
    moved = Counter((previous.get(pk), now_of[pk]) for pk in population.ids
                    if previous.get(pk) != now_of[pk] and (previous.get(pk) or now_of[pk]))
    active = set(CuratedFamily.objects.filter(merged_into__isnull=True)
                 .values_list("id", flat=True))
    kept = sorted({fid for fid in linked.values() if fid})
    pins = _pin_groups()
    return {
        "kept": [{"id": fid, "name_en": names[fid]} for fid in kept],
        "unmatched": [{"id": fid, "name_en": names[fid]} for fid in sorted(active - set(kept))],
        "moved": [{"from": names.get(a, ""), "to": names.get(b, ""), "count": n}
                  for (a, b), n in sorted(moved.items(), key=lambda kv: -kv[1])],
        "pins": len(pins),
        "pins_held": sum(1 for pk, fid in pins.items() if now_of.get(pk) == fid),
        "previous_curated": len(previous),
    }


def refresh_curated_words(run: FamilyRun | None = None,
                          population: Population | None = None) -> None:
    """The size, organisations and generated descriptions of every curated family, over
    the instruments its computed families hold in ``run`` (the current one)."""
    run = run or FamilyRun.objects.first()
    if run is None:
        return
    population = population or load_population()
    if population is None:
        return
    number_of = dict(Instrument.objects.filter(family__run=run)
                     .values_list("id", "family__number"))
    curated_of = dict(run.families.values_list("number", "curated_id"))
    type_labels = _type_labels()
    for curated in CuratedFamily.objects.filter(merged_into__isnull=True):
        numbers = {n for n, fid in curated_of.items() if fid == curated.pk}
        mask = np.array([number_of.get(pk) in numbers for pk in population.ids])
        if not mask.any():
            continue
        facts = _facts(population, mask, _describe_set(population, mask))
        organisations = Counter(population.organisation[i] for i in np.flatnonzero(mask)
                                if population.organisation[i])
        curated.size = int(mask.sum())
        curated.n_organisations = len(organisations)
        curated.organisations = [[name, n] for name, n in sorted(
            organisations.items(), key=lambda kv: (-kv[1], kv[0]))[:8]]
        curated.description_en = wording.description(facts, "en", type_labels["en"])
        curated.description_fr = wording.description(facts, "fr", type_labels["fr"])
        curated.save(update_fields=["size", "n_organisations", "organisations",
                                    "description_en", "description_fr", "updated_at"])


def _describe_set(population: Population, mask: np.ndarray) -> list[dict]:
    """The defining values of a set of instruments (against all instruments)."""
    pairs = Counter(zip(population.point_of.tolist(), mask.tolist(), strict=True))
    keys = sorted(pairs)
    described = clustering.describe([population.points[p] for p, _ in keys],
                                    [pairs[k] for k in keys],
                                    np.array([int(m) for _, m in keys]), population.attributes)
    return _plain(described[1]) if len(described) > 1 else []


class StaleCuration(CurationError):
    """The families changed since the page was opened: the change is not saved."""

    def __init__(self, last: dict | None) -> None:
        self.last = last or {}
        super().__init__("the families changed since this page was opened.")


@contextmanager
def curation_guard(expected: str | None):
    """A transaction in which a curation change is saved only if the families are still as
    the page that sent it showed them (``expected``: ``selectors.curation_stamp()`` then);
    otherwise ``StaleCuration`` (with the colleague's last change) and nothing is saved.
    ``None`` (the command line, one person) skips the check."""
    from iocompendium.instruments.models import CurationEvent

    with transaction.atomic():
        # Held until the end of the transaction on PostgreSQL: two curation changes
        # cannot both pass the check (SQLite serialises writers by itself).
        list(FamilyRun.objects.select_for_update().order_by("-pk").values_list("pk")[:1])
        now = selectors.curation_stamp()
        if expected is not None and expected != now:
            recomputed = expected.split("-")[0] != now.split("-")[0]
            last = None if recomputed else CurationEvent.objects.order_by("-pk").values(
                "at", "actor_label", "action").first()
            raise StaleCuration(last)
        yield


def _audit(user, action: str, **detail: Any) -> None:
    from iocompendium.instruments.models import CurationEvent

    actor = user if user is not None and getattr(user, "is_authenticated", False) else None
    CurationEvent.objects.create(actor=actor, actor_label=actor.get_username() if actor else "",
                                 action=action, detail=detail)


def _computed(number: int) -> Family:
    run = FamilyRun.objects.first()
    family = run.families.filter(number=number).first() if run else None
    if family is None:
        raise CurationError(f"there is no family {number}.")
    return family


def _curated_for(family: Family) -> CuratedFamily:
    """The family's curated family, made from its generated names if it has none."""
    if family.curated_id:
        return family.curated
    curated = CuratedFamily.objects.create(name_en=family.name_en, name_fr=family.name_fr)
    family.curated = curated
    family.save(update_fields=["curated"])
    return curated


def rename_family(number: int, name_en: str, name_fr: str, *, user=None) -> CuratedFamily:
    name_en, name_fr = " ".join(name_en.split())[:200], " ".join(name_fr.split())[:200]
    if not name_en or not name_fr:
        raise CurationError("a family needs a name in English and in French.")
    with transaction.atomic():
        curated = _curated_for(_computed(number))
        old = (curated.name_en, curated.name_fr)
        curated.name_en, curated.name_fr = name_en, name_fr
        curated.save(update_fields=["name_en", "name_fr", "updated_at"])
        _audit(user, "rename", family=curated.pk, old=list(old), new=[name_en, name_fr])
        refresh_curated_words()
    return curated


def merge_families(numbers: list[int], *, user=None) -> CuratedFamily:
    """One curated family for the given computed families (the first one's name); the
    curated families merged into it are kept, marked as merged, their pins moved."""
    numbers = list(dict.fromkeys(numbers))
    if len(numbers) < 2:
        raise CurationError("choose at least two families to merge.")
    with transaction.atomic():
        families = [_computed(n) for n in numbers]
        target = _curated_for(families[0])
        for family in families[1:]:
            if family.curated_id and family.curated_id != target.pk:
                CuratedFamily.objects.filter(pk=family.curated_id).update(merged_into=target)
                Pin.objects.filter(family_id=family.curated_id).update(family=target)
                Family.objects.filter(curated_id=family.curated_id).update(curated=target)
            family.curated = target
            family.save(update_fields=["curated"])
        _audit(user, "merge", family=target.pk, numbers=numbers)
        refresh_curated_words()
    return target


def pin_instrument(instrument_id: int, number: int, reason: str, *, user=None) -> Pin:
    """Hold an instrument in a family (its curated family), with a reason; it moves there
    now and every recluster keeps it there."""
    reason = reason.strip()
    if not reason:
        raise CurationError("say why the instrument belongs to this family.")
    with transaction.atomic():
        family = _computed(number)
        instrument = Instrument.objects.filter(pk=instrument_id).first()
        if instrument is None:
            raise CurationError(f"there is no instrument {instrument_id}.")
        curated = _curated_for(family)
        before = instrument.family.number if instrument.family_id else None
        pin, _ = Pin.objects.update_or_create(instrument=instrument, defaults={
            "family": curated, "reason": reason[:2000],
            "created_by": user if getattr(user, "is_authenticated", False) else None,
        })
        Instrument.objects.filter(pk=instrument.pk).update(family=family, family_confidence=1.0)
        _recount(family.run)
        _audit(user, "pin", instrument=instrument.pk, family=curated.pk, reason=reason,
               moved_from=before, moved_to=number)
        refresh_curated_words()
    return pin


def unpin_instrument(instrument_id: int, *, user=None) -> None:
    with transaction.atomic():
        deleted = Pin.objects.filter(instrument_id=instrument_id).first()
        if deleted is None:
            raise CurationError("this instrument is not pinned.")
        _audit(user, "unpin", instrument=instrument_id, family=deleted.family_id,
               reason=deleted.reason)
        deleted.delete()


def split_family(number: int, attribute: str, value: str, name_en: str, name_fr: str,
                 reason: str, *, user=None) -> CuratedFamily:
    """Take the instruments of a family with ``attribute`` = ``value`` into a new curated
    family (pinned there, so the split survives reclustering)."""
    if attribute not in selectors.FAMILY_ATTRIBUTES:
        raise CurationError(f'"{attribute}" is not an attribute of the families.')
    family = _computed(number)
    types = selectors.type_table()
    chosen = [row["id"] for row in selectors.instrument_rows(family.instruments.all())
              if selectors.effective(row, types)[attribute] == value]
    if not chosen or len(chosen) == family.instruments.count():
        raise CurationError("the split would leave one of the two parts empty.")
    with transaction.atomic():
        curated = CuratedFamily.objects.create(name_en=name_en.strip()[:200],
                                               name_fr=name_fr.strip()[:200])
        run = family.run
        new = Family.objects.create(
            run=run, number=run.families.count() + 1, size=len(chosen),
            name_en=curated.name_en, name_fr=curated.name_fr, curated=curated,
            mean_confidence=1.0,
        )
        Pin.objects.bulk_create([Pin(instrument_id=pk, family=curated, reason=reason)
                                 for pk in chosen], ignore_conflicts=True)
        Pin.objects.filter(instrument_id__in=chosen).update(family=curated, reason=reason)
        Instrument.objects.filter(pk__in=chosen).update(family=new, family_confidence=1.0)
        _recount(run)
        _audit(user, "split", family=curated.pk, source=number, attribute=attribute,
               value=value, instruments=len(chosen))
        refresh_curated_words()
    return curated


def reweigh_families(weights: dict[str, float], *, user=None) -> FamilyRun | None:
    """Compute the families again alike (seed, resamples) with new attribute weights;
    the weights stay for the next runs (they are the run's settings)."""
    before = current_settings().weights
    run = compute_families(**selectors.last_run_options(), weights=weights)
    if run is None:
        raise CurationError("there are no instruments to group.")
    _audit(user, "weights", old={k: before.get(k) for k in weights}, new=weights)
    return run


def mark_reviewed(reviewed_on, note: str = "", *, user=None):
    from iocompendium.instruments.models import TypologyReview

    run = FamilyRun.objects.first()
    if run is None:
        raise CurationError("compute the families first.")
    review = TypologyReview.objects.create(
        run=run, reviewed_on=reviewed_on, note=note.strip()[:2000],
        reviewed_by=user if getattr(user, "is_authenticated", False) else None,
    )
    _audit(user, "review", run=run.pk, reviewed_on=str(reviewed_on))
    return review


def _recount(run: FamilyRun) -> None:
    sizes = dict(Instrument.objects.filter(family__run=run).values_list("family_id")
                 .annotate(n=Count("id")).order_by())
    families = list(run.families.all())
    for family in families:
        family.size = sizes.get(family.pk, 0)
    Family.objects.bulk_update(families, ["size"])
