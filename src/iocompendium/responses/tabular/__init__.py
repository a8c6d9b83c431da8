"""The wide layout of responses, as KoboToolbox and ODK export it: read and write.

Pure Python (no Django), in focused modules: ``common`` (names shared by reading and
writing), ``writing`` (the exports), ``reading`` (files to raw sheets), ``layout`` (what
export a file is), ``parsing`` (raw sheets to checked responses). Used by the
spreadsheet import (``responses/importing.py``) and by the exports (``evidence/exports.py``).

The layout (documented for users in ``docs/data-dictionary.md``):

* a **main sheet**, one row per response: ``_index`` (1, 2, ...), ``organisation``
  (acronym), ``_response_status``, optionally ``_response_title``, then one column per
  question outside any repeat group, named by its path (``organisation/category``).
  A select_multiple question has its space-separated column plus one 0/1 column per choice,
  ``question/choice`` (Kobo's layout);
* a **sheet per repeat group**, named by the repeat's name (``instruments``), one row per
  instance: ``_index`` (unique in the sheet), ``_parent_index`` (the ``_index`` of the
  parent row: the main sheet, or the enclosing repeat's sheet), ``_parent_table_name``,
  ``organisation``, then the repeat's questions by their template path
  (``variety/instruments/title``). Instances of one parent keep the order of the rows.

Reading accepts more than it writes: bare question names when unambiguous, ``q.choice``
0/1 columns, headers mangled by R (``X.U.FEFF.start``, ``X_index``), Kobo metadata.

Messages stay translatable without Django: every problem is an English template marked
with ``gettext_noop`` (so ``makemessages`` collects it) plus its parameters; the Django
side (``importing.problem_text``) translates the template, then fills in the parameters.
"""

from .common import (
    INDEX,
    KEY_COLUMN,
    MAIN_SHEET,
    METADATA_TYPES,
    NOT_IMPORTED_TYPES,
    PARENT_INDEX,
    PARENT_TABLE,
    STATUS,
    TITLE,
    answerable,
    choice_names,
    fill,
    gettext_noop,
    questions_by_scope,
    repeat_refs,
    repeat_sheet_names,
)
from .parsing import (
    Column,
    ParsedFile,
    ParsedResponse,
    Problem,
    check_value,
    normalise_header,
    parse_wide,
)
from .reading import RawSheet, TabularFileError, read_sheets
from .writing import ResponseRecord, Table, tables_to_csv_zip, tables_to_xlsx, wide_tables

__all__ = [
    "INDEX", "KEY_COLUMN", "MAIN_SHEET", "METADATA_TYPES", "NOT_IMPORTED_TYPES",
    "PARENT_INDEX", "PARENT_TABLE", "STATUS", "TITLE", "Column", "ParsedFile",
    "ParsedResponse", "Problem", "RawSheet", "ResponseRecord", "Table", "TabularFileError",
    "answerable", "check_value", "choice_names", "fill", "gettext_noop", "normalise_header",
    "parse_wide", "questions_by_scope", "read_sheets", "repeat_refs", "repeat_sheet_names",
    "tables_to_csv_zip", "tables_to_xlsx", "wide_tables",
]
