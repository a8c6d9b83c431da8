"""The spreadsheet import on the web (/<lang>/responses/import/): check, then import.

The form, organisations and answers are SYNTHETIC fixtures (tests/responses/conftest.py)."""

from __future__ import annotations

import html
import io
import os
import re
import time
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from iocompendium.responses.importing import import_responses
from iocompendium.responses.models import Answer, AuditEvent, Response
from iocompendium.responses.views_import import upload_folder

pytestmark = pytest.mark.django_db

MAIN = ["_index", "organisation", "organisation/name", "organisation/category",
        "organisation/staff", "variety/has_instruments"]
REPEAT = ["_index", "_parent_index", "variety/instruments/title", "variety/instruments/year"]


def xlsx(sheets: dict[str, list[list]], name: str = "responses.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def good_sheets() -> dict[str, list[list]]:
    return {
        "responses": [MAIN, [1, "SYN-A", "Alpha", "igo", 12, "yes"],
                      [2, "SYN-B", "Beta", "tgn", 3, "no"]],
        "instruments": [REPEAT, [1, 1, "Charter of tides", 2001]],
    }


def bad_sheets() -> dict[str, list[list]]:
    sheets = good_sheets()
    sheets["responses"][1][4] = "many"  # not a whole number
    sheets["responses"][2][4] = -3  # breaks the form's constraint
    sheets["responses"].append([3, "SYN-Z", "Zeta", "igo", 1, "no"])  # not in the registry
    sheets["instruments"].append([2, 1, "Old charter", 1800])  # year out of range
    return sheets


def url(lang: str = "en") -> str:
    return f"/{lang}/responses/import/"


def check(client, sheets, lang="en", **options):
    data = {"action": "check", "questionnaire": "synthetic-small", "file": xlsx(sheets),
            **options}
    return client.post(url(lang), data)


def problem_rows(page: str) -> list[tuple[str, str, str, str, str]]:
    """(kind, sheet, row, column, message) of the problems table, unescaped."""
    rows = re.findall(
        r'<tr class="problem-(\w+)">\s*<td>(.*?)</td>\s*<td class="num">(\d+)</td>\s*'
        r"<td>(?:<code>)?(.*?)(?:</code>)?</td>\s*<td>.*?</td>\s*<td>(.*?)</td>",
        page, re.S,
    )
    return [tuple(html.unescape(cell) for cell in row) for row in rows]


def ticket_of(page: str) -> str:
    found = re.search(r'name="ticket" value="([^"]+)"', page)
    assert found, "the page offers no Import button"
    return found.group(1)


def kept_files() -> list[Path]:
    folder = upload_folder()
    return sorted(folder.iterdir()) if folder.is_dir() else []


@pytest.fixture
def registry(version, org_a, org_b):
    return version


def test_anonymous_is_sent_to_log_in(client, registry):
    for reply in (client.get(url()), check(client, good_sheets())):
        assert reply.status_code == 302 and "/accounts/login/" in reply["Location"]
    assert Response.objects.count() == 0 and kept_files() == []


def test_contributors_are_refused(client, registry, alice, bob):
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(url()).status_code == 403
        assert check(client, good_sheets()).status_code == 403
        assert client.post(url(), {"action": "apply", "ticket": "x"}).status_code == 403
    assert Response.objects.count() == 0 and kept_files() == []


def test_review_list_links_to_the_page(client, registry, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get("/en/responses/").content.decode()
    assert 'href="/en/responses/import/?questionnaire=synthetic-small"' in page
    page = client.get(url() + "?questionnaire=synthetic-small").content.decode()
    assert '<option value="synthetic-small" selected>' in page


def test_bad_rows_are_listed_by_sheet_row_and_column_and_nothing_is_written(
        client, registry, secretariat_user):
    client.force_login(secretariat_user)
    reply = check(client, bad_sheets())
    page = reply.content.decode()
    assert reply.status_code == 200
    errors = {(sheet, row, column): message
              for kind, sheet, row, column, message in problem_rows(page) if kind == "error"}
    assert set(errors) == {
        ("responses", "2", "organisation/staff"),
        ("responses", "3", "organisation/staff"),
        ("responses", "4", "organisation"),
        ("instruments", "3", "variety/instruments/year"),
    }
    assert errors[("responses", "2", "organisation/staff")] == "'many' is not a whole number."
    assert errors[("responses", "3", "organisation/staff")] == "Staff cannot be negative."
    assert "SYN-Z" in errors[("responses", "4", "organisation")]
    assert "4 errors. Nothing was written." in page
    # In reading order, sheet by sheet, whichever check found the problem.
    assert [(sheet, row) for _kind, sheet, row, _column, _text in problem_rows(page)] == [
        ("responses", "2"), ("responses", "3"), ("responses", "4"), ("instruments", "3")]
    assert 'value="apply"' not in page  # no Import button
    assert Response.objects.count() == Answer.objects.count() == AuditEvent.objects.count() == 0
    # Kept for a check again with edited options (recodes, policy); deleted after a day.
    assert len(kept_files()) == 1


def test_good_file_is_imported_after_the_check(client, registry, secretariat_user):
    client.force_login(secretariat_user)
    page = check(client, good_sheets()).content.decode()
    assert Response.objects.count() == 0  # the check writes nothing
    summary = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">(\d+)</td>', page))
    assert summary == {"Responses to create": "2", "Responses to change": "0",
                       "Responses unchanged": "0", "Answers to write": "10",
                       "Answers to remove": "0"}
    [kept] = kept_files()
    assert kept.name != "responses.xlsx" and re.fullmatch(r"[0-9a-f]{32}\.xlsx", kept.name)

    reply = client.post(url(), {"action": "apply", "ticket": ticket_of(page)})
    assert reply.status_code == 302
    assert reply["Location"] == "/en/responses/?questionnaire=synthetic-small"
    answers = dict(Answer.objects.filter(response__organisation__acronym="SYN-A")
                   .values_list("path", "value"))
    assert answers["organisation/staff"] == "12"
    assert answers["variety/instruments[1]/title"] == "Charter of tides"
    assert Answer.objects.count() == 10  # SYN-A 6 (with its instrument), SYN-B 4
    events = AuditEvent.objects.filter(action="answer")
    assert events.count() == 10
    assert set(events.values_list("via", "actor", "actor_label")) == {
        ("import", secretariat_user.pk, secretariat_user.username)}
    assert kept_files() == []  # deleted once imported
    follow = client.get(reply["Location"]).content.decode()
    assert "Imported: 2 response(s) created" in follow

    # The ticket is spent: a second "Import" imports nothing twice.
    again = client.post(url(), {"action": "apply", "ticket": ticket_of(page)}, follow=True)
    assert "no longer available" in again.content.decode()
    assert AuditEvent.objects.filter(action="answer").count() == 10


def test_options_are_applied(client, registry, secretariat_user):
    sheets = good_sheets()
    sheets["responses"].append([3, "SYN-NEW", "Newcomer", "tgn", 2, "no"])
    client.force_login(secretariat_user)
    page = check(client, sheets, status="draft", create_organisations="on").content.decode()
    assert "SYN-NEW" in page and "Organisations to create" in page
    client.post(url(), {"action": "apply", "ticket": ticket_of(page)})
    assert set(Response.objects.values_list("status", flat=True)) == {"draft"}
    assert Response.objects.filter(organisation__acronym="SYN-NEW").exists()


def test_a_forged_or_foreign_ticket_imports_nothing(client, registry, secretariat_user,
                                                    django_user_model):
    client.force_login(secretariat_user)
    ticket = ticket_of(check(client, good_sheets()).content.decode())
    other = django_user_model.objects.create_user("other", "o@example.org", "x", is_staff=True)
    client.force_login(other)
    for forged in (ticket, ticket[:-2] + "xx", "../../db.sqlite3"):
        reply = client.post(url(), {"action": "apply", "ticket": forged}, follow=True)
        assert "no longer available" in reply.content.decode()
    assert Response.objects.count() == 0


def test_a_change_made_between_check_and_import_is_caught(client, registry, secretariat_user):
    """The file is validated again when imported: the questionnaire was withdrawn meanwhile."""
    client.force_login(secretariat_user)
    page = check(client, good_sheets()).content.decode()
    registry.questionnaire.versions.update(published_at=None)
    reply = client.post(url(), {"action": "apply", "ticket": ticket_of(page)}, follow=True)
    assert "has no published version" in reply.content.decode()
    assert Response.objects.count() == 0


def test_french_page_and_problem_messages(client, registry, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get(url("fr")).content.decode()
    assert "Importer des réponses depuis un tableur" in page
    assert "Vérifier le fichier" in page
    page = check(client, bad_sheets(), lang="fr").content.decode()
    errors = {(sheet, row, column): message
              for kind, sheet, row, column, message in problem_rows(page) if kind == "error"}
    assert errors[("responses", "2", "organisation/staff")] == (
        "« many » n'est pas un nombre entier.")
    # The form's own constraint message, in French.
    assert errors[("responses", "3", "organisation/staff")] == (
        "Le personnel ne peut pas être négatif.")
    assert "organisation inconnue" in errors[("responses", "4", "organisation")]
    assert "Rien n'a été écrit" in page


def test_script_in_a_cell_or_header_is_shown_as_text(client, registry, secretariat_user):
    sheets = good_sheets()
    sheets["responses"][1][4] = "<script>alert(1)</script>"
    sheets["responses"][0].append("<img src=x onerror=alert(2)>")
    sheets["responses"][1].append("x")
    client.force_login(secretariat_user)
    page = check(client, sheets).content.decode()
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&#x27;&lt;script&gt;alert(1)&lt;/script&gt;&#x27; is not a whole number." in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page


def test_upload_limit_and_file_kinds(client, registry, secretariat_user, settings):
    client.force_login(secretariat_user)
    settings.IOCOMPENDIUM_MAX_UPLOAD_BYTES = 100
    reply = check(client, good_sheets())
    assert reply.status_code == 400 and "too large" in reply.content.decode()
    settings.IOCOMPENDIUM_MAX_UPLOAD_BYTES = 2**20
    reply = client.post(url(), {"action": "check", "questionnaire": "synthetic-small",
                                "file": SimpleUploadedFile("notes.docx", b"x")})
    assert reply.status_code == 400 and "Upload an .xlsx, .csv or .zip file." in (
        reply.content.decode())
    reply = client.post(url(), {"action": "check", "questionnaire": "synthetic-small",
                                "file": SimpleUploadedFile("broken.xlsx", b"not a workbook")})
    assert reply.status_code == 400
    assert "broken.xlsx is not a readable .xlsx workbook." in reply.content.decode()
    assert kept_files() == []


def test_unpublished_questionnaires_are_not_offered(client, registry, secretariat_user):
    registry.questionnaire.versions.update(published_at=None)
    client.force_login(secretariat_user)
    assert "No questionnaire is published yet" in client.get(url()).content.decode()
    assert check(client, good_sheets()).status_code == 400


def test_files_checked_more_than_a_day_ago_are_deleted(client, registry, secretariat_user):
    folder = upload_folder()
    folder.mkdir(parents=True)
    old, recent = folder / ("a" * 32 + ".xlsx"), folder / ("b" * 32 + ".xlsx")
    for path in (old, recent):
        path.write_bytes(b"x")
    day_and_a_bit = time.time() - 25 * 3600
    os.utime(old, (day_and_a_bit, day_and_a_bit))
    client.force_login(secretariat_user)
    client.get(url())
    assert kept_files() == [recent]


def test_dry_run_counts_what_the_import_then_does(tmp_path, registry):
    path = tmp_path / "in.xlsx"
    path.write_bytes(xlsx(good_sheets()).read())
    import_responses("synthetic-small", path)
    sheets = good_sheets()
    sheets["responses"][1][4] = 13  # SYN-A changes, SYN-B does not
    del sheets["instruments"][1]  # SYN-A's instrument goes
    path.write_bytes(xlsx(sheets).read())
    before = list(AuditEvent.objects.values_list("id", flat=True))
    dry = import_responses("synthetic-small", path, dry_run=True)
    assert not dry.applied and list(AuditEvent.objects.values_list("id", flat=True)) == before
    real = import_responses("synthetic-small", path)
    figures = ("responses_created", "responses_changed", "responses_unchanged",
               "answers_written", "answers_removed")
    assert [getattr(dry, f) for f in figures] == [getattr(real, f) for f in figures] == [
        0, 1, 1, 1, 2]


def test_command_dry_run_writes_nothing(tmp_path, registry):
    path = tmp_path / "in.xlsx"
    path.write_bytes(xlsx(good_sheets()).read())
    out = io.StringIO()
    call_command("responses", "import", "synthetic-small", str(path), "--dry-run", stdout=out)
    assert "Checked, nothing written: 2 response(s) created" in out.getvalue()
    assert Response.objects.count() == 0


def test_recodes_edited_on_the_check_page_and_problems_summarised(
        client, registry, secretariat_user):
    """Policy "keep and flag", a recode typed on the page after the check; the summary by
    class and question, the CSV of every problem. The form and data are SYNTHETIC."""
    client.force_login(secretariat_user)
    sheets = good_sheets()
    sheets["responses"][1][3] = "intergov"  # not a choice of organisation/category
    page = check(client, sheets, policy="flag").content.decode()
    assert "Problems by class and question" in page and "not_in_list" in page
    assert "“intergov”" in html.unescape(page)
    ticket = re.search(r'name="action" value="recheck">\s*<input type="hidden" name="ticket" '
                       r'value="([^"]+)"', page).group(1)
    csv_reply = client.get("/en/responses/import/problems.csv", {"ticket": ticket})
    assert csv_reply.status_code == 200 and b"not_in_list" in csv_reply.content
    page = client.post(url(), {
        "action": "recheck", "ticket": ticket, "questionnaire": "synthetic-small",
        "policy": "flag", "recodes": "question,from,to\ncategory,intergov,igo\n",
    }).content.decode()
    assert "not_in_list" not in page and "The file can be imported" in page
    client.post(url(), {"action": "apply", "ticket": ticket_of(page)})
    answer = Answer.objects.get(
        path="organisation/category", response__organisation__acronym="SYN-A"
    )
    assert answer.value == "igo" and answer.flag is None


def test_data_quality_page_and_bulk_approval_of_an_import(
        client, registry, secretariat_user, tmp_path):
    """SYNTHETIC data: a value outside its list kept with policy "flag", shown on the
    data-quality page; the whole import approved in one action, audited per response."""
    sheets = good_sheets()
    sheets["responses"][1][3] = "intergov"
    path = tmp_path / "round.xlsx"
    path.write_bytes(xlsx(sheets).read())
    report = import_responses("synthetic-small", path, policy="flag", status="draft")
    assert report.applied and report.counts.flagged["not_in_list"] == 1
    client.force_login(secretariat_user)
    page = client.get("/en/responses/quality/synthetic-small/").content.decode()
    assert "organisation/category" in page and "not in the list" in page
    page = client.get("/en/responses/?questionnaire=synthetic-small").content.decode()
    assert 'value="import"' in page and 'name="response"' in page
    reply = client.post("/en/responses/approve/", {
        "questionnaire": "synthetic-small", "scope": "import",
        "import_run": report.import_run,
    })
    assert reply.status_code == 302
    assert set(Response.objects.values_list("status", flat=True)) == {"approved"}
    assert AuditEvent.objects.filter(action="status", new_value="approved").count() == 2
    # Only what was ticked moves.
    Response.objects.update(status="submitted")
    first = Response.objects.order_by("id").first()
    client.post("/en/responses/approve/", {
        "questionnaire": "synthetic-small", "scope": "selected", "response": [first.pk],
    })
    assert sorted(Response.objects.values_list("status", flat=True)) == ["approved", "submitted"]
