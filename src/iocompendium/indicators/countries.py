"""Published country scores, read from the files as their publishers serve them.

Layouts recognised from the header (no option needed):

* **OECD iREG** (SDMX CSV, "labels off"): ``REF_AREA``, ``MEASURE`` (SA, RIA, EPE),
  ``REGULATORY_CATEGORY`` (``P``/``S`` totals for primary laws / subordinate regulations;
  ``P_SA`` systematic adoption, ``P_M`` methodology, ``P_O`` oversight and quality
  control, ``P_TR`` transparency), ``TIME_PERIOD``, ``OBS_VALUE``. Categories 0-1, totals
  0-4. ``EU`` and ``OECD_REP`` (the OECD average) are kept, labelled.
* **World Bank GIRG 2016** (the score workbook, or its CSV copy): ``Economy`` and six
  components 0-1, ``Consolidated regulatory governance score`` 0-6; economies named in
  World Bank style (matched with the registry, then country_converter).
* **World Bank GIRG 2018** (GovData360 wide CSV): ``country``, ``countryiso3``, five
  ``score_...`` components 0-1 and ``score_regulatory_governan...`` 0-5.
* **Simple CSV** (documented in the guide): ``jurisdiction`` (ISO alpha-3 or alpha-2 code,
  or an English or French name), ``year``, ``composite``, ``category`` (empty = the
  total), ``score``, optionally ``instrument``; its source, licence and attribution are
  given on import.

Every value out of its range or naming an unknown economy is a problem with its row
and column; the import is all or nothing unless ``keep_valid`` is asked.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db import transaction

from iocompendium.indicators.models import CountryDataset, CountryScore
from iocompendium.registry.jurisdiction_services import find_jurisdiction, jurisdiction_index

OECD_ATTRIBUTION = (
    "OECD (2021), Indicators of Regulatory Policy and Governance (iREG), OECD Data "
    "Explorer, dataflow OECD.GOV.GIP:DSD_GOV_REG@DF_GOV_REG_2023, "
    "https://data-explorer.oecd.org (retrieved in 2024 or earlier, via "
    "blavatnik-index/bipa2024_sourcedata)."
)
OECD_LICENCE = ("OECD Terms and Conditions (reuse including commercial, with attribution; "
                "the acknowledgement requirement passes to anyone the data is shared with)")
GIRG_2016_ATTRIBUTION = (
    "The World Bank: Global Indicators of Regulatory Governance, 2016 scores: "
    "rulemaking.worldbank.org. Licence: CC BY 4.0."
)
GIRG_2018_ATTRIBUTION = (
    "The World Bank: Global Indicators of Regulatory Governance, 2018 scores: GovData360 "
    "(dataset 429). Licence: CC BY 4.0. Compiled by the COVID19_metadata project "
    "(van Lissa et al.)."
)
OECD_CATEGORIES = {"SA": "systematic_adoption", "M": "methodology", "O": "oversight",
                   "TR": "transparency"}
OECD_INSTRUMENTS = {"P": "primary", "S": "subordinate"}
AGGREGATES = {"EU": "European Union", "OECD_REP": "OECD average country",
              "OECD": "OECD average country"}
GIRG_2016_COLUMNS = {
    "Publication of proposed text": "publication_of_proposed_text",
    "Conduct consultation": "conduct_consultation",
    "Report  on results of the consultation results": "report_on_consultation_results",
    "Conduct impact assessment": "conduct_impact_assessment",
    "Specialized body for impact assessment": "specialised_body_for_impact_assessment",
    "Impact assessment made public": "impact_assessment_made_public",
}
GIRG_2016_TOTAL = "Consolidated regulatory governance score"
GIRG_2018_COLUMNS = {
    "score_consultation_on_pro": "consultation_on_proposed_regulations",
    "score_publication_of_forw": "publication_of_forward_regulatory_plans",
    "score_laws_are_made_publi": "laws_are_made_publicly_accessible",
    "score_report_back_on_the_": "report_back_on_consultation_results",
    "score_conduct_regulatory_": "conduct_regulatory_impact_assessment",
}
GIRG_2018_TOTAL = "score_regulatory_governan"
SIMPLE_COLUMNS = ("jurisdiction", "year", "composite", "category", "score")


class CountryImportError(ValueError):
    """The file cannot be imported: one sentence, and the problems found."""

    def __init__(self, message: str, problems: list[CountryProblem] | None = None) -> None:
        self.problems = problems or []
        super().__init__(message)


@dataclass(frozen=True)
class CountryProblem:
    row: int  # 1-based line of the file (header = 1)
    column: str
    message: str

    def line(self) -> str:
        return f"row {self.row}, {self.column}: {self.message}"

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Parsed:
    source: str
    title: str
    publisher: str
    licence: str
    attribution: str
    category_max: float | None
    composite_max: float | None
    layout: str
    # (row, area code, area name, year, composite, instrument, category, score)
    values: list[tuple[int, str, str, int, str, str, str, float]] = field(default_factory=list)
    problems: list[CountryProblem] = field(default_factory=list)


@dataclass
class CountryImport:
    dataset: CountryDataset
    layout: str
    stored: int
    problems: list[CountryProblem]

    def as_json(self) -> dict:
        return {"source": self.dataset.source, "layout": self.layout, "stored": self.stored,
                "problems": [p.as_dict() for p in self.problems],
                "attribution": self.dataset.attribution, "licence": self.dataset.licence}


# ------------------------------------------------------------------------------ reading


def _csv_rows(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    import openpyxl

    from iocompendium.web.limits import check_file

    check_file("scores.xlsx", data)
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheet = workbook[workbook.sheetnames[0]]
    rows = [["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return [row for row in rows if any(cell.strip() for cell in row)]


def _score(text: str, low: float, high: float, row: int, column: str,
           problems: list[CountryProblem]) -> float | None:
    try:
        value = float(text)
    except ValueError:
        problems.append(CountryProblem(row, column, f"'{text}' is not a number."))
        return None
    if not math.isfinite(value) or value < low - 1e-9 or value > high + 1e-9:
        problems.append(CountryProblem(row, column, f"{value:g} is outside {low:g}–{high:g}."))
        return None
    return value


def _year(text: str, row: int, column: str, problems: list[CountryProblem]) -> int | None:
    if re.fullmatch(r"\d{4}", text.strip()):
        return int(text)
    problems.append(CountryProblem(row, column, f"'{text}' is not a year."))
    return None


class _Areas:
    """Economy codes and names -> (area code, name), the registry first."""

    def __init__(self) -> None:
        self.index = jurisdiction_index()

    def by_code(self, code: str) -> tuple[str, str] | None:
        if code in AGGREGATES:
            return code, AGGREGATES[code]
        found = find_jurisdiction(code, self.index)
        return (found.code, found.name_en) if found else None

    def by_name(self, name: str) -> tuple[str, str] | None:
        if name.strip().lower() == "european union":
            return "EU", AGGREGATES["EU"]
        found = find_jurisdiction(name, self.index)
        if found:
            return found.code, found.name_en
        code = _regex_iso3(name)
        if code:
            found = find_jurisdiction(code, self.index)
            return (code, found.name_en if found else name)
        return None


@lru_cache(maxsize=1)
def _name_patterns() -> list[tuple[re.Pattern, str]]:
    """country_converter's name patterns (its ``country_data.tsv``), read directly: its
    ``convert`` fails with the installed pandas (a missing regex read as NaN)."""
    table = importlib.resources.files("country_converter") / "country_data.tsv"
    with table.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return [(re.compile(row["regex"], re.IGNORECASE), row["ISO3"]) for row in rows
                if row.get("regex") and row.get("ISO3")]


def _regex_iso3(name: str) -> str | None:
    """The one ISO alpha-3 code whose pattern matches a World Bank style name, or None."""
    codes = {code for pattern, code in _name_patterns() if pattern.search(name)}
    return codes.pop() if len(codes) == 1 else None


def parse_oecd(rows: list[list[str]]) -> Parsed:
    parsed = Parsed("oecd-ireg", "OECD Indicators of Regulatory Policy and Governance (iREG)",
                    "OECD", OECD_LICENCE, OECD_ATTRIBUTION, 1.0, 4.0, "oecd-sdmx")
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    areas = _Areas()
    for number, row in enumerate(rows[1:], start=2):
        def cell(name: str, row=row) -> str:
            return row[col[name]].strip() if col[name] < len(row) else ""

        area = areas.by_code(cell("REF_AREA"))
        if area is None:
            parsed.problems.append(CountryProblem(number, "REF_AREA",
                                                  f"'{cell('REF_AREA')}' is not a known "
                                                  "jurisdiction code."))
        measure = cell("MEASURE")
        instrument, _, category = cell("REGULATORY_CATEGORY").partition("_")
        if instrument not in OECD_INSTRUMENTS or (category and category not in OECD_CATEGORIES):
            parsed.problems.append(CountryProblem(
                number, "REGULATORY_CATEGORY",
                f"'{cell('REGULATORY_CATEGORY')}' is not P, S or P_/S_ followed by SA, M, O "
                "or TR."))
            continue
        high = 1.0 if category else 4.0
        score = _score(cell("OBS_VALUE"), 0.0, high, number, "OBS_VALUE", parsed.problems)
        year = _year(cell("TIME_PERIOD"), number, "TIME_PERIOD", parsed.problems)
        if not measure:
            parsed.problems.append(CountryProblem(number, "MEASURE", "the measure is empty."))
            continue
        if area and score is not None and year:
            parsed.values.append((number, area[0], area[1], year, measure,
                                  OECD_INSTRUMENTS[instrument],
                                  OECD_CATEGORIES.get(category, ""), score))
    return parsed


def parse_girg_2016(rows: list[list[str]]) -> Parsed:
    parsed = Parsed("worldbank-girg-2016",
                    "World Bank Global Indicators of Regulatory Governance, 2016",
                    "World Bank", "CC BY 4.0", GIRG_2016_ATTRIBUTION, 1.0, 6.0, "girg-2016")
    header = rows[0]
    col = {name: i for i, name in enumerate(header)}
    missing = [c for c in [*GIRG_2016_COLUMNS, GIRG_2016_TOTAL] if c not in col]
    if missing:
        raise CountryImportError(f"the GIRG 2016 columns {', '.join(missing)} are missing.")
    areas = _Areas()
    for number, row in enumerate(rows[1:], start=2):
        name = row[col["Economy"]].strip()
        area = areas.by_name(name)
        if area is None:
            parsed.problems.append(CountryProblem(number, "Economy",
                                                  f"'{name}' is not an economy the registry "
                                                  "or country_converter knows."))
            continue
        for column, category in [*GIRG_2016_COLUMNS.items(), (GIRG_2016_TOTAL, "")]:
            score = _score(row[col[column]], 0.0, 1.0 if category else 6.0, number, column,
                           parsed.problems)
            if score is not None:
                parsed.values.append((number, area[0], area[1], 2016, "GIRG", "", category,
                                      score))
    return parsed


def parse_girg_2018(rows: list[list[str]]) -> Parsed:
    parsed = Parsed("worldbank-girg-2018",
                    "World Bank Global Indicators of Regulatory Governance, 2018",
                    "World Bank", "CC BY 4.0", GIRG_2018_ATTRIBUTION, 1.0, 5.0, "girg-2018")
    header = rows[0]
    columns = []
    for prefix, category in [*GIRG_2018_COLUMNS.items(), (GIRG_2018_TOTAL, "")]:
        index = next((i for i, h in enumerate(header) if h.startswith(prefix)), None)
        if index is None:
            raise CountryImportError(f"the GIRG 2018 column {prefix}... is missing.")
        year = re.search(r"_(\d{4})$", header[index])
        columns.append((index, header[index], category, int(year.group(1)) if year else 2018))
    iso = header.index("countryiso3")
    areas = _Areas()
    for number, row in enumerate(rows[1:], start=2):
        area = areas.by_code(row[iso].strip()) or areas.by_name(row[header.index("country")])
        if area is None:
            parsed.problems.append(CountryProblem(number, "countryiso3",
                                                  f"'{row[iso]}' is not a known code."))
            continue
        for index, column, category, year in columns:
            if not row[index].strip():
                continue  # a missing value is absent, not zero
            score = _score(row[index], 0.0, 1.0 if category else 5.0, number, column,
                           parsed.problems)
            if score is not None:
                parsed.values.append((number, area[0], area[1], year, "GIRG", "", category,
                                      score))
    return parsed


def parse_simple(rows: list[list[str]], source: str = "", title: str = "", licence: str = "",
                 attribution: str = "", publisher: str = "") -> Parsed:
    if not (source and licence and attribution):
        raise CountryImportError("a simple CSV needs --source, --licence and --attribution "
                                 "(show the publisher's attribution with its scores).")
    parsed = Parsed(source, title or source, publisher, licence, attribution, None, None,
                    "simple-csv")
    header = [h.strip().lower() for h in rows[0]]
    col = {name: i for i, name in enumerate(header)}
    areas = _Areas()
    for number, row in enumerate(rows[1:], start=2):
        def cell(name: str, row=row) -> str:
            i = col.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        area = areas.by_code(cell("jurisdiction").upper()) or areas.by_name(cell("jurisdiction"))
        if area is None:
            parsed.problems.append(CountryProblem(number, "jurisdiction",
                                                  f"'{cell('jurisdiction')}' is not a known "
                                                  "jurisdiction."))
        year = _year(cell("year"), number, "year", parsed.problems)
        if not cell("composite"):
            parsed.problems.append(CountryProblem(number, "composite", "composite is empty."))
        score = _score(cell("score"), -math.inf, math.inf, number, "score", parsed.problems) \
            if cell("score") else None
        if not cell("score"):
            parsed.problems.append(CountryProblem(number, "score", "score is empty."))
        if area and year and cell("composite") and score is not None:
            parsed.values.append((number, area[0], area[1], year, cell("composite"),
                                  cell("instrument"), cell("category"), score))
    return parsed


def parse(path: str | Path, data: bytes | None = None, **simple: str) -> Parsed:
    """Read a country-score file, its layout recognised from its header."""
    path = Path(path)
    data = path.read_bytes() if data is None else data
    try:
        rows = _xlsx_rows(data) if path.suffix.lower() == ".xlsx" else _csv_rows(data)
    except UnicodeDecodeError as error:
        raise CountryImportError(f"{path.name} is not UTF-8 text.") from error
    except Exception as error:  # noqa: BLE001 - unreadable files: one sentence
        if isinstance(error, CountryImportError):
            raise
        raise CountryImportError(f"{path.name} cannot be read as a table: {error}") from error
    if not rows:
        raise CountryImportError(f"{path.name} is empty.")
    header = [h.strip() for h in rows[0]]
    rows[0] = header
    if {"REF_AREA", "MEASURE", "REGULATORY_CATEGORY", "OBS_VALUE"} <= set(header):
        return parse_oecd(rows)
    if "Economy" in header and GIRG_2016_TOTAL in header:
        return parse_girg_2016(rows)
    if "countryiso3" in header and any(h.startswith(GIRG_2018_TOTAL) for h in header):
        return parse_girg_2018(rows)
    if set(SIMPLE_COLUMNS) <= {h.lower() for h in header}:
        return parse_simple(rows, **simple)
    raise CountryImportError(
        f"{path.name}: the layout is not recognised; the columns must be the OECD's SDMX CSV, "
        "the World Bank GIRG 2016 or 2018 file, or jurisdiction, year, composite, category, "
        "score.")


# ------------------------------------------------------------------------------ storing


def import_country_scores(path: str | Path, *, data: bytes | None = None,
                          keep_valid: bool = False, **simple: str) -> CountryImport:
    """Import a country-score file, replacing the scores of its source (all or nothing:
    with any problem nothing is written, unless ``keep_valid``)."""
    parsed = parse(path, data, **simple)
    if parsed.problems and not keep_valid:
        raise CountryImportError(
            f"{len(parsed.problems)} problem(s) in {Path(path).name}; nothing imported "
            f"(first: {parsed.problems[0].line()}).", parsed.problems)
    index = jurisdiction_index()
    seen: dict[tuple, int] = {}
    problems = list(parsed.problems)
    objects = []
    with transaction.atomic():
        dataset, _ = CountryDataset.objects.update_or_create(
            source=parsed.source,
            defaults={"title": parsed.title, "publisher": parsed.publisher,
                      "licence": parsed.licence, "attribution": parsed.attribution,
                      "file_name": Path(path).name, "category_max": parsed.category_max,
                      "composite_max": parsed.composite_max},
        )
        dataset.scores.all().delete()
        for row, area, name, year, composite, instrument, category, score in parsed.values:
            key = (area, year, composite, instrument, category)
            if key in seen:
                problems.append(CountryProblem(row, "score", f"the same score is already given "
                                                            f"on row {seen[key]}."))
                continue
            seen[key] = row
            objects.append(CountryScore(
                dataset=dataset, jurisdiction=find_jurisdiction(area, index)
                if area not in AGGREGATES else None, area=area, area_name=name, year=year,
                composite=composite, instrument=instrument, category=category, score=score))
        if problems and not keep_valid:
            transaction.set_rollback(True)
            raise CountryImportError(
                f"{len(problems)} problem(s) in {Path(path).name}; nothing imported "
                f"(first: {problems[0].line()}).", problems)
        CountryScore.objects.bulk_create(objects, batch_size=2000)
    return CountryImport(dataset, parsed.layout, len(objects), problems)
