"""Reads of the workspace: rounds and their comparison, meetings, documents, timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from iocompendium import search
from iocompendium.analysis.rounds import RoundComparison, compare_rounds
from iocompendium.responses.models import Answer, Response, ResponseStatus
from iocompendium.responses.selectors import ResponseGrouping
from iocompendium.web.roles import is_secretariat, organisation_id_of
from iocompendium.workspace.models import (
    Audience,
    CarriedAnswer,
    Document,
    Meeting,
    Milestone,
    OrganisationDeadline,
    Round,
    RoundResponse,
    WorkingGroup,
)
from iocompendium.workspace.services import DOCUMENT_KIND, SUBMITTED

User = AbstractBaseUser | AnonymousUser


# --- rounds ------------------------------------------------------------------------------------


def rounds() -> QuerySet:
    return Round.objects.select_related("version__questionnaire").order_by("opens", "id")


def _round_choices(questionnaire) -> list[tuple[str, str]]:
    return [(str(r.pk), r.label) for r in rounds().filter(version__questionnaire=questionnaire)]


def _round_response_ids(value: str) -> QuerySet:
    return Response.objects.filter(round_link__round_id=int(value)).values("pk")


# The review list and the evidence filter by survey round (responses.selectors.GROUPINGS).
ROUND_GROUPING = ResponseGrouping("round", lambda: gettext("Survey round"), _round_choices,
                                  _round_response_ids)


def round_rows() -> list[dict]:
    """The ``rounds list --json`` rows (ISO 8601 dates)."""
    return [
        {"questionnaire": r.version.questionnaire.slug, "round": r.label,
         "opens": r.opens.isoformat(), "closes": r.closes.isoformat(),
         "deadline": r.default_deadline.isoformat()}
        for r in rounds()
    ]


def round_response_ids(round_: Round) -> list[int]:
    return list(RoundResponse.objects.filter(round=round_).values_list("response_id", flat=True))


def deadline_for(round_: Round, organisation_id: int) -> datetime:
    own = OrganisationDeadline.objects.filter(round=round_, organisation_id=organisation_id)
    return own.values_list("deadline", flat=True).first() or round_.default_deadline


def round_answers(round_: Round, *, submitted_only: bool = True) -> dict[str, dict[str, str]]:
    """{organisation acronym: {path: value}} of the round's responses."""
    links = RoundResponse.objects.filter(round=round_)
    if submitted_only:
        links = links.filter(response__status__in=SUBMITTED)
    # The unit: an organisation's acronym, a jurisdiction's code, or the unit key.
    response_ids = {
        response_id: acronym or code or key
        for response_id, acronym, code, key in links.values_list(
            "response_id", "response__organisation__acronym", "response__jurisdiction__code",
            "response__unit_key")
    }
    answers: dict[str, dict[str, str]] = {acronym: {} for acronym in response_ids.values()}
    # One join, no ordering (the default ordering would join and sort by organisation).
    rows = Answer.objects.filter(response__round_link__round=round_)
    if submitted_only:
        rows = rows.filter(response__status__in=SUBMITTED)
    rows = rows.order_by().values_list("response_id", "path", "value")
    for response_id, path, value in rows.iterator(chunk_size=5000):
        answers[response_ids[response_id]][path] = value
    return answers


def compare(before: Round, after: Round) -> RoundComparison:
    """What changed between two rounds, per question, for organisations in both."""
    return compare_rounds(round_answers(before), round_answers(after))


@dataclass
class CarriedState:
    path: str
    carried: str
    current: str
    state: str  # "confirmed", "changed", "unconfirmed"


def carried_states(link: RoundResponse) -> list[CarriedState]:
    """Each carried-over answer: confirmed, changed since, or still to confirm."""
    current = dict(Answer.objects.filter(response=link.response).values_list("path", "value"))
    result = []
    for carried in CarriedAnswer.objects.filter(round_response=link):
        now = current.get(carried.path, "")
        if now != carried.value:
            state = "changed"
        elif carried.confirmed_at:
            state = "confirmed"
        else:
            state = "unconfirmed"
        result.append(CarriedState(carried.path, carried.value, now, state))
    return result


def carried_summary(round_: Round) -> dict[str, int]:
    """How many carried-over answers of the round were confirmed, changed, left as they were
    (two queries, whatever the number of organisations)."""
    counts = {"confirmed": 0, "changed": 0, "unconfirmed": 0}
    current = {
        (response_id, path): value
        for response_id, path, value in Answer.objects.filter(
            response__round_link__round=round_).order_by().values_list(
            "response_id", "path", "value").iterator(chunk_size=5000)
    }
    carried = CarriedAnswer.objects.filter(round_response__round=round_).order_by().values_list(
        "round_response__response_id", "path", "value", "confirmed_at")
    for response_id, path, value, confirmed_at in carried.iterator(chunk_size=5000):
        if current.get((response_id, path), "") != value:
            counts["changed"] += 1
        elif confirmed_at:
            counts["confirmed"] += 1
        else:
            counts["unconfirmed"] += 1
    return counts


def round_link_for(user: User, response_id: int) -> RoundResponse:
    link = RoundResponse.objects.select_related("round", "response__organisation").filter(
        response_id=response_id).first()
    if link is None:
        raise Http404
    own = organisation_id_of(user)
    if not is_secretariat(user) and (own is None or own != link.response.organisation_id):
        raise Http404
    return link


# --- who sees what -------------------------------------------------------------------------------


def is_member(user: User) -> bool:
    return is_secretariat(user) or organisation_id_of(user) is not None


def working_group_slugs(user: User) -> list[str]:
    person = getattr(user, "person", None) if user.is_authenticated else None
    if person is None:
        return []
    return list(person.working_groups.values_list("slug", flat=True))


def access_keys(user: User) -> list[str] | None:
    """The document audiences a user sees (None: everything, for the secretariat)."""
    if is_secretariat(user):
        return None
    keys = [Audience.PUBLIC.value]
    if is_member(user):
        keys.append(Audience.MEMBERS.value)
        keys += [f"wg:{slug}" for slug in working_group_slugs(user)]
    return keys


def documents_for(user: User) -> QuerySet:
    documents = Document.objects.select_related("working_group", "meeting").prefetch_related(
        "versions")
    keys = access_keys(user)
    if keys is None:
        return documents
    allowed = Q(audience__in=[k for k in keys if not k.startswith("wg:")])
    slugs = [k[3:] for k in keys if k.startswith("wg:")]
    if slugs:
        allowed |= Q(audience=Audience.WORKING_GROUP, working_group__slug__in=slugs)
    return documents.filter(allowed)


def document_for(user: User, pk: int) -> Document:
    document = documents_for(user).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def search_documents(user: User, text: str, limit: int = 50) -> search.SearchResult:
    keys = access_keys(user)
    facets = {"access": keys} if keys is not None else {}
    return search.query(DOCUMENT_KIND, text, facets=facets, limit=limit)


def meetings_for(user: User) -> QuerySet:
    meetings = Meeting.objects.select_related("working_group")
    if is_member(user):
        return meetings
    return meetings.filter(public=True)


def meeting_for(user: User, pk: int) -> Meeting:
    meeting = meetings_for(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def working_groups() -> QuerySet:
    return WorkingGroup.objects.prefetch_related("members")


# --- timeline -------------------------------------------------------------------------------------


@dataclass
class TimelineEntry:
    date: date
    title: str
    kind: str  # "round", "meeting", "milestone"
    url: str = ""
    demo: bool = False


def timeline(user: User) -> list[TimelineEntry]:
    """Milestones of the partnership from the data: rounds opened and closed, meetings,
    publications; in the active language."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    entries = []
    for round_ in rounds():
        title = round_.version.questionnaire.display_title
        entries.append(TimelineEntry(round_.opens.date(), _("%(survey)s, %(round)s opens") % {
            "survey": title, "round": round_.label}, "round", demo=round_.demo))
        entries.append(TimelineEntry(round_.closes.date(), _("%(survey)s, %(round)s closes") % {
            "survey": title, "round": round_.label}, "round", demo=round_.demo))
    for meeting in meetings_for(user):
        entries.append(TimelineEntry(
            timezone.localtime(meeting.starts).date(), meeting.title, "meeting",
            reverse("workspace:meeting", kwargs={"pk": meeting.pk}), demo=meeting.demo))
    for milestone in Milestone.objects.all():
        entries.append(TimelineEntry(milestone.date, milestone.title, "milestone",
                                     demo=milestone.demo))
    return sorted(entries, key=lambda entry: entry.date)


def submitted_status_values() -> list[str]:
    return [ResponseStatus(s).value for s in SUBMITTED]


def deadlines_for(user: User) -> list[tuple[str, str, datetime | date]]:
    """(uid, title, when) of a person's deadlines: their organisation's round deadlines and
    their open action items."""
    from iocompendium.workspace.models import ActionItem

    items: list[tuple[str, str, datetime | date]] = []
    organisation_id = organisation_id_of(user)
    if organisation_id is not None:
        for round_ in rounds():
            items.append((f"round-{round_.pk}-{organisation_id}",
                          f"{round_.version.questionnaire.slug} {round_.label}",
                          deadline_for(round_, organisation_id)))
    for action in ActionItem.objects.filter(owner=user, due__isnull=False,
                                            status=ActionItem.Status.OPEN):
        items.append((f"action-{action.pk}", action.title, action.due))
    return items


def comparable_pairs() -> list[Round]:
    """Rounds that have a previous round to compare with."""
    return list(rounds().filter(previous__isnull=False))


def question_labels(version) -> dict[str, str]:
    """{template path: label in the active language} of a version's questions."""
    from iocompendium.responses import formtree
    from iocompendium.responses.selectors import compiled_form

    form = compiled_form(version.pk, version.fingerprint)
    lang = formtree.current_language()
    return {path: form.text(ref.node.get("label"), lang) or ref.name
            for path, ref in form.refs.items()}


def comparison_context(before: Round, after: Round) -> dict:
    from iocompendium.questionnaires.structure import template_path

    result = compare(before, after)
    labels = question_labels(after.version)
    rows = []
    for change in result.questions:
        if not (change.answered_both or change.only_before or change.only_after):
            continue
        rows.append({"change": change,
                     "label": labels.get(template_path(change.path), change.path),
                     "moves": change.moves.most_common(3)})
    rows.sort(key=lambda row: (-row["change"].changed, row["change"].path))
    return {"before": before, "after": after, "result": result, "rows": rows,
            "carried": carried_summary(after)}


def carried_states_labelled(link: RoundResponse) -> list[dict]:
    from iocompendium.questionnaires.structure import template_path

    labels = question_labels(link.response.version)
    return [{"state": state, "label": labels.get(template_path(state.path), state.path)}
            for state in carried_states(link)]


def response_status_choices() -> list[tuple[str, str]]:
    return list(ResponseStatus.choices)


def round_review_rows(round_: Round, *, status: str = "") -> list[dict]:
    """The round's responses for review: unit, status, deadline, carried answers to confirm."""
    from django.db.models import Count, Q

    links = (RoundResponse.objects.filter(round=round_)
             .select_related("response__organisation", "response__jurisdiction")
             .annotate(pending=Count("carried", filter=Q(carried__confirmed_at__isnull=True)))
             .order_by("response__organisation__acronym", "response_id"))
    if status in ResponseStatus.values:
        links = links.filter(response__status=status)
    own = dict(OrganisationDeadline.objects.filter(round=round_)
               .values_list("organisation_id", "deadline"))
    return [{"response": link.response, "pending": link.pending,
             "deadline": own.get(link.response.organisation_id, round_.default_deadline)}
            for link in links]
