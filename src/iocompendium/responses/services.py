"""Writes of response collection: invitations, answers, repeats, statuses, queries, audit.

Every change to an answer goes through ``save_answer`` (or the repeat and version
operations here), which refuses stale revisions and records an audit event in the same
transaction: an acknowledged save and its audit record are committed together.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from iocompendium.questionnaires import engine
from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.questionnaires.structure import template_path
from iocompendium.registry.models import Organisation
from iocompendium.responses import evaluations, formtree, signals
from iocompendium.responses.formtree import InvalidAnswer
from iocompendium.responses.models import (
    Answer,
    AuditEvent,
    Contributor,
    Invitation,
    Query,
    QueryMessage,
    Response,
    ResponseStatus,
)
from iocompendium.responses.selectors import (
    answers_for_autosave,
    answers_of,
    compiled_form,
    form_for,
    open_query_paths,
)

INVITATION_DAYS = 14
INVITATION_RESEND_MINUTES = 10
INVITATIONS_PER_ADDRESS_PER_DAY = 5
INVITATIONS_PER_INVITER_PER_HOUR = 30


class ResponseLocked(PermissionError):
    """The response does not accept this change in its current status."""


class InvitationError(ValueError):
    """An invitation that cannot be used (expired, revoked, used, or account clash)."""


# --- audit -------------------------------------------------------------------------------


def actor_label(user: AbstractBaseUser | None) -> str:
    return user.get_username() if user is not None and user.is_authenticated else ""


def record_event(
    response: Response, *, user: AbstractBaseUser | None, action: str, path: str = "",
    old_value: str = "", new_value: str = "", via: str = AuditEvent.Via.WEB,
) -> AuditEvent:
    """Append one event to the response's audit trail."""
    actor = user if user is not None and user.is_authenticated else None
    return AuditEvent.objects.create(
        response=response, actor=actor, actor_label=actor_label(user), action=action,
        path=path, old_value=old_value, new_value=new_value, via=via,
    )


# --- invitations ---------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_days() -> int:
    return int(getattr(settings, "IOCOMPENDIUM_INVITATION_DAYS", INVITATION_DAYS))


def invitation_url(token: str, *, lang: str = "en", base_url: str | None = None) -> str:
    with translation.override(lang):
        path = reverse("responses:invitation_accept", kwargs={"token": token})
    base = (base_url or settings.IOCOMPENDIUM_BASE_URL).rstrip("/")
    return base + path


def create_invitation(
    organisation: Organisation, email: str, *, invited_by: AbstractBaseUser | None,
    questionnaire: Questionnaire | None = None, lang: str = "en", base_url: str | None = None,
    send: bool = True,
) -> tuple[Invitation, str]:
    """Create a one-time invitation, e-mail it, and return it with its URL.

    Only the token's hash is stored: the URL returned here is the only copy.

    Rate-limited and de-duplicated (``check_invitation_limits``): one valid invitation per
    address and organisation (a new one revokes the older, unless that one was sent less
    than ``IOCOMPENDIUM_INVITATION_RESEND_MINUTES`` ago, which is refused), at most
    ``IOCOMPENDIUM_INVITATIONS_PER_ADDRESS_PER_DAY`` to one address in 24 hours and
    ``IOCOMPENDIUM_INVITATIONS_PER_INVITER_PER_HOUR`` by one person in an hour; over a
    limit, ``InvitationError`` and no mail."""
    email = email.strip().lower()
    with transaction.atomic():
        check_invitation_limits(organisation, email, invited_by=invited_by)
        token = secrets.token_urlsafe(32)
        Invitation.objects.filter(
            organisation=organisation, email=email, accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, token_hash=hash_token(token),
            questionnaire=questionnaire, created_by=invited_by,
            expires_at=timezone.now() + timedelta(days=invitation_days()),
        )
    url = invitation_url(token, lang=lang, base_url=base_url)
    if send:
        _send_invitation_mail(invitation, url, lang)
    return invitation, url


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def check_invitation_limits(
    organisation: Organisation, email: str, *, invited_by: AbstractBaseUser | None
) -> None:
    """Raise ``InvitationError`` (one sentence) when inviting ``email`` now would repeat a
    fresh invitation or pass a rate limit (see ``create_invitation``)."""
    now = timezone.now()
    email = email.strip().lower()
    resend = _setting("IOCOMPENDIUM_INVITATION_RESEND_MINUTES", INVITATION_RESEND_MINUTES)
    fresh = Invitation.objects.filter(
        organisation=organisation, email=email, accepted_at__isnull=True,
        revoked_at__isnull=True, expires_at__gt=now,
        created_at__gt=now - timedelta(minutes=resend),
    ).exists()
    if fresh:
        raise InvitationError(
            _("An invitation to %(email)s was sent less than %(minutes)s minutes ago and is "
              "still valid; send it again later, or revoke it first.")
            % {"email": email, "minutes": resend})
    per_address = _setting("IOCOMPENDIUM_INVITATIONS_PER_ADDRESS_PER_DAY",
                           INVITATIONS_PER_ADDRESS_PER_DAY)
    if Invitation.objects.filter(email=email,
                                 created_at__gt=now - timedelta(days=1)).count() >= per_address:
        raise InvitationError(
            _("%(email)s has already been invited %(count)s times in the last 24 hours, the "
              "limit; try again tomorrow.") % {"email": email, "count": per_address})
    if invited_by is not None and invited_by.is_authenticated:
        per_inviter = _setting("IOCOMPENDIUM_INVITATIONS_PER_INVITER_PER_HOUR",
                               INVITATIONS_PER_INVITER_PER_HOUR)
        sent = Invitation.objects.filter(created_by=invited_by,
                                         created_at__gt=now - timedelta(hours=1)).count()
        if sent >= per_inviter:
            raise InvitationError(
                _("You have sent %(count)s invitations in the last hour, the limit; try again "
                  "later.") % {"count": per_inviter})


def _send_invitation_mail(invitation: Invitation, url: str, lang: str) -> None:
    with translation.override(lang):
        context = {"invitation": invitation, "url": url, "days": invitation_days(),
                   "organisation": invitation.organisation}
        subject = _("Invitation to answer for %(organisation)s") % {
            "organisation": invitation.organisation.acronym
        }
        body = render_to_string("responses/mail/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    signals.invitation_sent.send(Invitation, invitation=invitation, lang=lang, subject=subject)


def invitation_problem(invitation: Invitation) -> str | None:
    """Why an invitation cannot be accepted, or None when it can."""
    if invitation.revoked_at:
        return _("This invitation has been revoked. Ask for a new one.")
    if invitation.accepted_at:
        return _("This invitation has already been used. Log in instead.")
    if invitation.expires_at <= timezone.now():
        return _("This invitation has expired. Ask for a new one.")
    return None


def accept_invitation(
    invitation: Invitation, *, password: str | None, user: AbstractBaseUser | None = None
) -> AbstractBaseUser:
    """Make the invited person a contributor of the organisation (creating the account).

    ``user``: the logged-in account accepting (an existing account joins); otherwise a new
    account named by the e-mail address is created with ``password``."""
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        problem = invitation_problem(locked)
        if problem:
            raise InvitationError(problem)
        if user is None or not user.is_authenticated:
            user = _new_account(locked.email, password)
        elif Contributor.objects.filter(user=user).exclude(
            organisation=locked.organisation
        ).exists():
            raise InvitationError(
                _("Your account already answers for another organisation.")
            )
        Contributor.objects.get_or_create(user=user, defaults={"organisation": locked.organisation})
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
    return user


def _new_account(email: str, password: str | None) -> AbstractBaseUser:
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=email).exists():
        raise InvitationError(
            _("An account with this e-mail address already exists: log in, then open the "
              "invitation link again.")
        )
    try:
        with transaction.atomic():
            return user_model.objects.create_user(username=email, email=email, password=password)
    except IntegrityError as error:
        raise InvitationError(_("An account with this e-mail address already exists.")) from error


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.accepted_at or invitation.revoked_at:
        return
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    invitation.refresh_from_db()


# --- responses and answers --------------------------------------------------------------------


def get_or_create_response(
    organisation: Organisation, version: QuestionnaireVersion, *, title: str = ""
) -> Response:
    response, created = Response.objects.get_or_create(
        organisation=organisation, version=version, title=title
    )
    if created:
        from iocompendium.responses.metadata import fill_metadata

        fill_metadata(response, user=None)
    return response


@dataclass
class SaveResult:
    saved: bool  # False: refused as stale (a conflict)
    path: str
    value: str  # the value now stored (the colleague's, on a conflict)
    revision: int  # the revision now stored (0: no answer)
    updated_by: str = ""
    unchanged: bool = False

    @property
    def conflict(self) -> bool:
        return not self.saved

    @property
    def anchor(self) -> str:
        return formtree.input_id(formtree.split_other(self.path)[0])


def save_answer(
    response: Response, path: str, value: str, *, user: AbstractBaseUser | None,
    base_revision: int | None, via: str = AuditEvent.Via.WEB,
) -> SaveResult:
    """Store one answer if ``base_revision`` is still the stored revision.

    ``base_revision``: the revision the person saw (0 when there was no answer); ``None``
    only for deliberate overwrites (imports), which are audited like every change.
    Raises InvalidAnswer for a path or value the form does not accept, ResponseLocked
    when the response is submitted (except answers under an open query)."""
    form = form_for(response)
    ref, is_other = formtree.resolve_path(form, path)
    formtree.check_value(form, ref, value, is_other=is_other)
    if via == AuditEvent.Via.WEB:
        ensure_editable(response, path)
        _ensure_instance_exists(response, path)
    with transaction.atomic():
        current = (
            # Ordered by id only: the default ordering joins the (nullable) organisation,
            # and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
            Answer.objects.select_for_update()
            .filter(response=response, path=path).order_by("pk")
            .values("id", "value", "revision")
            .first()
        )
        stored_revision = current["revision"] if current else 0
        if current and current["value"] == value:
            return SaveResult(True, path, value, stored_revision, unchanged=True)
        if base_revision is not None and base_revision != stored_revision:
            return _conflict_after_race(response, path)
        new_revision = _write_answer(response, path, value, user, current)
        if new_revision is None:  # a colleague created the answer a moment ago
            return _conflict_after_race(response, path)
        record_event(response, user=user, action="answer", path=path,
                     old_value=current["value"] if current else "", new_value=value, via=via)
        Response.objects.filter(pk=response.pk).update(last_activity_at=timezone.now())
    return SaveResult(True, path, value, new_revision, actor_label(user))


class _Race(Exception):
    """A colleague's write landed between our read and our write: roll back, report."""


@dataclass
class Autosaved:
    """An autosave's outcome: the save, and on success the form's new evaluation."""

    result: SaveResult
    answers: dict[str, str]
    states: dict[str, dict] | None = None  # None on a conflict
    progress: dict[str | None, tuple[int, int]] = field(default_factory=dict)


def autosave(
    response: Response, path: str, value: str, *, user: AbstractBaseUser,
    base_revision: int, lang: str,
) -> Autosaved:
    """The web page's save of one answer, and the form's new evaluation and progress.

    Same rules as ``save_answer``, arranged for speed under load: the answers are read
    once (outside the write lock, in plain SQL), the form is evaluated before writing,
    and the write transaction is one conditional UPDATE (or INSERT) plus the audit event
    (plus the response's progress when it changed)."""
    form = form_for(response)
    ref, is_other = formtree.resolve_path(form, path)
    formtree.check_value(form, ref, value, is_other=is_other)
    ensure_editable(response, path)
    answers, revisions = answers_for_autosave(response)
    if "]" in path and not _instance_known(answers, path):
        raise InvalidAnswer(_("This repeat instance does not exist."))
    exists = path in revisions
    stored_value, stored_revision = answers.get(path, ""), revisions.get(path, 0)
    kept = evaluations.take(response.pk, lang, form.structure, answers)
    if exists and stored_value == value:
        evaluation = kept or engine.Evaluation(form.structure, answers, lang)
        states = formtree.add_type_errors(form, evaluation.states, answers)
        evaluations.keep(response.pk, lang, evaluation)
        result = SaveResult(True, path, value, stored_revision, unchanged=True)
        return Autosaved(result, answers, states, formtree.progress_by_section(form, states))
    if stored_revision != base_revision:
        if kept is not None:
            evaluations.keep(response.pk, lang, kept)  # still the stored answers
        return Autosaved(_conflict_after_race(response, path), answers)
    answers[path] = value
    evaluation, states = kept, kept.change(path, value) if kept is not None else None
    if states is None:  # nothing kept, or a change the engine re-evaluates in full
        evaluation = engine.Evaluation(form.structure, answers, lang)
        states = evaluation.states
    states = formtree.add_type_errors(form, states, answers)
    progress = formtree.progress_by_section(form, states)
    now = timezone.now()
    try:
        _write_answer_and_event(response.pk, path, value, stored_value, stored_revision,
                                exists=exists, user=user, now=now)
    except (_Race, IntegrityError):
        return Autosaved(_conflict_after_race(response, path), answers)
    evaluations.keep(response.pk, lang, evaluation)
    _touch(response, now, *progress[None])
    result = SaveResult(True, path, value, stored_revision + 1, actor_label(user))
    return Autosaved(result, answers, states, progress)


def _write_answer_and_event(
    response_id: int, path: str, value: str, stored_value: str, stored_revision: int, *,
    exists: bool, user: AbstractBaseUser, now,
) -> None:
    """The answer and its audit event, in one transaction of two plain statements.

    Written in SQL on purpose: on SQLite the write lock is held from the transaction's
    start to its commit, so nothing but the two statements runs inside it (the ORM's
    query building under a busy interpreter lengthened the lock and queued other
    contributors). The UPDATE only applies to the revision and value read before, so a
    colleague's save in between makes it touch no row: a conflict, never an overwrite."""
    # Table names come from the models (quoted); every value is a query parameter.
    ops = connection.ops
    answers_table = ops.quote_name(Answer._meta.db_table)
    events_table = ops.quote_name(AuditEvent._meta.db_table)
    at = ops.adapt_datetimefield_value(now)
    actor_id = user.pk if user.is_authenticated else None
    with transaction.atomic(), connection.cursor() as cursor:
        if exists:
            cursor.execute(
                f"UPDATE {answers_table} SET value = %s, revision = %s, updated_by_id = %s, "  # noqa: S608
                "updated_at = %s WHERE response_id = %s AND path = %s AND revision = %s "
                "AND value = %s",
                [value, stored_revision + 1, actor_id, at, response_id, path, stored_revision,
                 stored_value],
            )
            if cursor.rowcount != 1:
                raise _Race
        else:
            cursor.execute(
                f"INSERT INTO {answers_table} (response_id, path, value, revision, "  # noqa: S608
                "updated_by_id, updated_at) VALUES (%s, %s, %s, 1, %s, %s)",
                [response_id, path, value, actor_id, at],
            )
        cursor.execute(
            f"INSERT INTO {events_table} (response_id, at, actor_id, actor_label, action, "  # noqa: S608
            "path, old_value, new_value, via) VALUES (%s, %s, %s, %s, 'answer', %s, %s, %s, "
            "'web')",
            [response_id, at, actor_id, actor_label(user), path, stored_value, value],
        )


# Last activity is kept to the minute: rewriting it on every keystroke would add a write.
ACTIVITY_RESOLUTION_SECONDS = 60


def _touch(response: Response, now, answered: int, relevant: int) -> None:
    fields = {}
    if (response.progress_answered, response.progress_relevant) != (answered, relevant):
        fields.update(progress_answered=answered, progress_relevant=relevant)
    last = response.last_activity_at
    if last is None or (now - last).total_seconds() >= ACTIVITY_RESOLUTION_SECONDS:
        fields["last_activity_at"] = now
    if fields:
        Response.objects.filter(pk=response.pk).update(**fields)
        for name, field_value in fields.items():
            setattr(response, name, field_value)


def _instance_known(answers: dict[str, str], path: str) -> bool:
    instance = path[: path.rfind("]") + 1] + "/"
    return any(key.startswith(instance) for key in answers)


def _ensure_instance_exists(response: Response, path: str) -> None:
    """On the web, answers go into instances someone added (no invented index 400)."""
    position = path.rfind("]")
    if position == -1:
        return
    instance = path[: position + 1]
    if not Answer.objects.filter(response=response, path__startswith=instance + "/").exists():
        raise InvalidAnswer(_("This repeat instance does not exist."))


def _write_answer(response, path, value, user, current) -> int | None:
    actor = user if user is not None and user.is_authenticated else None
    if current:
        revision = current["revision"] + 1
        Answer.objects.filter(pk=current["id"]).update(
            value=value, revision=revision, updated_by=actor, updated_at=timezone.now()
        )
        return revision
    try:
        with transaction.atomic():
            Answer.objects.create(response=response, path=path, value=value, revision=1,
                                  updated_by=actor)
    except IntegrityError:
        return None
    return 1


def _conflict_after_race(response: Response, path: str) -> SaveResult:
    current = Answer.objects.filter(response=response, path=path).select_related("updated_by")
    answer = current.first()
    if answer is None:
        return SaveResult(False, path, "", 0)
    return SaveResult(False, path, answer.value, answer.revision, actor_label(answer.updated_by))


def ensure_editable(response: Response, path: str = "") -> None:
    """A draft takes any change; a submitted response only answers under an open query."""
    if response.status == ResponseStatus.DRAFT:
        return
    if response.status in {ResponseStatus.SUBMITTED, ResponseStatus.IN_REVIEW}:
        base, _is_other = formtree.split_other(path)
        if path and (path in open_query_paths(response) or base in open_query_paths(response)):
            return
    raise ResponseLocked(
        _("This response has been submitted and is locked; the secretariat can reopen it.")
    )


def store_progress(response: Response, answered: int, relevant: int) -> None:
    if (response.progress_answered, response.progress_relevant) == (answered, relevant):
        return
    Response.objects.filter(pk=response.pk).update(
        progress_answered=answered, progress_relevant=relevant
    )
    response.progress_answered, response.progress_relevant = answered, relevant


def fill_missing_progress(responses: list[Response]) -> None:
    """Compute the progress of responses whose answers came in bulk (imports)."""
    for response in responses:
        if response.progress_relevant is not None:
            continue
        form = form_for(response)
        states = formtree.evaluate(form, answers_of(response), formtree.current_language())
        store_progress(response, *formtree.progress(form, states))


# --- repeat instances ------------------------------------------------------------------------


def _repeat_node(response: Response, repeat_path: str):
    form = form_for(response)
    ref = form.refs.get(template_path(repeat_path))
    if ref is None or ref.type != "repeat" or ref.node.get("repeat_count"):
        raise InvalidAnswer(_("This list cannot be changed."))
    if len(formtree.repeat_indexes(repeat_path)) != len(ref.repeats):
        raise InvalidAnswer(_("This list cannot be changed."))
    return ref.node


def _instance_answers(response: Response, repeat_path: str) -> dict[int, list[Answer]]:
    """Answers of every instance of one repeat, by instance index."""
    prefix = repeat_path + "["
    by_index: dict[int, list[Answer]] = {}
    for answer in Answer.objects.select_for_update().filter(
        response=response, path__startswith=prefix
    ).order_by("path"):
        index = int(answer.path[len(prefix):].split("]", 1)[0])
        by_index.setdefault(index, []).append(answer)
    return by_index


def add_instance(response: Response, repeat_path: str, *, user: AbstractBaseUser | None) -> int:
    """Add an empty instance at the end of a repeat; returns its index.

    An instance exists while any answer under it exists, so the new one is marked by an
    empty answer to its first question."""
    node = _repeat_node(response, repeat_path)
    ensure_editable(response)
    with transaction.atomic():
        existing = _instance_answers(response, repeat_path)
        index = max(existing, default=0) + 1
        if index > formtree.MAX_REPEAT_INSTANCES:
            raise InvalidAnswer(_("This list cannot be longer."))
        marker = formtree.marker_path(node, f"{repeat_path}[{index}]")
        if marker is None:
            raise InvalidAnswer(_("This list cannot be changed."))
        Answer.objects.create(response=response, path=marker, value="", revision=1,
                              updated_by=user if user and user.is_authenticated else None)
        record_event(response, user=user, action="repeat_add", path=f"{repeat_path}[{index}]")
        Response.objects.filter(pk=response.pk).update(last_activity_at=timezone.now())
    return index


def remove_instance(
    response: Response, repeat_path: str, index: int, *, user: AbstractBaseUser | None
) -> None:
    """Remove one instance; later instances move up by one (their answers are renumbered)."""
    _repeat_node(response, repeat_path)
    ensure_editable(response)
    with transaction.atomic():
        by_index = _instance_answers(response, repeat_path)
        if index not in by_index:
            raise InvalidAnswer(_("This repeat instance does not exist."))
        for answer in by_index[index]:
            if answer.value:
                record_event(response, user=user, action="answer", path=answer.path,
                             old_value=answer.value, new_value="")
        order = [i for i in sorted(by_index) if i != index]
        _renumber(response, repeat_path, by_index, order, user)
        record_event(response, user=user, action="repeat_remove",
                     path=f"{repeat_path}[{index}]")


def move_instance(
    response: Response, repeat_path: str, index: int, offset: int, *,
    user: AbstractBaseUser | None,
) -> None:
    """Move instance ``index`` up (offset -1) or down (+1) the list."""
    _repeat_node(response, repeat_path)
    ensure_editable(response)
    with transaction.atomic():
        by_index = _instance_answers(response, repeat_path)
        order = list(range(1, max(by_index, default=0) + 1))
        target = index + offset
        if index not in order or target not in order:
            raise InvalidAnswer(_("This repeat instance cannot move there."))
        order[index - 1], order[target - 1] = order[target - 1], order[index - 1]
        _renumber(response, repeat_path, by_index, order, user)
        record_event(response, user=user, action="repeat_move",
                     path=f"{repeat_path}[{index}]", old_value=str(index),
                     new_value=str(target))


def _renumber(response, repeat_path, by_index, order, user) -> None:
    """Rewrite the instances in the given order of old indexes (1..n).

    A moved answer's revision is raised past both its own and the one it replaces, so a
    page still holding the old instance at that position gets a conflict, never a silent
    overwrite."""
    old_revisions = {a.path: a.revision for answers in by_index.values() for a in answers}
    rows = []
    actor = user if user is not None and user.is_authenticated else None
    for new_index, old_index in enumerate(order, start=1):
        for answer in by_index.get(old_index, []):
            old_prefix = f"{repeat_path}[{old_index}]"
            new_path = f"{repeat_path}[{new_index}]" + answer.path[len(old_prefix):]
            revision = answer.revision
            if new_path != answer.path:
                revision = max(revision, old_revisions.get(new_path, 0)) + 1
            rows.append(Answer(response=response, path=new_path, value=answer.value,
                               revision=revision,
                               updated_by=actor if new_path != answer.path else answer.updated_by))
    Answer.objects.filter(response=response, path__startswith=repeat_path + "[").delete()
    Answer.objects.bulk_create(rows)
    Response.objects.filter(pk=response.pk).update(last_activity_at=timezone.now())


# --- statuses ---------------------------------------------------------------------------------

# Who may move a response from one status to another: "contributor" or "secretariat".
TRANSITIONS = {
    (ResponseStatus.DRAFT, ResponseStatus.SUBMITTED): "contributor",
    (ResponseStatus.SUBMITTED, ResponseStatus.IN_REVIEW): "secretariat",
    (ResponseStatus.IN_REVIEW, ResponseStatus.APPROVED): "secretariat",
    (ResponseStatus.SUBMITTED, ResponseStatus.APPROVED): "secretariat",
    (ResponseStatus.SUBMITTED, ResponseStatus.DRAFT): "secretariat",
    (ResponseStatus.IN_REVIEW, ResponseStatus.DRAFT): "secretariat",
    (ResponseStatus.APPROVED, ResponseStatus.DRAFT): "secretariat",
    (ResponseStatus.APPROVED, ResponseStatus.IN_REVIEW): "secretariat",
}


def allowed_transition(old: str, new: str) -> str | None:
    return TRANSITIONS.get((ResponseStatus(old), ResponseStatus(new)))


def set_status(
    response: Response, status: str, *, user: AbstractBaseUser | None,
    via: str = AuditEvent.Via.WEB,
) -> None:
    """Move the response to a new status (the caller checks who may), audited."""
    status = ResponseStatus(status)
    old = response.status
    if old == status:
        return
    now = timezone.now()
    with transaction.atomic():
        response.status = status
        response.last_activity_at = now
        if status == ResponseStatus.SUBMITTED:
            response.submitted_at = now
            from iocompendium.responses.metadata import fill_metadata

            fill_metadata(response, user=user, submitting=True)
        if status == ResponseStatus.APPROVED:
            response.approved_at = now
        if status == ResponseStatus.DRAFT:
            response.approved_at = None
        response.save(update_fields=["status", "last_activity_at", "submitted_at",
                                     "approved_at"])
        record_event(response, user=user, action="status", old_value=old, new_value=status,
                     via=via)
        signals.response_status_changed.send(Response, response=response, old=old, new=status,
                                             user=user)


# --- queries ------------------------------------------------------------------------------------


def raise_query(response: Response, path: str, text: str, *, user: AbstractBaseUser) -> Query:
    """Attach a review question to one answer (the page's path); a submitted response
    moves into review."""
    form = form_for(response)
    formtree.resolve_path(form, path)
    with transaction.atomic():
        query = Query.objects.create(response=response, path=path, created_by=user)
        QueryMessage.objects.create(query=query, author=user, text=text)
        record_event(response, user=user, action="query", path=path, new_value=text,
                     via=AuditEvent.Via.REVIEW)
        if response.status == ResponseStatus.SUBMITTED:
            set_status(response, ResponseStatus.IN_REVIEW, user=user, via=AuditEvent.Via.REVIEW)
        signals.query_raised.send(Query, query=query, text=text, user=user)
    return query


def reply_to_query(query: Query, text: str, *, user: AbstractBaseUser) -> QueryMessage:
    with transaction.atomic():
        message = QueryMessage.objects.create(query=query, author=user, text=text)
        record_event(query.response, user=user, action="query_reply", path=query.path,
                     new_value=text, via=AuditEvent.Via.REVIEW)
        signals.query_replied.send(QueryMessage, query=query, message=message, user=user)
    return message


def set_query_status(query: Query, status: str, *, user: AbstractBaseUser) -> None:
    status = Query.Status(status)
    if query.status == status:
        return
    with transaction.atomic():
        old = query.status
        query.status = status
        query.save(update_fields=["status"])
        record_event(query.response, user=user, action="query_status", path=query.path,
                     old_value=old, new_value=status, via=AuditEvent.Via.REVIEW)
        signals.query_status_changed.send(Query, query=query, old=old, new=status, user=user)


# --- moving to a new version --------------------------------------------------------------------


@dataclass
class MoveReport:
    carried: list[str] = field(default_factory=list)
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (path, value)


def plan_move(response: Response, version: QuestionnaireVersion) -> MoveReport:
    """Which answers a move to ``version`` carries over and which it leaves behind."""
    form = compiled_form(version.pk, version.fingerprint)
    report = MoveReport()
    for path, value in Answer.objects.filter(response=response).values_list("path", "value"):
        try:
            ref, is_other = formtree.resolve_path(form, path)
            formtree.check_value(form, ref, value, is_other=is_other)
        except InvalidAnswer:
            if value:
                report.dropped.append((path, value))
            continue
        report.carried.append(path)
    return report


def move_to_version(
    response: Response, version: QuestionnaireVersion, *, user: AbstractBaseUser | None
) -> MoveReport:
    """Re-pin a draft to another version of its questionnaire, carrying answers over."""
    if response.status != ResponseStatus.DRAFT:
        raise ResponseLocked(_("Only a draft can move to another version."))
    if version.questionnaire_id != response.version.questionnaire_id:
        raise InvalidAnswer(_("That version belongs to another questionnaire."))
    with transaction.atomic():
        report = plan_move(response, version)
        kept = set(report.carried)
        for path, value in report.dropped:
            record_event(response, user=user, action="answer", path=path, old_value=value,
                         new_value="", via=AuditEvent.Via.MIGRATION)
        Answer.objects.filter(response=response).exclude(path__in=kept).delete()
        old_label = str(response.version)
        response.version = version
        response.progress_answered = response.progress_relevant = None
        response.last_activity_at = timezone.now()
        response.save(update_fields=["version", "progress_answered", "progress_relevant",
                                     "last_activity_at"])
        record_event(response, user=user, action="version", old_value=old_label,
                     new_value=str(version), via=AuditEvent.Via.MIGRATION)
    return report
