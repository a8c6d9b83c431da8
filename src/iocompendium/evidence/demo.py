"""Demo step: the results report of the demo's (synthetic) responses, in the data folder.

Writes ``generated/reports/io-survey-report-approved-*``: JSON, XLSX, HTML (English and
French) and PDF (English), and prints where. Re-running overwrites the same files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings

from iocompendium.evidence.selectors import DEFAULT_SLUG, EvidenceError, respondents
from iocompendium.evidence.services import build_report

# One PDF keeps the demo quick; the other languages and formats are one command away
# (``iocompendium report --lang fr -o report-fr.pdf``).
DEMO_BUILDS = [("en", "json"), ("en", "xlsx"), ("en", "html"), ("fr", "html"), ("en", "pdf")]


def run(context: Any) -> None:
    try:
        if respondents(DEFAULT_SLUG, ("approved",)).empty:
            context.write("Demo report skipped: no approved responses yet.")
            return
    except EvidenceError as error:
        context.write(f"Demo report skipped: {error}")
        return
    folder = Path(settings.GENERATED_DIR) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    for lang, fmt in DEMO_BUILDS:
        name, data = build_report(DEFAULT_SLUG, lang=lang, fmt=fmt)
        (folder / name).write_bytes(data)
    context.lines.append(
        f"Results report of the demo (synthetic data) in {folder} "
        f"(JSON, XLSX, HTML in English and French, PDF) — {time.monotonic() - started:.1f} s."
    )
