"""Demo step: the results report of the demo's (synthetic) responses, in the data folder.

Writes ``generated/reports/io-survey-report-approved-*``: JSON, XLSX and HTML (English);
with ``demo --with-pdf`` also the French HTML and the PDF in both languages. Prints where.
Re-running overwrites the same files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings

from iocompendium.atomic import write_bytes_atomic
from iocompendium.evidence.selectors import DEFAULT_SLUG, EvidenceError, respondents
from iocompendium.evidence.services import build_report

# Each chart costs a Vega rendering and each PDF a WeasyPrint layout (about 15 s a
# language), so the quick demo builds the three fast formats; the others are one command
# away (``iocompendium report --lang fr -o report-fr.pdf``) or ``demo --with-pdf``.
QUICK_BUILDS = [("en", "json"), ("en", "xlsx"), ("en", "html")]
PDF_BUILDS = [("fr", "html"), ("en", "pdf"), ("fr", "pdf")]


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
    with_pdf = bool(context.options.get("with_pdf"))
    for lang, fmt in QUICK_BUILDS + (PDF_BUILDS if with_pdf else []):
        name, data = build_report(DEFAULT_SLUG, lang=lang, fmt=fmt)
        write_bytes_atomic(folder / name, data)
    formats = ("JSON, XLSX, HTML and PDF in English and French" if with_pdf else
               "JSON, XLSX, HTML; PDF: iocompendium report -o report.pdf")
    context.lines.append(
        f"Results report of the demo (synthetic data) in {folder} "
        f"({formats}) — {time.monotonic() - started:.1f} s."
    )
