"""Demo step: the three shipped frameworks computed on the demo responses, beside the real
2021 iREG country scores.

The frameworks (``indicators/frameworks/*.xlsx``) are imported (the same file again
changes nothing), computed on the synthetic IO Survey responses, and their rank intervals
and sensitivity indices computed from a fixed seed. The OECD iREG file is read as it is
from the shared data folder (``$IOCOMPENDIUM_REGULATORY_DATA``, else
``../shared/data/regulatory`` beside the checkout); without it the country scores are
skipped with a sentence saying so. Idempotent.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from iocompendium.indicators import countries, services
from iocompendium.questionnaires.models import Questionnaire

SURVEY = "io-survey"
RUNS, SEED = 200, 2026
IREG_FILE = Path("oecd-ireg") / "oecd_ireg_2021_indicators.csv"


def regulatory_folder() -> Path:
    configured = os.environ.get("IOCOMPENDIUM_REGULATORY_DATA")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3].parent / "shared" / "data" / "regulatory"


def run(context: Any) -> None:
    if not Questionnaire.objects.filter(slug=SURVEY).exists():
        context.write(f"Indicators skipped: no '{SURVEY}' questionnaire.")
        return
    imported = services.import_shipped()
    for item in imported:
        services.run_sensitivity(item.version.framework.slug, RUNS, SEED)
    context.lines.append(
        f"Indicators: {len(imported)} frameworks computed on the synthetic responses "
        f"({RUNS} Monte Carlo runs, seed {SEED}).")
    path = regulatory_folder() / IREG_FILE
    if not path.is_file():
        context.lines.append(f"Country scores skipped: {path} not found.")
        return
    result = countries.import_country_scores(path)
    context.lines.append(f"Country scores: {result.stored} OECD iREG values (2014-2021). "
                         f"{result.dataset.attribution}")
