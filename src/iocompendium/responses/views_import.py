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
from iocompendium.responses.tabular import TabularFileError
from iocompendium.responses.tabular.recodes import Recodes, parse_recodes
from iocompendium.spreadsheets import csv_text
from iocompendium.web.forms import LimitedForm
from iocompendium.web.roles import secretariat_only
from iocompendium.web.uploads import checked_upload

UPLOAD_FOLDER = "response-imports"  # under MEDIA_ROOT, the data folder's uploads
KEEP_SECONDS = 24 * 3600
TICKET_SALT = "iocompendium.responses.import"
# What tabular.read_sheets reads, by the file's suffix.
SUFFIXES = (".xlsx", ".xlsm", ".csv", ".tsv", ".txt", ".zip")


def _questionnaire_choices() -> list[tuple[str, str]]:
    return [(q.slug, q.display_title) for q, _v in selectors.published_questionnaires()]


class ImportForm(LimitedForm, forms.Form):
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
    key = forms.CharField(
        label=gettext_lazy("Key column"), required=False, max_length=200,
        help_text=gettext_lazy(
            "The column identifying each row (for submissions: _uuid, meta/instanceID or "
            "KEY when empty)."
        ),
    )
    respondent_column = forms.CharField(
        label=gettext_lazy("Respondent column"), required=False, max_length=200,
        help_text=gettext_lazy(
            "The column naming each row's organisation (acronym) or jurisdiction (ISO code "
            "or name)."
        ),
    )
    policy = forms.ChoiceField(
        label=gettext_lazy("Policy for data problems"),
        choices=[
            ("strict", gettext_lazy("Strict: any problem refuses the file")),
            ("flag", gettext_lazy("Keep and flag: keep problem values, marked (a past round)")),
        ],
        initial="strict",
        required=False,
    )
    recodes = forms.CharField(
        label=gettext_lazy("Recodes (CSV: question,from,to)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Values in the file mapped to the form's before checking, one per line after "
            "the header question,from,to."
        ),
    )

    def __init__(self, *args, file_required: bool = True, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels are complete phrases
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].choices = _questionnaire_choices()
        self.fields["file"].required = file_required

    def clean_file(self):
        if not self.cleaned_data.get("file"):
            return None
        return checked_upload(self.cleaned_data["file"], SUFFIXES,
                              _("Upload an .xlsx, .csv or .zip file."))

    def clean_policy(self) -> str:
        return self.cleaned_data["policy"] or "strict"

    def clean_recodes(self) -> str:
        text = self.cleaned_data["recodes"].strip()
        if text:
            try:
                parse_recodes(text)
            except TabularFileError as error:
                raise forms.ValidationError(_(error.template) % error.params) from None
        return text


@dataclass(frozen=True)
class Ticket:
    """What the check step checked: the kept file and the options (signed in the page)."""

    stored: str  # the random file name under the upload folder
    filename: str  # the name the file was uploaded with
    questionnaire: str
    status: str
    create_organisations: bool
    user_id: int
    key: str = ""
    respondent_column: str = ""
    policy: str = "strict"
    recodes: str = ""  # CSV text, header question,from,to

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
        key=ticket.key or None,
        respondent_column=ticket.respondent_column or None,
        policy=ticket.policy,
        recodes=parse_recodes(ticket.recodes) if ticket.recodes else Recodes(),
        create_organisations=ticket.create_organisations,
        user=user,
        dry_run=dry_run,
        language=formtree.current_language(),
    )


EXAMPLES = 3


def problem_summary(report: ImportReport) -> list[dict]:
    """Problems by class (the flag, else error or warning) and question, with counts and
    the first three examples (sheet, row, column, value): a screen for the REACH file."""
    groups: dict[tuple[str, str], dict] = {}
    for problem in report.problems:
        kind = problem.flag or problem.severity
        question = problem.question or problem.column
        group = groups.setdefault(
            (kind, question), {"kind": kind, "question": question, "count": 0, "examples": []}
        )
        group["count"] += 1
        if len(group["examples"]) < EXAMPLES:
            group["examples"].append(
                {"sheet": problem.sheet, "row": problem.row, "column": problem.column,
                 "value": str(problem.params.get("value", "")), "text": problem_text(problem)}
            )
    return sorted(groups.values(), key=lambda g: (-g["count"], g["kind"], g["question"]))


def problems_csv(report: ImportReport) -> str:
    """Every problem, one line each (the check page's full download), by the one writer."""
    return csv_text(
        ["sheet", "row", "column", "severity", "problem", "question", "message"],
        [
            [p.sheet, p.row, p.column, p.severity, p.flag, p.question, problem_text(p)]
            for p in report.problems
        ],
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
    initial = {
        "questionnaire": ticket.questionnaire,
        "status": ticket.status,
        "create_organisations": ticket.create_organisations,
        "key": ticket.key,
        "respondent_column": ticket.respondent_column,
        "policy": ticket.policy,
        "recodes": ticket.recodes,
    }
    signed = ticket.sign()
    return _page(
        request,
        ImportForm(initial=initial),
        report=report,
        problems=_problem_rows(report),
        summary=problem_summary(report),
        recheck_form=ImportForm(initial=initial, file_required=False, auto_id="recheck-%s"),
        filename=ticket.filename,
        ticket=signed if not report.errors else "",
        kept_ticket=signed,
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
    if request.POST.get("action") == "recheck":
        return _recheck(request)
    return _check(request)


def _recheck(request: HttpRequest) -> HttpResponse:
    """Check the kept file again with the options edited on the page (recodes, policy...)."""
    ticket = Ticket.load(request.POST.get("ticket", ""), request.user.pk)
    if ticket is None or not (upload_folder() / ticket.stored).is_file():
        messages.error(request, _("The checked file is no longer available; upload it again."))
        return redirect("responses:import")
    form = ImportForm(request.POST, file_required=False)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    ticket = Ticket(
        stored=ticket.stored, filename=ticket.filename, questionnaire=ticket.questionnaire,
        status=data["status"], create_organisations=data["create_organisations"],
        user_id=request.user.pk, key=data["key"], respondent_column=data["respondent_column"],
        policy=data["policy"], recodes=data["recodes"],
    )
    try:
        report = _run(ticket, user=request.user, dry_run=True)
    except ImportFailed as error:
        form.add_error(None, error.text())
        return _page(request, form, status=400)
    return _report_page(request, ticket, report)


@secretariat_only
@require_http_methods(["GET"])
def import_problems_csv(request: HttpRequest) -> HttpResponse:
    """Every problem of a checked file as CSV (the check page shows a summary)."""
    ticket = Ticket.load(request.GET.get("ticket", ""), request.user.pk)
    if ticket is None or not (upload_folder() / ticket.stored).is_file():
        messages.error(request, _("The checked file is no longer available; upload it again."))
        return redirect("responses:import")
    report = _run(ticket, user=request.user, dry_run=True)
    response = HttpResponse(problems_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="import-problems.csv"'
    return response


def _check(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    ticket = Ticket(
        stored=_keep(data["file"]),
        filename=Path(data["file"].name).name,
        questionnaire=data["questionnaire"],
        status=data["status"],
        create_organisations=data["create_organisations"],
        user_id=request.user.pk,
        key=data["key"],
        respondent_column=data["respondent_column"],
        policy=data["policy"],
        recodes=data["recodes"],
    )
    try:
        report = _run(ticket, user=request.user, dry_run=True)
    except ImportFailed as error:
        (upload_folder() / ticket.stored).unlink(missing_ok=True)
        form.add_error("file", error.text())
        return _page(request, form, status=400)
    # Kept even with errors: recodes and options can be edited and the file checked again
    # (deleted after a day when never imported).
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
