"""Writes of the workspace: rounds and carried-over answers, meetings, documents, people.

Every write is recorded in the workspace's audit trail (``WorkspaceEvent``); changes to
answers go through ``responses.services`` and its own audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from iocompendium import search
from iocompendium.bulk import insert_rows
from iocompendium.registry.models import Organisation
from iocompendium.responses import services as responses_services
from iocompendium.responses.models import Answer, AuditEvent, Response, ResponseStatus
from iocompendium.workspace import signals
from iocompendium.workspace.extraction import extract_text
from iocompendium.workspace.models import (
    ActionItem,
    AgendaItem,
    Audience,
    CarriedAnswer,
    Document,
    DocumentVersion,
    Meeting,
    OrganisationDeadline,
    Registration,
    ReminderSent,
    Round,
    RoundResponse,
    WorkspaceEvent,
)

DOCUMENT_KIND = "workspace-document"
SUBMITTED = [ResponseStatus.SUBMITTED, ResponseStatus.IN_REVIEW, ResponseStatus.APPROVED]


class WorkspaceError(ValueError):
    """A workspace change that cannot be made (a clear message for the user)."""


def record(user: AbstractBaseUser | None, action: str, target: object, detail: str = "") -> None:
    """Append one event to the workspace's audit trail."""
    actor = user if user is not None and user.is_authenticated else None
    WorkspaceEvent.objects.create(
        actor=actor, actor_label=actor.get_username() if actor else "", action=action,
        target=str(target)[:300], detail=detail,
    )


# --- rounds --------------------------------------------------------------------------------


def create_round(version, label: str, *, opens: datetime, closes: datetime,
                 deadline: datetime | None = None, reminder_days: list[int] | None = None,
                 previous: Round | None = None, user=None, demo: bool = False) -> Round:
    if closes <= opens:
        raise WorkspaceError(_("A round closes after it opens."))
    with transaction.atomic():
        round_ = Round.objects.create(
            version=version, label=label, opens=opens, closes=closes, deadline=deadline,
            reminder_days=sorted({int(d) for d in reminder_days or []}, reverse=True),
            previous=previous, demo=demo,
        )
        record(user, "round_create", round_)
    return round_


def set_reminder_schedule(round_: Round, days: list[int], *, user=None) -> None:
    """The days before each organisation's deadline when a reminder goes out."""
    clean = sorted({int(d) for d in days if int(d) >= 0}, reverse=True)
    with transaction.atomic():
        old = round_.reminder_days
        round_.reminder_days = clean
        round_.save(update_fields=["reminder_days"])
        record(user, "round_reminders", round_, f"{old} -> {clean}")


def set_organisation_deadline(round_: Round, organisation: Organisation, deadline: datetime,
                              *, user=None) -> None:
    with transaction.atomic():
        OrganisationDeadline.objects.update_or_create(
            round=round_, organisation=organisation, defaults={"deadline": deadline}
        )
        record(user, "round_deadline", round_, f"{organisation.acronym}: {deadline:%Y-%m-%d}")


def open_round(round_: Round, organisations: list[Organisation], *, user=None) -> None:
    """Tell the organisations' focal points that the round is open (once)."""
    with transaction.atomic():
        claimed = Round.objects.filter(pk=round_.pk, opened_notified_at__isnull=True).update(
            opened_notified_at=timezone.now()
        )
        if not claimed:
            return
        record(user, "round_open", round_)
        signals.round_opened.send(Round, round=round_, organisations=organisations)


def response_for_round(round_: Round, organisation: Organisation, *, user=None,
                       carry_over: bool = True) -> RoundResponse:
    """The organisation's response in this round, created on first use; its answers start
    from the previous round's (each carried answer waits for the focal point's confirmation)."""
    existing = RoundResponse.objects.filter(round=round_, response__organisation=organisation)
    link = existing.select_related("response").first()
    if link:
        return link
    with transaction.atomic():
        response = Response.objects.create(organisation=organisation, version=round_.version,
                                           title=round_.label)
        previous = _previous_response(round_, organisation) if carry_over else None
        link = RoundResponse.objects.create(round=round_, response=response,
                                            carried_from=previous)
        if previous is not None:
            _carry_answers(previous, link, user)
        record(user, "round_response", round_, organisation.acronym)
    return link


def _previous_response(round_: Round, organisation: Organisation) -> Response | None:
    if round_.previous_id is None:
        return None
    link = RoundResponse.objects.filter(round_id=round_.previous_id,
                                        response__organisation=organisation).first()
    return link.response if link else None


def _carry_answers(previous: Response, link: RoundResponse, user) -> None:
    """Copy answers the new version accepts; record which were carried."""
    report = responses_services.plan_move(previous, link.round.version)
    values = dict(Answer.objects.filter(response=previous, path__in=report.carried)
                  .values_list("path", "value"))
    actor = user if user is not None and user.is_authenticated else None
    Answer.objects.bulk_create([
        Answer(response=link.response, path=path, value=value, revision=1, updated_by=actor)
        for path, value in values.items()
    ])
    CarriedAnswer.objects.bulk_create([
        CarriedAnswer(round_response=link, path=path, value=value)
        for path, value in values.items() if value
    ])
    responses_services.record_event(
        link.response, user=user, action="carry_over", new_value=str(previous.pk),
        old_value=f"{len(values)} answers", via=AuditEvent.Via.MIGRATION,
    )


def confirm_carried(link: RoundResponse, path: str, *, user: AbstractBaseUser) -> CarriedAnswer:
    """The focal point confirms that a carried-over answer still holds."""
    with transaction.atomic():
        carried = CarriedAnswer.objects.select_for_update().get(round_response=link, path=path)
        if carried.confirmed_at is None:
            carried.confirmed_at, carried.confirmed_by = timezone.now(), user
            carried.save(update_fields=["confirmed_at", "confirmed_by"])
            responses_services.record_event(link.response, user=user, action="confirm",
                                            path=path, new_value=carried.value)
    return carried


# --- reminders -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReminder:
    round: Round
    organisation: Organisation
    days_before: int
    deadline: datetime


def round_participants(round_: Round) -> list[Organisation]:
    """The organisations a round asks: those with focal points, and any with a response
    in the round."""
    return list(Organisation.objects.filter(
        Q(contributors__isnull=False) | Q(responses__round_link__round=round_)
    ).distinct().order_by("acronym"))


def due_reminders(now: datetime) -> list[DueReminder]:
    """Every reminder due at or before ``now`` that has not been sent, to organisations that
    have not submitted in that round (a submitted organisation never gets one)."""
    due = []
    rounds = Round.objects.filter(opens__lte=now).exclude(reminder_days=[])
    for round_ in rounds.select_related("version__questionnaire"):
        organisations = round_participants(round_)
        deadlines = dict(OrganisationDeadline.objects.filter(round=round_)
                         .values_list("organisation_id", "deadline"))
        submitted = set(RoundResponse.objects.filter(
            round=round_, response__status__in=SUBMITTED
        ).values_list("response__organisation_id", flat=True))
        sent = set(ReminderSent.objects.filter(round=round_)
                   .values_list("organisation_id", "days_before"))
        for organisation in organisations:
            if organisation.pk in submitted:
                continue
            deadline = deadlines.get(organisation.pk, round_.default_deadline)
            if deadline <= now:
                continue  # past the deadline: a reminder would come too late
            for days in sorted(round_.reminder_days):  # the latest point due first
                if (organisation.pk, days) in sent:
                    continue
                if deadline - timedelta(days=days) <= now:
                    due.append(DueReminder(round_, organisation, days, deadline))
                    break  # only the latest point falls due; earlier ones are skipped
    return due


def mark_reminded(reminders: list[DueReminder]) -> None:
    """Record the reminders (and the earlier points of each schedule they make moot).

    Two runs at once may both record one: the notification's own unique (event, person)
    constraint is what keeps it from being sent twice."""
    rows = [(r.round.pk, r.organisation.pk, days)
            for r in reminders for days in r.round.reminder_days if days >= r.days_before]
    insert_rows(ReminderSent, ("round", "organisation", "days_before"), rows,
                ignore_conflicts=True)


# --- meetings ---------------------------------------------------------------------------------


def create_meeting(*, user=None, **fields) -> Meeting:
    if fields["ends"] <= fields["starts"]:
        raise WorkspaceError(_("A meeting ends after it starts."))
    with transaction.atomic():
        meeting = Meeting.objects.create(**fields)
        record(user, "meeting_create", meeting)
    return meeting


def add_agenda_item(meeting: Meeting, title_en: str, title_fr: str = "", *, lead=None,
                    user=None) -> AgendaItem:
    with transaction.atomic():
        position = (meeting.agenda.aggregate(m=Max("position"))["m"] or 0) + 1
        item = AgendaItem.objects.create(meeting=meeting, position=position, title_en=title_en,
                                         title_fr=title_fr, lead=lead)
        record(user, "agenda_add", meeting, title_en)
    return item


def register(meeting: Meeting, organisation: Organisation, name: str, *, user=None,
             person=None) -> Registration:
    name = name.strip()
    if not name:
        raise WorkspaceError(_("Give the participant's name."))
    with transaction.atomic():
        registration, _created = Registration.objects.get_or_create(
            meeting=meeting, organisation=organisation, name=name[:200],
            defaults={"user": user if user is not None and user.is_authenticated else None,
                      "person": person},
        )
        record(user, "meeting_register", meeting, f"{organisation.acronym}: {name}")
    return registration


def add_action(meeting: Meeting, title: str, *, owner=None, due=None, user=None) -> ActionItem:
    with transaction.atomic():
        action = ActionItem.objects.create(meeting=meeting, title=title, owner=owner, due=due)
        record(user, "action_add", meeting, title)
        if owner is not None:
            signals.action_assigned.send(ActionItem, action=action, user=user)
    return action


def set_action_status(action: ActionItem, status: str, *, user=None) -> None:
    status = ActionItem.Status(status)
    with transaction.atomic():
        old = action.status
        action.status = status
        action.save(update_fields=["status"])
        record(user, "action_status", action, f"{old} -> {status}")


def save_minutes(meeting: Meeting, *, minutes_en: str, minutes_fr: str, decisions_en: str,
                 decisions_fr: str, user=None) -> None:
    with transaction.atomic():
        meeting.minutes_en, meeting.minutes_fr = minutes_en, minutes_fr
        meeting.decisions_en, meeting.decisions_fr = decisions_en, decisions_fr
        meeting.save(update_fields=["minutes_en", "minutes_fr", "decisions_en", "decisions_fr"])
        record(user, "meeting_minutes", meeting)


# --- documents -----------------------------------------------------------------------------------


def create_document(title: str, upload: UploadedFile | ContentFile, *, language: str = "en",
                    audience: str = Audience.MEMBERS, working_group=None, meeting=None,
                    translation_of: Document | None = None, user=None, note: str = "",
                    demo: bool = False) -> Document:
    if audience == Audience.WORKING_GROUP and working_group is None:
        raise WorkspaceError(_("A working group's document names its working group."))
    with transaction.atomic():
        document = Document.objects.create(
            title=title[:300], language=language, audience=Audience(audience),
            working_group=working_group, meeting=meeting, translation_of=translation_of,
            demo=demo,
        )
        add_version(document, upload, user=user, note=note or _("First version"))
        record(user, "document_create", document, f"{audience}")
        if meeting is not None:
            signals.meeting_document_added.send(Document, document=document, meeting=meeting,
                                                user=user)
    return document


def add_version(document: Document, upload, *, user=None, note: str = "") -> DocumentVersion:
    """A new version of the document (who, when, what changed), text indexed for search."""
    data = upload.read()
    name = getattr(upload, "name", "document")
    with transaction.atomic():
        locked = Document.objects.select_for_update().get(pk=document.pk)
        number = (locked.versions.aggregate(m=Max("number"))["m"] or 0) + 1
        version = DocumentVersion(
            document=locked, number=number, file_name=name.rsplit("/", 1)[-1][:255],
            uploaded_by=user if user is not None and user.is_authenticated else None,
            change_note=note[:500], text=extract_text(name, data),
        )
        version.file.save(version.file_name, ContentFile(data), save=False)
        version.save()
        if number > 1:
            record(user, "document_version", locked, f"v{number}: {note}")
        index_document(locked, version)
    return version


def access_key(document: Document) -> str:
    """The audience as one facet value ('wg:<slug>' for a working group's documents)."""
    if document.audience == Audience.WORKING_GROUP and document.working_group_id:
        return f"wg:{document.working_group.slug}"
    return document.audience


def index_document(document: Document, version: DocumentVersion) -> None:
    search.index(DOCUMENT_KIND, str(document.pk),
                 fields={"title": document.title, "text": version.text},
                 facets={"access": access_key(document), "language": document.language})


def link_translation(document: Document, other: Document, *, user=None) -> None:
    """Make ``other`` the other-language version of ``document`` (one pair)."""
    if document.language == other.language:
        raise WorkspaceError(_("A pair is one English and one French document."))
    with transaction.atomic():
        other.translation_of = document
        other.save(update_fields=["translation_of"])
        record(user, "document_pair", document, str(other))


def attach_response(round_: Round, response: Response, *, user=None) -> RoundResponse:
    """Count an existing response as the organisation's answer in this round."""
    if response.version_id != round_.version_id:
        raise WorkspaceError(_("The response answers another version than the round's."))
    link, created = RoundResponse.objects.get_or_create(response=response,
                                                        defaults={"round": round_})
    if created:
        record(user, "round_attach", round_, response.organisation.acronym)
    return link


# --- people --------------------------------------------------------------------------------------


def save_profile(user: AbstractBaseUser, *, name: str, languages: str, public: bool):
    """A person's own profile (created on first save, tied to their organisation)."""
    from iocompendium.web.roles import organisation_id_of
    from iocompendium.workspace.models import Person

    clean_languages = ", ".join(
        code for code in (x.strip().lower() for x in languages.split(",")) if code
    )[:100]
    with transaction.atomic():
        person, created = Person.objects.get_or_create(user=user, defaults={
            "name": name.strip() or user.get_username(), "email": user.email,
            "organisation_id": organisation_id_of(user),
            "role": Person.Role.FOCAL_POINT if organisation_id_of(user) else Person.Role.CONTACT,
        })
        person.name = name.strip() or person.name
        person.languages = clean_languages
        person.public = public
        person.save(update_fields=["name", "languages", "public"])
        record(user, "profile_save", person)
    return person


def start_round(round_: Round, *, user=None) -> int:
    """Open the round for every organisation it asks: a response each (carried over from
    the previous round where there is one) and one 'round opens' notification."""
    organisations = round_participants(round_)
    for organisation in organisations:
        response_for_round(round_, organisation, user=user)
    open_round(round_, organisations, user=user)
    return len(organisations)
