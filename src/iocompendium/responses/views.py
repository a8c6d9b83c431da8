"""The web questionnaire: a focal point's home, the section pages, autosave, submission."""

from __future__ import annotations

import json
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from iocompendium.questionnaires.models import Questionnaire
from iocompendium.registry.models import Category
from iocompendium.responses import formtree, selectors, services
from iocompendium.responses.formtree import InvalidAnswer
from iocompendium.responses.models import Query, Response, ResponseStatus
from iocompendium.responses.services import ResponseLocked
from iocompendium.responses.views_support import (
    can_edit_answers,
    is_contributor_of,
    require_contributor,
)
from iocompendium.web import limits
from iocompendium.web.roles import is_secretariat, organisation_id_of

_INSTANCE_RE = re.compile(r"^(.+)\[(\d+)\]$")


# --- home ------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The secretariat's review list, or a focal point's questionnaires and responses."""
    if is_secretariat(request.user):
        return _review_list(request)
    organisation_id = organisation_id_of(request.user)
    if organisation_id is None:
        return render(request, "responses/no_organisation.html", status=403)
    responses = list(selectors.responses_of_organisation(organisation_id))
    started = {response.version.questionnaire_id for response in responses}
    available = [
        (questionnaire, version) for questionnaire, version in selectors.published_questionnaires()
        if questionnaire.pk not in started
    ]
    services.fill_missing_progress(responses)
    return render(request, "responses/index.html", {
        "organisation": request.user.contributor.organisation,
        "responses": responses, "available": available,
    })


def _review_list(request: HttpRequest) -> HttpResponse:
    questionnaires = list(Questionnaire.objects.all())
    slug = request.GET.get("questionnaire", "")
    questionnaire = next((q for q in questionnaires if q.slug == slug), None)
    questionnaire = questionnaire or selectors.default_questionnaire()
    filters = {
        "status": request.GET.get("status", "") if request.GET.get("status", "") in
        {selectors.NOT_STARTED, *ResponseStatus.values} else "",
        "category": request.GET.get("category", "") if request.GET.get("category", "")
        in Category.values else "",
        "search": request.GET.get("q", "").strip()[:100],
    }
    groupings = selectors.grouping_filters(questionnaire, request.GET)
    response_ids = selectors.grouped_response_ids(groupings)
    rows = []
    if questionnaire is not None:
        all_rows = selectors.review_rows(questionnaire, category=filters["category"],
                                         search=filters["search"], response_ids=response_ids)
        services.fill_missing_progress([row.response for row in all_rows if row.response])
        rows = selectors.review_rows(questionnaire, **filters, response_ids=response_ids)
    statuses = [(selectors.NOT_STARTED, _("Not started")), *ResponseStatus.choices]
    import_runs = []
    if questionnaire is not None:
        from iocompendium.responses.models import ImportRun

        import_runs = list(ImportRun.objects.filter(
            questionnaire_version__questionnaire=questionnaire)[:20])
    return render(request, "responses/review_list.html", {
        "import_runs": import_runs,
        "questionnaires": questionnaires, "questionnaire": questionnaire, "rows": rows,
        "filters": filters, "statuses": statuses, "categories": Category.choices,
        "groupings": groupings,
        "counts": selectors.status_counts(rows),
    })


@require_POST
@login_required
def start(request: HttpRequest, slug: str) -> HttpResponse:
    """A focal point starts (or resumes) their organisation's response to a questionnaire."""
    organisation_id = organisation_id_of(request.user)
    if organisation_id is None or is_secretariat(request.user):
        raise PermissionDenied
    published = dict(selectors.published_questionnaires_by_slug())
    if slug not in published:
        raise Http404
    questionnaire, version = published[slug]
    existing = selectors.responses_of_organisation(organisation_id).filter(
        version__questionnaire=questionnaire
    ).first()
    if existing is None:
        existing = services.get_or_create_response(request.user.contributor.organisation,
                                                   version)
        services.record_event(existing, user=request.user, action="created",
                              new_value=str(version))
    return redirect("responses:response_detail", pk=existing.pk)


# --- a response ---------------------------------------------------------------------------


def _evaluated(response: Response):
    form = selectors.form_for(response)
    answers, revisions = selectors.answers_with_revisions(response)
    states = formtree.evaluate(form, answers, formtree.current_language())
    return form, answers, revisions, states


def _section_menu(form, states, lang: str) -> list[dict]:
    menu = []
    for number, section in enumerate(form.sections, start=1):
        answered, relevant = formtree.progress(form, states, section.name)
        label = form.text(section.label, lang) or (
            _("General") if section.name == formtree.LOOSE_SECTION else section.name
        )
        menu.append({"name": section.name, "label": label, "number": number,
                     "answered": answered, "relevant": relevant})
    return menu


@login_required
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_for(request.user, pk)
    form, answers, revisions, states = _evaluated(response)
    lang = formtree.current_language()
    answered, relevant = formtree.progress(form, states)
    services.store_progress(response, answered, relevant)
    queries = selectors.queries_of(response).filter(status=Query.Status.OPEN)
    return render(request, "responses/response_detail.html", {
        "response": response, "menu": _section_menu(form, states, lang),
        "answered": answered, "relevant": relevant,
        "open_queries": queries, "newer_version": selectors.newer_version(response)
        if response.status == ResponseStatus.DRAFT else None,
        "is_contributor": is_contributor_of(request.user, response),
        "transitions": _secretariat_transitions(request, response),
        "title": response.version.questionnaire.title_in(lang),
    })


def _secretariat_transitions(request: HttpRequest, response: Response) -> list[tuple[str, str]]:
    if not is_secretariat(request.user):
        return []
    labels = {
        ResponseStatus.IN_REVIEW: _("Start the review"),
        ResponseStatus.APPROVED: _("Approve"),
        ResponseStatus.DRAFT: _("Reopen for changes"),
    }
    return [
        (status, label) for status, label in labels.items()
        if services.allowed_transition(response.status, status) == "secretariat"
    ]


@login_required
@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    response = selectors.response_for(request.user, pk)
    form = selectors.form_for(response)
    current = form.section(name)
    if current is None:
        raise Http404
    problems: list[str] = []
    conflicts: list[services.SaveResult] = []
    if request.method == "POST":
        require_contributor(request.user, response)
        conflicts, problems, anchor = _save_posted_section(request, response, form, current)
        if not conflicts and not problems:
            target = _next_section_name(form, name) if "_next" in request.POST else name
            url = reverse("responses:section", kwargs={"pk": pk, "name": target})
            return redirect(url + (f"#{anchor}" if anchor and target == name else ""))
    return _render_section(request, response, form, current, conflicts=conflicts,
                           problems=problems)


def _next_section_name(form, name: str) -> str:
    names = [section.name for section in form.sections]
    position = names.index(name)
    return names[min(position + 1, len(names) - 1)]


def _editable_paths(request, response: Response, paths: list[str]) -> set[str]:
    if not can_edit_answers(request.user, response):
        return set()
    if response.status == ResponseStatus.DRAFT:
        return set(paths)
    if response.status in {ResponseStatus.SUBMITTED, ResponseStatus.IN_REVIEW}:
        queried = selectors.open_query_paths(response)
        return {path for path in paths if formtree.split_other(path)[0] in queried}
    return set()


def _answer_paths(form, section_, states) -> list[str]:
    """Every answerable input of the section: questions and their "other" texts."""
    paths = []
    for path in formtree.section_paths(form, section_, states):
        ref = form.refs[formtree.template_path(path)]
        if formtree.is_answerable(ref):
            paths.append(path)
            if ref.node.get("or_other"):
                paths.append(path + formtree.OTHER_SUFFIX)
    return paths


def _render_section(request, response, form, current, *, conflicts=(), problems=()):
    lang = formtree.current_language()
    answers, revisions = selectors.answers_with_revisions(response)
    states = formtree.evaluate(form, answers, lang)
    editable = _editable_paths(request, response, _answer_paths(form, current, states))
    show_queries = is_secretariat(request.user) or is_contributor_of(request.user, response)
    data = formtree.PageData(
        states=states, answers=answers, revisions=revisions, lang=lang,
        queries=selectors.queries_by_path(response) if show_queries else {},
        show_all_errors=request.GET.get("check") == "1", editable=editable,
        repeat_relevance=formtree.empty_repeat_relevance(form, current, answers, lang, states),
    )
    items = formtree.build_section(form, current, data)
    menu = _section_menu(form, states, lang)
    answered, relevant = formtree.progress(form, states)
    services.store_progress(response, answered, relevant)
    position = next(i for i, entry in enumerate(menu) if entry["name"] == current.name)
    config = {
        "url": reverse("responses:autosave", kwargs={"pk": response.pk}),
        "section": current.name, "response": response.pk,
        "revisions": {path: revisions.get(path, 0) for path in sorted(editable)},
        "strings": _script_strings(),
    }
    return render(request, "responses/section.html", {
        "response": response, "section": menu[position], "items": items, "menu": menu,
        "previous": menu[position - 1] if position > 0 else None,
        "next": menu[position + 1] if position + 1 < len(menu) else None,
        "answered": answered, "relevant": relevant, "editable": editable,
        "any_editable": bool(editable), "config": config,
        "revisions_json": json.dumps(config["revisions"]),
        "conflicts": conflicts, "problems": problems,
        "lists_editable": response.status == ResponseStatus.DRAFT
        and is_contributor_of(request.user, response),
        "reply_queries": [query for group in data.queries.values() for query in group
                          if query.status == Query.Status.OPEN],
        "is_secretariat": is_secretariat(request.user),
        "is_contributor": is_contributor_of(request.user, response),
        "title": response.version.questionnaire.title_in(lang),
    }, status=409 if conflicts else 200)


def _script_strings() -> dict[str, str]:
    """Every text the autosave script shows, in the page's language."""
    return {
        "saving": _("Saving…"),
        "saved": _("Saved"),
        "offline": _("Connection lost. Your changes are kept and will be saved when it "
                     "comes back. Retrying…"),
        "failed": _("Not saved:"),
        "conflict": _("A colleague (%(by)s) changed this answer meanwhile. Their answer:"),
        "conflictNobody": _("A colleague changed this answer meanwhile. Their answer:"),
        "conflictNote": _("Your change was not saved."),
        "useTheirs": _("Use their answer"),
        "keepMine": _("Keep my answer"),
        "empty": _("(empty)"),
        "session": _("Your session has ended: log in again in another tab, then retry."),
        "unsaved": _("Some changes are not saved yet."),
        "check": _("Check:"),
        "confirmRemove": _("Remove this entry and its answers?"),
        "sectionProgress": _("%(answered)s of %(relevant)s questions answered in this section"),
        "menuProgress": _("%(answered)s of %(relevant)s"),
        "totalProgress": _("%(answered)s of %(relevant)s questions answered"),
    }


def _posted_value(request: HttpRequest, form, path: str) -> str:
    ref, is_other = formtree.resolve_path(form, path)
    if is_other:
        return request.POST.get(path, "")
    kind = formtree.SELECT_KINDS.get(ref.type, ref.type)
    if kind == "acknowledge":
        return formtree.ACKNOWLEDGED if path in request.POST else ""
    if kind == "select_multiple":
        return " ".join(request.POST.getlist(path))
    if ref.type == "geopoint" and f"{path}--lat" in request.POST:
        # Without the script, the two fields come as they are: joined as ODK stores them.
        lat, lon = request.POST.get(f"{path}--lat", ""), request.POST.get(f"{path}--lon", "")
        return f"{lat.strip()} {lon.strip()}".strip() if lat.strip() or lon.strip() else ""
    if ref.type == "rank" and any(key.startswith(f"{path}--rank-") for key in request.POST):
        return formtree.rank_value(form, ref, {
            key[len(f"{path}--rank-"):]: request.POST[key] for key in request.POST
            if key.startswith(f"{path}--rank-")})
    return request.POST.get(path, "")


def normalise(value: str) -> str:
    """Browsers post text areas with CRLF and scripts read LF: store LF."""
    return value.replace("\r\n", "\n").replace("\r", "\n")


def _save_posted_section(request, response, form, current):
    """Save what a plain HTML post changed, then run its repeat action (if any)."""
    try:
        revisions = limits.loads_json_field(request.POST.get("_revisions") or "{}")
        revisions = {str(path): int(base) for path, base in revisions.items()}
    except (ValueError, TypeError, AttributeError, RecursionError):
        # A malformed request (never sent by the page): 400, not a server error.
        raise BadRequest(_("The page was incomplete; reload it and try again.")) from None
    answers, _stored_revisions = selectors.answers_with_revisions(response)
    states = formtree.evaluate(form, answers, formtree.current_language())
    allowed = _editable_paths(request, response, _answer_paths(form, current, states))
    conflicts, problems = [], []
    for path, base in revisions.items():
        if path not in allowed:
            continue
        try:
            value = normalise(_posted_value(request, form, path))
            if value == answers.get(path, ""):
                continue
            result = services.save_answer(response, path, value, user=request.user,
                                          base_revision=base)
        except (InvalidAnswer, ResponseLocked) as error:
            problems.append(str(error))
            continue
        if result.conflict:
            conflicts.append(result)
    anchor = ""
    action = request.POST.get("_action", "")
    if action and not conflicts:
        try:
            anchor = _repeat_action(request, response, action)
        except (InvalidAnswer, ResponseLocked) as error:
            problems.append(str(error))
    return conflicts, problems, anchor


def _repeat_action(request, response: Response, action: str) -> str:
    verb, _sep, target = action.partition(":")
    if verb == "add":
        index = services.add_instance(response, target, user=request.user)
        return formtree.input_id(f"{target}[{index}]")
    match = _INSTANCE_RE.match(target)
    if not match:
        raise InvalidAnswer(_("This list cannot be changed."))
    repeat_path, index = match.group(1), int(match.group(2))
    if verb == "remove":
        services.remove_instance(response, repeat_path, index, user=request.user)
        return formtree.input_id(repeat_path)
    if verb in {"up", "down"}:
        offset = -1 if verb == "up" else 1
        services.move_instance(response, repeat_path, index, offset, user=request.user)
        return formtree.input_id(f"{repeat_path}[{index + offset}]")
    raise InvalidAnswer(_("This list cannot be changed."))


# --- autosave -------------------------------------------------------------------------------


@require_POST
def autosave(request: HttpRequest, pk: int) -> JsonResponse:
    """Save one answer; reply with the section's new states, or 409 with the stored value.

    Lean on purpose (see services.autosave): one query finds the response among the
    user's organisation's, one reads its answers, one short write transaction."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Your session has ended: log in again.")}, status=403)
    response = selectors.response_of_contributor(request.user, pk)
    if response is None or is_secretariat(request.user):
        if is_secretariat(request.user) and selectors.response_exists(pk):
            return JsonResponse({"error": _("You cannot change this response.")}, status=403)
        raise Http404
    path = request.POST.get("path", "")
    value = normalise(request.POST.get("value", ""))
    lang = formtree.current_language()
    try:
        base_revision = int(request.POST.get("revision", "0"))
        saved = services.autosave(
            response, path, value, user=request.user, base_revision=base_revision, lang=lang
        )
    except ValueError as error:  # InvalidAnswer is a ValueError; so is a bad revision
        message = str(error) if isinstance(error, InvalidAnswer) else _("Invalid revision.")
        return JsonResponse({"error": message, "path": path}, status=400)
    except ResponseLocked as error:
        return JsonResponse({"error": str(error), "path": path}, status=403)
    result = saved.result
    if result.conflict:
        return JsonResponse({"conflict": True, "path": path, "value": result.value,
                             "revision": result.revision, "by": result.updated_by}, status=409)
    return JsonResponse(_autosave_reply(request, response, saved, lang))


def _autosave_reply(request, response: Response, saved: services.Autosaved, lang: str) -> dict:
    form = selectors.form_for(response)
    result, states, answers, progress = saved.result, saved.states, saved.answers, saved.progress
    answered, relevant = progress[None]
    current = form.section(request.POST.get("section", "")) or form.section(
        form.section_of.get(formtree.tpath(formtree.split_other(result.path)[0]), "")
    )
    reply = {"saved": True, "path": result.path, "revision": result.revision,
             "progress": {"answered": answered, "relevant": relevant}}
    if current is not None:
        paths = formtree.section_paths(form, current, states)
        reply["states"] = {path: _compact_state(form, path, states[path]) for path in paths}
        section_answered, section_relevant = progress.get(current.name, (0, 0))
        reply["section"] = {"name": current.name, "answered": section_answered,
                            "relevant": section_relevant}
        filtered = [p for p in paths if form.refs[formtree.tpath(p)].node.get("choice_filter")]
        if filtered or current.repeats:
            reply["choices"] = formtree.filtered_choices(form, filtered, answers, lang)
            reply["repeats"] = formtree.repeat_states(form, current, answers, lang, states)
    return reply


def _compact_state(form, path: str, state: dict) -> dict:
    compact = {"relevant": state["relevant"], "required": state["required"],
               "error": state["error"], "warning": state["warning"]}
    if form.refs[formtree.tpath(path)].type == "calculate":
        compact["value"] = state["value"]
    return compact


# --- completeness and submission -------------------------------------------------------------


@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_for(request.user, pk)
    return _render_check(request, response)


def _render_check(request, response, status: int = 200) -> HttpResponse:
    form, _answers, _revisions, states = _evaluated(response)
    lang = formtree.current_language()
    findings = formtree.completeness(form, states, lang)
    menu = {entry["name"]: entry for entry in _section_menu(form, states, lang)}
    for finding in findings:
        finding.section_label = menu[finding.section]["label"]
        finding.url = reverse("responses:section", kwargs={"pk": response.pk,
                                                           "name": finding.section})
        finding.anchor = formtree.input_id(finding.path)
    blocking = [f for f in findings if f.kind in {"missing", "error"}]
    answered, relevant = formtree.progress(form, states)
    return render(request, "responses/check.html", {
        "response": response, "findings": findings,
        "missing": [f for f in findings if f.kind == "missing"],
        "errors": [f for f in findings if f.kind == "error"],
        "warnings": [f for f in findings if f.kind == "warning"],
        "can_submit": not blocking and response.status == ResponseStatus.DRAFT
        and is_contributor_of(request.user, response),
        "answered": answered, "relevant": relevant,
        "title": response.version.questionnaire.title_in(lang),
    }, status=status)


@require_POST
@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_for(request.user, pk)
    require_contributor(request.user, response)
    if response.status != ResponseStatus.DRAFT:
        messages.error(request, _("This response has already been submitted."))
        return redirect("responses:response_detail", pk=pk)
    form, _answers, _revisions, states = _evaluated(response)
    findings = formtree.completeness(form, states, formtree.current_language())
    if any(f.kind in {"missing", "error"} for f in findings):
        messages.error(request, _("Complete the missing answers and correct the errors "
                                  "before submitting."))
        return _render_check(request, response, status=400)
    services.set_status(response, ResponseStatus.SUBMITTED, user=request.user)
    messages.success(request, _("Thank you: the response has been submitted. It is now "
                                "locked; the secretariat will review it."))
    return redirect("responses:response_detail", pk=pk)


# --- moving a draft to a newer version ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    response = selectors.response_for(request.user, pk)
    require_contributor(request.user, response)
    version = selectors.newer_version(response)
    if version is None or response.status != ResponseStatus.DRAFT:
        messages.info(request, _("There is no newer version to move this response to."))
        return redirect("responses:response_detail", pk=pk)
    if request.method == "POST":
        report = services.move_to_version(response, version, user=request.user)
        return render(request, "responses/move.html", {
            "response": response, "version": version, "report": report, "done": True,
        })
    report = services.plan_move(response, version)
    return render(request, "responses/move.html", {
        "response": response, "version": version, "report": report, "done": False,
    })


@require_POST
@login_required
def upload_answer_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A file given as the answer to an image/audio/video/file question."""
    from django import forms

    from iocompendium.responses.answer_files import store_answer_file

    response = selectors.response_for(request.user, pk)
    require_contributor(request.user, response)
    path = request.POST.get("path", "")
    form = selectors.form_for(response)
    section_name = form.section_of.get(formtree.tpath(path), formtree.LOOSE_SECTION)
    upload = request.FILES.get(f"file:{path}")
    if upload is None:
        messages.error(request, _("Choose a file to upload."))
    else:
        try:
            store_answer_file(response, path, upload, user=request.user)
            messages.success(request, _("The file is saved."))
        except forms.ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except (formtree.InvalidAnswer, services.ResponseLocked) as error:
            messages.error(request, str(error))
    return redirect(reverse("responses:section", kwargs={"pk": pk, "name": section_name})
                    + "#" + formtree.input_id(path))
