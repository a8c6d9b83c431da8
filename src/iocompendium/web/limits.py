"""The one set of resource limits of every write path (web form, spreadsheet import, admin,
XLSForm import, command line), checked before anything is parsed.

Pure Python (no Django). Each refusal is one sentence: ``LimitError.template`` (marked with
``gettext_noop`` so the Django side translates it) filled with ``params``; ``str()`` is
English. The limits:

* ``MAX_ANSWER_LENGTH``: characters of one answer, wherever it comes from (the web form,
  an import cell, the admin);
* ``MAX_TEXT_LENGTH``: characters of any other free text typed into a form (a description,
  minutes, a note), in the admin and on every page (``web.forms.limit_text``);
* ``MAX_CELL_LENGTH``: characters of one cell of any file read (CSV's field limit too);
* ``MAX_UNCOMPRESSED_BYTES``: the total size of the members of a zip-based file (.xlsx,
  .zip of CSVs) as they would be once unpacked, read from the archive's directory before
  any member is opened (a 400 KB file can unpack to gigabytes);
* ``MAX_STRUCTURE_BYTES``: a questionnaire's parsed structure, as stored;
* ``MAX_JSON_FIELD_BYTES`` / ``MAX_JSON_DEPTH``: a JSON value posted in a form field;
* ``MAX_XML_DEPTH``: the nesting of an XML document read from an upload (a REFI-QDA
  project): validators and tree walkers recurse, and thousands of levels end in
  RecursionError.
Repeat instances are capped in the engine (``questionnaires.engine``:
``MAX_REPEAT_INSTANCES`` per repeat, ``MAX_TOTAL_REPEAT_INSTANCES`` per response) and
regular expressions run on RE2, a linear-time engine (``expressions.functions``).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any


def gettext_noop(text: str) -> str:
    return text


MAX_ANSWER_LENGTH = 20_000
MAX_TEXT_LENGTH = 100_000
MAX_CELL_LENGTH = 32_767  # Excel's own limit for one cell
MAX_UNCOMPRESSED_BYTES = 200 * 2**20
MAX_ARCHIVE_MEMBERS = 2_000
MAX_STRUCTURE_BYTES = 8 * 2**20
MAX_JSON_FIELD_BYTES = 2 * 2**20
MAX_JSON_DEPTH = 20
MAX_XML_DEPTH = 200
ZIP_SUFFIXES = frozenset({".xlsx", ".xlsm", ".zip"})
_XML_ENTITY_MARKERS = (b"<!ENTITY", b"<!DOCTYPE")

# The csv module's own limit (131,072 by default) would end a read with "field larger than
# field limit"; one above ours lets ``check_csv_error`` say which limit was passed.
csv.field_size_limit(MAX_CELL_LENGTH + 1)


class LimitError(ValueError):
    """A file, answer or request over a limit; one sentence."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template, self.params = template, params
        super().__init__(template % params if params else template)


def _size(number: int) -> str:
    return f"{number / 2**20:.0f} MB" if number >= 2**20 else f"{number:,} bytes"


def check_answer(value: str) -> None:
    if len(value) > MAX_ANSWER_LENGTH:
        raise LimitError(gettext_noop("An answer has %(length)s characters; the limit is "
                                      "%(limit)s."),
                         length=f"{len(value):,}", limit=f"{MAX_ANSWER_LENGTH:,}")


def check_text(value: str) -> None:
    if len(value) > MAX_TEXT_LENGTH:
        raise LimitError(gettext_noop("A text has %(length)s characters; the limit is "
                                      "%(limit)s."),
                         length=f"{len(value):,}", limit=f"{MAX_TEXT_LENGTH:,}")


def check_cell(value: Any, where: str = "") -> None:
    if isinstance(value, str) and len(value) > MAX_CELL_LENGTH:
        raise LimitError(gettext_noop("%(where)sa cell holds %(length)s characters; the limit "
                                      "is %(limit)s."),
                         where=f"{where}: " if where else "", length=f"{len(value):,}",
                         limit=f"{MAX_CELL_LENGTH:,}")


def csv_error(error: csv.Error, name: str) -> LimitError:
    """A clear sentence for the csv module's errors (never its own text)."""
    if "field larger than field limit" in str(error):
        return LimitError(gettext_noop("%(file)s: a cell holds more than %(limit)s characters, "
                                       "the limit."), file=name, limit=f"{MAX_CELL_LENGTH:,}")
    return LimitError(gettext_noop("%(file)s is not a valid CSV file."), file=name)


def check_file(name: str | Path, data: bytes | None = None) -> None:
    """Refuse a file before it is parsed: a zip-based file too large once unpacked, with
    too many members, or with XML that declares entities (external entities read files
    of the server; entity expansion exhausts memory)."""
    name = Path(name)
    if name.suffix.lower() not in ZIP_SUFFIXES:
        return
    source = io.BytesIO(data) if data is not None else name
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says so in its own words
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ARCHIVE_MEMBERS:
            raise LimitError(gettext_noop("%(file)s holds %(count)s files; the limit is "
                                          "%(limit)s."), file=name.name,
                             count=f"{len(members):,}", limit=f"{MAX_ARCHIVE_MEMBERS:,}")
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_UNCOMPRESSED_BYTES:
            raise LimitError(gettext_noop("%(file)s would unpack to %(size)s; the limit is "
                                          "%(limit)s."), file=name.name, size=_size(unpacked),
                             limit=_size(MAX_UNCOMPRESSED_BYTES))
        for member in members:
            if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                _check_xml_member(archive, member, name.name)


def _check_xml_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> None:
    try:
        with archive.open(member) as stream:
            tail = b""
            while chunk := stream.read(1 << 16):
                window = tail + chunk
                if any(marker in window for marker in _XML_ENTITY_MARKERS):
                    raise LimitError(gettext_noop("%(file)s contains an external entity and "
                                                  "was refused."), file=name)
                tail = window[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
        return  # damaged or encrypted: the reader refuses it in its own words


def check_xml_depth(xml: bytes, name: str) -> None:
    """Refuse XML nested deeper than ``MAX_XML_DEPTH``, read with expat (which does not
    recurse) before any parser that does. Malformed XML is left to the real parser."""
    from xml.parsers import expat

    parser = expat.ParserCreate()
    depth = 0

    def start(_tag, _attributes):
        nonlocal depth
        depth += 1
        if depth > MAX_XML_DEPTH:
            raise LimitError(gettext_noop("%(file)s is nested more than %(limit)s levels deep, "
                                          "the limit."), file=name, limit=MAX_XML_DEPTH)

    def end(_tag):
        nonlocal depth
        depth -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        return


def check_structure_size(structure: dict) -> None:
    size = len(json.dumps(structure, ensure_ascii=False).encode("utf-8"))
    if size > MAX_STRUCTURE_BYTES:
        raise LimitError(gettext_noop("The questionnaire's structure is %(size)s; the limit is "
                                      "%(limit)s."), size=_size(size),
                         limit=_size(MAX_STRUCTURE_BYTES))


def loads_json_field(text: str) -> Any:
    """A JSON value posted in a form field, or ValueError when malformed, too large or
    nested too deep (checked before parsing: deep nesting makes json.loads recurse until
    RecursionError)."""
    if len(text) > MAX_JSON_FIELD_BYTES:
        raise ValueError("JSON field too large")
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_JSON_DEPTH:
                raise ValueError("JSON field nested too deep")
        elif char in "]}":
            depth -= 1
    return json.loads(text)
