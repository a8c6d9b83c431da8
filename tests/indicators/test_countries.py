"""Country scores read from the real files as their publishers serve them (OECD iREG SDMX
CSV, World Bank GIRG 2016 workbook and CSV, GIRG 2018 CSV) and from the documented simple
CSV: counts checked against pandas, problems with row and column, all or nothing."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from iocompendium.indicators import countries, selectors
from iocompendium.indicators.models import CountryDataset, CountryScore

pytestmark = pytest.mark.django_db


@pytest.fixture
def regulatory(shared_data):
    folder = shared_data / "regulatory"
    if not folder.is_dir():
        pytest.skip(f"{folder} not found")
    return folder


def test_oecd_ireg_file_as_served(regulatory):
    path = regulatory / "oecd-ireg" / "oecd_ireg_2021_indicators.csv"
    table = pd.read_csv(path, dtype=str)
    result = countries.import_country_scores(path)
    assert result.layout == "oecd-sdmx" and not result.problems
    assert result.stored == len(table) == CountryScore.objects.count() == 3740
    scores = CountryScore.objects.filter(dataset__source="oecd-ireg")
    # Missing values stay absent: no primary-law engagement scores for the United States.
    assert not scores.filter(area="USA", composite="SA", instrument="primary").exists()
    assert scores.filter(area="USA", composite="EPE", instrument="primary").exists()
    # Aggregates kept and labelled; countries linked to the registry.
    assert scores.filter(area="OECD_REP", jurisdiction=None).exists()
    assert scores.filter(area="EU").exists()
    assert scores.filter(area="FRA", jurisdiction__code="FRA").exists()
    # Every value as in the file (checked with pandas, not the importer).
    row = table[(table.REF_AREA == "FRA") & (table.MEASURE == "SA")
                & (table.REGULATORY_CATEGORY == "S_TR") & (table.TIME_PERIOD == "2021")]
    stored = scores.get(area="FRA", composite="SA", instrument="subordinate",
                        category="transparency", year=2021)
    assert stored.score == float(row.OBS_VALUE.iloc[0])
    dataset = CountryDataset.objects.get(source="oecd-ireg")
    assert "OECD (2021), Indicators of Regulatory Policy and Governance" in dataset.attribution
    assert {r["year"] for r in selectors.country_scores("SA")} == {2014, 2017, 2021}
    # A second import replaces, never duplicates.
    countries.import_country_scores(path)
    assert CountryScore.objects.count() == 3740


@pytest.mark.parametrize("name", ["Scores-Global-Indicators-of-Regulatory-Governance-2016.xlsx",
                                  "girg_2016_scores.csv"])
def test_girg_2016_workbook_and_csv(regulatory, name):
    path = regulatory / "girg-2016" / name
    result = countries.import_country_scores(path)
    table = pd.read_csv(regulatory / "girg-2016" / "girg_2016_scores.csv")
    assert result.layout == "girg-2016" and not result.problems
    assert result.stored == len(table) * 7 == 186 * 7
    scores = CountryScore.objects.filter(dataset__source="worldbank-girg-2016")
    assert scores.filter(area="EU", category="").exists()
    bahamas = table[table.Economy == "Bahamas, The"].iloc[0]
    assert scores.get(area="BHS", category="").score == bahamas[
        "Consolidated regulatory governance score"]
    assert "CC BY 4.0" in CountryDataset.objects.get(source="worldbank-girg-2016").attribution


def test_girg_2018_out_of_range_value_is_reported_not_imported(regulatory):
    path = regulatory / "girg-2018" / "regulatory_governance.csv"
    with pytest.raises(countries.CountryImportError) as caught:
        countries.import_country_scores(path)
    problems = caught.value.problems
    table = pd.read_csv(path)
    tto = int(table.index[table.countryiso3 == "TTO"][0]) + 2  # header is row 1
    assert [(p.row, p.column) for p in problems] == [
        (tto, "score_conduct_regulatory_.40995_2018")]
    assert "24 is outside 0–1" in problems[0].message
    assert not CountryScore.objects.exists() and not CountryDataset.objects.exists()
    # Asked to keep the valid values: everything but the one bad value.
    result = countries.import_country_scores(path, keep_valid=True)
    assert result.stored == len(table) * 6 - 1 and len(result.problems) == 1


def test_simple_csv_documented_layout(db, tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("jurisdiction,year,composite,category,score\n"
                    "FRA,2021,SA,,2.5\nFrance,2021,SA,transparency,0.75\n"
                    "Atlantis,2021,SA,,1\nDEU,20x1,SA,,1\n", encoding="utf-8")
    with pytest.raises(countries.CountryImportError, match="--source"):
        countries.import_country_scores(path)
    simple = {"source": "example", "title": "Example", "licence": "CC BY 4.0",
              "attribution": "Example scores (synthetic, for this test)."}
    with pytest.raises(countries.CountryImportError) as caught:
        countries.import_country_scores(path, **simple)
    assert [(p.row, p.column) for p in caught.value.problems] == [(4, "jurisdiction"),
                                                                  (5, "year")]
    assert not CountryScore.objects.exists()
    out = io.StringIO()
    call_command("indicators", "countries", "import", str(path), "--keep-valid", "--json",
                 *[f"--{k}={v}" for k, v in simple.items()], stdout=out)
    document = json.loads(out.getvalue())
    assert document["stored"] == 2 and len(document["problems"]) == 2
    assert document["attribution"] == simple["attribution"]
    with pytest.raises(CommandError):
        call_command("indicators", "countries", "import", str(path), stdout=io.StringIO(),
                     stderr=io.StringIO())
