"""A secretariat's own small framework for a form it did not write: the REACH Lebanon MSNA
2022 household survey (submission unit, 632 real submissions), written cell by cell,
imported, and scored per household; the scores checked with pandas on the submissions
file itself."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.questionnaires.structure import iter_questions
from iocompendium.responses.importing import import_responses

from .conftest import write_framework

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FOLDER = "xlsforms/reach-lbn-msna-2022"
SOURCES = ["piped", "tap", "borehole", "well", "bottled", "trucking", "spring", "rainwater",
           "surface"]


def test_household_scores_of_a_hand_written_framework(shared_data, tmp_path):
    version, _ = import_questionnaire(shared_data / FOLDER / "form.xlsx", "reach-lbn",
                                      publish=True, unit="submission")
    report = import_responses("reach-lbn", shared_data / FOLDER / "submissions.xlsx",
                              policy="flag")
    assert report.applied
    paths = {ref.name: ref.path for ref in iter_questions(version.structure)}
    tree = [
        ["water", "composite", None, "Water access", "Accès à l'eau", None, None, None, None],
        ["access", "category", "water", "Sources", "Sources", None, None, None, None],
        ["safety", "category", "water", "Safe drinking water", "Eau potable sûre", None, None,
         None, None],
        ["sources", "indicator", "access", "Kinds of water source (3 or more)",
         "Types de sources d'eau (3 ou plus)", None, None, None, None],
        ["treated", "indicator", "safety", "Drinking water treated",
         "Eau de boisson traitée", None, None, None, None],
    ]
    rules = [
        ["sources", "count", paths["water_sources"], None, " ".join(SOURCES), 3, None, None,
         None, None],
        ["treated", "choice", paths["treat_drink_water"],
         "always_treat=1 sometimes_treat=0.5 never_treat=0", None, None, None, None, None,
         None],
    ]
    settings = {"slug": "reach-water", "title::English (en)": "Water access",
                "title::Français (fr)": "Accès à l'eau", "questionnaire": "reach-lbn",
                "missing": "na"}
    path = write_framework(tmp_path / "reach-water.xlsx", tree, rules, settings)
    call_command("indicators", "import", str(path), stdout=io.StringIO())
    out = io.StringIO()
    call_command("indicators", "compute", "reach-water", "--status", "all", "--json", stdout=out)
    units = {u["unit"]: u for u in json.loads(out.getvalue())["units"]}

    table = pd.read_excel(shared_data / FOLDER / "submissions.xlsx", dtype=str,
                          engine="calamine").set_index("X_uuid")
    assert len(units) == len(table) == 632
    checked = 0
    for uuid, row in table.iterrows():
        got = units[uuid]
        sources, treat = row["water_sources"], row["treat_drink_water"]
        expected_sources = (np.nan if pd.isna(sources) else
                            min(len(set(sources.split()) & set(SOURCES)), 3) / 3)
        table_scores = {"always_treat": 1, "sometimes_treat": 0.5, "never_treat": 0,
                        "dont_know": 0}
        if not pd.isna(treat) and treat not in table_scores:
            continue  # flagged on import (not in the list): not a valid answer
        expected_treated = np.nan if pd.isna(treat) else table_scores[treat]
        for name, value in (("sources", expected_sources), ("treated", expected_treated)):
            if np.isnan(value):
                assert got["indicators"][name] is None
            else:
                assert got["indicators"][name] == pytest.approx(value, abs=1e-12)
        present = [v for v in (expected_sources, expected_treated) if not np.isnan(v)]
        if present:
            assert got["score"] == pytest.approx(np.mean(present), abs=1e-12)
        else:
            assert got["score"] is None
        checked += 1
    assert checked > 600
    # A distribution, not a constant.
    scores = [u["score"] for u in units.values() if u["score"] is not None]
    assert len(set(scores)) > 3
