"""Reads: instruments with their effective attributes, search, families, type mapping."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet
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


def family_name(profile: list[dict], types: Mapping[str, dict]) -> str:
    """A short name: the three values that set the family apart most."""
    return " · ".join(_name_part(p, types) for p in profile[:3]) or _("mixed instruments")


def _name_part(entry: dict, types: Mapping[str, dict]) -> str:
    """A value's label; "not recorded" and "unknown" name their attribute too."""
    label = value_label(entry["attribute"], entry["value"], types)
    if entry["value"] in ("", "unknown"):
        attribute = typology.ATTRIBUTE_LABELS.get(entry["attribute"], entry["attribute"])
        return _("%(attribute)s: %(value)s") % {"attribute": attribute, "value": label}
    return label


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


def families_summary(lang: str = "en") -> dict:
    """The current families for reports: profiles in words, sizes, quality, stability and
    the comparison with the expert families, in ``lang`` ("en" or "fr")."""
    run = current_run()
    if run is None:
        return {"families": [], "computed": False, "attribution": []}
    with translation.override(lang):
        types = type_table()
        expert = {code: str(label) for code, label in typology.EXPERT_FAMILIES.items()}
        families = [
            {
                "number": f.number,
                "name": family_name(f.profile, types),
                "profile": family_profile_text(f.profile, types),
                "defining": f.profile,
                "size": f.size,
                "mean_confidence": round(f.mean_confidence, 3),
            }
            for f in run.families.all()
        ]
        return {
            "computed": True,
            "computed_at": run.created_at.isoformat(),
            "seed": run.seed,
            "n_instruments": run.n_instruments,
            "n_profiles": run.n_profiles,
            "attributes": run.attributes,
            "method": _(
                "Weighted k-modes on the distinct attribute profiles (simple-matching "
                "distance); number of families by the best silhouette; stability by "
                "bootstrap resamples."
            ),
            "k": len(families),
            "quality": {"measure": "silhouette", "by_k": run.quality},
            "stability": {
                "measure": "adjusted Rand index", "mean": round(run.stability, 3),
                "resamples": run.bootstrap,
            },
            "families": families,
            "expert_families": expert,
            "comparison": run.comparison,
            "attribution": attributions(),
        }


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
