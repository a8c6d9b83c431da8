"""Coding pages: codebooks, the coding page of a question, agreement and reconciliation,
flagged segments, suggestions, REFI-QDA downloads and upload. Thin: services and
selectors do the work. Open to the secretariat and to coders; never to focal points."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iocompendium.coding import refi, rendering, selectors, services, suggestions, tabular
from iocompendium.coding.models import Code, Codebook, Coder, Segment, Suggestion
from iocompendium.questionnaires.models import Questionnaire
from iocompendium.responses.models import Answer
from iocompendium.web.forms import LimitedForm
from iocompendium.web.roles import is_secretariat
from iocompendium.web.uploads import checked_upload

MEDIA_TYPES = {
    "qdpx": "application/zip",
    "qdc": "application/xml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def coders_only(view: Callable) -> Callable:
    """Log in first; then 403 unless secretariat or coder (focal points never)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not selectors.may_code(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _secretariat(request: HttpRequest) -> None:
    if not is_secretariat(request.user):
        raise PermissionDenied


class CodebookForm(LimitedForm, forms.Form):
    slug = forms.SlugField(label=_("Slug"), max_length=80)
    title = forms.CharField(label=_("Title"), max_length=200)
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire"), queryset=Questionnaire.objects.order_by("slug"),
        required=False, empty_label=_("(shared by every questionnaire)"))


class CodeForm(LimitedForm, forms.ModelForm):
    class Meta:
        model = Code
        fields = ["name", "parent", "label_en", "label_fr", "definition_en", "definition_fr",
                  "colour", "example", "memo"]

    questions = forms.MultipleChoiceField(label=_("Questions it applies to"), required=False,
                                          widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, codebook: Codebook, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Code.objects.filter(codebook=codebook)
        self.fields["parent"].required = False
        self.fields["questions"].choices = selectors.text_questions(codebook, get_language())
        if self.instance.pk:
            self.fields["questions"].initial = self.instance.questions


class ImportForm(LimitedForm, forms.Form):
    file = forms.FileField(label=_("REFI-QDA project (.qdpx), REFI-QDA codebook (.qdc) or "
                                   "codebook spreadsheet (.csv, .xlsx)"))


class AssignForm(LimitedForm, forms.Form):
    """Give every answer to a question to the chosen coders (each codes independently)."""

    question = forms.ChoiceField(label=_("Question"))
    coders = forms.ModelMultipleChoiceField(
        label=_("Coders (two or more for agreement)"), queryset=Coder.objects.none(),
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, codebook: Codebook, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].choices = selectors.text_questions(codebook, get_language())
        self.fields["coders"].queryset = selectors.all_coders()
        self.fields["coders"].label_from_instance = lambda coder: coder.user.get_username()


class CoderForm(LimitedForm, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)


@coders_only
def index(request: HttpRequest) -> HttpResponse:
    form = CodebookForm(request.POST or None)
    coder_form = CoderForm()
    if request.method == "POST":
        _secretariat(request)
        if form.is_valid():
            try:
                book = services.create_codebook(form.cleaned_data["slug"],
                                                form.cleaned_data["title"],
                                                form.cleaned_data["questionnaire"])
            except services.CodingError as error:
                form.add_error("slug", str(error))
            else:
                return redirect("coding:codebook", slug=book.slug)
    return render(request, "coding/index.html", {
        "codebooks": selectors.codebooks(), "form": form, "coder_form": coder_form,
        "may_manage": is_secretariat(request.user)})


@require_POST
@coders_only
def grant(request: HttpRequest) -> HttpResponse:
    _secretariat(request)
    form = CoderForm(request.POST)
    user = None
    if form.is_valid():
        user = get_user_model().objects.filter(username=form.cleaned_data["username"]).first()
    if user is None:
        messages.error(request, _("No account with this user name."))
    else:
        try:
            services.grant_coder(user, granted_by=request.user)
            messages.success(request, _("%(user)s is now a coder.") % {"user": user})
        except services.CodingError as error:
            messages.error(request, str(error))
    return redirect("coding:index")


def _codebook(slug: str) -> Codebook:
    return get_object_or_404(Codebook, slug=slug)


@coders_only
def codebook(request: HttpRequest, slug: str) -> HttpResponse:
    book = _codebook(slug)
    rates = selectors.acceptance_rates(book)
    return render(request, "coding/codebook.html", {
        "codebook": book,
        "tree": [(code, depth, rates.get(code.name)) for code, depth in selectors.code_tree(book)],
        "questions": selectors.text_questions(book, get_language()),
        "rates": rates, "flagged": selectors.flagged_segments(book).count(),
        "import_form": ImportForm(), "may_manage": is_secretariat(request.user),
        "assign_form": AssignForm(codebook=book) if is_secretariat(request.user) else None,
        "assigned": selectors.assignment_counts(book),
        "lang": get_language()})


@require_POST
@coders_only
def assign(request: HttpRequest, slug: str) -> HttpResponse:
    """The secretariat gives a question's answers to coders (idempotent)."""
    _secretariat(request)
    book = _codebook(slug)
    form = AssignForm(request.POST, codebook=book)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("coding:codebook", slug=book.slug)
    question = form.cleaned_data["question"]
    answers = Answer.objects.filter(pk__in=selectors.answer_ids_to(book, question))
    created = services.assign(book, answers, list(form.cleaned_data["coders"]))
    messages.success(request, _("%(created)s assignments made: each chosen coder codes every "
                                "answer to this question.") % {"created": created})
    return redirect("coding:codebook", slug=book.slug)


@coders_only
def code_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    _secretariat(request)
    book = _codebook(slug)
    instance = get_object_or_404(Code, codebook=book, pk=pk) if pk else None
    form = CodeForm(request.POST or None, instance=instance, codebook=book)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "name"}
        try:
            services.save_code(book, form.cleaned_data["name"], code=instance, **fields)
        except services.CodingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("coding:codebook", slug=book.slug)
    return render(request, "coding/code_edit.html", {"codebook": book, "form": form,
                                                      "code": instance})


@coders_only
def coding_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The answers to one question, each with the viewer's own codes (or the final ones)."""
    book = _codebook(slug)
    questions = dict(selectors.text_questions(book, get_language()))
    question = request.GET.get("question") or next(iter(questions), "")
    if question not in questions:
        raise _not_found()
    coder = selectors.coder_of(request.user)
    show_final = request.GET.get("final") == "1" or coder is None
    services.flag_changed_answers(book)
    rows = selectors.coding_rows(book, question, coder, final=show_final)
    items = rendering.answer_items(
        rows, final=show_final, can_code=coder is not None,
        memo_url=reverse("coding:segment_memo", kwargs={"slug": book.slug}),
        remove_url=reverse("coding:segment_remove", kwargs={"slug": book.slug}))
    return render(request, "coding/coding.html", {
        "codebook": book, "question": question, "question_label": questions[question],
        "questions": questions.items(), "rows": rows, "answer_items": items,
        "codes": selectors.code_tree(book), "coder": coder, "final": show_final,
        "suggestions": selectors.pending_suggestions(book, question, limit=200),
        "lang": get_language()})


def _not_found():
    from django.http import Http404

    return Http404()


def _back(request: HttpRequest, book: Codebook, answer_id: int | None = None) -> HttpResponse:
    question = request.POST.get("question", "")
    url = reverse("coding:code", kwargs={"slug": book.slug}) + f"?question={question}"
    return redirect(url + (f"#a{answer_id}" if answer_id else ""))


def _span(answer: Answer, request: HttpRequest) -> tuple[int | None, int | None]:
    """The span to code: exact offsets from the mouse selection (checked against the
    passage), else the first occurrence of the typed passage, else the whole answer."""
    aid = answer.pk
    passage = request.POST.get(f"passage_{aid}", "")
    try:
        start = int(request.POST.get(f"start_{aid}", ""))
        end = int(request.POST.get(f"end_{aid}", ""))
    except ValueError:
        start = end = None
    if start is not None and end is not None and answer.value[start:end] == passage != "":
        return start, end
    if passage:
        found = answer.value.find(passage)
        if found < 0:
            raise services.CodingError(_("This passage is not in the answer."))
        return found, found + len(passage)
    return None, None


@require_POST
@coders_only
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    book = _codebook(slug)
    coder = selectors.coder_of(request.user)
    answer = get_object_or_404(Answer, pk=request.POST.get("answer"))
    code = get_object_or_404(Code, codebook=book, pk=request.POST.get("code") or 0)
    try:
        if coder is None:
            raise services.CodingError(_("Only a coder can code an answer."))
        start, end = _span(answer, request)
        services.apply_code(answer, code, coder=coder, user=request.user, start=start, end=end,
                            memo=request.POST.get(f"memo_{answer.pk}", "")[:5000])
    except services.CodingError as error:
        messages.error(request, str(error))
    return _back(request, book, answer.pk)


def _own_segment(request: HttpRequest, book: Codebook) -> Segment:
    segment = get_object_or_404(Segment.objects.select_related("answer__response", "code"),
                                code__codebook=book, pk=request.POST.get("segment") or 0)
    coder = selectors.coder_of(request.user)
    others = segment.final or segment.coder_id != getattr(coder, "pk", None)
    if others and not is_secretariat(request.user):
        raise PermissionDenied  # a coder changes only their own coding
    return segment


@require_POST
@coders_only
def segment_remove(request: HttpRequest, slug: str) -> HttpResponse:
    book = _codebook(slug)
    segment = _own_segment(request, book)
    services.remove_segment(segment, user=request.user)
    return _back(request, book, segment.answer_id)


@require_POST
@coders_only
def segment_memo(request: HttpRequest, slug: str) -> HttpResponse:
    book = _codebook(slug)
    segment = _own_segment(request, book)
    services.set_segment_memo(
        segment, request.POST.get(f"segmemo_{segment.pk}", "")[:5000], user=request.user)
    return _back(request, book, segment.answer_id)


@coders_only
def agreement(request: HttpRequest, slug: str) -> HttpResponse:
    book = _codebook(slug)
    services.flag_changed_answers(book)
    result = selectors.agreement(book)
    labels = {c.name: c.label(get_language()) for c in selectors.codes_of(book)}
    return render(request, "coding/agreement.html", {
        "codebook": book, "result": result,
        "codes": [(labels[name], values) for name, values in result.codes.items()],
        "differing": selectors.differing_answers(book) if is_secretariat(request.user) else [],
        "all_codes": selectors.code_tree(book), "may_manage": is_secretariat(request.user)})


@require_POST
@coders_only
def reconcile(request: HttpRequest, slug: str) -> HttpResponse:
    _secretariat(request)
    book = _codebook(slug)
    if request.POST.get("finalize"):
        done = services.finalize_agreed(book, user=request.user)
        messages.success(request, _("%(n)s answers where the coders agree are final.")
                         % {"n": done})
    else:
        answer = get_object_or_404(Answer, pk=request.POST.get("answer") or 0)
        chosen = [int(v) for v in request.POST.getlist("codes") if v.isdigit()]
        try:
            services.reconcile(book, answer, chosen, user=request.user)
        except services.CodingError as error:
            messages.error(request, str(error))
    return redirect("coding:agreement", slug=book.slug)


@coders_only
def flagged(request: HttpRequest, slug: str) -> HttpResponse:
    book = _codebook(slug)
    if request.method == "POST":
        segment = _own_segment(request, book)
        try:
            services.review_segment(segment, keep=request.POST.get("keep") == "1",
                                    user=request.user)
        except services.CodingError as error:
            messages.error(request, str(error))
        return redirect("coding:flagged", slug=book.slug)
    services.flag_changed_answers(book)
    return render(request, "coding/flagged.html", {
        "codebook": book, "segments": selectors.flagged_segments(book)})


@require_POST
@coders_only
def suggest(request: HttpRequest, slug: str) -> HttpResponse:
    book = _codebook(slug)
    made = suggestions.suggest(book)
    messages.success(request, _("%(n)s new suggestions.") % {"n": made})
    return _back(request, book)


@require_POST
@coders_only
def decide(request: HttpRequest, slug: str) -> HttpResponse:
    book = _codebook(slug)
    coder = selectors.coder_of(request.user)
    suggestion = get_object_or_404(Suggestion, code__codebook=book,
                                   pk=request.POST.get("suggestion") or 0)
    try:
        if coder is None:
            raise services.CodingError(_("Only a coder can code an answer."))
        accept = request.POST.get("accept") == "1" and request.GET.get("reject") != "1"
        services.decide_suggestion(suggestion, accept=accept,
                                   coder=coder, user=request.user)
    except services.CodingError as error:
        messages.error(request, str(error))
    return _back(request, book, suggestion.answer_id)


@coders_only
def download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    book = _codebook(slug)
    if fmt not in MEDIA_TYPES:
        raise _not_found()
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"{book.slug}.{fmt}"
        if fmt == "qdpx":
            services.flag_changed_answers(book)
            refi.export_project(book, target)
            data = target.read_bytes()
        elif fmt == "qdc":
            data = refi.export_codebook(book)
        else:
            tabular.write_codebook(book, target)
            data = target.read_bytes()
    response = HttpResponse(data, content_type=MEDIA_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{book.slug}.{fmt}"'
    return response


@require_POST
@coders_only
def upload(request: HttpRequest, slug: str) -> HttpResponse:
    _secretariat(request)
    book = _codebook(slug)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a .qdpx, .qdc, .csv or .xlsx file."))
        return redirect("coding:codebook", slug=book.slug)
    try:
        upload_file = checked_upload(form.cleaned_data["file"], [".qdpx", ".qdc", ".csv", ".xlsx"],
                                     _("Choose a REFI-QDA project (.qdpx), a REFI-QDA codebook "
                                       "(.qdc) or a codebook spreadsheet (.csv, .xlsx)."))
        suffix = Path(upload_file.name).suffix.lower()
        with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
            for chunk in upload_file.chunks():
                handle.write(chunk)
            handle.flush()
            if suffix == ".qdpx":
                summary = refi.import_project(book, Path(handle.name), user=request.user)
            elif suffix == ".qdc":
                created = refi.import_codebook(book, Path(handle.name),
                                               user=request.user).codes_created
                messages.success(request, _("Codes imported: %(created)s created, %(updated)s "
                                            "updated.") % {"created": created, "updated": 0})
                return redirect("coding:codebook", slug=book.slug)
            else:
                created, updated = tabular.import_codebook(book, Path(handle.name))
                messages.success(request, _("Codes imported: %(created)s created, %(updated)s "
                                            "updated.") % {"created": created, "updated": updated})
                return redirect("coding:codebook", slug=book.slug)
    except (forms.ValidationError, refi.RefiError, services.CodingError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _(
            "Imported: %(created)s segments created, %(updated)s updated, %(skipped)s "
            "skipped.") % {"created": summary.segments_created,
                           "updated": summary.segments_updated,
                           "skipped": len(summary.skipped)})
        for line in summary.skipped[:20]:
            messages.warning(request, line)
    return redirect("coding:codebook", slug=book.slug)
    try:
        upload_file = checked_upload(form.cleaned_data["file"], [".qdpx"],
                                     _("Choose a REFI-QDA project (.qdpx)."))
        with tempfile.NamedTemporaryFile(suffix=".qdpx") as handle:
            for chunk in upload_file.chunks():
                handle.write(chunk)
            handle.flush()
            summary = refi.import_project(book, Path(handle.name), user=request.user)
    except (forms.ValidationError, refi.RefiError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _(
            "Imported: %(created)s segments created, %(updated)s updated, %(skipped)s "
            "skipped.") % {"created": summary.segments_created,
                           "updated": summary.segments_updated,
                           "skipped": len(summary.skipped)})
        for line in summary.skipped[:20]:
            messages.warning(request, line)
    return redirect("coding:codebook", slug=book.slug)
