"""Reads of the indicators app: frameworks, the answers they score, computed results.

``framework_results(slug)`` is the interface the dashboard, the report and the
compendium read (documented in ``docs/guide/indicators.md`` and the shape below).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from django.db.models import Max

from iocompendium.indicators.models import (
    CountryDataset,
    CountryScore,
    Framework,
    FrameworkVersion,
    ScoreRun,
)
from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.responses.models import Answer, Response

# Responses scored by default: submitted, in review or approved (drafts are not final).
DEFAULT_STATUSES = ("submitted", "in_review", "approved")
STATUS_SETS = {
    "approved": ("approved",),
    "submitted": DEFAULT_STATUSES,
    "all": ("draft", "submitted", "in_review", "approved"),
}
# iREG category names shared by the shipped frameworks and the imported country scores.
IREG_CATEGORIES = ("systematic_adoption", "methodology", "oversight", "transparency")


class IndicatorsError(Exception):
    """A framework, questionnaire or result that cannot be found: one sentence."""


def frameworks() -> list[Framework]:
    return list(Framework.objects.select_related("questionnaire").order_by("slug"))


def framework_list() -> list[dict]:
    """The ``indicators list --json`` rows."""
    return [{"slug": f.slug, "title_en": f.title_en, "title_fr": f.title_fr,
             "questionnaire": f.questionnaire.slug} for f in frameworks()]


def framework(slug: str) -> Framework:
    found = Framework.objects.select_related("questionnaire").filter(slug=slug).first()
    if found is None:
        raise IndicatorsError(f"No framework '{slug}'; 'iocompendium indicators list' "
                              "shows the frameworks.")
    return found


def latest_version(slug: str) -> FrameworkVersion:
    version = framework(slug).latest_version()
    if version is None:
        raise IndicatorsError(f"Framework '{slug}' has no version.")
    return version


def questionnaire(slug: str) -> Questionnaire:
    found = Questionnaire.objects.filter(slug=slug).first()
    if found is None:
        raise IndicatorsError(f"No questionnaire '{slug}'.")
    return found


def structure_of(questionnaire_: Questionnaire) -> dict:
    version: QuestionnaireVersion | None = (questionnaire_.published_version()
                                            or questionnaire_.latest_version())
    if version is None:
        raise IndicatorsError(f"Questionnaire '{questionnaire_.slug}' has no version yet.")
    return version.structure


UNIT_FIELDS = {
    "organisation": ("organisation__acronym", "organisation__name_en"),
    "jurisdiction": ("jurisdiction__code", "jurisdiction__name_en"),
    "submission": ("unit_key", "unit_key"),
}


def units(questionnaire_: Questionnaire, statuses: Sequence[str]) -> dict[int, tuple[str, str]]:
    """Response id -> (unit, its display name): one response per unit, the latest one
    (the highest id) when a unit has several in ``statuses``."""
    unit_field, name_field = UNIT_FIELDS.get(questionnaire_.unit, UNIT_FIELDS["organisation"])
    rows = (Response.objects.filter(version__questionnaire=questionnaire_,
                                    status__in=list(statuses))
            .values_list("id", unit_field, name_field).order_by("id"))
    latest: dict[str, tuple[int, str]] = {}
    for response_id, unit, name in rows:
        if unit:
            latest[unit] = (response_id, name if isinstance(name, str) else str(unit))
    ordered = sorted(latest.items())
    return {response_id: (unit, name) for unit, (response_id, name) in ordered}


def answers_frame(
    questionnaire_: Questionnaire, questions: Sequence[str],
    statuses: Sequence[str] = DEFAULT_STATUSES,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """(answers, unit names): one row per unit (index: the unit), one column per question
    path, the stored text as it is; no answer, and any value kept with a data problem
    (``Answer.flag``), is left empty (NaN)."""
    by_response = units(questionnaire_, statuses)
    index = [unit for unit, _name in by_response.values()]
    frame = pd.DataFrame(index=pd.Index(index, name="unit", dtype=object),
                         columns=list(questions), dtype=object)
    if by_response and questions:
        rows = (Answer.objects.filter(response_id__in=list(by_response), path__in=list(questions),
                                      flag__isnull=True)
                .exclude(value="").values_list("response_id", "path", "value"))
        records = [(by_response[r][0], p, v) for r, p, v in rows.iterator(chunk_size=10000)]
        if records:
            long = pd.DataFrame.from_records(records, columns=["unit", "path", "value"])
            wide = long.pivot(index="unit", columns="path", values="value")
            frame.update(wide)
    names = {unit: name for unit, name in by_response.values()}
    return frame, names


def latest_run(slug: str, questionnaire_slug: str | None = None) -> ScoreRun | None:
    version = latest_version(slug)
    runs = ScoreRun.objects.filter(version=version)
    if questionnaire_slug:
        runs = runs.filter(questionnaire__slug=questionnaire_slug)
    else:
        runs = runs.filter(questionnaire=version.framework.questionnaire)
    return runs.select_related("questionnaire").first()


def country_scores(composite: str) -> list[dict]:
    """Every imported country score of a composite ("SA"...), with its dataset's source,
    licence and attribution."""
    if not composite:
        return []
    rows = (CountryScore.objects.filter(composite=composite)
            .select_related("dataset", "jurisdiction").order_by("dataset__source", "area",
                                                                "year", "instrument",
                                                                "category"))
    return [{
        "source": row.dataset.source, "area": row.area,
        "jurisdiction": row.jurisdiction.code if row.jurisdiction_id else None,
        "name_en": row.jurisdiction.name_en if row.jurisdiction_id else row.area_name,
        "name_fr": (row.jurisdiction.name_fr if row.jurisdiction_id else row.area_name),
        "year": row.year, "composite": row.composite, "instrument": row.instrument,
        "category": row.category, "score": row.score,
    } for row in rows]


def country_datasets(sources: Sequence[str] | None = None) -> list[dict]:
    datasets = CountryDataset.objects.all()
    if sources is not None:
        datasets = datasets.filter(source__in=list(sources))
    return [{"source": d.source, "title": d.title, "publisher": d.publisher,
             "licence": d.licence, "attribution": d.attribution, "file_name": d.file_name,
             "category_max": d.category_max, "composite_max": d.composite_max,
             "imported_at": d.imported_at.isoformat()} for d in datasets]


def country_dataset_summary() -> list[dict]:
    return [{**d, "scores": CountryScore.objects.filter(dataset__source=d["source"]).count(),
             "years": sorted(set(CountryScore.objects.filter(dataset__source=d["source"])
                                 .values_list("year", flat=True)))}
            for d in country_datasets()]


def framework_results(slug: str, questionnaire_slug: str | None = None) -> dict[str, Any]:
    """Everything shown about a framework's latest computed scores, as one dict.

    Raises ``IndicatorsError`` when the framework has not been computed yet (``services.
    compute`` computes it). The shape is documented in ``docs/guide/indicators.md``
    ("For developers") and /work/notes/indicators-api.md."""
    found = framework(slug)
    version = latest_version(slug)
    run = latest_run(slug, questionnaire_slug)
    if run is None:
        raise IndicatorsError(f"Framework '{slug}' has not been computed yet: run "
                              f"'iocompendium indicators compute {slug}'.")
    definition = version.definition
    nodes = [{k: v for k, v in node.items() if k != "row"} for node in definition["nodes"]]
    for node in nodes:
        if node.get("rule"):
            node["rule"] = {k: v for k, v in node["rule"].items() if k != "row"}
        node["weight_used"] = run.weights.get(node["name"])
    categories = [n["name"] for n in nodes if n["parent"] == _root(nodes)["name"]]
    scores = country_scores(found.country_composite)
    sources = sorted({row["source"] for row in scores})
    uncertainty = run.uncertainty or {}
    units_out = []
    for unit in run.units:
        row = dict(unit)
        extra = uncertainty.get("units", {}).get(unit["unit"])
        if extra:
            row.update(extra)
        units_out.append(row)
    return {
        "framework": found.slug,
        "title_en": found.title_en,
        "title_fr": found.title_fr,
        "questionnaire": run.questionnaire.slug,
        "unit_type": run.questionnaire.unit,
        "version": version.number,
        "version_label": version.label,
        "construction": run.construction,
        "statuses": run.statuses,
        "computed_at": run.computed_at.isoformat(),
        "tree": nodes,
        "categories": categories,
        "indicators": [n["name"] for n in nodes if n["level"] == "indicator"],
        "comparable": [{"indicator": n["name"], "mirrors": n["mirrors"]}
                       for n in nodes if n["level"] == "indicator" and n.get("mirrors")],
        "units": units_out,
        "runs": run.runs,
        "seed": run.seed,
        "sensitivity": run.sensitivity or [],
        "country_composite": found.country_composite,
        "countries": scores,
        "country_sources": country_datasets(sources),
    }


def _root(nodes: list[dict]) -> dict:
    return next(n for n in nodes if n["level"] == "composite")


def framework_versions(slug: str) -> list[FrameworkVersion]:
    return list(framework(slug).versions.order_by("-number"))


def next_version_number(found: Framework) -> int:
    return (found.versions.aggregate(top=Max("number"))["top"] or 0) + 1
