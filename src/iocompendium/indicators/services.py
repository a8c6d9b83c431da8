"""Writes of the indicators app: import a framework, compute it, run the uncertainty
analysis, import country scores (``countries.py`` reads the files)."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_noop

from iocompendium.analysis.indicators import (
    FrameworkError,
    Model,
    default_workers,
    monte_carlo,
)
from iocompendium.analysis.indicators import compute as build
from iocompendium.analysis.indicators import sensitivity as sobol
from iocompendium.indicators import selectors, workbook
from iocompendium.indicators.models import Framework, FrameworkVersion, ScoreRun
from iocompendium.indicators.workbook import Problem, WorkbookError
from iocompendium.questionnaires.models import Questionnaire

SHIPPED = Path(__file__).resolve().parent / "frameworks"


@dataclass
class Imported:
    version: FrameworkVersion
    created: bool  # False: the same file as the latest version (nothing written)


def check_framework(data: bytes) -> tuple[dict, list[Problem]]:
    """The definition and every problem, including those against the questionnaire."""
    from iocompendium.web.limits import LimitError, check_file

    try:
        check_file("framework.xlsx", data)
    except LimitError as error:
        return {}, [Problem("file", 0, "limit", "%(error)s", {"error": str(error)})]
    definition, problems = workbook.read(data)
    slug = definition.get("questionnaire", "")
    if slug:
        questionnaire = Questionnaire.objects.filter(slug=slug).first()
        if questionnaire is None:
            problems.append(Problem(workbook.SETTINGS, 2, "unknown_questionnaire",
                                    gettext_noop("questionnaire: there is no "
                                                 "questionnaire '%(slug)s'."),
                                    {"slug": slug}))
        else:
            try:
                structure = selectors.structure_of(questionnaire)
            except selectors.IndicatorsError as error:
                problems.append(Problem(workbook.SETTINGS, 2, "unknown_questionnaire",
                                        "%(error)s", {"error": str(error)}))
            else:
                problems += workbook.check_against(definition, structure)
    return definition, problems


def import_framework(data: bytes, file_name: str = "", user=None) -> Imported:
    """Import a framework workbook as a new version (all or nothing).

    Raises ``WorkbookError`` with every problem (sheet, row, reason). The same file as the
    latest version is not stored twice."""
    definition, problems = check_framework(data)
    if problems:
        raise WorkbookError(problems)
    fingerprint = hashlib.sha256(data).hexdigest()
    questionnaire = Questionnaire.objects.get(slug=definition["questionnaire"])
    with transaction.atomic():
        found, _ = Framework.objects.select_for_update().get_or_create(
            slug=definition["slug"],
            defaults={"title_en": definition["title_en"], "questionnaire": questionnaire},
        )
        latest = found.latest_version()
        if latest is not None and latest.fingerprint == fingerprint:
            return Imported(latest, False)
        found.title_en = definition["title_en"]
        found.title_fr = definition["title_fr"]
        found.questionnaire = questionnaire
        found.country_composite = definition.get("country_composite", "")
        found.save()
        version = FrameworkVersion.objects.create(
            framework=found, number=selectors.next_version_number(found),
            label=definition.get("version", ""), definition=definition, file=data,
            file_name=Path(file_name).name[:255], fingerprint=fingerprint, created_by=user,
        )
    return Imported(version, True)


def import_framework_file(path: str | Path, user=None) -> Imported:
    path = Path(path)
    return import_framework(path.read_bytes(), path.name, user=user)


def export_framework(slug: str, version_number: int | None = None) -> tuple[bytes, str]:
    """(the workbook bytes exactly as imported, a file name)."""
    found = selectors.framework(slug)
    versions = found.versions.all()
    version = (versions.filter(number=version_number).first() if version_number
               else found.latest_version())
    if version is None:
        raise selectors.IndicatorsError(f"Framework '{slug}' has no version "
                                        f"{version_number or ''}.".replace("  ", " "))
    data = bytes(version.file) if version.file else workbook.workbook_bytes(version.definition)
    return data, version.file_name or f"{slug}.xlsx"


def import_shipped() -> list[Imported]:
    """The frameworks shipped with the app (``indicators/frameworks/*.xlsx``)."""
    return [import_framework_file(path) for path in sorted(SHIPPED.glob("*.xlsx"))]


# ------------------------------------------------------------------------------ compute


def _answers(version: FrameworkVersion, questionnaire: Questionnaire,
             statuses: Sequence[str]):
    definition = version.definition
    if questionnaire.pk != version.framework.questionnaire_id:
        # Another questionnaire (e.g. countries answering the same questions): every
        # question the framework reads must be there with the same choices.
        problems = workbook.check_against(definition, selectors.structure_of(questionnaire))
        if problems:
            raise selectors.IndicatorsError(
                f"Framework '{version.framework.slug}' cannot score '{questionnaire.slug}': "
                + "; ".join(p.message for p in problems[:3]))
    framework = workbook.to_framework(definition)
    questions = framework.questions()
    group = framework.construction.group
    if group and group not in questions:
        questions = [*questions, group]
    answers, names = selectors.answers_frame(questionnaire, questions, statuses)
    return framework, answers, names


def compute(slug: str, questionnaire_slug: str | None = None,
            statuses: Sequence[str] = selectors.DEFAULT_STATUSES) -> ScoreRun:
    """Score the latest version of a framework on a questionnaire's responses and store
    the scores, the construction choices and the answer behind every indicator score."""
    version = selectors.latest_version(slug)
    questionnaire = (selectors.questionnaire(questionnaire_slug) if questionnaire_slug
                     else version.framework.questionnaire)
    framework, answers, names = _answers(version, questionnaire, statuses)
    try:
        result = build(framework, answers)
    except FrameworkError as error:
        raise selectors.IndicatorsError(f"Framework '{slug}': {error}") from error
    rows = result.unit_rows()
    indicators = framework.indicators
    for row in rows:
        unit = row["unit"]
        row["name"] = names.get(unit, unit)
        row["raw"] = {n.name: _number(result.raw.at[unit, n.name]) for n in indicators}
        row["not_applicable"] = [n.name for n in indicators
                                 if bool(result.not_applicable.at[unit, n.name])]
        row["answers"] = {q: _text(answers.at[unit, q]) for q in answers.columns}
        row["subcategories"] = {n.name: _number(result.values.at[unit, n.name])
                                for n in framework.level("subcategory")}
        row["rank"] = None
    ranks = result.ranks()
    for row in rows:
        rank = ranks.get(row["unit"])
        row["rank"] = None if rank is None or math.isnan(rank) else int(rank)
    with transaction.atomic():
        run, _ = ScoreRun.objects.update_or_create(
            version=version, questionnaire=questionnaire,
            defaults={
                "statuses": list(statuses), "construction": result.construction.as_dict(),
                "units": rows, "weights": result.weights,
                "answers_fingerprint": _fingerprint(answers),
                "runs": None, "seed": None, "uncertainty": {}, "sensitivity": [],
            },
        )
    return run


def run_sensitivity(slug: str, runs: int, seed: int, questionnaire_slug: str | None = None,
                    statuses: Sequence[str] = selectors.DEFAULT_STATUSES) -> ScoreRun:
    """Compute, then the Monte Carlo ranks (``runs`` draws from ``seed``) and the Sobol
    indices of each uncertain choice, stored with the scores."""
    if runs < 1:
        raise selectors.IndicatorsError("--runs must be at least 1.")
    run = compute(slug, questionnaire_slug, statuses)
    framework, answers, _names = _answers(run.version, run.questionnaire, statuses)
    model = Model(framework, answers)
    # Two processes for a large analysis; the results do not depend on their number.
    workers = default_workers(len(answers.index), runs)
    uncertainty = monte_carlo(model, runs, seed, workers)
    indices = sobol(model, runs, seed, workers)
    run.runs, run.seed = runs, seed
    run.uncertainty = {"units": uncertainty.rows(), "runs": runs, "seed": seed,
                       "sobol_base": indices.base, "sobol_evaluations": indices.evaluations}
    run.sensitivity = indices.indices
    run.save(update_fields=["runs", "seed", "uncertainty", "sensitivity", "computed_at"])
    return run


def compute_json(run: ScoreRun, with_uncertainty: bool = False) -> dict[str, Any]:
    """The CLI contract: ``{"framework", "units": [{"unit", "score", "categories",
    "indicators"}]}`` (+ ``median_rank``, ``rank_interval`` and ``sensitivity``)."""
    units = []
    extra = (run.uncertainty or {}).get("units", {})
    for row in run.units:
        out = {"unit": row["unit"], "score": row["score"], "categories": row["categories"],
               "indicators": row["indicators"]}
        if with_uncertainty:
            ranks = extra.get(row["unit"], {})
            out["median_rank"] = ranks.get("median_rank")
            out["rank_interval"] = ranks.get("rank_interval", [None, None])
        units.append(out)
    document: dict[str, Any] = {"framework": run.version.framework.slug, "units": units}
    if with_uncertainty:
        document["runs"], document["seed"] = run.runs, run.seed
        document["sensitivity"] = run.sensitivity
    return document


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _fingerprint(answers) -> str:
    digest = hashlib.sha256()
    digest.update(answers.to_csv().encode("utf-8"))
    return digest.hexdigest()
