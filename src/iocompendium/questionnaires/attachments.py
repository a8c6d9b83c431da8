"""Files attached beside an XLSForm: the options of ``select_one_from_file`` and
``select_multiple_from_file`` questions (issue 12).

ODK's conventions: a CSV with a header row (``name``, ``label``, ``label::French (fr)``...,
other columns for ``choice_filter``), an XML file of ``<item>`` elements with one child
per column, or a GeoJSON FeatureCollection (value: the feature's ``id``, label: its
``title`` property; a point's coordinates in ``geometry``). The question's ``parameters``
``value=`` and ``label=`` name other columns. The options become an ordinary choice list
of the structure, so the respondent pages, the engine and the analysis need nothing more.

Pure Python (no Django). Every problem is one sentence naming the question's row and,
where it is in the file, the file's line or item.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any
from xml.etree import ElementTree

from .engine import Problem
from .structure import FROM_FILE_TYPES, Node, Structure, iter_nodes, language_code

ATTACHMENT_SUFFIXES = (".csv", ".xml", ".geojson")
MAX_ATTACHMENT_OPTIONS = 50_000
_ENTITY_RE = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class AttachmentError(ValueError):
    """A file that cannot give options (one sentence)."""


def attachment_name(name: str) -> str:
    """The bare file name a form refers to (``towns.csv``), whatever folder it came from."""
    return PurePath(str(name).replace("\\", "/")).name


def used_files(structure: Structure) -> set[str]:
    return {ref.node["file"] for ref in iter_nodes(structure) if ref.node.get("file")}


def attach(structure: Structure, attachments: Mapping[str, bytes] | None) -> list[Problem]:
    """Fill the choice list of every from-file question of ``structure`` (in place) from
    ``attachments`` (file name -> content); record each used file's SHA-256 in
    ``structure["attachments"]`` (so a changed file makes a new version). The problems,
    if any: nothing is filled then."""
    given = {attachment_name(name): data for name, data in (attachments or {}).items()}
    problems: list[Problem] = []
    lists: dict[str, list[dict]] = {}
    used: dict[str, str] = {}
    for ref in iter_nodes(structure):
        node = ref.node
        if node["type"] not in FROM_FILE_TYPES or not node.get("file"):
            continue
        name = node["file"]
        if name not in given:
            problems.append(Problem("survey", node.get("row", 0), "type", (
                f"The question '{node['name']}' takes its options from {name}, which is not "
                f"attached: attach {name} beside the form (on the web) or give "
                f"--attachment {name} (on the command line).")))
            continue
        parameters = node.get("parameters") or {}
        try:
            options = read_options(name, given[name], structure,
                                   value=parameters.get("value", ""),
                                   label=parameters.get("label", ""))
        except AttachmentError as error:
            problems.append(Problem("survey", node.get("row", 0), "type",
                                    f"The question '{node['name']}': {error}"))
            continue
        lists[node["choice_list"]] = options
        used[name] = hashlib.sha256(given[name]).hexdigest()
    unused = sorted(set(given) - {ref.node.get("file") for ref in iter_nodes(structure)})
    for name in unused:
        problems.append(Problem("", 0, "", (
            f"{name} is attached but no select_one_from_file or select_multiple_from_file "
            "question of the form uses it.")))
    if problems:
        return problems
    structure.setdefault("choices", {}).update(lists)
    if used:
        structure["attachments"] = dict(sorted(used.items()))
    return []


def list_key(file_name: str, parameters: Mapping[str, str]) -> str:
    """The choice list of a from-file question: the file's name, or the name with the
    value and label columns where the question's parameters name other ones."""
    value, label = parameters.get("value", ""), parameters.get("label", "")
    if not value and not label:
        return file_name
    return f"{file_name}?value={value or 'name'}&label={label or 'label'}"


def read_options(name: str, data: bytes, structure: Structure, *, value: str = "",
                 label: str = "") -> list[dict]:
    """The options of one attached file as choices of the structure:
    ``{"name", "label": {language: text}, "extra": {column: value}}``."""
    suffix = PurePath(name).suffix.lower()
    if suffix == ".csv":
        records = _csv_records(name, data)
        value, label = value or "name", label or "label"
    elif suffix == ".xml":
        records = _xml_records(name, data)
        value, label = value or "name", label or "label"
    elif suffix == ".geojson":
        records = _geojson_records(name, data)
        value, label = value or "id", label or "title"
    else:
        raise AttachmentError(f"{name} is not a CSV, XML or GeoJSON file.")
    if len(records) > MAX_ATTACHMENT_OPTIONS:
        raise AttachmentError(f"{name} has {len(records):,} options; the limit is "
                              f"{MAX_ATTACHMENT_OPTIONS:,}.")
    if not records:
        raise AttachmentError(f"{name} has no option.")
    if value not in records[0][1]:
        raise AttachmentError(f"{name} has no column '{value}' (the options' values).")
    languages = list(structure.get("languages") or [])
    options, seen = [], set()
    for where, record in records:
        option_name = str(record.get(value, "")).strip()
        if not option_name:
            raise AttachmentError(f"{name}, {where}: the value column '{value}' is empty.")
        if option_name in seen:
            raise AttachmentError(f"{name}, {where}: the value '{option_name}' is given twice.")
        seen.add(option_name)
        options.append({"name": option_name, "label": _labels(record, label, languages),
                        "extra": {column: str(text) for column, text in record.items()
                                  if column != value and not _is_label(column, label)
                                  and text not in (None, "")}})
    return options


def _is_label(column: str, label: str) -> bool:
    return column == label or column.startswith((f"{label}::", f"{label}:"))


def _labels(record: dict[str, Any], label: str, languages: list[str]) -> dict[str, str]:
    """The option's label in each of the form's languages: the ``label::<language>``
    column (however the language is named), else the plain ``label`` column."""
    plain = str(record.get(label) or "").strip()
    per_language: dict[str, str] = {}
    for column, text in record.items():
        base, _sep, language = column.partition("::") if "::" in column else \
            column.partition(":")
        if base == label and language and str(text or "").strip():
            per_language[language_code(language.strip())] = str(text).strip()
    labels = {}
    for key in languages or ["default"]:
        text = per_language.get(language_code(key)) or plain
        if text:
            labels[key] = text
    return labels


def _csv_records(name: str, data: bytes) -> list[tuple[str, dict[str, str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AttachmentError(f"{name} is not UTF-8 text.") from None
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    try:
        rows = [(f"line {reader.line_num}", {str(k).strip(): (v or "").strip()
                                             for k, v in row.items() if k is not None})
                for row in reader]
    except csv.Error as error:
        raise AttachmentError(f"{name}, line {reader.line_num}: {error}.") from None
    if not reader.fieldnames:
        raise AttachmentError(f"{name} has no header row.")
    return rows


def _xml_records(name: str, data: bytes) -> list[tuple[str, dict[str, str]]]:
    if _ENTITY_RE.search(data):
        raise AttachmentError(f"{name} declares a DOCTYPE or entities, which are refused.")
    try:
        root = ElementTree.fromstring(data)  # noqa: S314 - no DOCTYPE/entities (checked)
    except ElementTree.ParseError as error:
        raise AttachmentError(f"{name} is not well-formed XML ({error}).") from None
    items = [element for element in root.iter() if element.tag == "item"]
    return [(f"item {number}", {child.tag: (child.text or "").strip() for child in item})
            for number, item in enumerate(items, start=1)]


def _geojson_records(name: str, data: bytes) -> list[tuple[str, dict[str, str]]]:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise AttachmentError(f"{name} is not valid GeoJSON.") from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise AttachmentError(f"{name} is not a GeoJSON FeatureCollection.")
    records = []
    for number, feature in enumerate(features, start=1):
        properties = dict(feature.get("properties") or {}) if isinstance(feature, dict) else {}
        record = {str(k): "" if v is None else str(v) for k, v in properties.items()
                  if not isinstance(v, dict | list)}
        if isinstance(feature, dict) and feature.get("id") is not None:
            record.setdefault("id", str(feature["id"]))
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            longitude, latitude = (geometry.get("coordinates") or [None, None])[:2]
            record["geometry"] = f"{latitude} {longitude}"
        records.append((f"feature {number}", record))
    return records


def from_file_node(node: Node, itemset: str) -> Node:
    """Mark ``node`` (a select built from pyxform's JSON) as taking its options from the
    attached file ``itemset``."""
    kind = "select_one" if node["type"].startswith("select_one") else "select_multiple"
    node["type"] = f"{kind}_from_file"
    node["file"] = attachment_name(itemset)
    node["choice_list"] = list_key(node["file"], node.get("parameters") or {})
    return node
