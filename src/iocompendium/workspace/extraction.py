"""Text of uploaded documents, for full-text search (PDF, DOCX, XLSX; plain text)."""

from __future__ import annotations

import io
from pathlib import Path

MAX_TEXT = 500_000


def extract_text(name: str, data: bytes) -> str:
    """The document's text; an empty string for a format without text or a broken file
    (the upload is kept; only its search text is missing)."""
    suffix = Path(name).suffix.lower()
    try:
        if suffix == ".pdf":
            text = _pdf(data)
        elif suffix == ".docx":
            text = _docx(data)
        elif suffix == ".xlsx":
            text = _xlsx(data)
        elif suffix in {".txt", ".md", ".csv"}:
            text = data.decode("utf-8", errors="replace")
        else:
            text = ""
    except Exception:  # noqa: BLE001 - a damaged file still uploads; it is just not searchable
        text = ""
    # NUL is no character of any text, and PostgreSQL refuses it in a text column (a binary
    # file named .csv gave a server error there).
    return text.replace("\x00", "")[:MAX_TEXT]


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def _docx(data: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append(" ".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _xlsx(data: bytes) -> str:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    parts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells = [str(v) for v in row if v is not None]
            if cells:
                parts.append(" ".join(cells))
    book.close()
    return "\n".join(parts)
