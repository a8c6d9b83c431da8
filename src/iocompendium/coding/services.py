"""Writes of the coding app: codebooks, codes, the coder role, assignments, segments,
reconciliation, changed answers and suggestions. Every change to a segment is appended
to the answer's response audit trail (``responses.services.record_event``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from iocompendium.coding.models import Assignment, Code, Codebook, Coder, Segment, Suggestion
from iocompendium.questionnaires.models import Questionnaire
from iocompendium.responses.models import Answer, AuditEvent
from iocompendium.responses.services import record_event

COLOUR_LENGTH = 7


class CodingError(ValueError):
    """A coding change that cannot be made: one sentence for the person."""


# --- codebooks and codes -------------------------------------------------------------------


def create_codebook(
    slug: str, title: str, questionnaire: Questionnaire | None = None
) -> Codebook:
    if Codebook.objects.filter(slug=slug).exists():
        raise CodingError(_("A codebook with this slug already exists."))
    return Codebook.objects.create(slug=slug, title=title, questionnaire=questionnaire)


def save_code(codebook: Codebook, name: str, *, code: Code | None = None, **fields) -> Code:
    """Create (``code`` None) or update a code of ``codebook``; fields as on the model."""
    name = name.strip()
    if not name:
        raise CodingError(_("A code needs a name."))
    clash = Code.objects.filter(codebook=codebook, name=name)
    if code is not None:
        clash = clash.exclude(pk=code.pk)
    if clash.exists():
        raise CodingError(_("This codebook already has a code with this name."))
    colour = fields.get("colour")
    if colour and (len(colour) != COLOUR_LENGTH or not colour.startswith("#")):
        raise CodingError(_("A colour is written #RRGGBB."))
    parent = fields.get("parent")
    if parent is not None and (parent.codebook_id != codebook.pk or parent == code):
        raise CodingError(_("A code's parent must be another code of the same codebook."))
    if code is None:
        fields.setdefault("label_en", name)
        fields.setdefault("position", Code.objects.filter(codebook=codebook).count())
        return Code.objects.create(codebook=codebook, name=name, **fields)
    code.name = name
    for key, value in fields.items():
        setattr(code, key, value)
    code.save()
    return code


# --- coders and assignments ----------------------------------------------------------------


def grant_coder(
    user: AbstractBaseUser, *, granted_by: AbstractBaseUser | None, fictional: bool = False
) -> Coder:
    """Make ``user`` a coder. Focal points never code: they would read other IOs' text."""
    if getattr(user, "contributor", None) is not None:
        raise CodingError(
            _("A focal point cannot be a coder: coders read every organisation's answers.")
        )
    coder, _created = Coder.objects.get_or_create(
        user=user, defaults={"granted_by": granted_by, "fictional": fictional}
    )
    return coder


def assign(codebook: Codebook, answers: Iterable[Answer], coders: Sequence[Coder]) -> int:
    """Give every answer to every coder (idempotent); returns the assignments created."""
    existing = set(
        Assignment.objects.filter(codebook=codebook).values_list("answer_id", "coder_id")
    )
    new = [
        Assignment(codebook=codebook, answer=answer, coder=coder)
        for answer in answers
        for coder in coders
        if (answer.pk, coder.pk) not in existing
    ]
    Assignment.objects.bulk_create(new, batch_size=1000)
    return len(new)


# --- segments ------------------------------------------------------------------------------


def _describe(segment: Segment) -> str:
    who = "final" if segment.final else (segment.coder.user.get_username() if segment.coder
                                         else "")
    return f"{segment.code.codebook.slug}:{segment.code.name} [{segment.start}:{segment.end}] {who}"


def _audit(segment: Segment, user, *, old: str = "", new: str = "", via: str) -> None:
    record_event(segment.answer.response, user=user, action="coding", path=segment.answer.path,
                 old_value=old, new_value=new, via=via)


def apply_code(
    answer: Answer, code: Code, *, coder: Coder | None, user: AbstractBaseUser | None,
    start: int | None = None, end: int | None = None, memo: str = "", final: bool = False,
    source: str = Segment.Source.MANUAL, via: str = AuditEvent.Via.WEB,
) -> Segment:
    """Apply ``code`` to ``answer[start:end]`` (the whole answer when no span is given)."""
    text = answer.value
    start = 0 if start is None else start
    end = len(text) if end is None else end
    if not 0 <= start < end <= len(text):
        raise CodingError(_("The selected span is not inside the answer's text."))
    if not final and coder is None:
        raise CodingError(_("Only a coder can code an answer."))
    with transaction.atomic():
        segment, created = Segment.objects.get_or_create(
            code=code, answer=answer, coder=coder, final=final, start=start, end=end,
            defaults={"text": text[start:end], "memo": memo, "source": source,
                      "created_by": user if user and user.is_authenticated else None},
        )
        if created:
            _audit(segment, user, new=_describe(segment), via=via)
    return segment


def remove_segment(segment: Segment, *, user: AbstractBaseUser | None,
                   via: str = AuditEvent.Via.WEB) -> None:
    with transaction.atomic():
        _audit(segment, user, old=_describe(segment), via=via)
        segment.delete()


def set_segment_memo(segment: Segment, memo: str, *, user: AbstractBaseUser | None) -> Segment:
    if segment.memo != memo:
        with transaction.atomic():
            _audit(segment, user, old=f"memo: {segment.memo}", new=f"memo: {memo}",
                   via=AuditEvent.Via.WEB)
            segment.memo = memo
            segment.save(update_fields=["memo"])
    return segment


def flag_changed_answers(codebook: Codebook) -> int:
    """Flag segments whose answer text changed under them; returns how many were flagged.

    A segment is kept while ``answer.value[start:end]`` is still the coded text; otherwise
    it is flagged for review and left where it was (never moved to a guessed position),
    and tables stop counting it until a coder reviews it."""
    # Compared in the database (substr counts characters, as Python's slices do, on
    # SQLite and PostgreSQL): the coding page calls this on every view.
    coded = Substr("answer__value", F("start") + 1, F("end") - F("start"))
    flagged = list(Segment.objects.filter(code__codebook=codebook, needs_review=False)
                   .annotate(current=coded).exclude(text=F("current"))
                   .values_list("pk", flat=True))
    if flagged:
        Segment.objects.filter(pk__in=flagged).update(needs_review=True)
    return len(flagged)


def review_segment(segment: Segment, *, keep: bool, user: AbstractBaseUser | None) -> None:
    """A coder's decision on a flagged segment: re-anchor it to the current text of the
    same span (``keep``), or remove it."""
    if not keep:
        remove_segment(segment, user=user)
        return
    value = segment.answer.value
    if segment.end > len(value):
        raise CodingError(_("The span is no longer inside the answer: remove the segment."))
    with transaction.atomic():
        old = _describe(segment) + f" «{segment.text}»"
        segment.text = value[segment.start:segment.end]
        segment.needs_review = False
        segment.save(update_fields=["text", "needs_review"])
        _audit(segment, user, old=old, new=_describe(segment) + f" «{segment.text}»",
               via=AuditEvent.Via.REVIEW)


# --- reconciliation ------------------------------------------------------------------------


def codes_by_coder(codebook: Codebook, answer_ids: Iterable[int] | None = None
                   ) -> dict[int, dict[int, set[int]]]:
    """answer id -> coder id -> ids of the codes that coder applied (current segments)."""
    rows = Segment.objects.filter(code__codebook=codebook, final=False, needs_review=False)
    if answer_ids is not None:
        rows = rows.filter(answer_id__in=list(answer_ids))
    result: dict[int, dict[int, set[int]]] = {}
    for answer_id, coder_id, code_id in rows.values_list("answer_id", "coder_id", "code_id"):
        result.setdefault(answer_id, {}).setdefault(coder_id, set()).add(code_id)
    return result


def reconcile(
    codebook: Codebook, answer: Answer, code_ids: Iterable[int], *,
    user: AbstractBaseUser | None, via: str = AuditEvent.Via.REVIEW,
) -> list[Segment]:
    """Set the final coding of ``answer``: the chosen codes, with the coders' spans.

    Each chosen code keeps the spans the coders gave it (a code no coder applied covers
    the whole answer); the answer's previous final coding is replaced."""
    chosen = set(code_ids)
    codes = {c.pk: c for c in Code.objects.filter(codebook=codebook, pk__in=chosen)}
    if len(codes) != len(chosen):
        raise CodingError(_("Choose codes of this codebook."))
    with transaction.atomic():
        for segment in Segment.objects.filter(code__codebook=codebook, answer=answer,
                                              final=True).select_related("code__codebook"):
            remove_segment(segment, user=user, via=via)
        spans: dict[int, set[tuple[int, int]]] = {pk: set() for pk in codes}
        for code_id, start, end in Segment.objects.filter(
            code__in=codes.values(), answer=answer, final=False, needs_review=False
        ).values_list("code_id", "start", "end"):
            spans[code_id].add((start, end))
        created = []
        for code_id, code in codes.items():
            for start, end in sorted(spans[code_id]) or [(None, None)]:
                created.append(apply_code(
                    answer, code, coder=None, user=user, start=start, end=end, final=True,
                    source=Segment.Source.RECONCILIATION, via=via,
                ))
    return created


def finalize_agreed(codebook: Codebook, *, user: AbstractBaseUser | None) -> int:
    """Final coding for every answer whose coders all applied the same codes and that has
    no final coding yet (an answer with one coder is its coder's coding); returns how many
    answers were finalised. Answers where coders differ wait for ``reconcile``."""
    assigned: dict[int, set[int]] = {}
    for answer_id, coder_id in Assignment.objects.filter(codebook=codebook).values_list(
        "answer_id", "coder_id"
    ):
        assigned.setdefault(answer_id, set()).add(coder_id)
    already = set(Segment.objects.filter(code__codebook=codebook, final=True)
                  .values_list("answer_id", flat=True))
    coded = codes_by_coder(codebook)
    done = 0
    answers = Answer.objects.in_bulk([pk for pk in assigned if pk not in already])
    for answer_id, answer in answers.items():
        by_coder = coded.get(answer_id, {})
        sets = [frozenset(by_coder.get(coder_id, set())) for coder_id in assigned[answer_id]]
        if len(set(sets)) == 1 and sets[0]:
            reconcile(codebook, answer, sets[0], user=user)
            done += 1
    return done


# --- suggestions ---------------------------------------------------------------------------


def decide_suggestion(
    suggestion: Suggestion, *, accept: bool, coder: Coder, user: AbstractBaseUser | None
) -> Segment | None:
    """Accept (apply the code to the whole answer, as ``coder``) or reject a suggestion."""
    if suggestion.status != Suggestion.Status.PENDING:
        raise CodingError(_("This suggestion was already decided."))
    with transaction.atomic():
        suggestion.status = (Suggestion.Status.ACCEPTED if accept
                             else Suggestion.Status.REJECTED)
        suggestion.decided_by = user if user and user.is_authenticated else None
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
        if accept:
            return apply_code(suggestion.answer, suggestion.code, coder=coder, user=user,
                              source=Segment.Source.SUGGESTION)
    return None
