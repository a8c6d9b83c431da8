"""Reads of response collection: who sees which response, answers, progress, review list."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.registry.models import Organisation
from iocompendium.responses import formtree
from iocompendium.responses.models import (
    Answer,
    AuditEvent,
    Contributor,
    Invitation,
    Query,
    Response,
    ResponseStatus,
)
from iocompendium.web.roles import is_secretariat, organisation_id_of

NOT_STARTED = "not_started"

# A version's structure never changes once stored, so its compiled form is kept per
# process: the autosave endpoint must not parse a large JSON document on every keystroke.
# The key includes the structure's fingerprint, so a reused id never serves a stale form.
_FORMS: dict[int, tuple[str, formtree.CompiledForm]] = {}
_FORMS_LOCK = threading.Lock()


def compiled_form(version_id: int, fingerprint: str | None = None) -> formtree.CompiledForm:
    if fingerprint is None:
        fingerprint = (
            QuestionnaireVersion.objects.filter(pk=version_id)
            .values_list("fingerprint", flat=True).first()
        )
    cached = _FORMS.get(version_id)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    structure = QuestionnaireVersion.objects.values_list("structure", flat=True).get(
        pk=version_id
    )
    form = formtree.compile_form(structure)
    with _FORMS_LOCK:
        _FORMS[version_id] = (fingerprint, form)
    return form


def form_for(response: Response) -> formtree.CompiledForm:
    """The compiled form of the response's version (no query when the version is loaded)."""
    if Response.version.is_cached(response):
        return compiled_form(response.version_id, response.version.fingerprint)
    return compiled_form(response.version_id)


def response_queryset() -> QuerySet[Response]:
    """Responses with what every page needs, without the versions' large columns."""
    return Response.objects.select_related(
        "organisation", "jurisdiction", "version", "version__questionnaire"
    ).defer("version__structure", "version__xlsform")


def response_for(user: AbstractBaseUser | AnonymousUser, pk: int) -> Response:
    """The response if this user may see it; 404 otherwise (also for guessed ids)."""
    queryset = response_queryset()
    if not is_secretariat(user):
        organisation_id = organisation_id_of(user)
        if organisation_id is None:
            raise Http404
        queryset = queryset.filter(organisation_id=organisation_id)
    try:
        return queryset.get(pk=pk)
    except Response.DoesNotExist as error:
        raise Http404 from error


# The autosave endpoint's two reads, in SQL written once: on every keystroke the ORM's
# query building cost more than the queries (0.9 of 3.7 ms per save). Table and column
# names come from the models; every value is a query parameter.
# (in the model's field order, as Model.from_db wants them)
_AUTOSAVE_FIELDS = ("id", "organisation_id", "version_id", "status", "last_activity_at",
                    "progress_answered", "progress_relevant")
_ACTIVITY = _AUTOSAVE_FIELDS.index("last_activity_at")
_AUTOSAVE_SQL: dict[str, tuple[str, str]] = {}


def _autosave_sql() -> tuple[str, str]:
    vendor = connection.vendor
    if vendor not in _AUTOSAVE_SQL:
        quote = connection.ops.quote_name
        response_columns = ", ".join(f"r.{quote(name)}" for name in _AUTOSAVE_FIELDS)
        response_sql = (
            f"SELECT {response_columns}, v.{quote('fingerprint')} "  # noqa: S608
            f"FROM {quote(Response._meta.db_table)} r "
            f"INNER JOIN {quote(QuestionnaireVersion._meta.db_table)} v ON v.id = r.version_id "
            f"INNER JOIN {quote(Contributor._meta.db_table)} c "
            "ON c.organisation_id = r.organisation_id WHERE r.id = %s AND c.user_id = %s"
        )
        answers_sql = (
            f"SELECT path, value, revision FROM {quote(Answer._meta.db_table)} "  # noqa: S608
            "WHERE response_id = %s ORDER BY path"
        )
        _AUTOSAVE_SQL[vendor] = (response_sql, answers_sql)
    return _AUTOSAVE_SQL[vendor]


def response_of_contributor(user: AbstractBaseUser, pk: int) -> Response | None:
    """The response if the user answers for its organisation (one query, for autosave),
    with its version's fingerprint loaded; the fields not read load on access."""
    with connection.cursor() as cursor:
        cursor.execute(_autosave_sql()[0], [pk, user.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row[: len(_AUTOSAVE_FIELDS)])
    values[_ACTIVITY] = _aware(values[_ACTIVITY])
    response = Response.from_db(connection.alias, list(_AUTOSAVE_FIELDS), values)
    response.version = QuestionnaireVersion.from_db(
        connection.alias, ["id", "fingerprint"], [response.version_id, row[-1]]
    )
    return response


def _aware(value: datetime | str | None) -> datetime | None:
    """A datetime column read by plain SQL as the ORM returns it (SQLite gives text or
    naive UTC; PostgreSQL an aware datetime)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def answers_for_autosave(response: Response) -> tuple[dict[str, str], dict[str, int]]:
    """``answers_with_revisions`` in one plain query (same rows, same order)."""
    answers: dict[str, str] = {}
    revisions: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(_autosave_sql()[1], [response.pk])
        for path, value, revision in cursor.fetchall():
            answers[path] = value
            revisions[path] = revision
    return answers, revisions


def response_exists(pk: int) -> bool:
    return Response.objects.filter(pk=pk).exists()


def query_for(response: Response, query_id: int) -> Query:
    try:
        return Query.objects.select_related("created_by").get(pk=query_id, response=response)
    except Query.DoesNotExist as error:
        raise Http404 from error


def answers_with_revisions(response: Response) -> tuple[dict[str, str], dict[str, int]]:
    answers: dict[str, str] = {}
    revisions: dict[str, int] = {}
    for path, value, revision in Answer.objects.filter(response=response).values_list(
        "path", "value", "revision"
    ):
        answers[path] = value
        revisions[path] = revision
    return answers, revisions


def answers_of(response: Response) -> dict[str, str]:
    return dict(Answer.objects.filter(response=response).values_list("path", "value"))


def open_query_paths(response: Response) -> set[str]:
    return set(
        Query.objects.filter(response=response, status=Query.Status.OPEN).values_list(
            "path", flat=True
        )
    )


def queries_by_path(response: Response, *, open_only: bool = False) -> dict[str, list[Query]]:
    queryset = Query.objects.filter(response=response).prefetch_related("messages__author")
    if open_only:
        queryset = queryset.filter(status=Query.Status.OPEN)
    grouped: dict[str, list[Query]] = defaultdict(list)
    for query in queryset.select_related("created_by"):
        grouped[query.path].append(query)
    return dict(grouped)


def queries_of(response: Response) -> QuerySet[Query]:
    return (
        Query.objects.filter(response=response)
        .select_related("created_by")
        .prefetch_related("messages__author")
        .order_by("status", "-created_at")
    )


def answer_history(response: Response, path: str) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(response=response, path=path, action="answer")


def audit_events(response: Response) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(response=response).order_by("at", "id")


def newer_version(response: Response) -> QuestionnaireVersion | None:
    """A published version newer than the response's, which a draft may move to."""
    return (
        QuestionnaireVersion.objects.filter(
            questionnaire_id=response.version.questionnaire_id,
            published_at__isnull=False, number__gt=response.version.number,
        )
        .defer("structure", "xlsform")
        .order_by("-number")
        .first()
    )


def published_questionnaires() -> list[tuple[Questionnaire, QuestionnaireVersion]]:
    result = []
    for questionnaire in Questionnaire.objects.all():
        version = (
            questionnaire.versions.filter(published_at__isnull=False)
            .defer("structure", "xlsform").order_by("-number").first()
        )
        if version is not None:
            result.append((questionnaire, version))
    return result


def responses_of_organisation(organisation_id: int) -> QuerySet[Response]:
    return response_queryset().filter(organisation_id=organisation_id).annotate(
        open_queries=Count("queries", filter=Q(queries__status=Query.Status.OPEN))
    ).order_by("version__questionnaire__slug", "title", "id")


def invitations_for(user: AbstractBaseUser) -> QuerySet[Invitation]:
    queryset = Invitation.objects.select_related("organisation", "questionnaire", "created_by")
    if is_secretariat(user):
        return queryset
    organisation_id = organisation_id_of(user)
    return queryset.filter(organisation_id=organisation_id) if organisation_id else queryset.none()


def invitation_by_token_hash(token_hash: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("organisation", "questionnaire")
        .filter(token_hash=token_hash)
        .first()
    )


def invitation_for(user: AbstractBaseUser, pk: int) -> Invitation:
    try:
        return invitations_for(user).get(pk=pk)
    except Invitation.DoesNotExist as error:
        raise Http404 from error


# --- the secretariat's review list -------------------------------------------------------


@dataclass
class ReviewRow:
    organisation: Organisation | None
    response: Response | None
    status: str  # a ResponseStatus value or NOT_STARTED
    answered: int | None
    relevant: int | None
    last_activity: datetime | None
    open_queries: int

    @property
    def unit(self) -> str:
        """The respondent unit as listed: acronym, jurisdiction code or submission key."""
        if self.response is not None:
            return self.response.unit_name
        return self.organisation.acronym if self.organisation else ""

    @property
    def percent(self) -> int | None:
        if not self.relevant:
            return None
        return round(100 * (self.answered or 0) / self.relevant)


# --- groupings of responses added by other apps (the workspace: survey rounds) ------------


@dataclass(frozen=True)
class ResponseGrouping:
    """A way to narrow the review list and the evidence to one group of a questionnaire's
    responses, added by an app that this one does not import (imports run one way): the
    workspace registers its survey rounds (``WorkspaceConfig.ready``)."""

    param: str  # the query parameter, e.g. "round"
    label: Callable[[], str]  # the filter's label in the active language
    choices: Callable[[Questionnaire], list[tuple[str, str]]]  # (value, label); [] = none
    response_ids: Callable[[str], QuerySet]  # the ids of the responses of one value


GROUPINGS: dict[str, ResponseGrouping] = {}


def register_grouping(grouping: ResponseGrouping) -> None:
    GROUPINGS[grouping.param] = grouping


@dataclass
class GroupingFilter:
    param: str
    label: str
    choices: list[tuple[str, str]]
    value: str  # the chosen value, or "" for every response


def grouping_filters(questionnaire: Questionnaire | None,
                     query: Mapping[str, str]) -> list[GroupingFilter]:
    """The groupings that apply to the questionnaire, each with the value chosen in the
    query (an unknown value is ignored)."""
    found = []
    for grouping in GROUPINGS.values():
        choices = grouping.choices(questionnaire) if questionnaire is not None else []
        if choices:
            value = query.get(grouping.param, "")
            found.append(GroupingFilter(grouping.param, grouping.label(), choices,
                                        value if value in dict(choices) else ""))
    return found


def grouped_response_ids(filters: list[GroupingFilter]) -> QuerySet | None:
    """The ids of the responses in every chosen group, or None when none is chosen."""
    chosen = None
    for item in filters:
        if item.value:
            ids = GROUPINGS[item.param].response_ids(item.value)
            chosen = ids if chosen is None else chosen.filter(pk__in=ids)
    return chosen


def review_rows(
    questionnaire: Questionnaire, *, status: str = "", category: str = "", search: str = "",
    response_ids: QuerySet | None = None,
) -> list[ReviewRow]:
    """One row per response of the questionnaire, and one per organisation without any
    (for a questionnaire whose unit is a jurisdiction or a submission: one per response).
    ``response_ids``: only these responses (a round, ``grouped_response_ids``); an
    organisation without one of them is listed as not started."""
    responses = response_queryset().filter(version__questionnaire=questionnaire)
    if response_ids is not None:
        responses = responses.filter(pk__in=response_ids)
    responses = list(responses.annotate(
        open_queries=Count("queries", filter=Q(queries__status=Query.Status.OPEN))))
    if questionnaire.unit != "organisation":
        return _unit_rows(responses, status=status, search=search)
    by_organisation: dict[int, list[Response]] = defaultdict(list)
    for response in responses:
        by_organisation[response.organisation_id].append(response)
    organisations = Organisation.objects.all().order_by("acronym")
    if category:
        organisations = organisations.filter(category=category)
    if search:
        organisations = organisations.filter(
            Q(acronym__icontains=search) | Q(name_en__icontains=search)
            | Q(name_fr__icontains=search)
        )
    rows: list[ReviewRow] = []
    for organisation in organisations:
        mine = by_organisation.get(organisation.pk, [])
        if not mine:
            rows.append(ReviewRow(organisation, None, NOT_STARTED, None, None, None, 0))
        for response in mine:
            rows.append(ReviewRow(
                organisation, response, response.status, response.progress_answered,
                response.progress_relevant, response.last_activity_at, response.open_queries,
            ))
    if status:
        rows = [row for row in rows if row.status == status]
    return rows


def _unit_rows(responses: list[Response], *, status: str, search: str) -> list[ReviewRow]:
    rows = [
        ReviewRow(None, r, r.status, r.progress_answered, r.progress_relevant,
                  r.last_activity_at, r.open_queries)
        for r in responses
    ]
    if search:
        folded = search.casefold()
        rows = [row for row in rows if folded in row.unit.casefold()]
    if status:
        rows = [row for row in rows if row.status == status]
    return sorted(rows, key=lambda row: row.unit)


def status_counts(rows: list[ReviewRow]) -> dict[str, int]:
    counts = {NOT_STARTED: 0, **{value: 0 for value in ResponseStatus.values}}
    for row in rows:
        counts[row.status] += 1
    return counts


def default_questionnaire() -> Questionnaire | None:
    return Questionnaire.objects.filter(slug="io-survey").first() or Questionnaire.objects.first()


def now() -> datetime:
    return timezone.now()


def published_questionnaires_by_slug() -> list[
    tuple[str, tuple[Questionnaire, QuestionnaireVersion]]
]:
    return [(q.slug, (q, v)) for q, v in published_questionnaires()]


def flag_summary(questionnaire: Questionnaire, examples: int = 3) -> list[dict]:
    """The data-quality page: answers kept with a problem, by question and problem, with
    counts and the first responses holding one (links)."""
    from iocompendium.questionnaires.structure import template_path

    rows = (
        Answer.objects.filter(response__version__questionnaire=questionnaire, flag__isnull=False)
        .values_list("path", "flag", "response_id")
        .order_by("path", "response_id")
    )
    groups: dict[tuple[str, str], dict] = {}
    for path, flag, response_id in rows.iterator(chunk_size=10000):
        key = (template_path(path), flag)
        group = groups.setdefault(
            key, {"question": key[0], "flag": flag, "count": 0, "responses": []}
        )
        group["count"] += 1
        if len(group["responses"]) < examples and response_id not in group["responses"]:
            group["responses"].append(response_id)
    return sorted(groups.values(), key=lambda g: (-g["count"], g["question"], g["flag"]))
