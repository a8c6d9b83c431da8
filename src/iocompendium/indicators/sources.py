"""What the indicators' pages read and the editor writes, on top of the app's selectors and
services (``selectors.py``, ``services.py``, ``workbook.py``).

Kept apart from them on purpose: the pages compute the scores live from the answers (the
unit page traces every score to its answer, the editor previews edited choices), so they
need the framework, the answers and the country scores as one ``presenting.Source``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db import transaction

from iocompendium.analysis.indicators import Framework, FrameworkError
from iocompendium.evidence.selectors import STATUS_SETS
from iocompendium.indicators import selectors, services, workbook
from iocompendium.indicators.models import Framework as FrameworkRecord
from iocompendium.indicators.presenting import Source, lang, sensitivity_choice_label
from iocompendium.responses.models import Response


class NotFound(Exception):
    """No such framework (or it has no version)."""


class SaveError(Exception):
    """The edited framework could not be saved: one sentence."""


@dataclass
class StaleVersion(Exception):
    """Someone saved another version since the editor was opened."""

    base: int
    current: int


@dataclass
class FrameworkEntry:
    slug: str
    title: str
    questionnaire: str
    version: int


def frameworks() -> list[FrameworkEntry]:
    out = []
    for record in selectors.frameworks():
        version = record.latest_version()
        if version is None:
            continue
        out.append(FrameworkEntry(record.slug, record.title, record.questionnaire.slug,
                                  version.number))
    return out


def _organisations(questionnaire, statuses) -> dict[str, int | None]:
    """Unit -> the organisation answering for it (for the focal point's own pages)."""
    if questionnaire.unit != "organisation":
        return {}
    rows = (Response.objects.filter(version__questionnaire=questionnaire,
                                    status__in=list(statuses))
            .values_list("organisation__acronym", "organisation_id"))
    return {acronym: organisation for acronym, organisation in rows if acronym}


def country_rows(composite: str, year: int | None = None, instrument: str = "primary"
                 ) -> tuple[list[dict], str, str]:
    """(rows for ``presenting``, the year shown, the attribution) of a composite's
    published country scores: one year (the latest unless given), one instrument
    (primary laws by default where the source has two)."""
    scores = selectors.country_scores(composite)
    if not scores:
        return [], "", ""
    instruments = {row["instrument"] for row in scores}
    if instrument not in instruments:
        instrument = sorted(instruments)[0]
    scores = [row for row in scores if row["instrument"] == instrument]
    years = sorted({row["year"] for row in scores})
    chosen = year if year in years else years[-1]
    by_area: dict[str, dict] = {}
    used_sources: set[str] = set()
    french = lang() == "fr"
    for row in scores:
        if row["year"] != chosen:
            continue
        used_sources.add(row["source"])
        entry = by_area.setdefault(row["area"], {
            "unit": row["area"], "label": (row["name_fr"] if french else row["name_en"])
            or row["area"], "year": chosen, "score": None, "categories": {}})
        if row["category"]:
            entry["categories"][row["category"]] = row["score"]
        else:
            entry["score"] = row["score"]
    attribution = "\n".join(d["attribution"] for d in selectors.country_datasets(
        sorted(used_sources)))
    return list(by_area.values()), str(chosen), attribution


def source_for(slug: str, status_key: str = "approved") -> Source:
    """The framework's current version, its questionnaire's answers in the status set,
    and the published scores of the country composite it mirrors."""
    try:
        record = selectors.framework(slug)
        version = selectors.latest_version(slug)
        framework = workbook.to_framework(version.definition)
    except (selectors.IndicatorsError, FrameworkError, KeyError):
        raise NotFound(slug) from None
    statuses = STATUS_SETS.get(status_key, STATUS_SETS["approved"])
    questionnaire = record.questionnaire
    questions = list(framework.questions())
    group = framework.construction.group
    if group and group not in questions:
        questions.append(group)
    answers, names = selectors.answers_frame(questionnaire, questions, statuses)
    countries, year, attribution = country_rows(record.country_composite)
    synthetic = Response.objects.filter(
        version__questionnaire=questionnaire, status__in=list(statuses), synthetic=True,
    ).exists()
    left_out = set(STATUS_SETS["submitted"]) - set(statuses)
    waiting = Response.objects.filter(
        version__questionnaire=questionnaire, status__in=list(left_out),
    ).count() if left_out else 0
    run = selectors.latest_run(slug)
    stored = run.sensitivity if run is not None and run.sensitivity else []
    return Source(
        framework=framework, version=version.number, questionnaire=questionnaire.slug,
        answers=answers, labels=names, organisations=_organisations(questionnaire, statuses),
        countries=countries, country_year=year, attribution=attribution, synthetic=synthetic,
        sensitivity=[{**item, "label": sensitivity_choice_label(item["choice"])}
                     for item in stored],
        sensitivity_runs=run.runs if stored else None,
        sensitivity_seed=run.seed if stored else None, waiting=waiting,
    )


def own_units(organisation: int, entries: list[FrameworkEntry]) -> list[tuple[FrameworkEntry,
                                                                             str]]:
    """(framework, unit) pairs a focal point of ``organisation`` may open."""
    out = []
    for entry in entries:
        source = source_for(entry.slug, "submitted")
        for unit, owner in source.organisations.items():
            if owner == organisation and unit in source.answers.index:
                out.append((entry, unit))
    return out


def edited_definition(definition: dict, edited: Framework) -> dict:
    """The stored definition with the edited weights, directions and construction."""
    out = copy.deepcopy(definition)
    nodes = {node.name: node for node in edited.nodes}
    for node in out["nodes"]:
        if node["name"] in nodes:
            node["weight"] = nodes[node["name"]].weight
            node["direction"] = nodes[node["name"]].direction
    out["construction"] = {**out["construction"], **edited.construction.as_dict()}
    return out


def save_version(slug: str, edited: Framework, base_version: int, user=None) -> int:
    """Save the edited framework as a new version, only if ``base_version`` is still the
    latest (the framework row is locked while checking and saving); its number."""
    from iocompendium.indicators.workbook import WorkbookError

    with transaction.atomic():
        record = FrameworkRecord.objects.select_for_update().filter(slug=slug).first()
        latest = record.latest_version() if record else None
        if latest is None:
            raise SaveError(f"No framework '{slug}'.")
        if latest.number != base_version:
            raise StaleVersion(base=base_version, current=latest.number)
        definition = edited_definition(latest.definition, edited)
        data = workbook.workbook_bytes(definition)
        try:
            imported = services.import_framework(data, f"{slug}-edited.xlsx", user=user)
        except WorkbookError as error:
            raise SaveError(str(error)) from None
    return imported.version.number


def dashboards_for_questionnaire(questionnaire_slug: str, status_key: str = "approved", *,
                                 charts: bool = True) -> list:
    """The dashboards of every framework over a questionnaire (the results report's
    indicator sections), in the active language."""
    from iocompendium.indicators.presenting import dashboard

    out = []
    for record in selectors.frameworks():
        if record.questionnaire.slug != questionnaire_slug:
            continue
        try:
            source = source_for(record.slug, status_key)
            out.append(dashboard(source, charts=charts))
        except (NotFound, FrameworkError):
            continue
    return out
