"""Writes of notifications: telling people about events, and sending the e-mail.

``notify`` records one Notification per event and person (idempotent: the unique
constraint on (event, person) turns a repeated event into nothing) and asks the task
worker to send once the transaction commits. ``send_pending`` is the only sender: it
claims due rows in a transaction, sends them, and marks each one sent at once. A sender
killed after its claim leaves the rows claimed; once the claim is older than
``CLAIM_TIMEOUT`` another sender takes them, so nothing is lost; a row marked sent is
never taken again, so nothing is sent twice (the one remaining window, a kill between
the SMTP server's acceptance and the mark, is one message wide and carries a stable
Message-ID that lets receiving servers drop the duplicate).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from iocompendium.bulk import insert_rows
from iocompendium.notifications.models import Channel, Kind, Mode, Notification, Preferences

CLAIM_TIMEOUT = timedelta(minutes=10)
MAX_ATTEMPTS = 5
BATCH = 200
DIGEST_HOUR = time(7, 0)
UNSUBSCRIBE_SALT = "iocompendium.notifications.unsubscribe"


# --- preferences ---------------------------------------------------------------------------


def preferences_of(user: AbstractBaseUser) -> Preferences:
    prefs, _created = Preferences.objects.get_or_create(
        user=user, defaults={"language": settings.LANGUAGE_CODE}
    )
    return prefs


def save_preferences(user: AbstractBaseUser, *, language: str, modes: dict[str, str]) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(_("Unknown language."))
    clean = {kind: mode for kind, mode in modes.items()
             if kind in Kind.values and mode in Mode.values}
    prefs = preferences_of(user)
    prefs.language, prefs.modes = language, clean
    prefs.save(update_fields=["language", "modes"])


def unsubscribe_token(user: AbstractBaseUser, kind: str) -> str:
    return signing.dumps({"u": user.pk, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe(token: str) -> tuple[AbstractBaseUser, str]:
    """Turn e-mail off for the kind named in a signed link (no log-in needed)."""
    from django.contrib.auth import get_user_model

    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    user = get_user_model().objects.get(pk=data["u"])
    kind = data["k"]
    if kind not in Kind.values:
        raise signing.BadSignature("unknown kind")
    prefs = preferences_of(user)
    prefs.modes = {**prefs.modes, kind: Mode.OFF}
    prefs.save(update_fields=["modes"])
    return user, kind


# --- telling people --------------------------------------------------------------------------

# One sentence per kind; %-parameters come from the event (translated when sent).
MESSAGES = {
    Kind.INVITATION: gettext_noop("You are invited to answer for %(organisation)s."),
    Kind.ROUND_OPENED: gettext_noop(
        "The survey round %(round)s is open for %(organisation)s until %(deadline)s."),
    Kind.REMINDER: gettext_noop(
        "%(organisation)s has not submitted its answers to %(round)s yet; the deadline is "
        "%(deadline)s."),
    Kind.QUERY_RAISED: gettext_noop(
        "The secretariat asks a question about an answer of %(organisation)s: %(question)s"),
    Kind.QUERY_ANSWERED: gettext_noop(
        "%(author)s replied to a review query on %(organisation)s: %(text)s"),
    Kind.QUERY_RESOLVED: gettext_noop(
        "A review query on the answers of %(organisation)s is resolved."),
    Kind.RESPONSE_APPROVED: gettext_noop(
        "The answers of %(organisation)s to %(questionnaire)s are approved."),
    Kind.RESPONSE_REOPENED: gettext_noop(
        "The answers of %(organisation)s to %(questionnaire)s are reopened for changes."),
    Kind.ACTION_ASSIGNED: gettext_noop(
        "An action item of %(meeting)s is yours: %(title)s (due %(due)s)."),
    Kind.ACTION_DUE: gettext_noop("An action item of %(meeting)s is due on %(due)s: %(title)s."),
    Kind.MEETING_DOCUMENTS: gettext_noop("A document was added to %(meeting)s: %(title)s."),
}


def message_for(kind: str, params: dict) -> str:
    """The kind's sentence in the active language (the catalogue has every one)."""
    return _(MESSAGES[Kind(kind)]) % params


def subject_for(kind: str, params: dict) -> str:
    acronym = params.get("acronym") or params.get("organisation") or ""
    label = Kind(kind).label
    return f"[{acronym}] {label}" if acronym else str(label)


@dataclass(frozen=True)
class Link:
    """A page to open: a URL name and its arguments, and an anchor on the page."""

    name: str
    kwargs: dict
    fragment: str = ""

    def absolute(self, lang: str) -> str:
        with translation.override(lang):
            path = reverse(self.name, kwargs=self.kwargs)
        base = settings.IOCOMPENDIUM_BASE_URL.rstrip("/")
        return base + path + (f"#{self.fragment}" if self.fragment else "")


@dataclass(frozen=True)
class Tell:
    """One event to tell some people about (see ``notify``)."""

    kind: str
    event: str
    recipients: tuple
    link: Link | None
    params: dict


def notify(
    kind: str, event: str, recipients: Iterable[AbstractBaseUser], *, link: Link | None,
    params: dict, now: datetime | None = None,
) -> list[Notification]:
    """Tell each recipient about one event, in their language and by their chosen channel.

    ``event``: a stable key of the event (e.g. "query_raised:42"); telling the same person
    about the same event again does nothing. Returns the rows created now."""
    return notify_many([Tell(kind, event, tuple(recipients), link, params)], now=now)


def notify_many(tells: list[Tell], now: datetime | None = None) -> list[Notification]:
    """``notify`` for many events at once (reminders to thousands of organisations): the
    preferences and what was already told are read in a few queries, rows written in bulk."""
    now = now or timezone.now()
    users = {u.pk: u for tell in tells for u in tell.recipients
             if u is not None and u.is_active}
    prefs = _preferences_by_user(list(users))
    told = _already_told([tell.event[:200] for tell in tells])
    rows = []
    cache: dict = {}
    for tell in tells:
        for user in {u.pk: u for u in tell.recipients if u is not None and u.pk in users}.values():
            if (tell.event[:200], user.pk) in told:
                continue
            told.add((tell.event[:200], user.pk))
            rows.append(_notification_for(tell.kind, tell.event, user, prefs.get(user.pk),
                                          link=tell.link, params=tell.params, now=now,
                                          cache=cache))
    created = _insert(rows)
    if any(row.channel == Channel.EMAIL for row in created):
        transaction.on_commit(enqueue_sending)
    for due in {row.due_at for row in created if row.channel == Channel.DIGEST}:
        transaction.on_commit(lambda due=due: enqueue_sending(run_after=due))
    return created


def _preferences_by_user(user_ids: list[int]) -> dict[int, Preferences]:
    found = {}
    for start in range(0, len(user_ids), 500):
        chunk = user_ids[start:start + 500]
        found.update({p.user_id: p for p in Preferences.objects.filter(user_id__in=chunk)})
    return found


def _already_told(events: list[str]) -> set[tuple[str, int]]:
    told: set[tuple[str, int]] = set()
    unique = sorted(set(events))
    for start in range(0, len(unique), 500):
        told.update(Notification.objects.filter(
            event__in=unique[start:start + 500], user__isnull=False
        ).values_list("event", "user_id"))
    return told


_INSERTED = ("event", "kind", "user", "email", "channel", "language", "subject", "body", "url",
             "due_at")


def _insert(rows: list[Notification]) -> list[Notification]:
    """Write the rows in bulk (``iocompendium.bulk``: plain tuples, a few statements) and
    give them their ids; if a concurrent run told someone meanwhile (the unique constraint
    refuses the batch), row by row, skipping the ones already there."""
    if not rows:
        return []
    try:
        with transaction.atomic():
            insert_rows(Notification, _INSERTED, [
                (r.event, r.kind, r.user_id, r.email, r.channel, r.language, r.subject,
                 r.body, r.url, r.due_at) for r in rows])
    except IntegrityError:
        created = []
        for row in rows:
            row.pk = None
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                continue
            created.append(row)
        return created
    ids: dict[tuple[str, int], int] = {}
    events = sorted({row.event for row in rows})
    for start in range(0, len(events), 500):
        ids.update(((event, user), pk) for pk, event, user in Notification.objects.filter(
            event__in=events[start:start + 500], user__isnull=False
        ).values_list("pk", "event", "user_id"))
    for row in rows:
        row.pk = ids.get((row.event, row.user_id))
        row._state.adding = False
    return rows


def notify_address(
    kind: str, event: str, email: str, *, language: str, subject: str, body: str,
    url: str = "", now: datetime | None = None,
) -> Notification | None:
    """Tell an address with no account yet (an invitation), once per event."""
    now = now or timezone.now()
    row = Notification(event=event, kind=kind, email=email, language=language,
                       channel=Channel.EMAIL, subject=subject[:300], body=body, url=url,
                       due_at=now)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        return None
    transaction.on_commit(enqueue_sending)
    return row


_TOKEN_SLOT = "TOKEN-SLOT"  # noqa: S105 - a placeholder replaced per person
_TEXT_SLOT, _URL_SLOT = "\ue010TEXT\ue011", "\ue010URL\ue011"


def _cached(cache: dict, key, make):
    if key not in cache:
        cache[key] = make()
    return cache[key]


def _skeleton(lang: str) -> str:
    """The message template rendered once per language, with slots for the event's text,
    its link and the person's unsubscribe token (thousands of reminders, one render)."""
    with translation.override(lang):
        return render_to_string("notifications/mail/message.txt", {
            "text": _TEXT_SLOT, "url": _URL_SLOT,
            "unsubscribe_url": Link("notifications:unsubscribe",
                                    {"token": _TOKEN_SLOT}).absolute(lang),
            "preferences_url": Link("notifications:preferences", {}).absolute(lang),
        })


def _texts(kind: str, lang: str) -> tuple[str, str]:
    """The kind's sentence (with its %-parameters) and label in ``lang``, translated once
    (``message_for`` and ``subject_for`` for many events of one kind)."""
    with translation.override(lang):
        return _(MESSAGES[Kind(kind)]), str(Kind(kind).label)


def _notification_for(kind, event, user, prefs: Preferences | None, *, link, params, now,
                      cache: dict | None = None) -> Notification:
    """One person's row. The text is rendered once per event and language (``cache``);
    only the signed unsubscribe link differs from one person to the next."""
    mode = prefs.mode_for(kind) if prefs else Mode.IMMEDIATE
    lang = prefs.language if prefs else settings.LANGUAGE_CODE
    cache = {} if cache is None else cache
    key = (kind, event, lang)
    if key not in cache:
        link_key = (link.name, tuple(sorted(link.kwargs.items())), link.fragment) if link else ()
        url = _cached(cache, ("link", link_key, lang),
                      lambda: link.absolute(lang) if link else "")
        skeleton = _cached(cache, ("skeleton", lang), lambda: _skeleton(lang))
        template, label = _cached(cache, ("texts", kind, lang), lambda: _texts(kind, lang))
        text = template % params
        acronym = params.get("acronym") or params.get("organisation") or ""
        subject = f"[{acronym}] {label}" if acronym else label
        body = skeleton.replace(_TEXT_SLOT, text).replace(_URL_SLOT, url)
        cache[key] = (subject, url, body)
    subject, url, body = cache[key]
    body = body.replace(_TOKEN_SLOT, unsubscribe_token(user, kind))
    channel = {Mode.IMMEDIATE: Channel.EMAIL, Mode.DIGEST: Channel.DIGEST}.get(mode, Channel.WEB)
    if not user.email:
        channel = Channel.WEB
    due = next_digest_time(now) if channel == Channel.DIGEST else now
    return Notification(event=event[:200], kind=kind, user_id=user.pk, email=user.email,
                        channel=channel, language=lang, subject=subject[:300], body=body,
                        url=url, due_at=due)


def next_digest_time(now: datetime) -> datetime:
    today = timezone.localtime(now).replace(hour=DIGEST_HOUR.hour, minute=0, second=0,
                                            microsecond=0)
    return today if today > now else today + timedelta(days=1)


def enqueue_sending(run_after: datetime | None = None) -> None:
    """Ask the task worker to send what is due (it retries failures later)."""
    from iocompendium.notifications.tasks import send_notifications_task

    task = send_notifications_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # e.g. the immediate backend of tests: "notifications send" sends them
        task = task.using(run_after=run_after)
    task.enqueue()


# --- sending ------------------------------------------------------------------------------------


def _due(now: datetime) -> Q:
    unclaimed = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT)
    return (Q(sent_at__isnull=True, due_at__lte=now, attempts__lt=MAX_ATTEMPTS)
            & Q(channel__in=[Channel.EMAIL, Channel.DIGEST]) & unclaimed)


def claim(now: datetime | None = None, limit: int = BATCH) -> tuple[str, list[Notification]]:
    """Take up to ``limit`` due rows for this sender, in one transaction."""
    now = now or timezone.now()
    token = secrets.token_hex(16)
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(_due(now)).order_by("due_at", "id").values_list("id", flat=True)[:limit]
        )
        Notification.objects.filter(id__in=ids).filter(_due(now)).update(
            claimed_at=now, claim_token=token, attempts=F("attempts") + 1
        )
    return token, list(Notification.objects.filter(claim_token=token).select_related("user"))


def send_pending(now: datetime | None = None) -> list[Notification]:
    """Send every due notification (immediate ones one by one, digests grouped per
    person); returns the rows sent. Failures are kept with their error and retried later."""
    now = now or timezone.now()
    sent: list[Notification] = []
    while True:
        token, rows = claim(now)
        if not rows:
            return sent
        sent.extend(_send_claimed(token, rows, now))


def _send_claimed(token: str, rows: list[Notification], now: datetime) -> list[Notification]:
    sent = []
    immediate = [row for row in rows if row.channel == Channel.EMAIL]
    digests: dict[tuple, list[Notification]] = defaultdict(list)
    for row in rows:
        if row.channel == Channel.DIGEST:
            digests[(row.user_id, row.email, row.language)].append(row)
    try:
        connection = mail.get_connection(fail_silently=False)
        connection.open()
    except Exception as error:  # noqa: BLE001 - the server is down: every row waits
        for row in rows:
            _failed(row, token, error, now)
        return sent
    try:
        for row in immediate:
            message = _message(row.subject, row.body, row.email, f"n{row.pk}", connection)
            if _deliver(message, [row], token, now):
                sent.append(row)
        for group in digests.values():
            message = _digest_message(group, connection)
            if _deliver(message, group, token, now):
                sent.extend(group)
    finally:
        connection.close()
    return sent


def _message(subject, body, to, key, connection) -> mail.EmailMessage:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return mail.EmailMessage(
        subject, body, settings.DEFAULT_FROM_EMAIL, [to], connection=connection,
        headers={"Message-ID": f"<{key}@{domain}>", "Auto-Submitted": "auto-generated"},
    )


def _digest_message(group: list[Notification], connection) -> mail.EmailMessage:
    with translation.override(group[0].language):
        subject = _("Your daily digest: %(count)d notifications") % {"count": len(group)}
        body = render_to_string("notifications/mail/digest.txt", {"rows": group})
    key = "d" + "-".join(str(row.pk) for row in group[:5])
    return _message(subject, body, group[0].email, key, connection)


def _deliver(message, rows: list[Notification], token: str, now: datetime) -> bool:
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 - kept on the row, retried later
        for row in rows:
            _failed(row, token, error, now)
        return False
    # Marked at once, row by row: a sender killed after this point has nothing to redo.
    Notification.objects.filter(pk__in=[r.pk for r in rows], claim_token=token).update(
        sent_at=timezone.now(), error=""
    )
    for row in rows:
        row.sent_at = now
    return True


def _failed(row: Notification, token: str, error: Exception, now: datetime) -> None:
    # Back off 1, 2, 4, 8 minutes...; the claim is released so the next run retries.
    delay = timedelta(minutes=2 ** max(row.attempts - 1, 0))
    Notification.objects.filter(pk=row.pk, claim_token=token).update(
        claimed_at=None, claim_token="", error=f"{type(error).__name__}: {error}"[:2000],
        due_at=now + delay,
    )


def next_retry_at() -> datetime | None:
    """When the earliest unsent e-mail falls due (the worker re-schedules itself then)."""
    row = (Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS,
                                       channel__in=[Channel.EMAIL, Channel.DIGEST])
           .exclude(error="")
           .order_by("due_at").values_list("due_at", flat=True).first())
    return row


def mark_read(user: AbstractBaseUser, ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def retry(notification: Notification) -> None:
    """The secretariat sends a failed notification again (attempts start over)."""
    Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).update(
        attempts=0, due_at=timezone.now(), claimed_at=None, claim_token=""
    )
    transaction.on_commit(enqueue_sending)
