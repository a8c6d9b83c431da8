"""Write a SYNTHETIC REACH CSV (``reach_synthetic.py``) as an .xlsx workbook, for the
streamed .xlsx import benchmark (issue 11).

    .venv/bin/python benchmarks/reach_synthetic_xlsx.py BIG.csv --rows 5000 -o FILE.xlsx

The first N rows, one sheet; a cell that reads as a whole or decimal number is written as
a number (as KoboToolbox's and R's exports do), every other cell as text. Written by
openpyxl in write-only mode, row by row.
"""

from __future__ import annotations

import argparse
import csv
import re
from pathlib import Path

NUMBER = re.compile(r"-?(0|[1-9]\d{0,14})(\.\d+)?")


def cell(text: str):
    if text == "":
        return None
    if NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("-o", "--output", required=True)
    options = parser.parse_args()
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    with Path(options.input).open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        sheet.append(next(reader))
        for written, record in enumerate(reader):
            if written == options.rows:
                break
            sheet.append([cell(text) for text in record])
    workbook.save(options.output)
    print(f"Wrote {options.output}: {min(written + 1, options.rows):,} synthetic rows.")


if __name__ == "__main__":
    main()
