"""Listeners: the other apps' events become notifications (they never import this app)."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from iocompendium.notifications.models import Channel, Kind, Notification
from iocompendium.notifications.selectors import focal_points_of
from iocompendium.notifications.services import Link, notify
from iocompendium.responses import signals as responses_signals
from iocompendium.responses.models import ResponseStatus


def _query_link(query) -> Link:
    return Link("responses:query_detail", {"pk": query.response_id, "query_id": query.pk})


def _organisation_params(response) -> dict:
    # A response may answer for a jurisdiction or a submission: its unit's name then.
    name = response.unit_name
    return {"organisation": name, "acronym": name}


def _focal_points(response):
    """Who answers for the response's unit (nobody for a unit without accounts)."""
    if response.organisation_id is None:
        return []
    return focal_points_of(response.organisation_id)


@receiver(responses_signals.query_raised)
def on_query_raised(sender, query, text, user, **kwargs) -> None:
    response = query.response
    notify(Kind.QUERY_RAISED, f"query_raised:{query.pk}", _focal_points(response),
           link=_query_link(query), params={**_organisation_params(response), "question": text})


@receiver(responses_signals.query_replied)
def on_query_replied(sender, query, message, user, **kwargs) -> None:
    """A focal point's reply goes to the secretariat who asked; the secretariat's reply goes
    to the focal points."""
    response = query.response
    author_is_focal_point = getattr(getattr(user, "contributor", None), "organisation_id",
                                    None) == response.organisation_id
    if author_is_focal_point:
        askers = {m.author for m in query.messages.select_related("author") if m.author
                  and m.author.is_staff}
        if query.created_by is not None:
            askers.add(query.created_by)
        recipients = list(askers)
    else:
        recipients = list(_focal_points(response))
    recipients = [r for r in recipients if r.pk != user.pk]
    notify(Kind.QUERY_ANSWERED, f"query_reply:{message.pk}", recipients, link=_query_link(query),
           params={**_organisation_params(response), "author": user.get_username(),
                   "text": message.text[:500]})


@receiver(responses_signals.query_status_changed)
def on_query_status(sender, query, old, new, user, **kwargs) -> None:
    if new != "resolved":
        return
    response = query.response
    # Each resolution is its own event: resolved, reopened and resolved again tells again.
    stamp = int(timezone.now().timestamp())
    notify(Kind.QUERY_RESOLVED, f"query_resolved:{query.pk}:{stamp}",
           _focal_points(response), link=_query_link(query),
           params=_organisation_params(response))


@receiver(responses_signals.response_status_changed)
def on_response_status(sender, response, old, new, user, **kwargs) -> None:
    if new == ResponseStatus.APPROVED:
        kind = Kind.RESPONSE_APPROVED
    elif new == ResponseStatus.DRAFT and old != ResponseStatus.DRAFT:
        kind = Kind.RESPONSE_REOPENED
    else:
        return
    stamp = int(timezone.now().timestamp())
    notify(kind, f"{kind}:{response.pk}:{stamp}", _focal_points(response),
           link=Link("responses:response_detail", {"pk": response.pk}),
           params={**_organisation_params(response),
                   "questionnaire": str(response.version.questionnaire.display_title)})


@receiver(responses_signals.invitation_sent)
def on_invitation_sent(sender, invitation, lang, subject, **kwargs) -> None:
    """The invitation e-mail is sent by collection itself (its one-time link is never
    stored); the outbox records that it went, without the link."""
    now = timezone.now()
    Notification.objects.get_or_create(
        event=f"invitation:{invitation.pk}", email=invitation.email, user=None,
        defaults={"kind": Kind.INVITATION, "channel": Channel.EMAIL, "language": lang,
                  "subject": subject[:300], "body": "", "due_at": now, "sent_at": now,
                  "attempts": 1},
    )


# --- workspace events ------------------------------------------------------------------------

from iocompendium.workspace import signals as workspace_signals  # noqa: E402
from iocompendium.workspace.selectors import deadline_for  # noqa: E402


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


@receiver(workspace_signals.round_opened)
def on_round_opened(sender, round, organisations, **kwargs) -> None:
    for organisation in organisations:
        notify(Kind.ROUND_OPENED, f"round_opened:{round.pk}:{organisation.pk}",
               focal_points_of(organisation.pk), link=Link("responses:index", {}),
               params={"organisation": organisation.acronym, "acronym": organisation.acronym,
                       "round": f"{round.version.questionnaire.slug} {round.label}",
                       "deadline": _date(deadline_for(round, organisation.pk))})


@receiver(workspace_signals.action_assigned)
def on_action_assigned(sender, action, user, **kwargs) -> None:
    notify(Kind.ACTION_ASSIGNED, f"action_assigned:{action.pk}:{action.owner_id}",
           [action.owner], link=Link("workspace:meeting", {"pk": action.meeting_id},
                                     f"action-{action.pk}"),
           params={"meeting": action.meeting.title_en, "title": action.title,
                   "due": _date(action.due)})


@receiver(workspace_signals.meeting_document_added)
def on_meeting_document(sender, document, meeting, user, **kwargs) -> None:
    from iocompendium.workspace.models import Registration

    users = {r.user for r in Registration.objects.filter(meeting=meeting).select_related("user")
             if r.user is not None}
    if meeting.working_group_id:
        users |= {p.user for p in meeting.working_group.members.select_related("user") if p.user}
    users.discard(user)
    notify(Kind.MEETING_DOCUMENTS, f"meeting_document:{document.pk}", users,
           link=Link("workspace:document", {"pk": document.pk}),
           params={"meeting": meeting.title_en, "title": document.title})
