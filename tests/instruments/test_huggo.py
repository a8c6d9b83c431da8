"""The real HUGGO agreements (CC BY 4.0, Hollway et al.): import counts, search totals and
families, each checked against plain pandas counts of the CSV."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from django.core.management import call_command

from iocompendium.instruments import selectors, services
from iocompendium.instruments.models import Instrument

pytestmark = pytest.mark.django_db
MISSING = {"", "NA", "N/A", "None", "NULL", "-"}


@pytest.fixture
def frame(huggo_csv) -> pd.DataFrame:
    return pd.read_csv(huggo_csv, dtype=str, keep_default_na=False)


@pytest.fixture
def imported(huggo_csv, huggo_mapping):
    return services.import_instruments(huggo_csv, huggo_mapping)


def test_counts_by_type_equal_the_file(frame, imported, huggo_csv, huggo_mapping):
    expected = frame["TypeAgree"].where(~frame["TypeAgree"].isin(MISSING), "").value_counts()
    stored = pd.Series(
        Instrument.objects.values_list("native_type", flat=True)
    ).value_counts()
    assert imported.rows == len(frame) == Instrument.objects.count()
    assert stored.sort_index().to_dict() == expected.sort_index().to_dict()
    assert imported.created == len(frame)
    check_odd_dates(frame, imported)
    check_reimport_is_idempotent(huggo_csv, huggo_mapping, imported)


def check_reimport_is_idempotent(huggo_csv, huggo_mapping, imported):
    again = services.import_instruments(huggo_csv, huggo_mapping)
    assert (again.created, again.updated) == (0, 0)
    assert Instrument.objects.count() == imported.rows
    assert selectors.search_instruments("")["total"] == imported.rows


def check_odd_dates(frame, imported):
    dates = frame["Signature"].where(~frame["Signature"].isin(MISSING), frame["Begin"])
    # Partial ISO dates (YYYY, YYYY-MM) are valid; anything else is a reported problem.
    odd_rows = {
        index + 2 for index, value in dates.items()
        if value not in MISSING and not re.fullmatch(r"\d{4}(-\d{2}){0,2}", value)
    }
    reported = {p.row for p in imported.warnings if p.column in {"Signature", "Begin"}}
    assert odd_rows and odd_rows == reported
    partial = dates[dates.str.fullmatch(r"\d{4}-\d{2}")]
    stored = dict(Instrument.objects.values_list("title", "date_adopted"))
    for index, value in partial.items():
        assert stored[frame.loc[index, "Title"]] == value


def _searchable(frame: pd.DataFrame) -> pd.Series:
    """The text the search covers, per row, built independently from the CSV columns."""
    def clean(column):
        return frame[column].where(~frame[column].isin(MISSING), "")
    organisation = clean("Secretariat").where(clean("Secretariat") != "", clean("Depository"))
    parts = [clean("Title"), clean("TitleAlt"), clean("TypeAgree"), clean("TypeDomain"),
             clean("TypeSubject"), organisation]
    return pd.concat(parts, axis=1).agg(" ".join, axis=1).str.lower()


QUERIES = [["convention"], ["fishing"], ["rhine"], ["protocol", "sea"], ["whaling"],
           ["danube", "navigation"]]


def test_search_totals_match_independent_counts(frame, imported, capsys):
    # One import for all the search checks: the import is the slow part.
    text = _searchable(frame)
    for words in QUERIES:
        mask = pd.Series(True, index=frame.index)
        for word in words:
            mask &= text.str.contains(rf"(?<![0-9a-z]){word}(?![0-9a-z])", regex=True)
        result = selectors.search_instruments(" ".join(words), limit=5)
        assert result["total"] == int(mask.sum()) > 0, words
    check_facet_counts(frame)
    check_phrase_search(frame)
    check_search_command_json_contract(capsys)


def check_facet_counts(frame):
    title = frame["Title"].str.lower()
    mask = title.str.contains(r"(?<![0-9a-z])agreement(?![0-9a-z])", regex=True)
    rows = frame[mask | _searchable(frame).str.contains(r"\bagreement\b")]
    expected = rows["TypeAgree"].where(~rows["TypeAgree"].isin(MISSING), None).dropna()
    result = selectors.search_instruments("agreement")
    assert result["total"] == len(rows)
    assert result["facets"]["type"] == expected.value_counts().to_dict()
    filtered = selectors.search_instruments("agreement", {"type": ["Protocol"]})
    assert filtered["total"] == int((expected == "Protocol").sum())


def check_phrase_search(frame):
    text = _searchable(frame)
    expected = int(text.str.contains("marine pollution", regex=False).sum())
    assert selectors.search_instruments('"marine pollution"')["total"] == expected


def test_families_are_stable_and_deterministic(imported):
    services.compute_families(seed=3, bootstrap=10)
    first = selectors.families_summary("en")
    assert first["stability"]["mean"] >= 0.8
    assert 2 <= first["k"] <= 10
    assert sum(f["size"] for f in first["families"]) == imported.rows
    assert all(f["profile"] for f in first["families"])
    table = first["comparison"]["table"]
    assert sum(sum(row.values()) for row in table.values()) == imported.rows
    assignments = dict(Instrument.objects.values_list("external_key", "family__number"))
    services.compute_families(seed=3, bootstrap=10)
    again = selectors.families_summary("fr")
    assert dict(Instrument.objects.values_list("external_key", "family__number")) == assignments
    assert [f["size"] for f in again["families"]] == [f["size"] for f in first["families"]]
    assert again["families"][0]["profile"] != first["families"][0]["profile"]  # French words
    assert "Hollway" in again["attribution"][0]


def check_search_command_json_contract(capsys):
    call_command("instruments", "search", "fishing", "--facet", "legal_effect=binding",
                 "--json", "--limit", "3")
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"total", "facets", "results"}
    assert data["total"] == selectors.search_instruments("fishing", {"legal_effect": ["binding"]})[
        "total"]
    assert len(data["results"]) == 3
    for item in data["results"]:
        assert set(item) >= {"key", "title", "organisation", "type", "legal_effect", "year",
                             "family", "snippet"}
    assert set(data["facets"]) == set(selectors.FACETS)


def test_huggo_and_another_source_share_the_families(imported, frame):
    # A second, SYNTHETIC source of agreements and standards: both sources go through the
    # same type mapping into one typology, and the families page filters by source.
    from tests.instruments.test_curation import make_instruments

    make_instruments("csv", [("Agreement", "binding", "states", 8),
                             ("Standard", "non_binding", "technical_committee", 12)])
    services.compute_families(seed=1, bootstrap=8)
    summary = selectors.families_summary("en")
    assert summary["stability"]["mean_ari"] >= 0.85
    huggo = selectors.family_counts(source="HUGGO")
    synthetic = selectors.family_counts(source="Synthetic")
    assert sum(huggo.values()) == len(frame) == imported.rows
    assert sum(synthetic.values()) == 20
    agreement = Instrument.objects.get(external_key="csv-Agreement-0").family.number
    huggo_agreements = Instrument.objects.filter(source__name="HUGGO",
                                                 native_type="Agreement")
    # The synthetic agreements sit in a family that also holds HUGGO agreements.
    assert huggo_agreements.filter(family__number=agreement).exists()
