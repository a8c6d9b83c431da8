"""Issue 13, items 3 and 6: a malformed file on any upload form of the product gives a
clear sentence, never a server error (and never a library's own error text): the
XLSForm upload, the response import, workspace documents (and their new versions), and
the codebook's REFI-QDA (.qdpx) import. Every form is sent every kind of malformed file,
each under the name the form expects."""

from __future__ import annotations

import io
import os
import zipfile
from functools import cache

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from iocompendium.coding import services as coding_services
from iocompendium.web import limits
from tests.responses.conftest import make_version

pytestmark = pytest.mark.django_db
LEAKS = ("Traceback", "openpyxl", "zipfile", "BadZipFile", "lxml", "ParseError", "KeyError",
         "field larger than field limit", "XMLSyntaxError", "UnicodeDecodeError",
         "Server error", "RecursionError")


def _zip(members: dict[str, bytes], level: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@cache
def _bomb() -> bytes:
    """A small zip that would unpack past the limit (zeros compress about 1000:1)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, \
            archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
        chunk = b"\0" * 2**20
        for _ in range(limits.MAX_UNCOMPRESSED_BYTES // 2**20 + 1):
            member.write(chunk)
    return buffer.getvalue()


ENTITY = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
          b"<x>&e;</x>")
MALFORMED = {
    "empty": lambda: b"",
    "random-bytes": lambda: os.urandom(4096),
    "truncated-zip": lambda: _zip({"[Content_Types].xml": b"<Types/>" * 200})[:150],
    "zip-of-junk": lambda: _zip({"a.txt": b"not a spreadsheet"}),
    "zip-bomb": _bomb,
    "external-entity": lambda: _zip({"[Content_Types].xml": ENTITY, "xl/workbook.xml": ENTITY,
                                     "project.qde": ENTITY}),
    "deep-xml": lambda: _zip({"project.qde": b"<a>" * 50_000 + b"</a>" * 50_000,
                              "xl/workbook.xml": b"<a>" * 50_000}),
    "huge-cell-csv": lambda: b"organisation,q1\nSYN-A," + b"x" * 200_000 + b"\n",
    "not-utf8-csv": lambda: b"organisation,q1\n\xff\xfe\x00SYN\x9d,\x81\x8d\n",
    "fake-pdf": lambda: b"%PDF-1.7\n" + os.urandom(2048),
    "binary-nul": lambda: b"\x00" * 1024,
}


@pytest.fixture
def world(client, secretariat_user):
    make_version()
    coding_services.create_codebook("syn-book", "Synthetic codebook")
    client.force_login(secretariat_user)
    return client


def forms_to_fill():
    """(label, url, file field, other fields, suffixes) of every upload form."""
    yield ("xlsform", "/en/questionnaires/upload/", "xlsform", {}, [".xlsx", ".csv", ".xls"])
    yield ("responses-import", "/en/responses/import/", "file",
           {"questionnaire": "synthetic-small", "action": "check"}, [".xlsx", ".csv", ".zip"])
    yield ("document", "/en/documents/", "file",
           {"title": "Synthetic", "language": "en", "audience": "members"},
           [".pdf", ".docx", ".xlsx", ".csv"])
    yield ("codebook-qdpx", "/en/coding/syn-book/import/", "file", {}, [".qdpx"])


@override_settings(DEBUG_PROPAGATE_EXCEPTIONS=False)
@pytest.mark.parametrize("kind", sorted(MALFORMED))
def test_every_upload_form_refuses_malformed_files_with_a_sentence(world, kind, tmp_path):
    client = world
    client.raise_request_exception = False
    data = MALFORMED[kind]()
    for label, url, field, fields, suffixes in forms_to_fill():
        for suffix in suffixes:
            upload = SimpleUploadedFile(f"synthetic-{kind}{suffix}", data)
            reply = client.post(url, {**fields, field: upload}, follow=True)
            where = f"{kind}{suffix} on {label}"
            assert reply.status_code < 500, where
            text = reply.content.decode(errors="replace")
            assert not [leak for leak in LEAKS if leak in text], where
            if label != "document" or suffix in {".xlsx", ".docx"} and kind != "empty":
                assert ('role="alert"' in text or 'class="error' in text
                        or "errorlist" in text or 'class="messages' in text), where


def test_a_document_that_cannot_be_read_is_kept_without_text(world):
    """A damaged PDF is a document like another: kept (its text empty), never a 500."""
    from iocompendium.workspace.models import Document

    client = world
    reply = client.post("/en/documents/", {
        "title": "Synthetic damaged", "language": "en", "audience": "members",
        "file": SimpleUploadedFile("damaged.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50)})
    assert reply.status_code in (200, 302)
    document = Document.objects.filter(title="Synthetic damaged").first()
    if document is not None:
        assert document.versions.get().text == ""


def test_extracted_text_never_holds_nul():
    """PostgreSQL refuses NUL in a text column: a binary file named .csv or .txt gave a
    server error there (found by the test above on PostgreSQL)."""
    from iocompendium.workspace.extraction import extract_text

    assert "\x00" not in extract_text("synthetic.csv", b"a\x00b\x00" * 100)
    assert extract_text("synthetic.txt", b"a\x00b") == "ab"
