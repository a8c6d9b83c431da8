"""The ``instruments`` command: import (all or nothing), generate, families, search."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from iocompendium.instruments import synthetic
from iocompendium.instruments.models import Instrument

pytestmark = pytest.mark.django_db
SYNTHETIC_MAPPING = (Path(__file__).resolve().parents[2] / "src" / "iocompendium" / "data"
                     / "mappings" / "synthetic.json")


def test_generator_is_seeded_and_realistic(tmp_path):
    one, two = tmp_path / "a.csv", tmp_path / "b.csv"
    synthetic.write_csv(one, 500, seed=4)
    synthetic.write_csv(two, 500, seed=4)
    assert one.read_bytes() == two.read_bytes()
    frame = pd.read_csv(one, dtype=str, keep_default_na=False)
    assert list(frame.columns) == synthetic.COLUMNS and len(frame) == 500
    assert frame["key"].is_unique
    # Organisations differ in size (Zipf): the largest makes far more than the median.
    sizes = frame["organisation"].value_counts()
    assert sizes.iloc[0] > 3 * sizes.median()


def test_import_synthetic_then_families_and_search(tmp_path, capsys):
    path = tmp_path / "synthetic.csv"
    call_command("instruments", "generate", "-n", "300", "-o", str(path), "--seed", "2")
    call_command("instruments", "import", str(path), "--mapping", str(SYNTHETIC_MAPPING))
    assert Instrument.objects.count() == 300
    call_command("instruments", "families", "--json", "--seed", "2", "--bootstrap", "5")
    out = capsys.readouterr().out
    summary = json.loads(out[out.index("{"):])
    assert sum(f["size"] for f in summary["families"]) == 300
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    expected = int((frame["type"] == "Standard").sum())
    call_command("instruments", "search", "", "--facet", "type=Standard", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["total"] == expected


def test_bad_rows_refuse_the_whole_file(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    synthetic.write_csv(path, 20, seed=3)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[5, "title"] = ""
    frame.loc[9, "date"] = "not a date"
    frame.to_csv(path, index=False)
    with pytest.raises(CommandError, match="not imported"):
        call_command("instruments", "import", str(path), "--mapping", str(SYNTHETIC_MAPPING))
    err = capsys.readouterr().err
    assert "error: row 7, column title" in err
    assert "warning: row 11, column date" in err
    assert Instrument.objects.count() == 0


@pytest.mark.parametrize("args", [
    ["import", "missing.csv", "--mapping", str(SYNTHETIC_MAPPING)],
    ["import", __file__, "--mapping", "missing.json"],
    ["import", __file__, "--mapping", str(SYNTHETIC_MAPPING), "--organisation", "NOPE"],
    ["search", "x", "--facet", "nonsense"],
    ["families"],
])
def test_bad_input_is_one_sentence(args):
    with pytest.raises(CommandError):
        call_command("instruments", *args)
