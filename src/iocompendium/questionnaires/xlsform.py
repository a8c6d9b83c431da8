"""XLSForm in and out: ``read_xlsform`` (through pyxform) and ``write_xlsform`` (openpyxl).

Reading uses pyxform's own parser (``get_xlsform`` reads the sheets, ``workbook_to_json``
validates them and resolves type aliases, groups, repeats and translations), then turns
pyxform's JSON into the *structure* of ``structure.py``. pyxform's JSON has no row
numbers and drops custom columns, so each node is matched back to its spreadsheet row
(in order, by name) to record ``row`` and read ``soft_constraint`` columns.

No Django import: the reader is usable from scripts and the expression tests.
"""

from __future__ import annotations

import copy
import csv
import re
import warnings
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from iocompendium.spreadsheets import xlsx_cell
from iocompendium.web import limits

from .attachments import ATTACHMENT_SUFFIXES, attach, from_file_node
from .engine import Problem, check_structure
from .structure import (
    CONTAINER_TYPES,
    LANGUAGE_NAMES,
    SUPPORTED_TYPES,
    Node,
    Structure,
    canonical_type,
    iter_nodes,
    language_code,
)

__all__ = ["XLSFormError", "read_xlsform", "write_xlsform", "language_key", "language_code",
           "form_language", "describe_problem", "SUPPORTED_SUFFIXES"]

SUPPORTED_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")

# Columns whose text is given per language.
TRANSLATED_COLUMNS = ("label", "hint", "required_message", "constraint_message",
                      "soft_constraint_message")
_PYXFORM_TYPES = {"select one": "select_one", "select all that apply": "select_multiple",
                  "select one external": "select_one_external"}
_ROW_RE = re.compile(r"\[row\s*:\s*(\d+)\]")
# The settings sheet's columns declaring the respondent unit (organisation, jurisdiction or
# submission) and what the tables call the units ("households"), per language.
UNIT_SETTING = "respondent_unit"
UNIT_LABEL_SETTING = "respondent_unit_label"
_SHEET_RE = re.compile(r"'(survey|choices|settings|external_choices|entities)' sheet")
_COLUMN_RE = re.compile(r"the '([\w:() -]+)' (?:value|column)")
_GENERATED_NAME_RE = re.compile(r"reserved_name_for_field_list_labels_\d+")
_END_RE = re.compile(r"^end[ _](group|repeat|loop)$")
_OR_OTHER_RE = re.compile(r"\s(or specify other|or_other|or other)\s*$", re.IGNORECASE)
_CODE_RE = re.compile(r"^(.*?)\s*\(([^()]+)\)\s*$")
# Names used when writing a language column back (``en`` -> ``English (en)``).
_LANGUAGE_NAMES = {code: names[0].capitalize() for code, names in LANGUAGE_NAMES.items()}
_WRITE_SURVEY_COLUMNS = ("relevant", "required", "constraint", "soft_constraint",
                         "calculation", "default", "read_only", "choice_filter",
                         "appearance", "repeat_count")


class XLSFormError(Exception):
    """An XLSForm that cannot be imported; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(" ".join(describe_problem(problem) for problem in self.problems))


def describe_problem(problem: Problem) -> str:
    """One sentence: where (sheet, row, column) and what."""
    where = []
    if problem.sheet:
        where.append(f"sheet '{problem.sheet}'")
    if problem.row:
        where.append(f"row {problem.row}")
    if problem.column:
        where.append(f"column '{problem.column}'")
    message = problem.message.strip()
    if not message.endswith((".", "?", "!")):
        message += "."
    return f"{', '.join(where).capitalize()}: {message}" if where else message


def language_key(name: str) -> str:
    """``English (en)`` -> ``en``; ``english`` -> ``english``; ``default`` stays."""
    name = name.strip()
    match = _CODE_RE.match(name)
    return match.group(2).strip() if match else name


def form_language(structure: Structure, wanted: str | None) -> str | None:
    """The key of ``structure``'s language matching ``wanted`` (``en``, ``English``...)."""
    if not wanted:
        return None
    languages = list(structure.get("languages") or [])
    if wanted in languages:
        return wanted
    code = language_code(wanted)
    for key in languages:
        if language_code(key) == code:
            return key
    return None


def language_column_name(key: str) -> str:
    """The inverse of ``language_key`` for writing: ``en`` -> ``English (en)``."""
    if key in _LANGUAGE_NAMES:
        return f"{_LANGUAGE_NAMES[key]} ({key})"
    if re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)?", key):
        return f"{key} ({key})"
    return key


# --- reading --------------------------------------------------------------------------

def read_xlsform(path: str | Path, attachments: Mapping[str, bytes] | None = None) -> Structure:
    """Parse an XLSForm file into a structure; ``XLSFormError`` lists every problem.

    ``attachments`` (file name -> content): the files beside the form that
    ``select_one_from_file`` and ``select_multiple_from_file`` questions take their
    options from (a missing one is a problem with the question's row)."""
    path = Path(path)
    if not path.is_file():
        raise XLSFormError([Problem("", 0, "", f"The file {path} does not exist.")])
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise XLSFormError([Problem("", 0, "", f"{path.name} is not an XLSForm: use an .xlsx, "
                                               ".xls or .csv file.")])
    try:
        limits.check_file(path)  # before parsing: zip bombs, XML entities
    except limits.LimitError as error:
        raise XLSFormError([Problem("", 0, "", str(error))]) from None
    workbook, form_json = _parse_with_pyxform(path)
    builder = _Builder(workbook, form_json)
    try:
        structure = builder.build()
        limits.check_structure_size(structure)
    except limits.LimitError as error:
        raise XLSFormError([Problem("", 0, "", str(error))]) from None
    except Exception:  # noqa: BLE001 - pyxform accepted a shape we cannot read
        raise XLSFormError([Problem("", 0, "", "The form could not be read: check its survey, "
                                               "choices and settings sheets.")]) from None
    problems = builder.problems or attach(structure, attachments) or check_structure(structure)
    if problems:
        raise XLSFormError(problems)
    return structure


@lru_cache(maxsize=1)
def _known_types() -> frozenset[str]:
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    return frozenset(QUESTION_TYPE_DICT) | {"group", "repeat", "loop"}


def _parse_with_pyxform(path: Path) -> tuple[Any, dict]:
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's notes on unsupported extensions
            workbook = get_xlsform(str(path))
        raw = copy.deepcopy(workbook)  # workbook_to_json rewrites the rows it reads
        form_json = workbook_to_json(workbook, fallback_form_name=workbook.fallback_form_name,
                                     warnings=[])
    except PyXFormError as error:
        if str(error).startswith("Argument 'definition'"):
            raise XLSFormError([Problem("", 0, "", f"{path.name} could not be read as a "
                                                   "spreadsheet (.xlsx, .xls or .csv).")]) from None
        raise XLSFormError([_problem_from_pyxform(str(error))]) from None
    except csv.Error as error:
        raise XLSFormError([Problem("", 0, "", str(limits.csv_error(error, path.name)))]) from None
    except Exception as error:  # noqa: BLE001 - a damaged file makes pyxform fail anyhow
        # One sentence, never the exception's text (the user cannot act on a TypeError).
        if path.suffix.lower() == ".csv":
            reason = ("a CSV XLSForm needs the survey sheet, then the choices and settings "
                      "sheets, each starting with its name in the first column; export the "
                      "form as .xlsx instead")
        else:
            reason = "it is damaged or not a form; open it in a spreadsheet program to check"
        raise XLSFormError([Problem("", 0, "", f"{path.name} could not be read as an XLSForm: "
                                               f"{reason}.")]) from error
    return raw, form_json


def _problem_from_pyxform(message: str) -> Problem:
    row = _ROW_RE.search(message)
    sheet = _SHEET_RE.search(message)
    text = _ROW_RE.sub("", message).split(" Learn more:")[0].strip()
    column = _COLUMN_RE.search(message)
    return Problem(sheet.group(1) if sheet else ("survey" if row else ""),
                   int(row.group(1)) if row else 0, column.group(1) if column else "",
                   " ".join(text.split()))


def _normalized(cells: dict) -> dict:
    """Column names as pyxform reads them: base name lower case, language kept."""
    result = {}
    for column, value in cells.items():
        base, language = _split_header(str(column))
        result[f"{base}::{language}" if language else base] = value
    return result


def _split_header(header: str) -> tuple[str, str | None]:
    """``label::English (en)`` -> (``label``, ``English (en)``); ``label:en`` too."""
    delimiter = "::" if "::" in header else ":"
    base, _, language = header.partition(delimiter)
    if not language:
        return header.strip().lower(), None
    return base.strip().lower(), language.strip()


class _Builder:
    """pyxform's JSON + the raw rows -> the structure (``problems``: unknown types)."""

    def __init__(self, workbook: Any, form_json: dict) -> None:
        self.form_json = form_json
        self.raw_survey = [_normalized(cells) for cells in workbook.survey or []]
        self.raw_choices = [_normalized(cells) for cells in workbook.choices or []]
        self.raw_settings = _normalized((workbook.settings or [{}])[0] or {})
        self.raw_external = [_normalized(cells) for cells in workbook.external_choices or []
                             if cells]
        self.external_seen: set[str] = set()
        self.default_name = str(form_json.get("default_language") or "default")
        self.cursor = 0
        self.header_languages = self._languages_in_headers(
            [workbook.survey_header, workbook.choices_header])
        self.seen_languages: set[str] = set()
        self.or_other_lists: set[str] = set()
        self.problems: list[Problem] = []

    def _languages_in_headers(self, headers: Iterable[Any]) -> list[str]:
        order: list[str] = []
        for header in headers:
            for column in (header or [{}])[0] if header else []:
                _base, language = _split_header(str(column))
                if language is not None and language_key(language) not in order:
                    order.append(language_key(language))
        return order

    def texts(self, value: Any) -> dict[str, str]:
        if value is None or value == "":
            return {}
        if isinstance(value, dict):
            found = {language_key(k): str(v) for k, v in value.items() if str(v) != ""}
        else:
            found = {language_key(self.default_name): str(value)}
        self.seen_languages.update(found)
        return found

    def build(self) -> Structure:
        children = self.nodes(self.form_json.get("children", []))
        choices = self.choices()
        default_language = language_key(self.default_name)
        languages = self.ordered_languages() or [default_language]
        if default_language not in languages:
            # pyxform's "default" when the settings name none and every column has one.
            default_language = languages[0]
        title = self.title_texts(default_language)
        structure = {
            "form_id": str(self.form_json.get("id_string") or ""),
            "form_version": str(self.form_json.get("version") or ""),
            "title": title,
            "default_language": default_language,
            "languages": languages,
            "choices": choices,
            "children": children,
        }
        # Only when the settings sheet names them: an older form keeps its fingerprint.
        unit = str(self.raw_settings.get(UNIT_SETTING) or "").strip().lower()
        if unit:
            structure["respondent_unit"] = unit
        unit_label = self.settings_texts(UNIT_LABEL_SETTING, default_language)
        if unit_label:
            structure["respondent_unit_label"] = unit_label
        return structure

    def ordered_languages(self) -> list[str]:
        ordered = [key for key in self.header_languages if key in self.seen_languages]
        rest = sorted(self.seen_languages - set(ordered))
        if "default" in rest:
            rest.remove("default")
            rest.insert(0, "default")
        return rest[:1] + ordered + rest[1:] if rest[:1] == ["default"] else ordered + rest

    def settings_texts(self, base_column: str, default_language: str) -> dict[str, str]:
        """A settings column per language (``respondent_unit_label::French (fr)``)."""
        texts = {}
        for column, value in self.raw_settings.items():
            base, language = _split_header(str(column))
            if base == base_column and value not in (None, ""):
                texts[language_key(language) if language else default_language] = str(value)
        return texts

    def title_texts(self, default_language: str) -> dict[str, str]:
        title = {}
        plain = self.raw_settings.get("form_title") or self.form_json.get("title") or ""
        if plain:
            title[default_language] = str(plain)
        for column, value in self.raw_settings.items():
            base, language = _split_header(str(column))
            if base == "form_title" and language and value:
                title[language_key(language)] = str(value)
        return title

    # survey ---------------------------------------------------------------------

    def find_row(self, name: str) -> tuple[int, dict]:
        """The next raw survey row named ``name`` (spreadsheet row number, cells)."""
        for index in range(self.cursor, len(self.raw_survey)):
            cells = self.raw_survey[index]
            raw_type = str(cells.get("type", "")).strip().lower()
            if str(cells.get("name", "")).strip() == name and not _END_RE.match(raw_type):
                self.cursor = index + 1
                return index + 2, cells
        return 0, {}

    def nodes(self, items: list[dict]) -> list[Node]:
        built: list[Node] = []
        skip_other_of: str | None = None
        for item in items:
            name = str(item.get("name", ""))
            if skip_other_of and name == f"{skip_other_of}_other" and item.get("type") == "text":
                skip_other_of = None  # pyxform's generated "specify other" question
                continue
            skip_other_of = None
            if item.get("type") == "loop":
                built.append(self.loop(item))
                continue
            row, cells = self.find_row(name)
            if not row and _GENERATED_NAME_RE.fullmatch(name):
                continue  # pyxform's header row for a "table-list" group
            if not row and name == "meta" and item.get("control", {}).get("bodyless"):
                continue  # pyxform adds <meta><instanceID/> to every form
            if not row and _is_generated_count(item, items):
                continue  # pyxform's calculate holding a repeat's constant repeat_count
            node = self.node(item, row, cells)
            if node["or_other"]:
                skip_other_of = name
            built.append(node)
        return built

    def node(self, item: dict, row: int, cells: dict) -> Node:
        if item["type"] not in _known_types():
            self.problems.append(Problem("survey", row, "type",
                                         f"'{item['type']}' is not an XLSForm question type."))
        bind = item.get("bind") or {}
        control = item.get("control") or {}
        node_type = canonical_type(
            _PYXFORM_TYPES.get(item["type"], str(item["type"]).replace(" ", "_")))
        if item["type"] in _known_types() and node_type not in SUPPORTED_TYPES:
            self.problems.append(Problem(
                "survey", row, "type",
                f"The question type '{item['type']}' of '{item.get('name', '')}' cannot be "
                "answered on the web (supported: the XLSForm question, metadata and "
                "layout types except this one)."))
        or_other = bool(_OR_OTHER_RE.search(str(cells.get("type", ""))))
        list_name = str(item.get("list_name") or item.get("itemset") or "")
        if or_other:
            self.or_other_lists.add(list_name)
        node: Node = {
            "type": node_type,
            "name": str(item["name"]),
            "row": row,
            "label": self.texts(item.get("label")),
            "hint": self.texts(item.get("hint")),
            "relevant": str(bind.get("relevant", "")),
            "required": str(bind.get("required", "")),
            "required_message": self.texts(bind.get("jr:requiredMsg")),
            "constraint": str(bind.get("constraint", "")),
            "constraint_message": self.texts(bind.get("jr:constraintMsg")),
            "soft_constraint": str(cells.get("soft_constraint", "")),
            "soft_constraint_message": self.cell_texts(cells, "soft_constraint_message"),
            "calculation": str(bind.get("calculate", "")),
            "default": str(item.get("default", "")),
            "read_only": str(bind.get("readonly", "")),
            "choice_list": list_name,
            "choice_filter": str(item.get("choice_filter", "")),
            "or_other": or_other,
            "appearance": str(control.get("appearance", "")),
            "repeat_count": str(cells.get("repeat_count") or control.get("jr:count", "")),
            "parameters": {str(k): str(v) for k, v in (item.get("parameters") or {}).items()},
        }
        publish = str(cells.get("publish", "")).strip()
        if publish:
            # A custom column: "no" keeps the question out of every public output.
            node["publish"] = publish
        if node_type in CONTAINER_TYPES:
            node["children"] = self.nodes(item.get("children", []))
        if _is_from_file(node_type, str(item.get("itemset") or "")):
            from_file_node(node, str(item["itemset"]))
        return node

    def cell_texts(self, cells: dict, base_column: str) -> dict[str, str]:
        found = {}
        for column, value in cells.items():
            base, language = _split_header(str(column))
            if base == base_column and value not in (None, ""):
                key = language_key(language) if language else language_key(self.default_name)
                found[key] = str(value)
        self.seen_languages.update(found)
        return found

    def loop(self, item: dict) -> Node:
        """pyxform's ``loop``: a group holding one group per column, as pyxform expands it."""
        row, cells = self.find_row(str(item["name"]))
        outer = self.node({**item, "type": "group", "children": []}, row, cells)
        for column in item.get("columns", []):
            column_label = column.get("label") or column["name"]
            inner_items = copy.deepcopy(item.get("children", []))
            for inner in inner_items:
                inner["label"] = _substitute_label(inner.get("label"), column_label)
            saved = self.cursor
            inner_nodes = self.nodes(inner_items)
            self.cursor = saved
            group = self.node({"type": "group", "name": column["name"],
                               "label": column.get("label"), "children": []}, row, {})
            group["children"] = inner_nodes
            outer["children"].append(group)
        return outer

    # choices -----------------------------------------------------------------------

    def choices(self) -> dict[str, list[dict]]:
        raw_names: dict[str, set[str]] = {}
        for cells in self.raw_choices:
            list_name = str(cells.get("list_name") or cells.get("list name") or "").strip()
            raw_names.setdefault(list_name, set()).add(str(cells.get("name", "")).strip())
        result: dict[str, list[dict]] = {}
        for list_name, options in (self.form_json.get("choices") or {}).items():
            items = []
            for option in options:
                name = str(option.get("name", ""))
                if (list_name in self.or_other_lists and name == "other"
                        and "other" not in raw_names.get(list_name, set())):
                    continue  # added by pyxform for or_other
                extra = {str(k): str(v) for k, v in option.items()
                         if k not in ("name", "label", "media") and not isinstance(v, dict)}
                items.append({"name": name, "label": self.texts(option.get("label")),
                              "extra": extra})
            result[str(list_name)] = items
        for cells in self.raw_external:
            list_name = str(cells.get("list_name") or cells.get("list name") or "").strip()
            if not list_name or list_name in result and list_name not in self.external_seen:
                continue
            self.external_seen.add(list_name)
            extra = {k: str(v) for k, v in cells.items() if k not in ("list_name", "list name",
                     "name") and not k.startswith("label") and v not in (None, "")}
            label = self.cell_texts(cells, "label")
            result.setdefault(list_name, []).append(
                {"name": str(cells.get("name", "")).strip(), "label": label, "extra": extra})
        return result


def _is_from_file(node_type: str, itemset: str) -> bool:
    """pyxform reads ``select_one_from_file x.csv`` as a ``select one`` whose itemset is
    the file: keep the from-file kind."""
    return (node_type.startswith(("select_one", "select_multiple"))
            and node_type != "select_one_external"
            and itemset.lower().endswith(ATTACHMENT_SUFFIXES))


def _is_generated_count(item: dict, siblings: list[dict]) -> bool:
    name = str(item.get("name", ""))
    return (item.get("type") == "calculate" and name.endswith("_count")
            and any(other.get("type") == "repeat" and other.get("name") == name[:-len("_count")]
                    for other in siblings))


def _substitute_label(label: Any, column_label: Any) -> Any:
    def fill(text: str, lang: str | None) -> str:
        value = column_label.get(lang, "") if isinstance(column_label, dict) else column_label
        return text.replace("%(label)s", str(value))

    if isinstance(label, dict):
        return {lang: fill(str(text), lang) for lang, text in label.items()}
    if isinstance(label, str):
        return fill(label, None)
    return label


# --- writing --------------------------------------------------------------------------

def write_xlsform(structure: Structure, path: str | Path) -> None:
    """Write ``structure`` as an .xlsx XLSForm (survey, choices, settings sheets).

    Nodes keep their spreadsheet rows where the rows allow it (blank rows in between),
    so an exported form re-imports with the same structure, ``row`` included.
    """
    from openpyxl import Workbook

    languages = list(structure.get("languages") or [])
    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    _write_survey(survey, structure, languages)
    external, internal = _choice_list_users(structure)
    # A from-file question's options stay in its attached file, not in a choices sheet.
    from_file = {ref.node["choice_list"] for ref in iter_nodes(structure) if ref.node.get("file")}
    choice_lists = {k: v for k, v in structure.get("choices", {}).items() if k not in from_file}
    _write_choices(workbook.create_sheet("choices"), structure, languages,
                   {k: v for k, v in choice_lists.items() if k in internal or k not in external})
    if external:
        _write_choices(workbook.create_sheet("external_choices"), structure, languages,
                       {k: v for k, v in choice_lists.items() if k in external})
    _write_settings(workbook.create_sheet("settings"), structure)
    workbook.save(Path(path))


def _language_header(base: str, key: str) -> str:
    return base if key == "default" else f"{base}::{language_column_name(key)}"


def _set(sheet: Any, row: int, column: int, value: str) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters (from a CSV form)
    if value == "":
        return
    # Text as text (the one writer's rule): "=TRUE()" stays the text it was, not a formula.
    written = xlsx_cell(sheet, value)
    cell = sheet.cell(row=row, column=column, value=written.value)
    cell.data_type = written.data_type


def _write_survey(sheet: Any, structure: Structure, languages: list[str]) -> None:
    rows: list[tuple[int, dict[str, str]]] = []
    _survey_rows(structure.get("children", []), rows)
    columns = ["type", "name"]
    for base in TRANSLATED_COLUMNS[:2]:
        columns += [_language_header(base, key) for key in languages]
    columns += list(_WRITE_SURVEY_COLUMNS)
    for base in TRANSLATED_COLUMNS[2:]:
        columns += [_language_header(base, key) for key in languages]
    columns.append("parameters")
    used = [c for c in columns if c in ("type", "name") or any(r.get(c) for _n, r in rows)]
    for index, column in enumerate(used, start=1):
        _set(sheet, 1, index, column)
    current = 1
    for wanted, cells in rows:
        current = wanted if wanted > current else current + 1
        for index, column in enumerate(used, start=1):
            _set(sheet, current, index, cells.get(column, ""))


def _survey_rows(nodes: list[Node], rows: list[tuple[int, dict[str, str]]]) -> None:
    for node in nodes:
        cells = {"type": _type_cell(node), "name": node["name"]}
        for base in TRANSLATED_COLUMNS:
            for key, text in (node.get(base) or {}).items():
                cells[_language_header(base, key)] = text
        for column in _WRITE_SURVEY_COLUMNS:
            cells[column] = str(node.get(column) or "")
        parameters = node.get("parameters") or {}
        cells["parameters"] = " ".join(f"{key}={value}" for key, value in parameters.items())
        rows.append((int(node.get("row") or 0), cells))
        if node["type"] in CONTAINER_TYPES:
            _survey_rows(node.get("children", []), rows)
            rows.append((0, {"type": f"end_{node['type']}"}))


def _type_cell(node: Node) -> str:
    node_type = node["type"]
    if node_type in CONTAINER_TYPES:
        return f"begin_{node_type}"
    if (not node.get("choice_list") and node_type not in _known_types()
            and node_type.replace("_", " ") in _known_types()):
        node_type = node_type.replace("_", " ")  # e.g. pyxform's "phone number"
    if node.get("file"):
        return f"{node_type} {node['file']}"  # its options stay in the attached file
    if node.get("choice_list"):
        text = f"{node_type} {node['choice_list']}"
        return f"{text} or_other" if node.get("or_other") else text
    return node_type


def _choice_list_users(structure: Structure) -> tuple[set[str], set[str]]:
    """Lists used by ``select_one_external`` questions (external_choices sheet), and the
    lists used by the other questions (choices sheet)."""
    external, internal = set(), set()
    for ref in iter_nodes(structure):
        if ref.node.get("choice_list"):
            target = external if ref.type == "select_one_external" else internal
            target.add(ref.node["choice_list"])
    return external, internal


def _has_duplicate_choices(structure: Structure) -> bool:
    return any(len({o["name"] for o in options}) < len(options)
               for options in structure.get("choices", {}).values())


def _write_choices(sheet: Any, structure: Structure, languages: list[str],
                   lists: dict[str, list[dict]]) -> None:
    extras: list[str] = []
    for options in lists.values():
        for option in options:
            extras += [k for k in option.get("extra", {}) if k not in extras]
    columns = ["list_name", "name"] + [_language_header("label", k) for k in languages] + extras
    for index, column in enumerate(columns, start=1):
        _set(sheet, 1, index, column)
    row = 1
    for list_name, options in lists.items():
        for option in options:
            row += 1
            cells = {"list_name": list_name, "name": option["name"],
                     **option.get("extra", {})}
            for key, text in (option.get("label") or {}).items():
                cells[_language_header("label", key)] = text
            for index, column in enumerate(columns, start=1):
                _set(sheet, row, index, cells.get(column, ""))


def _write_settings(sheet: Any, structure: Structure) -> None:
    default_language = structure.get("default_language") or "default"
    title = dict(structure.get("title") or {})
    cells = {"form_title": title.pop(default_language, ""),
             "form_id": structure.get("form_id", ""),
             "version": structure.get("form_version", "")}
    if default_language != "default":
        cells["default_language"] = language_column_name(default_language)
    if _has_duplicate_choices(structure):
        cells["allow_choice_duplicates"] = "yes"
    for key, text in title.items():
        cells[f"form_title::{language_column_name(key)}"] = text
    cells[UNIT_SETTING] = structure.get("respondent_unit", "")
    for key, text in (structure.get("respondent_unit_label") or {}).items():
        cells[f"{UNIT_LABEL_SETTING}::{language_column_name(key)}"] = text
    used = [(column, value) for column, value in cells.items() if value]
    for index, (column, value) in enumerate(used, start=1):
        _set(sheet, 1, index, column)
        _set(sheet, 2, index, value)
