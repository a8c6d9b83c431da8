"""The spreadsheet import of responses on the web (issue 4.7): check first, then import.

1. "Check": the secretariat uploads a wide .xlsx, .csv or .zip of CSVs. The file is kept
   in the data folder's uploads under a random name (files can be large: not in the
   session) and checked with ``import_responses(..., dry_run=True)``: a summary and every
   problem by sheet, row and column; nothing is written.
2. "Import": the page posts back a signed ticket naming the kept file and the options
   that were checked. The same file is checked again and written in one transaction, by
   the same function the command uses. The file is deleted afterwards; files left behind
   (checked, never imported) are deleted after a day.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from iocompendium.responses import formtree, selectors
from iocompendium.responses.importing import (
    IMPORT_STATUSES,
    ImportFailed,
    ImportReport,
    import_responses,
    problem_text,
)
from iocompendium.web.roles import secretariat_only
from iocompendium.web.uploads import checked_upload

UPLOAD_FOLDER = "response-imports"  # under MEDIA_ROOT, the data folder's uploads
KEEP_SECONDS = 24 * 3600
TICKET_SALT = "iocompendium.responses.import"
# What tabular.read_sheets reads, by the file's suffix.
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".txt", ".zip")


def _questionnaire_choices() -> list[tuple[str, str]]:
    return [(q.slug, q.display_title) for q, _v in selectors.published_questionnaires()]


class ImportForm(forms.Form):
    questionnaire = forms.ChoiceField(label=gettext_lazy("Questionnaire"))
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet (.xlsx, .csv or .zip of CSV files)"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SUFFIXES)}),
        help_text=gettext_lazy(
            "The wide layout of KoboToolbox and ODK: one row per organisation, columns "
            "named by question paths, one sheet per repeat group."
        ),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status of the imported responses"),
        required=False,
        choices=[
            ("", gettext_lazy("As in the file's _response_status column, else approved")),
            *[(s.value, s.label) for s in IMPORT_STATUSES],
        ],
    )
    create_organisations = forms.BooleanField(
        label=gettext_lazy("Create the organisations missing from the registry"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels are complete phrases
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = _questionnaire_choices()

    def clean_file(self):
        return checked_upload(self.cleaned_data["file"], SUFFIXES,
                              _("Upload an .xlsx, .csv or .zip file."))


@dataclass(frozen=True)
class Ticket:
    """What the check step checked: the kept file and the options (signed in the page)."""

    stored: str  # the random file name under the upload folder
    filename: str  # the name the file was uploaded with
    questionnaire: str
    status: str
    create_organisations: bool
    user_id: int

    def sign(self) -> str:
        return signing.dumps(self.__dict__, salt=TICKET_SALT)

    @classmethod
    def load(cls, value: str, user_id: int) -> Ticket | None:
        try:
            ticket = cls(**signing.loads(value, salt=TICKET_SALT, max_age=KEEP_SECONDS))
        except (signing.BadSignature, TypeError):
            return None
        return ticket if ticket.user_id == user_id else None


def upload_folder() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_FOLDER


def _forget_old_files(now: float | None = None) -> None:
    """Delete the files checked more than a day ago and never imported."""
    folder = upload_folder()
    if not folder.is_dir():
        return
    limit = (now or time.time()) - KEEP_SECONDS
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except FileNotFoundError:
            pass  # another request removed it meanwhile


def _keep(upload) -> str:
    """Write the upload under a random name; return that name."""
    folder = upload_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16) + Path(upload.name).suffix.lower()
    with (folder / stored).open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return stored


def _run(ticket: Ticket, *, user, dry_run: bool) -> ImportReport:
    """Check (or import) the kept file; read under its own name for the messages."""
    data = (upload_folder() / ticket.stored).read_bytes()
    return import_responses(
        ticket.questionnaire,
        ticket.filename,
        data=data,
        status=ticket.status or None,
        create_organisations=ticket.create_organisations,
        user=user,
        dry_run=dry_run,
        language=formtree.current_language(),
    )


def _problem_rows(report: ImportReport) -> list[dict]:
    """The problems in reading order: sheet by sheet (as they first appear), row by row."""
    sheets: dict[str, int] = {}
    for problem in report.problems:
        sheets.setdefault(problem.sheet, len(sheets))
    ordered = sorted(report.problems, key=lambda p: (sheets[p.sheet], p.row))
    return [
        {
            "sheet": problem.sheet,
            "row": problem.row,
            "column": problem.column,
            "error": problem.severity == "error",
            "text": problem_text(problem),
        }
        for problem in ordered
    ]


def _page(request: HttpRequest, form: ImportForm, *, status: int = 200, **context) -> HttpResponse:
    return render(request, "responses/import.html", {"form": form, **context}, status=status)


def _report_page(request: HttpRequest, ticket: Ticket, report: ImportReport) -> HttpResponse:
    again = ImportForm(
        initial={
            "questionnaire": ticket.questionnaire,
            "status": ticket.status,
            "create_organisations": ticket.create_organisations,
        }
    )
    return _page(
        request,
        again,
        report=report,
        problems=_problem_rows(report),
        filename=ticket.filename,
        ticket=ticket.sign() if not report.errors else "",
    )


@secretariat_only
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """The form; "check" runs a dry run of the uploaded file, "apply" imports it."""
    _forget_old_files()
    if request.method == "GET":
        initial = {"questionnaire": request.GET.get("questionnaire", "")}
        return _page(request, ImportForm(initial=initial))
    if request.POST.get("action") == "apply":
        return _apply(request)
    return _check(request)


def _check(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    ticket = Ticket(
        stored=_keep(form.cleaned_data["file"]),
        filename=Path(form.cleaned_data["file"].name).name,
        questionnaire=form.cleaned_data["questionnaire"],
        status=form.cleaned_data["status"],
        create_organisations=form.cleaned_data["create_organisations"],
        user_id=request.user.pk,
    )
    try:
        report = _run(ticket, user=request.user, dry_run=True)
    except ImportFailed as error:
        (upload_folder() / ticket.stored).unlink(missing_ok=True)
        form.add_error("file", error.text())
        return _page(request, form, status=400)
    if report.errors:  # nothing can be imported: the file is not kept
        (upload_folder() / ticket.stored).unlink(missing_ok=True)
    return _report_page(request, ticket, report)


def _apply(request: HttpRequest) -> HttpResponse:
    ticket = Ticket.load(request.POST.get("ticket", ""), request.user.pk)
    if ticket is None or not (upload_folder() / ticket.stored).is_file():
        messages.error(request, _("The checked file is no longer available; upload it again."))
        return redirect("responses:import")
    try:
        report = _run(ticket, user=request.user, dry_run=False)
    except ImportFailed as error:
        messages.error(request, error.text())
        return redirect("responses:import")
    finally:  # imported or refused, the file is not used again
        (upload_folder() / ticket.stored).unlink(missing_ok=True)
    if not report.applied:  # the responses changed since the check: show why
        return _report_page(request, ticket, report)
    messages.success(request, report.summary())
    query = urlencode({"questionnaire": ticket.questionnaire})
    return redirect(f"{reverse('responses:index')}?{query}")
