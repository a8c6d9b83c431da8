"""Review work: statuses, queries on answers, the audit trail and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from iocompendium.responses import formtree, selectors, services
from iocompendium.responses.formtree import InvalidAnswer
from iocompendium.responses.models import Query, ResponseStatus
from iocompendium.responses.views_support import is_contributor_of, require_secretariat
from iocompendium.spreadsheets import csv_lines
from iocompendium.web.roles import is_secretariat

MAX_MESSAGE_LENGTH = 5000
MAX_SELECTED = 100_000  # ids posted by the review list's check boxes


@require_POST
@login_required
def approve_bulk(request: HttpRequest) -> HttpResponse:
    """Approve in one action: the responses ticked on the review list, every response the
    filters show ("shown"), or every response of one import; audited per response."""
    from iocompendium.questionnaires.models import Questionnaire
    from iocompendium.responses.approval import approve_responses
    from iocompendium.responses.models import Response

    require_secretariat(request.user)
    questionnaire = Questionnaire.objects.filter(slug=request.POST.get("questionnaire")).first()
    if questionnaire is None:
        raise Http404
    responses = Response.objects.filter(version__questionnaire=questionnaire)
    scope = request.POST.get("scope", "selected")
    if scope == "import":
        responses = responses.filter(import_run_id=_int(request.POST.get("import_run")))
    elif scope == "shown":
        rows = selectors.review_rows(
            questionnaire, status=request.POST.get("status", ""),
            category=request.POST.get("category", ""), search=request.POST.get("q", ""),
            response_ids=selectors.grouped_response_ids(
                selectors.grouping_filters(questionnaire, request.POST)),
        )
        responses = responses.filter(pk__in=[row.response.pk for row in rows if row.response])
    else:
        ids = [_int(v) for v in request.POST.getlist("response")[:MAX_SELECTED]]
        responses = responses.filter(pk__in=[i for i in ids if i is not None])
    moved = approve_responses(responses, user=request.user)
    messages.success(request, _("%(count)s response(s) approved.") % {"count": moved})
    return redirect(f"{reverse('responses:index')}?questionnaire={questionnaire.slug}")


@login_required
@require_http_methods(["GET"])
def data_quality(request: HttpRequest, slug: str) -> HttpResponse:
    """Per questionnaire: the answers kept with a data problem, by class and question."""
    from iocompendium.questionnaires.models import Questionnaire
    from iocompendium.responses.models import Flag, ImportRun

    require_secretariat(request.user)
    questionnaire = Questionnaire.objects.filter(slug=slug).first()
    if questionnaire is None:
        raise Http404
    groups = selectors.flag_summary(questionnaire)
    labels = dict(Flag.choices)
    for group in groups:
        group["label"] = labels.get(group["flag"], group["flag"])
    by_flag: dict[str, int] = {}
    for group in groups:
        by_flag[group["label"]] = by_flag.get(group["label"], 0) + group["count"]
    runs = ImportRun.objects.filter(questionnaire_version__questionnaire=questionnaire)[:20]
    return render(request, "responses/data_quality.html", {
        "questionnaire": questionnaire, "groups": groups, "by_flag": sorted(by_flag.items()),
        "import_runs": runs,
    })


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_POST
@login_required
def set_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat starts a review, approves, or reopens a response."""
    response = selectors.response_for(request.user, pk)
    require_secretariat(request.user)
    status = request.POST.get("status", "")
    if status not in ResponseStatus.values or (
        services.allowed_transition(response.status, status) != "secretariat"
    ):
        messages.error(request, _("This change of status is not possible."))
        return redirect("responses:response_detail", pk=pk)
    services.set_status(response, status, user=request.user)
    messages.success(request, _("The response is now: %(status)s.") % {
        "status": ResponseStatus(status).label})
    return redirect("responses:response_detail", pk=pk)


def _question_label(response, path: str) -> str:
    form = selectors.form_for(response)
    base, _is_other = formtree.split_other(path)
    ref = form.refs.get(formtree.template_path(base))
    if ref is None:
        return path
    return form.text(ref.node.get("label"), formtree.current_language()) or ref.name


def _section_url(response, path: str) -> str:
    form = selectors.form_for(response)
    base, _is_other = formtree.split_other(path)
    name = form.section_of.get(formtree.template_path(base))
    if name is None:
        return ""
    url = reverse("responses:section", kwargs={"pk": response.pk, "name": name})
    return f"{url}#{formtree.input_id(base)}"


def _clean_text(request: HttpRequest) -> str:
    return request.POST.get("text", "").strip()[:MAX_MESSAGE_LENGTH]


@login_required
@require_http_methods(["GET", "POST"])
def queries(request: HttpRequest, pk: int) -> HttpResponse:
    """Every query of a response; the secretariat raises a new one with a POST."""
    response = selectors.response_for(request.user, pk)
    if request.method == "POST":
        require_secretariat(request.user)
        path = request.POST.get("path", "")
        # The section page posts "text-<path>" (one form for every question's box).
        text = (request.POST.get(f"text-{path}") or request.POST.get("text", ""))
        text = text.strip()[:MAX_MESSAGE_LENGTH]
        if not text:
            messages.error(request, _("Write the question to ask."))
        else:
            try:
                services.raise_query(response, path, text, user=request.user)
                messages.success(request, _("The query was sent to the organisation."))
            except InvalidAnswer as error:
                messages.error(request, str(error))
        back = request.POST.get("next", "")
        if back.startswith("/") and not back.startswith("//"):
            return redirect(back)
        return redirect("responses:queries", pk=pk)
    items = [
        {"query": query, "label": _question_label(response, query.path),
         "url": _section_url(response, query.path)}
        for query in selectors.queries_of(response)
    ]
    return render(request, "responses/queries.html", {"response": response, "items": items})


@login_required
@require_http_methods(["GET", "POST"])
def query_detail(request: HttpRequest, pk: int, query_id: int) -> HttpResponse:
    """A query's thread, with the answer's history since; both sides reply here."""
    response = selectors.response_for(request.user, pk)
    query = selectors.query_for(response, query_id)
    if request.method == "POST":
        if not (is_secretariat(request.user) or is_contributor_of(request.user, response)):
            raise Http404
        text = _clean_text(request)
        if text:
            services.reply_to_query(query, text, user=request.user)
            messages.success(request, _("Your reply was added."))
        else:
            messages.error(request, _("Write a reply first."))
        back = request.POST.get("next", "")
        if back.startswith("/") and not back.startswith("//"):
            return redirect(back)
        return redirect("responses:query_detail", pk=pk, query_id=query_id)
    history = selectors.answer_history(response, query.path)
    timeline = sorted(
        [("message", message.created_at, message) for message in query.messages.all()]
        + [("change", event.at, event) for event in history if event.at >= query.created_at],
        key=lambda entry: entry[1],
    )
    return render(request, "responses/query_detail.html", {
        "response": response, "query": query, "timeline": timeline,
        "label": _question_label(response, query.path),
        "url": _section_url(response, query.path),
        "answer": selectors.answers_of(response).get(query.path, ""),
    })


@require_POST
@login_required
def query_status(request: HttpRequest, pk: int, query_id: int) -> HttpResponse:
    response = selectors.response_for(request.user, pk)
    query = selectors.query_for(response, query_id)
    require_secretariat(request.user)
    status = request.POST.get("status", "")
    if status in Query.Status.values:
        services.set_query_status(query, status, user=request.user)
    return redirect("responses:query_detail", pk=pk, query_id=query_id)


@login_required
def audit(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_for(request.user, pk)
    return render(request, "responses/audit.html", {
        "response": response, "events": selectors.audit_events(response),
    })


def _csv_response(rows, filename: str) -> StreamingHttpResponse:
    # The byte-order mark lets Excel read the file as UTF-8.
    response = StreamingHttpResponse(
        (chunk for part in (["\ufeff"], csv_lines(rows)) for chunk in part),
        content_type="text/csv",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def audit_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    response = selectors.response_for(request.user, pk)
    header = ["at", "actor", "action", "path", "old_value", "new_value", "via"]
    rows = (
        [event.at.isoformat(), event.actor_label, event.action, event.path,
         event.old_value, event.new_value, event.via]
        for event in selectors.audit_events(response).iterator()
    )
    name = f"audit-{response.unit_name}-{response.pk}.csv"
    return _csv_response(_with_header(header, rows), name)


@login_required
def answers_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    response = selectors.response_for(request.user, pk)
    header = ["organisation", "path", "value", "revision", "updated_by", "updated_at"]
    rows = (
        [response.unit_name, answer.path, answer.value, answer.revision,
         answer.updated_by.get_username() if answer.updated_by else "",
         answer.updated_at.isoformat()]
        for answer in response.answers.select_related("updated_by").order_by("path")
    )
    name = f"answers-{response.unit_name}-{response.pk}.csv"
    return _csv_response(_with_header(header, rows), name)


def _with_header(header, rows):
    yield header
    yield from rows
