"""Scores on the demo's synthetic (fictional) responses: checked against an independent
implementation in plain pandas, missing answers never scored 0 unless the framework says
so, one changed answer changes only the scores that read it, and the CLI contracts."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from iocompendium.evidence.exports import build_export
from iocompendium.indicators import services
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Answer, Response

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

REPO_PRACTICE = (Path(__file__).resolve().parents[2] / "src" / "iocompendium" / "data"
                 / "practice_template.xlsx")


# ------------------------------------------------- independent implementation (no product code)


def exported_answers() -> pd.DataFrame:
    """The long CSV export, read with pandas: units x questions."""
    _name, content = build_export("long-csv", "io-survey", ("approved",))
    long = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    long = long[long["repeat_index"] == ""]
    return long.pivot(index="organisation", columns="path", values="value")


def independent_scores(workbook_bytes: bytes, answers: pd.DataFrame) -> dict:
    """Scores of an iREG-style framework (missing "na" unless a rule says "zero", no
    normalisation, equal or the tree's weights, arithmetic means, composite = mean x
    scale), computed
    from the exported framework workbook and the exported answers."""
    def sheet(name: str) -> pd.DataFrame:
        return pd.read_excel(io.BytesIO(workbook_bytes), sheet_name=name, dtype=object,
                             engine="calamine")

    tree = sheet("tree")
    rules = sheet("rules")
    settings = sheet("settings")
    assert settings.loc[0, "normalisation"] == "none"
    assert settings.loc[0, "weighting"] in ("equal", "manual")
    manual = settings.loc[0, "weighting"] == "manual"
    scale = float(settings.loc[0, "scale"])

    def text(value) -> str:
        return "" if value is None or (isinstance(value, float) and math.isnan(value)) \
            else str(value)

    def answer(unit, question):
        if question not in answers.columns:
            return None
        value = answers.at[unit, question]
        return None if pd.isna(value) or value == "" else value.split()

    def score(rule, unit) -> float:
        kind, cap = rule["kind"], rule["cap"]
        tokens = answer(unit, rule["question"])
        if kind == "choice":
            if tokens is None:
                return math.nan
            table = dict(pair.split("=") for pair in text(rule["scores"]).split())
            return max(float(table.get(t, 0)) for t in tokens)
        if kind == "count":
            if tokens is None:
                return math.nan
            wanted = set(text(rule["choices"]).split())
            n = len(set(tokens) & wanted) if wanted else len(set(tokens))
            return min(n, float(cap)) / float(cap) if text(cap) else float(n)
        if kind == "condition":
            if tokens is None:
                return math.nan
            if not set(tokens) & set(text(rule["choices"]).split()):
                return 0.0
            second = answer(unit, rule["question2"])
            if second is None:
                return math.nan
            return float(bool(set(second) & set(text(rule["choices2"]).split())))
        raise AssertionError(kind)

    children, weight = {}, {}
    for _, node in tree.iterrows():
        children.setdefault(text(node["parent"]), []).append(node["name"])
        weight[node["name"]] = float(node["weight"]) if manual and text(node["weight"]) else 1.0
    rule_of = {row["indicator"]: row for _, row in rules.iterrows()}
    root = tree.loc[tree["level"] == "composite", "name"].iloc[0]
    out = {}
    for unit in answers.index:
        values = {}
        for name, rule in rule_of.items():
            value = score(rule, unit)
            if math.isnan(value) and text(rule["missing"]) == "zero":
                value = 0.0
            values[name] = value

        def value_of(name, values=values):
            if name in values:
                return values[name]
            kids = [(value_of(child, values), weight[child]) for child in children[name]]
            kids = [(k, w) for k, w in kids if not math.isnan(k)]  # "not applicable"
            total = sum(w for _, w in kids)
            values[name] = sum(k * w for k, w in kids) / total if kids else math.nan
            return values[name]

        composite = value_of(root) * scale
        out[unit] = {"score": composite, **values}
    return out


def close(a, b) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and abs(a - b) <= 1e-9


@pytest.mark.parametrize("slug", ["ireg-stakeholder-engagement", "ireg-ex-post-evaluation"])
def test_scores_agree_with_an_independent_pandas_implementation(shipped, slug):
    document = services.compute_json(services.compute(slug, statuses=("approved",)))
    data, _ = services.export_framework(slug)
    expected = independent_scores(data, exported_answers())
    assert len(document["units"]) == len(expected) == 36
    compared = 0
    for unit in document["units"]:
        mine = expected[unit["unit"]]
        assert close(mine["score"], unit["score"]), unit["unit"]
        for group in ("categories", "indicators"):
            for name, value in unit[group].items():
                assert close(mine[name], value), (unit["unit"], name, mine[name], value)
                compared += 1
    assert compared > 36 * 10
    # The scores are not all alike (the check would be weak on a constant).
    assert len({round(u["score"], 9) for u in document["units"]}) > 5


def _unit_row(run, unit):
    return next(u for u in run.units if u["unit"] == unit)


def test_a_missing_answer_is_never_zero_unless_the_framework_says_so(shipped):
    slug = "ireg-stakeholder-engagement"
    unit = "AIHR"
    Answer.objects.filter(response__organisation__acronym=unit,
                          path="stakeholders_section/engagement_guidance").delete()
    row = _unit_row(services.compute(slug), unit)
    assert row["answers"]["stakeholders_section/engagement_guidance"] == ""
    assert row["raw"]["se_guidance"] is None and row["indicators"]["se_guidance"] is None
    assert "se_guidance" in row["not_applicable"]
    # Its category is the mean of what applies: the guidance sub-category is dropped.
    assert row["categories"]["methodology"] == pytest.approx(row["subcategories"]["se_methods"])
    assert row["score"] is not None

    # The ex ante framework says "zero" for an unpublished-or-unanswered publication.
    unit = Response.objects.filter(
        version__questionnaire__slug="io-survey", answers__path="evaluation/ex_ante",
        answers__value="always").values_list("organisation__acronym", flat=True).first()
    Answer.objects.filter(response__organisation__acronym=unit,
                          path="evaluation/ex_ante_published").delete()
    row = _unit_row(services.compute("ireg-ex-ante-assessment"), unit)
    assert row["raw"]["ea_published"] is None and row["indicators"]["ea_published"] == 0.0

    # A unit with no answer at all has no score, not 0.
    organisation = Organisation.objects.create(acronym="EMPTY", name_en="Empty (synthetic)",
                                               category="igo", synthetic=True)
    Response.objects.create(organisation=organisation, version=shipped[slug].version.framework
                            .questionnaire.published_version(), status="approved",
                            synthetic=True)
    row = _unit_row(services.compute(slug), "EMPTY")
    assert row["score"] is None and row["rank"] is None
    assert all(v is None for v in row["categories"].values())


def test_changing_one_answer_changes_only_the_scores_that_read_it(shipped):
    slug = "ireg-stakeholder-engagement"
    before = {u["unit"]: u for u in services.compute(slug).units}
    answer = Answer.objects.get(response__organisation__acronym="AIHR",
                                path="stakeholders_section/engagement_oversight")
    answer.value = "no" if answer.value == "yes" else "yes"
    answer.save()
    after = {u["unit"]: u for u in services.compute(slug).units}
    changed = set()
    for unit, row in after.items():
        for group in ("categories", "subcategories", "indicators"):
            for name, value in row[group].items():
                if not close(before[unit][group][name], value):
                    changed.add((unit, name))
        if not close(before[unit]["score"], row["score"]):
            changed.add((unit, "score"))
    assert changed == {("AIHR", "se_oversight"), ("AIHR", "se_monitoring"),
                       ("AIHR", "oversight"), ("AIHR", "score")}


def _json(*args) -> object:
    out = io.StringIO()
    call_command("indicators", *args, stdout=out)
    return json.loads(out.getvalue())


def test_cli_json_contracts(shipped, tmp_path):
    listing = _json("list", "--json")
    assert [sorted(row) for row in listing] == [
        ["questionnaire", "slug", "title_en", "title_fr"]] * 3
    assert {row["questionnaire"] for row in listing} == {"io-survey"}

    slug = "ireg-ex-post-evaluation"
    document = _json("compute", slug, "--json")
    assert sorted(document) == ["framework", "units"] and document["framework"] == slug
    unit = document["units"][0]
    assert sorted(unit) == ["categories", "indicators", "score", "unit"]
    assert sorted(unit["categories"]) == sorted(
        ["systematic_adoption", "methodology", "oversight", "transparency"])

    first = _json("sensitivity", slug, "--runs", "64", "--seed", "5", "--json")
    second = _json("sensitivity", slug, "--runs", "64", "--seed", "5", "--json")
    assert first == second  # reproducible from the seed
    assert {"framework", "units", "sensitivity"} <= set(first)
    assert sorted(i["choice"] for i in first["sensitivity"]) == sorted(
        ["weights", "weighting", "normalisation", "aggregation", "missing", "winsorise"])
    for row in first["units"]:
        low, high = row["rank_interval"]
        assert low <= row["median_rank"] <= high
        assert np.isfinite(row["score"])

    target = tmp_path / "out.xlsx"
    call_command("indicators", "export", slug, "-o", str(target), stdout=io.StringIO())
    assert target.read_bytes() == services.export_framework(slug)[0]
    out = io.StringIO()
    call_command("indicators", "import", str(target), stdout=out)
    assert "nothing changed" in out.getvalue()


def test_export_edit_a_weight_import_changes_the_scores_as_expected(shipped, tmp_path):
    """Done when: a framework exported, a weight changed in the spreadsheet, imported
    again: a new version whose composite weighs the oversight category twice."""
    import openpyxl

    slug = "ireg-stakeholder-engagement"
    before = {u["unit"]: u for u in services.compute(slug).units}
    target = tmp_path / "edited.xlsx"
    call_command("indicators", "export", slug, "-o", str(target), stdout=io.StringIO())
    book = openpyxl.load_workbook(target)
    sheet = book["tree"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("name")].value == "oversight":
            row[header.index("weight")].value = 2
    book.save(target)
    call_command("indicators", "import", str(target), stdout=io.StringIO())
    assert services.export_framework(slug)[0] == target.read_bytes()
    after = services.compute(slug)
    assert after.version.number == 2
    for unit in after.units:
        old = before[unit["unit"]]
        assert unit["categories"] == old["categories"]  # the categories themselves unchanged
        c = old["categories"]
        expected = (c["systematic_adoption"] + c["methodology"] + 2 * c["oversight"]
                    + c["transparency"]) / 5 * 4
        assert unit["score"] == pytest.approx(expected, abs=1e-12)


def test_countries_answering_the_same_questions_are_scored_by_jurisdiction(shipped):
    """The same framework scores a questionnaire answered by jurisdictions
    (``--questionnaire``): units are ISO codes; the answers here are synthetic."""
    from iocompendium.questionnaires.services import import_questionnaire
    from iocompendium.registry.models import Jurisdiction

    from .conftest import IO_SURVEY

    version, _ = import_questionnaire(IO_SURVEY, "country-survey", publish=True,
                                      unit="jurisdiction")
    answers = {"FRA": {"engagement_strategy": "written", "engagement_guidance": "yes"},
               "DEU": {"engagement_strategy": "none", "engagement_guidance": "no",
                       "drafts_public": "partly"}}
    for code, values in answers.items():
        response = Response.objects.create(
            jurisdiction=Jurisdiction.objects.get(code=code), version=version,
            status="approved", synthetic=True)
        for name, value in values.items():
            Answer.objects.create(response=response, path=f"stakeholders_section/{name}",
                                  value=value)
    document = _json("compute", "ireg-stakeholder-engagement", "--questionnaire",
                     "country-survey", "--json")
    units = {u["unit"]: u for u in document["units"]}
    assert set(units) == {"FRA", "DEU"}
    assert units["FRA"]["indicators"]["se_strategy"] == 1.0
    assert units["DEU"]["indicators"]["se_strategy"] == 0.0
    assert units["DEU"]["indicators"]["se_drafts_public"] == 0.5
    assert units["FRA"]["indicators"]["se_drafts_public"] is None  # not answered: not 0
    # A questionnaire without the framework's questions is refused with the reason.
    import_questionnaire(REPO_PRACTICE, "practice", publish=True)
    with pytest.raises(CommandError, match="cannot score 'practice'"):
        call_command("indicators", "compute", "ireg-stakeholder-engagement",
                     "--questionnaire", "practice", stdout=io.StringIO())
