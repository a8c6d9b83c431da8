"""The codebook as a spreadsheet: written through the one CSV/XLSX writer
(``spreadsheets``), read back (or a researcher's own) through the registry's table reader."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from iocompendium.coding.models import Code, Codebook
from iocompendium.coding.selectors import code_tree
from iocompendium.spreadsheets import write_table_file

CODEBOOK_COLUMNS = ["name", "parent", "depth", "label_en", "label_fr", "definition_en",
                    "definition_fr", "colour", "example", "questions", "guid"]


def codebook_rows(codebook: Codebook) -> list[list[str | int]]:
    rows = []
    for code, depth in code_tree(codebook):
        rows.append([code.name, code.parent.name if code.parent_id else "", depth,
                     code.label_en, code.label_fr, code.definition_en, code.definition_fr,
                     code.colour, code.example, " ".join(code.questions), str(code.guid)])
    return rows


def write_codebook(codebook: Codebook, path: Path) -> None:
    write_table_file(path, CODEBOOK_COLUMNS, codebook_rows(codebook), sheet_name="codebook")


def import_codebook(codebook: Codebook, path: Path) -> tuple[int, int]:
    """Create or update ``codebook``'s codes from a CSV/XLSX file with the columns of the
    export (``name`` required; ``parent``, labels, definitions, ``colour``, ``example``,
    ``questions`` separated by spaces; ``depth`` and ``guid`` are ignored). A code is
    matched by name; a parent may come later in the file. All rows or none: a bad row
    raises ``CodingError`` with its line. Returns (created, updated)."""
    from iocompendium.coding import services
    from iocompendium.registry.tabular import TableError, read_table

    try:
        table = read_table(path)
    except TableError as error:
        raise services.CodingError(str(error)) from None
    if "name" not in table.header:
        raise services.CodingError(_("The codebook file needs a \"name\" column."))
    fields = ["label_en", "label_fr", "definition_en", "definition_fr", "colour", "example"]
    created = updated = 0
    with transaction.atomic():
        existing = {c.name: c for c in Code.objects.filter(codebook=codebook)}
        saved: dict[str, Code] = {}
        for row in table.rows:
            values = row.values
            name = values.get("name", "").strip()
            try:
                if not name:
                    raise services.CodingError(_("A code needs a name."))
                if name in saved:
                    raise services.CodingError(_("This code appears twice in the file."))
                given = {k: values[k] for k in fields if values.get(k, "").strip()}
                if "questions" in values:
                    given["questions"] = values["questions"].split()
                code = services.save_code(codebook, name, code=existing.get(name), **given)
            except services.CodingError as error:
                raise services.CodingError(
                    _("Line %(line)s: %(error)s") % {"line": row.line, "error": error}
                ) from None
            created += name not in existing
            updated += name in existing
            saved[name] = code
        for row in table.rows:  # parents, once every code of the file exists
            parent_name = row.values.get("parent", "").strip()
            if not parent_name:
                continue
            parent = saved.get(parent_name) or existing.get(parent_name)
            code = saved[row.values["name"].strip()]
            if parent is None or parent == code:
                raise services.CodingError(
                    _("Line %(line)s: the parent code %(parent)s is not in the codebook.")
                    % {"line": row.line, "parent": parent_name})
            if code.parent_id != parent.pk:
                code.parent = parent
                code.save(update_fields=["parent"])
    return created, updated
