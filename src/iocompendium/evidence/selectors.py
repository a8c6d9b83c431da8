"""Reads for the evidence: tidy answers, respondents, relevance and a cheap fingerprint.

``tidy_answers(slug, statuses)`` is the contract the analysis layer (``analysis/``) and
notebooks read: one row per stored, non-empty answer, columns
``organisation, category, status, path, question, repeat_index, value``.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connections
from django.db.models import Count, Max, Q, QuerySet, Sum

from iocompendium.analysis.tables import RELEVANCE_COLUMNS, TIDY_COLUMNS
from iocompendium.evidence.models import QuestionMark, QuoteMark
from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.questionnaires.structure import iter_questions, template_path
from iocompendium.registry.models import Jurisdiction
from iocompendium.responses.models import Answer, Response

DEFAULT_SLUG = "io-survey"
# What "--status approved|submitted" selects: approved only, or everything submitted.
STATUS_SETS: dict[str, tuple[str, ...]] = {
    "approved": ("approved",),
    "submitted": ("submitted", "in_review", "approved"),
}
DEFAULT_STATUS = "approved"
# Relevance sets by questionnaire version, then by a hash of a response's answers.
RELEVANCE_VERSIONS_KEPT = 8
_relevance_cache: OrderedDict[str, dict[str, list[str]]] = OrderedDict()
_relevance_lock = threading.Lock()  # gunicorn serves with threads


class EvidenceError(Exception):
    """The evidence cannot be computed (unknown questionnaire or status): one sentence."""


def statuses_for(status_key: str) -> tuple[str, ...]:
    try:
        return STATUS_SETS[status_key]
    except KeyError:
        raise EvidenceError(
            f"Unknown status set '{status_key}'; use one of {', '.join(STATUS_SETS)}."
        ) from None


def analysed_version(slug: str) -> QuestionnaireVersion:
    """The published version of a questionnaire (else its latest): its structure is used."""
    questionnaire = Questionnaire.objects.filter(slug=slug).first()
    if questionnaire is None:
        raise EvidenceError(f"No questionnaire '{slug}'; import it first.")
    version = questionnaire.published_version() or questionnaire.latest_version()
    if version is None:
        raise EvidenceError(f"Questionnaire '{slug}' has no version yet.")
    return version


def questionnaires_with_versions() -> list[Questionnaire]:
    return list(Questionnaire.objects.filter(versions__isnull=False).distinct().order_by("slug"))


# How a response's respondent unit and its breakdown attribute are read, by the
# questionnaire's unit (fields relative to Response). A submission has no attribute of its
# own: its breakdown is a select_one answer the user picks (``breakdown="question:PATH"``).
UNIT_FIELDS = {
    "organisation": ("organisation__acronym", "organisation__category"),
    "jurisdiction": ("jurisdiction__code", "jurisdiction__region"),
    "submission": ("unit_key", None),
}
BREAKDOWN_FIELDS = {
    "category": "organisation__category",
    "region": "jurisdiction__region",
    "oecd": "jurisdiction__oecd_member",
}


def questionnaire_unit(slug: str) -> str:
    unit = Questionnaire.objects.filter(slug=slug).values_list("unit", flat=True).first()
    return unit or "organisation"


def _unit_fields(slug: str, breakdown: str | None = None) -> tuple[str, str | None]:
    """(field naming the unit, field of its breakdown attribute or None)."""
    unit_field, attribute = UNIT_FIELDS[questionnaire_unit(slug)]
    if breakdown in BREAKDOWN_FIELDS:
        attribute = BREAKDOWN_FIELDS[breakdown]
    return unit_field, attribute


def unit_breakdown(slug: str, statuses: Sequence[str], breakdown: str | None) -> dict[int, str]:
    """Response id -> its breakdown value, for ``question:PATH`` (a select_one answer)."""
    if not breakdown or not breakdown.startswith("question:"):
        return {}
    path = breakdown.split(":", 1)[1]
    rows = Answer.objects.filter(
        response__in=_responses(slug, statuses), path=path, flag__isnull=True
    ).values_list("response_id", "value")
    return dict(rows)


def _attribute_value(value) -> str:
    if isinstance(value, bool):
        return "oecd" if value else "non_oecd"
    return "" if value is None else str(value)


# A group of responses chosen by the reader (a survey round: responses.selectors
# GROUPINGS), for the request being answered: every read below goes through _responses.
_GROUP: ContextVar[tuple[str, QuerySet] | None] = ContextVar("evidence_group", default=None)


@contextmanager
def only_group(key: str, response_ids: QuerySet | None) -> Iterator[None]:
    """Within the block, the evidence counts only ``response_ids`` (None: every response);
    ``key`` names the group in cache keys (``group_key``)."""
    token = _GROUP.set((key, response_ids) if response_ids is not None else None)
    try:
        yield
    finally:
        _GROUP.reset(token)


def group_key() -> str:
    group = _GROUP.get()
    return group[0] if group else ""


def _responses(slug: str, statuses: Sequence[str]):
    responses = Response.objects.filter(
        version__questionnaire__slug=slug, status__in=list(statuses)
    )
    group = _GROUP.get()
    return responses.filter(pk__in=group[1]) if group else responses


def tidy_answers(
    slug: str, statuses: Sequence[str], breakdown: str | None = None
) -> pd.DataFrame:
    """One row per non-empty valid answer of the responses of ``slug`` in ``statuses``.

    ``organisation`` holds the respondent unit (acronym, jurisdiction code or submission
    key) and ``category`` its breakdown attribute. Values kept with a data problem
    (``Answer.flag``) are left out: they are never counted as a valid choice
    (``flagged_answers`` counts them). The text columns other than ``value`` are pandas
    categoricals (categories sorted): at 50,000 respondents the same few hundred paths and
    the same units would otherwise be held as millions of strings."""
    return _tidy_frame(slug, statuses, breakdown, _answer_rows(slug, statuses))


@dataclass
class _AnswerRows:
    """Every non-empty answer of the responses, flagged or not, read once, ordered by
    response then path: what both the tidy answers and the relevance read."""

    response: np.ndarray  # response id of each row
    path: np.ndarray  # code of each row's path in ``paths``
    paths: list[str]
    value: np.ndarray  # the stored texts (equal texts share one string)
    valid: np.ndarray  # no data problem (Answer.flag is null)

    def by_response(self) -> dict[int, dict[str, str]]:
        """Response id -> {path: value}, as the engine reads a response."""
        if not len(self.response):
            return {}
        paths = np.asarray(self.paths, dtype=object)[self.path]
        starts = np.flatnonzero(np.diff(self.response)) + 1
        bounds = zip([0, *starts.tolist()], [*starts.tolist(), len(self.response)],
                     strict=True)
        return {int(self.response[start]): dict(zip(paths[start:end], self.value[start:end],
                                                    strict=True))
                for start, end in bounds}


READ_CHUNK = 50_000


def _answer_rows(slug: str, statuses: Sequence[str]) -> _AnswerRows:
    """The answers through the database cursor, a chunk at a time: paths become codes and
    equal values one string as they arrive (no tuple per answer kept, no model layer)."""
    query = (
        Answer.objects.filter(response__in=_responses(slug, statuses))
        .exclude(value="")
        .order_by("response_id", "path")
        .values_list("response_id", "path", "value", "flag")
    )
    sql, params = query.query.sql_with_params()
    codes: dict[str, int] = {}
    seen: dict[str, str] = {}
    ids, paths, values, valid = [], [], [], []
    with _collector_paused(), connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(READ_CHUNK):
            response_ids, chunk_paths, chunk_values, flags = zip(*chunk, strict=True)
            ids.append(np.fromiter(response_ids, dtype=np.int64, count=len(chunk)))
            local, found = pd.factorize(np.asarray(chunk_paths, dtype=object))
            paths.append(np.array([codes.setdefault(p, len(codes)) for p in found],
                                  dtype=np.int32)[local])
            local, found = pd.factorize(np.asarray(chunk_values, dtype=object))
            values.append(np.array([seen.setdefault(v, v) for v in found], dtype=object)[local])
            valid.append(np.fromiter((flag is None for flag in flags), dtype=bool,
                                     count=len(chunk)))
    if not ids:
        nothing = np.zeros(0, dtype=np.int64)
        return _AnswerRows(nothing, nothing, [], np.zeros(0, dtype=object),
                           np.zeros(0, dtype=bool))
    return _AnswerRows(np.concatenate(ids), np.concatenate(paths), list(codes),
                       np.concatenate(values), np.concatenate(valid))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while millions of rows arrive: each chunk's tuples
    triggered collections that walked every live object again (half the time of reading
    4.7 million answers); the rows make no reference cycles, so nothing is left behind."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _sorted_categorical(values: Sequence | np.ndarray) -> pd.Categorical:
    """Text values as a categorical with its categories sorted (order as for text)."""
    codes, categories = pd.factorize(np.asarray(values, dtype=object), sort=True)
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories, dtype=object))


def _tidy_frame(slug: str, statuses: Sequence[str], breakdown: str | None,
                rows: _AnswerRows) -> pd.DataFrame:
    """The tidy answers (``TIDY_COLUMNS``) of the valid rows, ordered by unit, response
    and path, each response's unit, breakdown and status taken once per response."""
    if not rows.valid.any():
        return pd.DataFrame({column: pd.Series(dtype="object") for column in TIDY_COLUMNS})
    unit_field, attribute = _unit_fields(slug, breakdown)
    by_question = unit_breakdown(slug, statuses, breakdown)
    responses = list(
        _responses(slug, statuses).order_by(unit_field, "id")
        .values_list("id", unit_field, attribute or "id", "status")
    )
    position = pd.Index([response_id for response_id, *_rest in responses])
    units = _sorted_categorical([unit for _id, unit, _a, _s in responses])
    categories = _sorted_categorical([
        by_question.get(response_id, "") if by_question
        else (_attribute_value(value) if attribute else "")
        for response_id, _unit, value, _status in responses])
    states = _sorted_categorical([status for *_rest, status in responses])
    kept = np.flatnonzero(rows.valid)
    where = position.get_indexer(rows.response[kept])
    # Rows come by response id then path; a stable sort by the response's place in the
    # (unit, id) order gives the order of the contract (unit, response, path).
    order = np.argsort(where, kind="stable")
    kept, where = kept[order], where[order]
    path_names = pd.Index(rows.paths, dtype=object)
    questions = path_names.str.replace(r"\[\d+\]", "", regex=True)
    innermost = pd.to_numeric(path_names.str.extract(r"\[(\d+)\][^\[]*$", expand=False),
                              errors="coerce")
    path_codes = rows.path[kept]
    paths = _sorted_categorical(rows.paths)
    question_codes = _sorted_categorical(questions)
    return pd.DataFrame({
        "organisation": units.take(where),
        "category": categories.take(where),
        "status": states.take(where),
        "path": pd.Categorical.from_codes(paths.codes[path_codes], dtype=paths.dtype),
        "question": pd.Categorical.from_codes(question_codes.codes[path_codes],
                                              dtype=question_codes.dtype),
        "repeat_index": pd.array(np.asarray(innermost, dtype="float64")[path_codes],
                                 dtype="Int64"),
        "value": rows.value[kept],
    }, columns=TIDY_COLUMNS)


def respondents(
    slug: str, statuses: Sequence[str], breakdown: str | None = None
) -> pd.DataFrame:
    """Units with a response in ``statuses`` (answered or not): organisation (the unit),
    category (its breakdown attribute), synthetic (the response or the organisation is
    flagged synthetic)."""
    unit_field, attribute = _unit_fields(slug, breakdown)
    by_question = unit_breakdown(slug, statuses, breakdown)
    rows = (
        _responses(slug, statuses)
        .values_list(unit_field, attribute or "id", "synthetic", "organisation__synthetic",
                     "id")
        .order_by(unit_field)
    )
    records = [
        (
            unit,
            by_question.get(response_id, "") if by_question
            else (_attribute_value(value) if attribute else ""),
            bool(synthetic),
            bool(organisation_synthetic),
        )
        for unit, value, synthetic, organisation_synthetic, response_id in rows
    ]
    frame = pd.DataFrame.from_records(
        records, columns=["organisation", "category", "synthetic", "organisation_synthetic"]
    )
    frame["synthetic"] = frame["synthetic"].astype(bool) | frame["organisation_synthetic"].astype(
        bool
    )
    grouped = frame.groupby(["organisation", "category"], as_index=False)["synthetic"].max()
    return grouped[["organisation", "category", "synthetic"]]


def fingerprint(slug: str, statuses: Sequence[str]) -> str:
    """Changes whenever an answer, a response's status or the set of responses changes.

    Two cheap queries (response ids, then aggregates over their answers): the dashboard
    checks it on every visit and recomputes the analysis only when it changed."""
    version = analysed_version(slug)
    responses = _responses(slug, statuses)
    ids = list(responses.order_by("id").values_list("id", "organisation_id"))
    stats = Answer.objects.filter(response__in=responses).aggregate(
        n_answers=Count("id"),
        n_non_empty=Count("id", filter=~Q(value="")),
        last_answer=Max("updated_at"),
        revisions=Sum("revision"),
    )
    text = f"{slug}|{','.join(statuses)}|{version.pk}|{version.fingerprint}|{ids}|" + str(
        sorted(stats.items())
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def flagged_answers(slug: str, statuses: Sequence[str]) -> pd.DataFrame:
    """(organisation, question, flag): every answer kept with a data problem, by unit."""
    unit_field, _attribute = _unit_fields(slug)
    rows = (
        Answer.objects.filter(response__in=_responses(slug, statuses), flag__isnull=False)
        .values_list(f"response__{unit_field}", "path", "flag")
    )
    # Through the cursor, the collector paused: 700,000 flagged answers of 50,000
    # submissions took 3 s through the model layer.
    sql, params = rows.query.sql_with_params()
    with _collector_paused(), connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        records = cursor.fetchall()
    frame = pd.DataFrame.from_records(records, columns=["organisation", "path", "flag"])
    # The template path of each distinct path once, not of every answer.
    codes, paths = pd.factorize(frame["path"])
    questions = pd.Index(paths, dtype=object).str.replace(r"\[\d+\]", "", regex=True)
    frame["question"] = np.asarray(questions, dtype=object)[codes] if len(frame) else \
        frame["path"]
    return frame[["organisation", "question", "flag"]]


def _response_answers(slug: str, statuses: Sequence[str]) -> dict[int, dict[str, str]]:
    answers: dict[int, dict[str, str]] = {}
    rows = (
        Answer.objects.filter(response__in=_responses(slug, statuses))
        .exclude(value="")
        .values_list("response_id", "path", "value")
    )
    for response_id, path, value in rows.iterator(chunk_size=10000):
        answers.setdefault(response_id, {})[path] = value
    return answers


def _answers_key(answers: dict[str, str]) -> str:
    text = "\x1e".join(f"{path}\x1f{answers[path]}" for path in sorted(answers))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def relevance(slug: str, statuses: Sequence[str]) -> pd.DataFrame:
    """(organisation, question, relevant) of every relevant question, by the engine.

    The responses not seen before are evaluated together by the engine's
    ``RelevanceEvaluator`` (each relevance expression runs once per distinct combination
    of the values it reads: 50,000 responses take seconds); the result is kept under a
    hash of the version and of the response's answers, in memory and in the data folder
    (``cache/relevance-*.json``, shared by the server's processes and kept across
    restarts), so an unchanged response is not evaluated again."""
    return _relevance_of(slug, statuses, _response_answers(slug, statuses))


def _relevance_of(slug: str, statuses: Sequence[str],
                  by_response: dict[int, dict[str, str]]) -> pd.DataFrame:
    """``relevance`` from the responses' answers already read (response id -> answers)."""
    from iocompendium.questionnaires.engine import RelevanceEvaluator

    version = analysed_version(slug)
    organisation_of = dict(
        _responses(slug, statuses).values_list("id", _unit_fields(slug)[0])
    )
    stored = _stored_relevance(version)
    keys = {response_id: _answers_key(by_response.get(response_id, {}))
            for response_id in organisation_of}
    missing = {key: response_id for response_id, key in keys.items() if key not in stored}
    computed: dict[str, list[str]] = {}
    if missing:
        evaluator = RelevanceEvaluator(version.structure)
        found = evaluator.relevant_templates(
            [by_response.get(response_id, {}) for response_id in missing.values()])
        computed = dict(zip(missing, found, strict=True))
    units: list[str] = []
    questions: list[str] = []
    for response_id, organisation in organisation_of.items():
        relevant = computed.get(keys[response_id]) or stored.get(keys[response_id]) or []
        units.extend([organisation] * len(relevant))
        questions.extend(relevant)
    if computed:
        _store_relevance(version, stored, computed)
    frame = pd.DataFrame({"organisation": pd.Series(units, dtype=object),
                          "question": pd.Series(questions, dtype=object),
                          "relevant": pd.Series([True] * len(units), dtype=bool)},
                         columns=RELEVANCE_COLUMNS)
    if len(set(organisation_of.values())) == len(organisation_of):
        return frame  # one response per unit: no pair can repeat
    return frame.drop_duplicates(["organisation", "question"])


def _relevance_file(version: QuestionnaireVersion) -> Path:
    return Path(settings.DATA_DIR) / "cache" / f"relevance-{version.fingerprint[:16]}.json"


def _stored_relevance(version: QuestionnaireVersion) -> dict[str, list[str]]:
    """The relevance sets of this version known to this process, else to the data folder."""
    memory_key = version.fingerprint[:16]
    with _relevance_lock:
        known = _relevance_cache.get(memory_key)
    if known is not None:
        return known
    known = {}
    path = _relevance_file(version)
    if path.is_file():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
            questions = saved["questions"]
            known = {key: [questions[i] for i in indexes]
                     for key, indexes in saved["sets"].items()}
        except (ValueError, KeyError, IndexError, TypeError):
            known = {}  # a damaged cache file is rebuilt
    with _relevance_lock:
        _relevance_cache[memory_key] = known
        while len(_relevance_cache) > RELEVANCE_VERSIONS_KEPT:
            _relevance_cache.popitem(last=False)
    return known


def _store_relevance(
    version: QuestionnaireVersion, known: dict[str, list[str]], computed: dict[str, list[str]]
) -> None:
    with _relevance_lock:
        known.update(computed)
        snapshot = dict(known)
    questions = sorted({q for sets in snapshot.values() for q in sets})
    position = {q: i for i, q in enumerate(questions)}
    document = {
        "questions": questions,
        "sets": {key: [position[q] for q in sets] for key, sets in snapshot.items()},
    }
    path = _relevance_file(version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside then renamed: a reader never sees half a file.
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp"
        ) as handle:
            # dumps, then one write: json.dump encodes in Python, piece by piece (8 s for
            # the sets of 50,000 responses; the same text).
            handle.write(json.dumps(document, separators=(",", ":")))
        os.replace(handle.name, path)
    except OSError:
        pass  # the cache is an optimisation: a read-only data folder only costs time


@dataclass
class EvidenceData:
    """Everything the analysis needs, read from the database."""

    slug: str
    status_key: str
    version: QuestionnaireVersion
    answers: pd.DataFrame
    respondents: pd.DataFrame
    relevance: pd.DataFrame
    flags: pd.DataFrame | None = None

    @property
    def synthetic(self) -> bool:
        return bool(self.respondents["synthetic"].any()) if len(self.respondents) else False


def evidence_data(
    slug: str, status_key: str, category: str | None = None, breakdown: str | None = None
) -> EvidenceData:
    """``breakdown``: what cross-tabs break down by (default: the unit's own attribute;
    ``category``, ``region``, ``oecd`` or ``question:PATH`` of a select_one question)."""
    statuses = statuses_for(status_key)
    version = analysed_version(slug)
    people = respondents(slug, statuses, breakdown)
    # The answers are read once, for the tidy table and for the relevance.
    rows = _answer_rows(slug, statuses)
    answers = _tidy_frame(slug, statuses, breakdown, rows)
    relevant = _relevance_of(slug, statuses, rows.by_response())
    del rows
    flags = flagged_answers(slug, statuses)
    if category:
        people = people[people["category"] == category]
        flags = flags[flags["organisation"].isin(people["organisation"])]
    return EvidenceData(
        slug=slug,
        status_key=status_key,
        version=version,
        answers=answers,
        respondents=people,
        relevance=relevant,
        flags=flags,
    )


@dataclass(frozen=True)
class Quote:
    """A text answer the secretariat marked publishable."""

    answer_id: int
    response_id: int
    unit: str  # the respondent unit's label (acronym, jurisdiction code or key)
    question: str  # template path, e.g. "instruments/title"
    path: str  # the answer's own path, e.g. "instruments[2]/title"
    text: str


def personal_questions(slug: str) -> set[str]:
    """Template paths of the questions the secretariat marked personal on the web."""
    return set(
        QuestionMark.objects.filter(questionnaire__slug=slug, personal=True).values_list(
            "question", flat=True
        )
    )


def question_marks(slug: str) -> dict[str, QuestionMark]:
    return {
        mark.question: mark
        for mark in QuestionMark.objects.filter(questionnaire__slug=slug)
    }


def quote_marks(answer_ids: Sequence[int]) -> dict[int, QuoteMark]:
    """The marks of these answers that still hold (marked on the answer's current text)."""
    marks = QuoteMark.objects.filter(answer_id__in=list(answer_ids)).select_related("answer")
    return {
        mark.answer_id: mark for mark in marks if mark.answer_revision == mark.answer.revision
    }


def publishable_quotes(
    slug: str,
    question: str | None = None,
    statuses: Sequence[str] = STATUS_SETS[DEFAULT_STATUS],
) -> list[Quote]:
    """The text answers of ``slug`` (optionally of one question, by template path) that
    the secretariat marked publishable, in responses of ``statuses``.

    An answer is publishable when its own mark says so, or, without a mark of its own,
    when its question is marked "all answers publishable". A mark made before the answer
    last changed no longer holds. Questions marked personal never give quotes."""
    marks = question_marks(slug)
    personal = {path for path, mark in marks.items() if mark.personal}
    whole_questions = {path for path, mark in marks.items() if mark.quotes_publishable}
    if not whole_questions and not QuoteMark.objects.filter(
        answer__response__version__questionnaire__slug=slug
    ).exists():
        return []
    # An answer left over from before the skip logic changed is not published.
    relevant = set(relevance(slug, statuses)[["organisation", "question"]].itertuples(
        index=False, name=None))
    answers = (
        Answer.objects.filter(response__in=_responses(slug, statuses))
        .exclude(value="")
        .filter(Q(quote_mark__isnull=False) | Q(path__in=_answer_paths(slug, whole_questions)))
        .select_related("response__organisation", "response__jurisdiction", "quote_mark")
        .order_by("path", "response__organisation__acronym", "response_id")
    )
    quotes: list[Quote] = []
    for answer in answers.iterator(chunk_size=2000):
        template = template_path(answer.path)
        if template in personal or (question and template != question):
            continue
        if not _publishable(answer, template in whole_questions):
            continue
        response = answer.response
        # relevance() keys units as tidy_answers() does (the organisation's acronym)
        relevance_key = response.organisation.acronym if response.organisation_id else None
        if (relevance_key, template) not in relevant:
            continue
        unit = response.unit_name
        quotes.append(
            Quote(
                answer_id=answer.pk,
                response_id=answer.response_id,
                unit=unit,
                question=template,
                path=answer.path,
                text=answer.value,
            )
        )
    return quotes


def _publishable(answer: Answer, whole_question: bool) -> bool:
    mark = getattr(answer, "quote_mark", None)
    if mark is not None and mark.answer_revision == answer.revision:
        return mark.publishable
    return whole_question


def _answer_paths(slug: str, templates: set[str]) -> list[str]:
    """The stored answer paths whose template is one of ``templates`` (repeat indexes
    vary, so they are matched in Python on the distinct paths)."""
    if not templates:
        return []
    paths = (
        Answer.objects.filter(response__version__questionnaire__slug=slug)
        .values_list("path", flat=True)
        .distinct()
    )
    return [path for path in paths if template_path(path) in templates]


QUOTE_REVIEW_LIMIT = 300
# Types whose answers are free text (quotes can only come from these).
TEXT_TYPES = frozenset({"text", "barcode", "phone_number"})


@dataclass
class ReviewedAnswer:
    answer_id: int
    unit: str
    path: str
    text: str
    status: str
    mark: bool | None  # the answer's own mark (None: none, or made on an older text)


@dataclass
class ReviewedQuestion:
    path: str
    label: str
    type: str
    quotes_publishable: bool
    personal: bool
    answers: list[ReviewedAnswer]
    total: int


def quote_review(slug: str, lang: str = "en") -> list[ReviewedQuestion]:
    """Every text question of the analysed version with its answers (submitted, in
    review or approved; at most ``QUOTE_REVIEW_LIMIT`` each) and the marks they carry."""
    from iocompendium.questionnaires.structure import localized

    version = analysed_version(slug)
    structure = version.structure
    marks = question_marks(slug)
    questions = [ref for ref in iter_questions(structure) if ref.type in TEXT_TYPES]
    answers = (
        Answer.objects.filter(response__in=_responses(slug, STATUS_SETS["submitted"]))
        .exclude(value="")
        .select_related("response__organisation", "response__jurisdiction", "quote_mark")
        .order_by("path", "response_id")
    )
    by_question: dict[str, list[Answer]] = {}
    for answer in answers.iterator(chunk_size=2000):
        by_question.setdefault(template_path(answer.path), []).append(answer)
    review = []
    for ref in questions:
        found = by_question.get(ref.path, [])
        mark = marks.get(ref.path)
        review.append(ReviewedQuestion(
            path=ref.path,
            label=localized(ref.node.get("label"), lang, structure.get("default_language", ""))
            or ref.name,
            type=ref.type,
            quotes_publishable=bool(mark and mark.quotes_publishable),
            personal=bool(mark and mark.personal),
            answers=[ReviewedAnswer(a.pk, a.response.unit_name, a.path, a.value,
                                    a.response.status, _own_mark(a))
                     for a in found[:QUOTE_REVIEW_LIMIT]],
            total=len(found),
        ))
    return review


def _own_mark(answer: Answer) -> bool | None:
    mark = getattr(answer, "quote_mark", None)
    if mark is None or mark.answer_revision != answer.revision:
        return None
    return mark.publishable


def breakdown_choices(slug: str, lang: str) -> list[tuple[str, str]]:
    """What cross-tabs may break down by, for the questionnaire's unit: the unit's own
    attributes (organisation category; jurisdiction region, OECD membership), then every
    select_one question outside repeats (``question:PATH``), labelled in ``lang``."""
    from django.utils.translation import gettext

    from iocompendium.questionnaires.structure import localized

    unit = questionnaire_unit(slug)
    own = {
        "organisation": [("category", gettext("Organisation category"))],
        "jurisdiction": [("region", gettext("Region")), ("oecd", gettext("OECD membership"))],
    }.get(unit, [])
    try:
        structure = analysed_version(slug).structure
    except EvidenceError:
        return own
    default = structure.get("default_language", "")
    questions = [
        (f"question:{ref.path}",
         localized(ref.node.get("label"), lang, default) or ref.name)
        for ref in iter_questions(structure)
        if ref.type == "select_one" and not ref.repeats and ref.node.get("choice_list")
    ]
    return own + questions


def breakdown_labels(slug: str, breakdown: str, lang: str) -> tuple[str, dict[str, str]]:
    """The cross-tab's title ("By region") and the names of its columns, in ``lang``
    (call inside ``translation.override(lang)``); the default breakdown gives ("", {})."""
    from django.utils.translation import gettext

    from iocompendium.questionnaires.structure import choice_label
    from iocompendium.registry.jurisdictions import region_label

    if not breakdown:
        return "", {}
    titles = dict(breakdown_choices(slug, lang))
    if breakdown not in titles:
        raise EvidenceError(
            f"'{breakdown}' is not a breakdown of '{slug}': use one of "
            f"{', '.join(titles) or 'none'}.")
    title = gettext("By %(what)s") % {"what": titles[breakdown]}
    if breakdown == "oecd":
        return title, {"oecd": gettext("OECD members"), "non_oecd": gettext("Not OECD members")}
    if breakdown == "region":
        regions = Jurisdiction.objects.values_list("region", flat=True).distinct()
        return title, {region: region_label(region) for region in regions if region}
    if breakdown.startswith("question:"):
        structure = analysed_version(slug).structure
        path = breakdown.split(":", 1)[1]
        ref = next(r for r in iter_questions(structure) if r.path == path)
        names = [c["name"] for c in structure.get("choices", {}).get(ref.node["choice_list"], [])]
        return title, {name: choice_label(structure, ref.node["choice_list"], name, lang)
                       for name in names}
    return title, {}
