"""Pages of the workspace: meetings, documents, working groups, timeline, rounds, profile."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iocompendium.registry.models import Organisation
from iocompendium.web import limits
from iocompendium.web.roles import is_secretariat, organisation_id_of, secretariat_only
from iocompendium.workspace import calendar, selectors, services
from iocompendium.workspace.forms import DocumentForm, MeetingForm, ReminderForm, VersionForm
from iocompendium.workspace.models import ActionItem, Person, Round, WorkingGroup


def _posted_id(request: HttpRequest, name: str) -> int:
    """A posted identifier as a number; a malformed one is 0 (found nowhere, never a 500)."""
    value = request.POST.get(name, "") or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


def _posted_text(request: HttpRequest, name: str) -> str:
    """A posted free text within the one write-path limit (``web.limits``)."""
    value = request.POST.get(name, "")
    limits.check_text(value)
    return value


def _member_required(request: HttpRequest) -> None:
    if not selectors.is_member(request.user):
        raise Http404


# --- meetings -----------------------------------------------------------


@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/meetings.html", {
        "meetings": selectors.meetings_for(request.user),
        "form": MeetingForm() if is_secretariat(request.user) else None,
    })


@require_POST
@secretariat_only
def meeting_create(request: HttpRequest) -> HttpResponse:
    form = MeetingForm(request.POST)
    if not form.is_valid():
        return render(request, "workspace/meetings.html", {
            "meetings": selectors.meetings_for(request.user), "form": form}, status=400)
    meeting = services.create_meeting(user=request.user, **form.cleaned_data)
    return redirect("workspace:meeting", pk=meeting.pk)


@require_GET
def meeting(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.meeting_for(request.user, pk)
    member = selectors.is_member(request.user)
    documents = selectors.documents_for(request.user).filter(meeting=item)
    return render(request, "workspace/meeting.html", {
        "meeting": item, "agenda": item.agenda.select_related("lead").prefetch_related(
            "documents"),
        "documents": documents, "member": member,
        "registrations": item.registrations.select_related("organisation") if member else [],
        "actions": item.actions.select_related("owner") if member else [],
        "action_statuses": ActionItem.Status.choices,
        "people": Person.objects.select_related("organisation") if is_secretariat(
            request.user) else [],
        "organisation_id": organisation_id_of(request.user),
    })


@require_GET
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.meeting_for(request.user, pk)
    url = request.build_absolute_uri(reverse("workspace:meeting", kwargs={"pk": pk}))
    response = HttpResponse(calendar.meeting_ics(item, url), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="meeting-{pk}.ics"'
    return response


@require_POST
@login_required
def meeting_register(request: HttpRequest, pk: int) -> HttpResponse:
    """A member registers a participant of their own organisation (the secretariat: any)."""
    item = selectors.meeting_for(request.user, pk)
    _member_required(request)
    organisation_id = organisation_id_of(request.user)
    if is_secretariat(request.user) and request.POST.get("organisation"):
        organisation_id = _posted_id(request, "organisation")
    if organisation_id is None:
        messages.error(request, _("Registration is for member organisations."))
        return redirect("workspace:meeting", pk=pk)
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    try:
        services.register(item, organisation, request.POST.get("name", "")[:200],
                          user=request.user)
        messages.success(request, _("Registered."))
    except services.WorkspaceError as error:
        messages.error(request, str(error))
    return redirect("workspace:meeting", pk=pk)


@require_POST
@secretariat_only
def meeting_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.meeting_for(request.user, pk)
    title = request.POST.get("title_en", "").strip()[:300]
    if title:
        lead = Person.objects.filter(pk=_posted_id(request, "lead")).first()
        services.add_agenda_item(item, title, request.POST.get("title_fr", "").strip()[:300],
                                 lead=lead, user=request.user)
    else:
        messages.error(request, _("Give the agenda item a title."))
    return redirect("workspace:meeting", pk=pk)


@require_POST
@secretariat_only
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.meeting_for(request.user, pk)
    try:
        texts = {name: _posted_text(request, name)
                 for name in ("minutes_en", "minutes_fr", "decisions_en", "decisions_fr")}
    except limits.LimitError as error:
        messages.error(request, _(error.template) % error.params)
        return redirect("workspace:meeting", pk=pk)
    services.save_minutes(item, user=request.user, **texts)
    messages.success(request, _("Minutes saved."))
    return redirect("workspace:meeting", pk=pk)


@require_POST
@secretariat_only
def meeting_action(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.meeting_for(request.user, pk)
    title = request.POST.get("title", "").strip()[:300]
    if not title:
        messages.error(request, _("Describe the action."))
        return redirect("workspace:meeting", pk=pk)
    owner = _user_by_username(request.POST.get("owner", ""))
    try:
        due = parse_date(request.POST.get("due", "") or "")
    except ValueError:
        due = None
    services.add_action(item, title, owner=owner, due=due, user=request.user)
    return redirect("workspace:meeting", pk=pk)


def _user_by_username(name: str) -> AbstractBaseUser | None:
    from django.contrib.auth import get_user_model

    name = name.strip()
    return get_user_model().objects.filter(username=name).first() if name else None


@require_POST
@login_required
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner or the secretariat marks an action item done or dropped."""
    action = get_object_or_404(ActionItem, pk=pk)
    if not (is_secretariat(request.user) or action.owner_id == request.user.pk):
        raise Http404
    status = request.POST.get("status", "")
    if status in ActionItem.Status.values:
        services.set_action_status(action, status, user=request.user)
    return redirect(reverse("workspace:meeting", kwargs={"pk": action.meeting_id})
                    + f"#action-{action.pk}")


# --- documents -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def documents(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    can_upload = is_secretariat(request.user)
    form = DocumentForm() if can_upload else None
    if request.method == "POST":
        if not can_upload:
            raise Http404
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            document = services.create_document(
                data["title"], data["file"], language=data["language"],
                audience=data["audience"], working_group=data["working_group"],
                meeting=data["meeting"], translation_of=data["translation_of"],
                user=request.user,
            )
            messages.success(request, _("The document is uploaded."))
            return redirect("workspace:document", pk=document.pk)
    hits = selectors.search_documents(request.user, query) if query else None
    return render(request, "workspace/documents.html", {
        "documents": selectors.documents_for(request.user)[:200], "form": form,
        "query": query, "hits": hits,
    }, status=400 if form is not None and form.errors else 200)


@require_http_methods(["GET", "POST"])
def document(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.document_for(request.user, pk)
    form = VersionForm() if is_secretariat(request.user) else None
    if request.method == "POST":
        if form is None:
            raise Http404
        form = VersionForm(request.POST, request.FILES)
        if form.is_valid():
            services.add_version(item, form.cleaned_data["file"], user=request.user,
                                 note=form.cleaned_data["change_note"])
            messages.success(request, _("New version uploaded."))
            return redirect("workspace:document", pk=pk)
    pair = item.pair
    if pair is not None and not selectors.documents_for(request.user).filter(pk=pair.pk).exists():
        pair = None
    return render(request, "workspace/document.html", {
        "document": item, "versions": item.versions.select_related("uploaded_by"),
        "form": form, "pair": pair,
    }, status=400 if form is not None and form.errors else 200)


@require_GET
def document_download(request: HttpRequest, pk: int, number: int) -> FileResponse:
    item = selectors.document_for(request.user, pk)
    version = get_object_or_404(item.versions, number=number)
    content_type = mimetypes.guess_type(version.file_name)[0] or "application/octet-stream"
    return FileResponse(version.file.open("rb"), as_attachment=True,
                        filename=version.file_name, content_type=content_type)


# --- working groups, timeline, people -----------------------------------------------------------


@require_GET
def working_groups(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/working_groups.html",
                  {"groups": selectors.working_groups(), "member": selectors.is_member(
                      request.user)})


@require_GET
def working_group(request: HttpRequest, slug: str) -> HttpResponse:
    group = get_object_or_404(WorkingGroup, slug=slug)
    member = selectors.is_member(request.user)
    return render(request, "workspace/working_group.html", {
        "group": group, "member": member,
        "members": group.members.select_related("organisation") if member else
        group.members.filter(public=True).select_related("organisation"),
        "documents": selectors.documents_for(request.user).filter(working_group=group),
        "meetings": selectors.meetings_for(request.user).filter(working_group=group),
    })


@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/timeline.html",
                  {"entries": selectors.timeline(request.user)})


@secretariat_only
def people(request: HttpRequest) -> HttpResponse:
    return render(request, "workspace/people.html", {
        "people": Person.objects.select_related("organisation", "user").prefetch_related(
            "working_groups")})


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """A person's own profile: name, languages, working groups; calendar feed; preferences."""
    person = Person.objects.filter(user=request.user).first()
    if request.method == "POST":
        person = services.save_profile(
            request.user, name=request.POST.get("name", "")[:200],
            languages=request.POST.get("languages", "")[:100],
            public=request.POST.get("public") == "on",
        )
        messages.success(request, _("Your profile is saved."))
        return redirect("workspace:profile")
    feed = request.build_absolute_uri(
        reverse("workspace:calendar_feed", kwargs={"token": calendar.feed_token(request.user)}))
    return render(request, "workspace/profile.html", {"person": person, "feed_url": feed})


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A person's private calendar (signed URL, no log-in): meetings and deadlines."""
    try:
        user = calendar.feed_user(token)
    except signing.BadSignature:
        user = None
    if user is None:
        raise Http404
    data = calendar.feed_ics(selectors.meetings_for(user), selectors.deadlines_for(user),
                             base_url=request.build_absolute_uri("/").rstrip("/"),
                             name="iocompendium")
    return HttpResponse(data, content_type="text/calendar")


# --- rounds -----------------------------------------------------------


@secretariat_only
@require_http_methods(["GET", "POST"])
def rounds(request: HttpRequest) -> HttpResponse:
    form = ReminderForm()
    if request.method == "POST":
        round_ = get_object_or_404(Round, pk=_posted_id(request, "round"))
        form = ReminderForm(request.POST)
        if form.is_valid():
            services.set_reminder_schedule(round_, form.cleaned_data["days"], user=request.user)
            messages.success(request, _("The reminder schedule is saved."))
            return redirect("workspace:rounds")
    return render(request, "workspace/rounds.html", {
        "rounds": selectors.rounds(), "form": form,
        "comparisons": selectors.comparable_pairs(),
    })


@secretariat_only
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The review list of one round: its responses, their status and deadlines."""
    round_ = get_object_or_404(Round, pk=pk)
    status = request.GET.get("status", "")
    return render(request, "workspace/round_detail.html", {
        "round": round_, "rows": selectors.round_review_rows(round_, status=status),
        "status": status, "statuses": selectors.response_status_choices(),
    })


@require_POST
@secretariat_only
def round_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a round: each organisation asked gets its response, started from its previous
    round's answers, and its focal points are told (once)."""
    round_ = get_object_or_404(Round, pk=pk)
    count = services.start_round(round_, user=request.user)
    messages.success(request, _("The round is open: %(count)d organisations told.") % {
        "count": count})
    return redirect("workspace:round_detail", pk=pk)


@secretariat_only
@require_GET
def round_compare(request: HttpRequest, pk: int) -> HttpResponse:
    after = get_object_or_404(Round, pk=pk, previous__isnull=False)
    return render(request, "workspace/round_compare.html",
                  selectors.comparison_context(after.previous, after))


@login_required
@require_http_methods(["GET", "POST"])
def carried(request: HttpRequest, response_id: int) -> HttpResponse:
    """A focal point confirms each answer carried over from the previous round."""
    link = selectors.round_link_for(request.user, response_id)
    if request.method == "POST":
        if organisation_id_of(request.user) != link.response.organisation_id:
            raise Http404
        paths = request.POST.getlist("path")
        for path in paths[:2000]:
            try:
                services.confirm_carried(link, path, user=request.user)
            except services.CarriedAnswer.DoesNotExist:
                continue
        messages.success(request, _("Confirmed."))
        return redirect("workspace:carried", response_id=response_id)
    return render(request, "workspace/carried.html", {
        "link": link, "states": selectors.carried_states_labelled(link),
        "can_confirm": organisation_id_of(request.user) == link.response.organisation_id,
    })
