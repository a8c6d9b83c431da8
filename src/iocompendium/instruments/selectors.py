"""Reads: instruments with their effective attributes, search, families, type mapping."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from iocompendium import search
from iocompendium.instruments import typology
from iocompendium.instruments.models import Family, FamilyRun, Instrument, InstrumentType, Source

SEARCH_KIND = "instrument"
FACETS = ["organisation", "category", "family", "type", "legal_effect", "decade", "subject"]
# The categorical attributes families are made from (constant ones are left out).
FAMILY_ATTRIBUTES = ["type", "legal_effect", "nature", "addressees", "adopting_body", "scope"]
ROW_FIELDS = [
    "id", "external_key", "title", "other_titles", "native_type", "legal_effect", "nature",
    "addressees", "adopting_body", "scope", "domain", "year", "status", "subjects",
    "text_excerpt", "organisation_name", "organisation__acronym", "organisation__name_en",
    "organisation__name_fr", "organisation__category", "family__number",
]

HIT_FIELDS = [
    "id", "external_key", "title", "organisation__acronym", "organisation_name",
    "native_type", "legal_effect", "nature", "addressees", "adopting_body", "scope", "year",
    "family__number", "family_confidence", "source__name", "source__attribution", "url",
]


def type_table() -> dict[str, dict]:
    """Every type mapping by its key."""
    return {
        row["key"]: row
        for row in InstrumentType.objects.values(
            "key", "name", "label_en", "label_fr", "legal_effect", "nature", "addressees",
            "adopting_body", "expert_family",
        )
    }


def effective(row: Mapping[str, Any], types: Mapping[str, dict]) -> dict[str, str]:
    """An instrument's normalised attributes: as reported, else from its type's mapping."""
    mapped = types.get(typology.type_key(row.get("native_type") or "")) or {}
    legal = row.get("legal_effect") or ""
    if legal in ("", "unknown"):
        legal = mapped.get("legal_effect") or "unknown"
    addressees = (row.get("addressees") or mapped.get("addressees") or "").split()
    native = " ".join((row.get("native_type") or "").split())
    return {
        "type": native,
        "legal_effect": legal,
        "nature": row.get("nature") or mapped.get("nature") or "",
        "addressees": "+".join(sorted(set(addressees))),
        "adopting_body": row.get("adopting_body") or mapped.get("adopting_body") or "",
        "scope": row.get("scope") or "",
        "expert_family": mapped.get("expert_family")
        or typology.expert_family_of(native, legal),
    }


def instrument_rows(queryset: QuerySet | None = None) -> Iterable[dict]:
    queryset = Instrument.objects.all() if queryset is None else queryset
    return queryset.order_by().values(*ROW_FIELDS).iterator(chunk_size=5000)


def organisation_label(row: Mapping[str, Any]) -> str:
    return row.get("organisation__acronym") or row.get("organisation_name") or ""


def search_entry(row: Mapping[str, Any], types: Mapping[str, dict]) -> search.Entry:
    """How an instrument is indexed: its text fields and its facet values."""
    attributes = effective(row, types)
    subjects = [s.strip() for s in (row.get("subjects") or "").split(";") if s.strip()]
    organisation = " ".join(
        v for v in (row.get("organisation__acronym"), row.get("organisation__name_en"),
                    row.get("organisation__name_fr"), row.get("organisation_name")) if v
    )
    year = row.get("year")
    return search.Entry(
        key=row["external_key"],
        fields={
            "title": row["title"],
            "other_titles": row.get("other_titles") or "",
            "type": row.get("native_type") or "",
            "subjects": "; ".join(subjects),
            "organisation": organisation,
            "text_excerpt": row.get("text_excerpt") or "",
        },
        facets={
            "organisation": organisation_label(row),
            "category": row.get("organisation__category") or "",
            "family": str(row["family__number"]) if row.get("family__number") else "",
            "type": attributes["type"],
            "legal_effect": attributes["legal_effect"],
            "decade": f"{year // 10 * 10}s" if year else "",
            "subject": subjects,
        },
    )


# --- search ---------------------------------------------------------------------------
def search_instruments(
    text: str = "",
    facets: Mapping[str, Sequence[str]] | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
) -> dict:
    """The search contract: {"total", "facets", "results", "attribution"}."""
    wanted = {k: list(v) for k, v in (facets or {}).items() if k in FACETS and v}
    result = search.query(SEARCH_KIND, text, wanted, limit=limit, offset=offset)
    # Plain rows, not model instances: this is the hot path of every search request.
    found = {
        row["external_key"]: row
        for row in Instrument.objects.filter(
            external_key__in=[hit.key for hit in result.results]
        ).values(*HIT_FIELDS)
    } if result.results else {}
    types = type_table() if found else {}
    items = []
    for hit in result.results:
        row = found.get(hit.key)
        if row is None:  # indexed but since deleted: skip it
            continue
        attributes = effective(row, types)
        items.append({
            "key": hit.key,
            "id": row["id"],
            "title": row["title"],
            "title_html": hit.title_html,
            "organisation": organisation_label(row),
            "type": attributes["type"],
            "legal_effect": attributes["legal_effect"],
            "year": row["year"],
            "family": row["family__number"],
            "family_confidence": row["family_confidence"],
            "snippet": hit.snippet,
            "source": row["source__name"],
            "url": row["url"],
            "score": round(hit.score, 4),
        })
    facet_counts = {name: result.facets.get(name, {}) for name in FACETS}
    if found:  # the attributions of the sources shown, from the rows already read
        shown = {r["source__name"]: r["source__attribution"] for r in found.values()}
        attribution = [shown[name] for name in sorted(shown) if shown[name]]
    else:
        attribution = attributions()
    return {
        "total": result.total,
        "facets": facet_counts,
        "results": items,
        "attribution": attribution,
    }


def _row_of(instrument: Instrument) -> dict:
    return {
        "native_type": instrument.native_type, "legal_effect": instrument.legal_effect,
        "nature": instrument.nature, "addressees": instrument.addressees,
        "adopting_body": instrument.adopting_body, "scope": instrument.scope,
    }


def attributions(source_names: Iterable[str] | None = None) -> list[str]:
    """The attribution of every source in use (or of the named sources)."""
    sources = Source.objects.exclude(attribution="")
    if source_names is not None:
        sources = sources.filter(name__in=list(source_names))
    else:
        # EXISTS: one index probe per source, not a join over every instrument.
        sources = sources.filter(Exists(Instrument.objects.filter(source=OuterRef("pk"))))
    return [s.attribution for s in sources.order_by("name")]


def facet_label(facet: str, value: str) -> str:
    """How a facet value reads on screen, in the active language."""
    if facet == "legal_effect":
        return typology.label("legal_effect", value)
    if facet == "family":
        return _("Family %(number)s") % {"number": value}
    if facet == "category":
        from iocompendium.registry.models import Category

        return str(dict(Category.choices).get(value, value))
    return value


# --- typology -------------------------------------------------------------------------
def type_mappings() -> QuerySet[InstrumentType]:
    return InstrumentType.objects.all()


def unmapped_types() -> list[dict]:
    """Native types used by instruments that have no mapping yet, most used first."""
    known = set(InstrumentType.objects.values_list("key", flat=True))
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for native, count in (
        Instrument.objects.exclude(native_type="").values_list("native_type")
        .annotate(n=Count("id")).order_by()
    ):
        key = typology.type_key(native)
        if key not in known:
            counts[key] += count
            names.setdefault(key, " ".join(native.split()))
    return [{"name": names[k], "key": k, "count": n} for k, n in counts.most_common()]


# --- families -------------------------------------------------------------------------
def current_run() -> FamilyRun | None:
    return FamilyRun.objects.first()


def value_label(attribute: str, value: str, types: Mapping[str, dict]) -> str:
    if attribute == "type" and value:
        mapped = types.get(typology.type_key(value)) or {}
        french = (translation.get_language() or "en").startswith("fr")
        return (mapped.get("label_fr") if french else mapped.get("label_en")) or value
    return typology.label(attribute, value)


def family_profile_text(profile: list[dict], types: Mapping[str, dict]) -> str:
    """The profile in words, e.g. "type Agreement (99%), scope bilateral (100%)"."""
    if not profile:
        return _("No attribute value is shared by most of its instruments.")
    parts = [
        _("%(attribute)s %(value)s (%(share)s%% of the family, %(overall)s%% overall)") % {
            "attribute": typology.ATTRIBUTE_LABELS.get(p["attribute"], p["attribute"]),
            "value": value_label(p["attribute"], p["value"], types),
            "share": round(100 * p["share"]),
            "overall": round(100 * p["overall"]),
        }
        for p in profile
    ]
    return "; ".join(parts) + "."


def families_summary(lang: str = "en", *, source: str = "", organisation: str = "") -> dict:
    """The current families for reports and the command: what a reader needs (names,
    descriptions, sizes, typical instruments, organisations, curated or computed), the
    method's figures (quality, stability, agreement with the expert families) and the
    stored pictures' data, in ``lang`` ("en" or "fr"). Families the secretariat merged
    read as one (numbered by the lowest of theirs). Nothing is recomputed here."""
    run = current_run()
    if run is None:
        return {"families": [], "computed": False, "attribution": []}
    french = lang.startswith("fr")
    with translation.override(lang):
        types = type_table()
        expert = {code: str(label) for code, label in typology.EXPERT_FAMILIES.items()}
        families = published_families(run, french, types)
        return {
            "computed": True,
            "computed_at": run.created_at.isoformat(),
            "seed": run.seed,
            "n_instruments": run.n_instruments,
            "n_profiles": run.n_profiles,
            "attributes": run.attributes,
            "method": _(
                "Weighted k-medoids on the distinct attribute profiles (simple-matching "
                "distance over the recorded attributes, not-recorded values left out); "
                "number of families by stability over bootstrap resamples, then by the "
                "best silhouette; pinned instruments held in their families."
            ),
            "settings": run.settings,
            "k": run.families.count(),
            "quality": {"measure": "silhouette", "by_k": run.quality},
            "scores": run.scores,
            "stability": {
                "measure": "adjusted Rand index", "mean": round(run.stability, 3),
                "mean_ari": round(run.stability, 3), "resamples": run.bootstrap,
            },
            "expert_agreement": {"measure": "adjusted Rand index",
                                 "ari": run.comparison.get("adjusted_rand")},
            "families": families,
            "expert_families": expert,
            "comparison": run.comparison,
            "changes": run.changes,
            "reviewed": _reviewed(run),
            "attribution": attributions(),
        }


def _reviewed(run: FamilyRun) -> str | None:
    review = run.reviews.first()
    return review.reviewed_on.isoformat() if review else None


def published_families(run: FamilyRun, french: bool, types: Mapping[str, dict]) -> list[dict]:
    """One entry per published family: a curated family (all its computed families
    together) or a computed family no expert has touched."""
    groups: dict[Any, list[Family]] = {}
    for family in run.families.select_related("curated").order_by("number"):
        key = ("c", family.curated_id) if family.curated_id else ("f", family.number)
        groups.setdefault(key, []).append(family)
    result = []
    for members in groups.values():
        first = members[0]
        curated = first.curated
        size = sum(f.size for f in members)
        entry = {
            "number": first.number,
            "numbers": [f.number for f in members],
            "curated": curated is not None,
            "name_en": curated.name_en if curated else first.name_en,
            "name_fr": curated.name_fr if curated else first.name_fr,
            "computed_name_en": first.name_en,
            "computed_name_fr": first.name_fr,
            "size": size,
            "description_en": (curated.description_en if curated and curated.description_en
                               else first.description_en),
            "description_fr": (curated.description_fr if curated and curated.description_fr
                               else first.description_fr),
            "typical": [pk for f in members for pk in f.typical][:3],
            "organisations": curated.organisations if curated and curated.organisations
            else first.organisations,
            "n_organisations": curated.n_organisations if curated and curated.n_organisations
            else first.n_organisations,
            "low_confidence": sum(f.low_confidence for f in members),
            "mean_confidence": round(sum(f.mean_confidence * f.size for f in members)
                                     / max(size, 1), 3),
            "defining": first.profile,
            "profile": family_profile_text(first.profile, types),
        }
        entry["name"] = entry["name_fr"] if french else entry["name_en"]
        entry["description"] = entry["description_fr"] if french else entry["description_en"]
        result.append(entry)
    return result


def family_display_name(family: Family, french: bool) -> str:
    """The name a reader sees: the expert's (curated) name where there is one, else the
    generated one, else "Family N"."""
    curated = family.curated
    names = [curated.name_fr, curated.name_en] if curated and french else (
        [curated.name_en] if curated else [])
    names += [family.name_fr, family.name_en] if french else [family.name_en]
    return next((name for name in names if name), str(family))


def family_of_number(number: int) -> Family | None:
    run = current_run()
    return run.families.filter(number=number).first() if run else None


def family_instruments(family: Family) -> QuerySet[Instrument]:
    return family.instruments.select_related("organisation", "source").order_by(
        "-family_confidence", "title", "id"
    )


def family_chart_rows(family: Family, types: Mapping[str, dict]) -> list[dict]:
    """Bars for the family page: each defining value's share in the family and overall."""
    return [
        {
            "label": "{}: {}".format(
                typology.ATTRIBUTE_LABELS.get(p["attribute"], p["attribute"]),
                value_label(p["attribute"], p["value"], types),
            ),
            "share": round(100 * p["share"]),
            "overall": round(100 * p["overall"]),
        }
        for p in family.profile
    ]


def source_names() -> list[str]:
    return list(Source.objects.order_by("name").values_list("name", flat=True))


def family_counts(source: str = "", organisation: str = "") -> dict[int, int]:
    """Instruments of each current family from one source and/or organisation (acronym
    or the name a source gives)."""
    run = current_run()
    if run is None:
        return {}
    found = Instrument.objects.filter(family__run=run)
    if source:
        found = found.filter(source__name=source)
    if organisation:
        found = found.filter(Q(organisation__acronym__iexact=organisation)
                             | Q(organisation_name__iexact=organisation))
    return dict(found.values_list("family__number").annotate(n=Count("id")).order_by())


def instrument_titles(ids: Sequence[int]) -> dict[int, str]:
    return dict(Instrument.objects.filter(pk__in=list(ids)).values_list("id", "title"))


MAP_POINTS = 400


def family_pictures(summary: Mapping[str, Any]) -> dict:
    """The pictures of the families page from the stored run (never recomputed here):
    heatmap of values by family, MCA map, comparison with the expert families."""
    from iocompendium.instruments import charts

    run = current_run()
    pictures = run.pictures if run else {}
    published = summary["families"]
    number_to_entry = {n: f for f in published for n in f["numbers"]}
    columns = [str(f["number"]) for f in published]
    types = type_table()
    heat_rows = []
    for row in pictures.get("heatmap", []):
        shares = _merged_shares(row["shares"], published, run)
        heat_rows.append({
            "label": "{}: {}".format(
                typology.ATTRIBUTE_LABELS.get(row["attribute"], row["attribute"]),
                value_label(row["attribute"], row["value"], types)),
            "overall": round(100 * row["overall"]),
            "shares": [round(100 * v) for v in shares], "raw": shares,
            "overall_raw": row["overall"],
        })
    heat = charts.heatmap([{"shares": r["raw"], "overall": r["overall_raw"]} for r in heat_rows],
                          columns)
    for label, row in zip(heat["labels"], heat_rows, strict=True):
        label["text"] = row["label"]
    map_data = pictures.get("map", {})
    stored = map_data.get("points", [])
    # The heaviest MAP_POINTS combinations are drawn: beyond, dots hide each other and
    # only weigh the page down.
    drawn = sorted(stored, key=lambda p: -p[3])[:MAP_POINTS]
    points = [[x, y, number_to_entry[f]["number"] if f in number_to_entry else f, n]
              for x, y, f, n in drawn]
    scatter = charts.scatter(points)
    table = summary.get("comparison", {}).get("table", {})
    experts = summary.get("expert_families", {})
    comparison_rows = []
    for f in published:
        counts: dict[str, int] = {}
        for n in f["numbers"]:
            for code, count in table.get(str(n), {}).items():
                counts[code] = counts.get(code, 0) + count
        comparison_rows.append({"label": f["name"], "number": f["number"], "counts": counts})
    used = [code for code in experts if any(r["counts"].get(code) for r in comparison_rows)]
    for row in comparison_rows:  # only the experts' families that hold instruments
        row["cells"] = [row["counts"].get(code, 0) for code in used]
    bars = charts.stacked_bars(comparison_rows, used)
    for item in bars["legend"]:
        item["label"] = experts[item["key"]]
    for bar in bars["bars"]:
        for part in bar["parts"]:
            part["label"] = experts[part["key"]]
    legend = [{"number": f["number"], "name": f["name"], "fill": charts.colour(f["number"])}
              for f in published]
    for dot in scatter["dots"]:
        dot["fill"] = charts.colour(dot["family"])
    return {
        "heat": heat, "heat_rows": heat_rows, "heat_columns": published,
        "scatter": scatter, "map_legend": legend,
        "map_table": charts.centroids(points), "map_explained": [
            round(100 * e) for e in map_data.get("explained", [])],
        "map_shown": len(points), "map_total": map_data.get("total", 0),
        "comparison_rows": comparison_rows, "comparison_bars": bars,
        "expert_labels": [experts[code] for code in used],
    }


def _merged_shares(shares: Sequence[float], published: Sequence[Mapping], run) -> list[float]:
    """A heatmap row's shares per published family (merged families weighted by size)."""
    sizes = dict(run.families.values_list("number", "size")) if run else {}
    result = []
    for family in published:
        total = sum(sizes.get(n, 0) for n in family["numbers"])
        amount = sum(shares[n - 1] * sizes.get(n, 0) for n in family["numbers"]
                     if n - 1 < len(shares))
        result.append(round(amount / total, 3) if total else 0.0)
    return result


def recent_runs(limit: int = 10) -> list[dict]:
    """The recorded runs, newest first, so that two can be compared."""
    return [{
        "id": run.pk, "created_at": run.created_at, "k": run.families.count(),
        "stability": round(run.stability, 3), "expert_agreement": run.expert_agreement,
        "seed": run.seed, "bootstrap": run.bootstrap,
        "weights": ", ".join(f"{k} {v:g}" for k, v in (run.settings or {}).get(
            "weights", {}).items()),
        "pins": (run.settings or {}).get("pins", 0),
    } for run in FamilyRun.objects.all()[:limit]]


def last_run_options() -> dict:
    """The options of the last run (seed and resamples), to compute again alike."""
    run = current_run()
    return {"seed": run.seed, "bootstrap": run.bootstrap} if run else {}


def group_instruments(numbers: Sequence[int]) -> QuerySet[Instrument]:
    run = current_run()
    return Instrument.objects.filter(family__run=run, family__number__in=list(numbers)) \
        .select_related("organisation", "source", "pin").order_by(
            "-family_confidence", "title", "id")


def uncertain_instruments(numbers: Sequence[int], limit: int = 50) -> list[Instrument]:
    """The instruments whose family is least certain (below the low-confidence mark)."""
    from iocompendium.instruments.clustering import LOW_CONFIDENCE

    return list(group_instruments(numbers).filter(family_confidence__lt=LOW_CONFIDENCE)
                .order_by("family_confidence", "title", "id")[:limit])


def published_entry(family: Family | None) -> dict | None:
    """The published name of an instrument's family (curated or generated)."""
    if family is None:
        return None
    run_families = family.run.families.filter(curated_id=family.curated_id) \
        if family.curated_id else [family]
    first = min(run_families, key=lambda f: f.number)
    french = (translation.get_language() or "en").startswith("fr")
    curated = family.curated
    name = ((curated.name_fr if french else curated.name_en) if curated
            else (family.name_fr if french else family.name_en))
    return {"number": first.number, "name": name, "curated": curated is not None}


def curation_stamp() -> str:
    """What the families' curation is now: the current run and the last curation event.
    A curation form carries the stamp of the page it came from; a change saved since then
    (by a colleague, or a recluster) changes it, and the form's change is refused."""
    from iocompendium.instruments.models import CurationEvent

    run = FamilyRun.objects.order_by("-pk").values_list("pk", flat=True).first()
    event = CurationEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return f"{run or 0}-{event or 0}"


def curation_events(limit: int = 500) -> list[dict]:
    """The curation audit trail, newest first, as plain rows for the audit page."""
    from iocompendium.instruments.models import CurationEvent

    return [
        {"at": at, "actor": actor or "—", "action": action, "detail": detail}
        for at, actor, action, detail in CurationEvent.objects.order_by("-at", "-pk")
        .values_list("at", "actor_label", "action", "detail")[:limit]
    ]


def report_families(lang: str) -> dict | None:
    """The families for the evidence report: each family's name and plain-words
    description, and the pictures of the families page (heatmap, MCA map, comparison with
    the experts), from the stored run; None when the families were never computed."""
    with translation.override(lang):
        summary = families_summary(lang)
        if not summary.get("computed"):
            return None
        return {"families": summary["families"], "pictures": family_pictures(summary),
                "stability": summary.get("stability") or {},
                "expert_agreement": summary.get("expert_agreement") or {}}
