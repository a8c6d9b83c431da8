"""Reads of the coding app: codebooks, text questions, answers to code, agreement, counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet

from iocompendium.analysis.agreement import CodingAgreement, coding_agreement
from iocompendium.coding.models import Assignment, Code, Codebook, Coder, Segment, Suggestion
from iocompendium.questionnaires.structure import iter_questions, template_path
from iocompendium.responses.models import Answer
from iocompendium.web.roles import is_secretariat

TEXT_TYPES = {"text"}


class CodebookNotFound(LookupError):
    pass


def coder_of(user: AbstractBaseUser | AnonymousUser) -> Coder | None:
    if not user.is_authenticated:
        return None
    return Coder.objects.filter(user=user).first()


def may_code(user: AbstractBaseUser | AnonymousUser) -> bool:
    """The secretariat and coders; never a focal point (they see only their own text)."""
    if not user.is_authenticated or getattr(user, "contributor", None) is not None:
        return False
    return is_secretariat(user) or coder_of(user) is not None


def codebooks() -> QuerySet[Codebook]:
    return Codebook.objects.select_related("questionnaire").annotate(n_codes=Count("codes"))


def codebook_for(slug: str) -> Codebook:
    """A codebook by its slug, or the only codebook of the questionnaire ``slug``."""
    found = Codebook.objects.filter(slug=slug).select_related("questionnaire").first()
    if found is not None:
        return found
    of_questionnaire = list(Codebook.objects.filter(questionnaire__slug=slug)[:2])
    if len(of_questionnaire) == 1:
        return of_questionnaire[0]
    if of_questionnaire:
        raise CodebookNotFound(f"Questionnaire '{slug}' has several codebooks: name one.")
    raise CodebookNotFound(f"No codebook '{slug}'.")


def codes_of(codebook: Codebook) -> list[Code]:
    return list(Code.objects.filter(codebook=codebook).order_by("position", "id"))


def code_tree(codebook: Codebook) -> list[tuple[Code, int]]:
    """Codes in tree order with their depth."""
    codes = codes_of(codebook)
    children: dict[int | None, list[Code]] = {}
    for code in codes:
        children.setdefault(code.parent_id, []).append(code)
    ordered: list[tuple[Code, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for code in children.get(parent, []):
            ordered.append((code, depth))
            walk(code.pk, depth + 1)

    walk(None, 0)
    return ordered


def text_questions(codebook: Codebook, language: str = "en") -> list[tuple[str, str]]:
    """(template path, label) of the free-text questions of the codebook's questionnaire."""
    if codebook.questionnaire is None:
        return []
    version = (codebook.questionnaire.published_version()
               or codebook.questionnaire.latest_version())
    if version is None:
        return []
    from iocompendium.questionnaires.structure import localized

    return [
        (ref.path, localized(ref.node.get("label"), language) or ref.path)
        for ref in iter_questions(version.structure)
        if ref.type in TEXT_TYPES
    ]


def answers_to(codebook: Codebook, question: str) -> QuerySet[Answer]:
    """Non-empty answers to ``question`` (template path) in the codebook's questionnaire."""
    answers = Answer.objects.exclude(value="").select_related("response__organisation")
    if codebook.questionnaire_id:
        answers = answers.filter(response__version__questionnaire_id=codebook.questionnaire_id)
    if "/" in question and "[" not in question:
        last = question.rsplit("/", 1)[1]
        answers = answers.filter(Q(path=question) | Q(path__endswith="]/" + last))
    else:
        answers = answers.filter(path=question)
    return answers.order_by("response__organisation__acronym", "path")


def answer_ids_to(codebook: Codebook, question: str) -> list[int]:
    return [pk for pk, path in answers_to(codebook, question).values_list("pk", "path")
            if template_path(path) == question]


@dataclass
class AnswerText:
    pk: int
    path: str
    value: str
    unit: str  # the respondent unit's label (acronym, jurisdiction code or key)


@dataclass
class SegmentView:
    pk: int
    code: Code
    start: int
    end: int
    text: str
    memo: str
    needs_review: bool


@dataclass
class CodingRow:
    answer: AnswerText
    segments: list[SegmentView]


def coding_rows(codebook: Codebook, question: str, coder: Coder | None,
                *, final: bool = False) -> list[CodingRow]:
    """The answers to code with the viewer's own segments (or the final ones): coders see
    only their own coding until reconciliation. Read as plain values (no model
    instances): the page lists 1,000 answers and their segments quickly."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce

    unit = Coalesce("response__organisation__acronym", "response__jurisdiction__code",
                    "response__unit_key", Value(""))
    answers = [
        AnswerText(pk, path, value, unit_name)
        for pk, path, value, unit_name in answers_to(codebook, question)
        .annotate(unit_name=unit).values_list("pk", "path", "value", "unit_name")
        if template_path(path) == question
    ]
    codes = {code.pk: code for code in codes_of(codebook)}
    shown = {a.pk for a in answers}
    # The answers as a subquery, not a list of 1,000 parameters.
    segments = Segment.objects.filter(
        code__codebook=codebook,
        answer_id__in=answers_to(codebook, question).order_by().values("pk"))
    segments = segments.filter(final=True) if final else segments.filter(coder=coder,
                                                                        final=False)
    by_answer: dict[int, list[SegmentView]] = {}
    for pk, answer_id, code_id, start, end, text, memo, review in segments.order_by(
        "start", "end"
    ).values_list("pk", "answer_id", "code_id", "start", "end", "text", "memo",
                  "needs_review"):
        if answer_id not in shown:  # another question's answer with the same last name
            continue
        by_answer.setdefault(answer_id, []).append(
            SegmentView(pk, codes[code_id], start, end, text, memo, review))
    return [CodingRow(answer, by_answer.get(answer.pk, [])) for answer in answers]


def agreement(codebook: Codebook) -> CodingAgreement:
    """Agreement of the assigned coders, per code and overall (answer-level presence)."""
    assignments: dict[int, list[int]] = {}
    for answer_id, coder_id in Assignment.objects.filter(codebook=codebook).values_list(
        "answer_id", "coder_id"
    ):
        assignments.setdefault(answer_id, []).append(coder_id)
    codes = {code.pk: code.name for code in codes_of(codebook)}
    applied = [
        (answer_id, coder_id, codes[code_id])
        for answer_id, coder_id, code_id in Segment.objects.filter(
            code__codebook=codebook, final=False, needs_review=False, coder__isnull=False
        ).values_list("answer_id", "coder_id", "code_id").distinct()
    ]
    return coding_agreement(applied, assignments, list(codes.values()))


def differing_answers(codebook: Codebook) -> list[tuple[Answer, dict[str, list[str]]]]:
    """Answers where the coders differ, with each coder's codes, for reconciliation."""
    result = agreement(codebook)
    answer_ids = sorted({unit for unit, _code in result.differing})
    answers = Answer.objects.in_bulk(answer_ids)
    names = {c.pk: c.name for c in codes_of(codebook)}
    coders = {c.pk: c.user.get_username() for c in Coder.objects.select_related("user")}
    per_answer: dict[int, dict[str, list[str]]] = {}
    for answer_id, coder_id, code_id in Segment.objects.filter(
        code__codebook=codebook, answer_id__in=answer_ids, final=False, needs_review=False
    ).values_list("answer_id", "coder_id", "code_id").distinct():
        per_answer.setdefault(answer_id, {}).setdefault(coders[coder_id], []).append(
            names[code_id])
    return [(answers[pk], per_answer.get(pk, {})) for pk in answer_ids if pk in answers]


def final_units_per_code(codebook: Codebook, answer_ids: list[int]) -> dict[str, set[int]]:
    """Code name -> ids of the answers whose final coding has the code (reviewed only)."""
    result: dict[str, set[int]] = {code.name: set() for code in codes_of(codebook)}
    for name, answer_id in Segment.objects.filter(
        code__codebook=codebook, final=True, needs_review=False, answer_id__in=answer_ids
    ).values_list("code__name", "answer_id"):
        result[name].add(answer_id)
    return result


def flagged_segments(codebook: Codebook) -> QuerySet[Segment]:
    return Segment.objects.filter(code__codebook=codebook, needs_review=True).select_related(
        "code", "answer__response__organisation", "coder__user")


def acceptance_rates(codebook: Codebook) -> dict[str, tuple[int, int]]:
    """Code name -> (accepted, decided) suggestions."""
    counts: Counter = Counter()
    decided: Counter = Counter()
    for name, status in Suggestion.objects.filter(code__codebook=codebook).exclude(
        status=Suggestion.Status.PENDING
    ).values_list("code__name", "status"):
        decided[name] += 1
        counts[name] += status == Suggestion.Status.ACCEPTED
    return {name: (counts[name], decided[name]) for name in decided}


def pending_suggestions(codebook: Codebook, question: str | None = None,
                        limit: int | None = None) -> list[Suggestion]:
    """Pending suggestions, best first per code; of one question's answers if given (the
    answers as a subquery, then checked against the question's template path)."""
    rows = Suggestion.objects.filter(code__codebook=codebook,
                                     status=Suggestion.Status.PENDING)
    if question:
        rows = rows.filter(
            answer_id__in=answers_to(codebook, question).order_by().values("pk"))
    rows = rows.select_related("code", "answer__response__organisation")
    found = []
    for suggestion in rows.iterator(chunk_size=500):
        if question and template_path(suggestion.answer.path) != question:
            continue
        found.append(suggestion)
        if limit is not None and len(found) >= limit:
            break
    return found


def coding_fingerprint(questionnaire_id: int) -> str:
    """Changes whenever the final coding of the questionnaire's answers changes."""
    from django.db.models import Max, Sum

    stats = Segment.objects.filter(
        code__codebook__questionnaire_id=questionnaire_id
    ).aggregate(n=Count("id"), last=Max("id"), ids=Sum("id"),
                reviewed=Count("id", filter=Q(needs_review=True, final=True)),
                final=Count("id", filter=Q(final=True)))
    return "-".join(str(stats[k]) for k in ("n", "last", "ids", "reviewed", "final"))


def coded_questions(questionnaire_id: int, language: str) -> list:
    """Every coded question of the questionnaire as an ``analysis.coded.CodedQuestion``
    (final coding, segments not waiting for review; units named as in the tidy answers)."""
    from django.db.models import Value
    from django.db.models.functions import Coalesce
    from django.utils.translation import gettext as _

    from iocompendium.analysis.coded import CodedQuestion

    result = []
    for codebook in Codebook.objects.filter(questionnaire_id=questionnaire_id):
        codes = codes_of(codebook)
        questions = sorted({q for code in codes for q in code.questions})
        if not questions:
            continue
        agreement_values = agreement(codebook)
        for question in questions:
            applicable = [c for c in codes if question in c.questions]
            units: dict[str, set[str]] = {c.name: set() for c in applicable}
            for name, unit in Segment.objects.filter(
                code__in=applicable, final=True, needs_review=False
            ).annotate(unit=Coalesce("answer__response__organisation__acronym",
                                     "answer__response__jurisdiction__code",
                                     "answer__response__unit_key", Value(""))
                       ).values_list("code__name", "unit").distinct():
                units[name].add(unit)
            result.append(CodedQuestion(
                question=question,
                label=_("Coded answers (%(codebook)s)") % {"codebook": codebook.title},
                codes=[(c.name, c.label(language)) for c in applicable],
                units=units,
                agreement=agreement_values.as_dict()["overall"],
            ))
    return result


def final_passages(answer_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """answer id -> (code name, coded passage) of its final coding (reviewed segments)."""
    result: dict[int, list[tuple[str, str]]] = {}
    for answer_id, name, text in Segment.objects.filter(
        answer_id__in=answer_ids, final=True, needs_review=False
    ).order_by("answer_id", "start").values_list("answer_id", "code__name", "text"):
        result.setdefault(answer_id, []).append((name, text))
    return result


def assignment_counts(codebook: Codebook) -> list[tuple[str, int]]:
    """(coder's user name, answers assigned to them in ``codebook``), by user name."""
    return [(name, n) for name, n in Assignment.objects.filter(codebook=codebook)
            .values_list("coder__user__username").annotate(n=Count("id"))
            .order_by("coder__user__username")]


def all_coders() -> QuerySet[Coder]:
    return Coder.objects.select_related("user").order_by("user__username")
