from __future__ import annotations

from pathlib import Path

import pytest

MAPPINGS = Path(__file__).resolve().parents[2] / "src" / "iocompendium" / "data" / "mappings"


@pytest.fixture
def huggo_csv(shared_data) -> Path:
    path = shared_data / "instruments" / "huggo_agreements.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    return path


@pytest.fixture
def huggo_mapping() -> Path:
    return MAPPINGS / "huggo.json"
