"""Spreadsheet import of responses (issue 4.7): the wide layout of KoboToolbox and ODK.

``import_responses(slug, path)`` reads the file (``responses/tabular.py``), checks every
value against the published version of the questionnaire (types and choices cell by
cell, then constraints, required and relevance for the whole response through
``questionnaires.engine.evaluate``), and writes everything in one transaction, or nothing
when any error was found. Every change is an audit event with ``via="import"``; an
unchanged answer is not touched, so importing the same file twice changes nothing.

Rows are keyed by the ``organisation`` column (an acronym of the registry) by default.
A past survey round whose rows are households or persons is keyed with ``key=COLUMN``
and ``organisation=ACRONYM``: every row becomes one response of that single organisation,
titled by the key's value; the organisation is created as a placeholder when missing.

``dry_run=True`` does everything but write: the web page checks a file first and shows
what would change (``views_import.py``), then imports it the same way.

Problems are English templates plus parameters (``tabular.Problem``); ``problem_text``
gives them in the active language (the catalogue of the responses app). Constraint and
required messages come from the form itself, in the ``language`` asked for.

The write logic lives here rather than in ``responses/services.py`` (owned by the
collection work): an import diffs whole responses and writes them in bulk.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.questionnaires.structure import Structure, template_path
from iocompendium.registry.models import Category, Organisation
from iocompendium.responses.models import Answer, AuditEvent, Response, ResponseStatus
from iocompendium.responses.tabular import (
    KEY_COLUMN,
    STATUS,
    ParsedFile,
    ParsedResponse,
    Problem,
    TabularFileError,
    fill,
    gettext_noop,
    parse_wide,
    read_sheets,
)

DEFAULT_STATUS = ResponseStatus.APPROVED
# The statuses an import may give (a review in progress is not imported).
IMPORT_STATUSES = [ResponseStatus.DRAFT, ResponseStatus.SUBMITTED, ResponseStatus.APPROVED]
BATCH = 2000
ENGINE_LANGUAGE = "en"
# A message of the form (constraint, required): already in the language asked for.
FORM_MESSAGE = "%(message)s"


class ImportFailed(Exception):
    """The import cannot start at all (no such questionnaire, unreadable file).

    ``str()`` is English; ``text()`` is in the active language."""

    def __init__(self, template: str, **params: object):
        super().__init__(fill(template, params))
        self.template, self.params = template, params

    def text(self) -> str:
        return fill(gettext(self.template), self.params)


def problem_text(problem: Problem) -> str:
    """A problem's sentence in the active language."""
    return fill(gettext(problem.template), problem.params)


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    applied: bool = False
    dry_run: bool = False
    responses_created: int = 0
    responses_changed: int = 0
    responses_unchanged: int = 0
    answers_written: int = 0
    answers_removed: int = 0
    organisations_created: list[str] = field(default_factory=list)  # acronyms
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def summary(self) -> str:
        """One sentence in the active language (the command's and the web page's)."""
        if self.errors:
            return gettext("Nothing imported: %(count)s error(s) in the file.") % {
                "count": len(self.errors)
            }
        counts = {
            "created": self.responses_created,
            "changed": self.responses_changed,
            "unchanged": self.responses_unchanged,
            "written": self.answers_written,
            "removed": self.answers_removed,
        }
        if self.dry_run:
            return gettext(
                "Checked, nothing written: %(created)s response(s) created, %(changed)s "
                "changed, %(unchanged)s unchanged; %(written)s answer(s) written, "
                "%(removed)s removed."
            ) % counts
        return gettext(
            "Imported: %(created)s response(s) created, %(changed)s changed, %(unchanged)s "
            "unchanged; %(written)s answer(s) written, %(removed)s removed."
        ) % counts


@dataclass
class ResponsePlan:
    """What one row of the file will become."""

    parsed: ParsedResponse
    organisation: Organisation | None
    title: str
    status: str
    answers: dict[str, str]  # the whole response after the import
    existing: Response | None = None


# --------------------------------------------------------------------------- entry points


def import_version(slug: str) -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.filter(slug=slug).first()
    if questionnaire is None:
        raise ImportFailed(gettext_noop("No questionnaire '%(slug)s'."), slug=slug)
    version = questionnaire.published_version()
    if version is None:
        raise ImportFailed(
            gettext_noop("Questionnaire '%(slug)s' has no published version to import into."),
            slug=slug,
        )
    return version


def import_responses(
    slug: str,
    path: Path | str,
    *,
    data: bytes | None = None,
    status: str | None = None,
    key: str | None = None,
    organisation: str | None = None,
    create_organisations: bool = False,
    user=None,
    dry_run: bool = False,
    language: str = ENGINE_LANGUAGE,
) -> ImportReport:
    """Import a wide .xlsx, .csv or .zip of CSVs; all or nothing. See the module docstring.

    ``create_organisations``: an acronym missing from the registry becomes a new
    organisation (name and category from the answers ``organisation/name`` and
    ``organisation/category`` when given) instead of an error of its row.
    ``dry_run``: check and count, write nothing. ``language``: of the form's messages."""
    version = import_version(slug)
    try:
        sheets = read_sheets(path, data)
    except TabularFileError as error:
        raise ImportFailed(error.template, **error.params) from error
    parsed = parse_wide(version.structure, sheets, key=key)
    return apply_parsed(
        version,
        parsed,
        status=status,
        organisation=organisation,
        user=user,
        key=key,
        create_organisations=create_organisations,
        dry_run=dry_run,
        language=language,
    )


def apply_parsed(
    version: QuestionnaireVersion,
    parsed: ParsedFile,
    *,
    status: str | None = None,
    organisation: str | None = None,
    user=None,
    key: str | None = None,
    validate: bool = True,
    create_organisations: bool = False,
    dry_run: bool = False,
    language: str = ENGINE_LANGUAGE,
) -> ImportReport:
    """Check the parsed file as whole responses, then write it if no error was found.

    Reading, checking and writing share one transaction: what was checked is what is
    written, and a failure part-way leaves nothing behind. A dry run opens none: on
    SQLite a transaction here takes the write lock (IMMEDIATE) and would hold up autosaves
    for as long as the check lasts."""
    if status is not None and status not in ResponseStatus.values:
        raise ImportFailed(
            gettext_noop("Unknown status '%(status)s'; use one of %(statuses)s."),
            status=status,
            statuses=", ".join(ResponseStatus.values),
        )
    report = ImportReport(problems=list(parsed.problems), dry_run=dry_run)
    with nullcontext() if dry_run else transaction.atomic():
        plans = _checked_plans(
            version,
            parsed,
            report,
            status=status,
            organisation=organisation,
            key=key,
            validate=validate,
            create_organisations=create_organisations,
            language=language,
        )
        if report.errors:
            return report
        _count(plans, report)
        if dry_run:
            return report
        for created in {p.organisation.acronym: p.organisation for p in plans}.values():
            if created.pk is None:
                created.save()
                report.notes.append(f"Created the organisation '{created.acronym}'.")
        _write(version, plans, user)
    report.applied = True
    return report


def _checked_plans(
    version: QuestionnaireVersion,
    parsed: ParsedFile,
    report: ImportReport,
    *,
    validate: bool,
    language: str,
    **options,
) -> list[ResponsePlan]:
    plans = _plan(version, parsed, report, **options)
    if validate:
        for plan in plans:
            report.problems.extend(validate_response(version.structure, plan, language))
    return plans


# --------------------------------------------------------------------------- planning


def placeholder_organisation(acronym: str) -> Organisation:
    """The organisation a respondent-keyed import files its rows under (unsaved if new)."""
    existing = Organisation.objects.filter(acronym=acronym).first()
    if existing is not None:
        return existing
    return Organisation(
        acronym=acronym,
        name_en=f"Imported respondents ({acronym})",
        name_fr=f"Répondants importés ({acronym})",
        category=Category.OTHER,
    )


def new_organisation(acronym: str, answers: Mapping[str, str]) -> Organisation:
    """An organisation named by its response (unsaved): its answers to the questions named
    ``category`` and ``name`` outside repeats (``organisation/category`` in the IO Survey)."""
    by_name = {path.rsplit("/", 1)[-1]: value for path, value in answers.items() if "[" not in path}
    category = by_name.get("category", "")
    return Organisation(
        acronym=acronym,
        name_en=by_name.get("name", "") or acronym,
        category=category if category in Category.values else Category.OTHER,
    )


def _plan(
    version: QuestionnaireVersion,
    parsed: ParsedFile,
    report: ImportReport,
    *,
    status: str | None,
    organisation: str | None,
    key: str | None,
    create_organisations: bool = False,
) -> list[ResponsePlan]:
    placeholder = placeholder_organisation(organisation) if organisation else None
    keys = {p.key for p in parsed.responses}
    known = (
        {} if placeholder else {o.acronym: o for o in Organisation.objects.filter(acronym__in=keys)}
    )
    existing = _existing_responses(version, placeholder, known)
    plans = []
    for row in parsed.responses:
        if placeholder is not None:
            owner, title = placeholder, row.key
        else:
            owner, title = known.get(row.key), row.title
            if owner is None and create_organisations:
                owner = known[row.key] = new_organisation(row.key, row.answers)
            if owner is None:
                report.problems.append(
                    Problem(
                        row.sheet,
                        row.row,
                        key or KEY_COLUMN,
                        gettext_noop(
                            "unknown organisation '%(acronym)s' (add it to the registry, or "
                            "import with the option to create missing organisations)."
                        ),
                        params={"acronym": row.key},
                    )
                )
                continue
        row_status = status or row.status or DEFAULT_STATUS
        if row_status not in ResponseStatus.values:
            report.problems.append(
                Problem(
                    row.sheet,
                    row.row,
                    STATUS,
                    gettext_noop("'%(status)s' is not a response status."),
                    params={"status": row_status},
                )
            )
            continue
        response = existing.get((owner.acronym, title))
        current = response.current if response is not None else {}
        plans.append(
            ResponsePlan(
                row,
                owner,
                title,
                row_status,
                merge_answers(current, row.answers, parsed.covered),
                response,
            )
        )
    return plans


def _existing_responses(version, placeholder, known) -> dict[tuple[str, str], Response]:
    organisations = [placeholder] if placeholder and placeholder.pk else list(known.values())
    responses = Response.objects.filter(version=version, organisation__in=organisations)
    found: dict[tuple[str, str], Response] = {}
    for response in responses.select_related("organisation").order_by("id"):
        found.setdefault((response.organisation.acronym, response.title), response)
    current: dict[int, dict[str, Answer]] = {r.pk: {} for r in found.values()}
    for answer in Answer.objects.filter(response__in=list(found.values())):
        current[answer.response_id][answer.path] = answer
    for response in found.values():
        response.current_answers = current[response.pk]
        response.current = {path: a.value for path, a in current[response.pk].items()}
    return found


def merge_answers(
    current: Mapping[str, str], imported: Mapping[str, str], covered: set[str]
) -> dict[str, str]:
    """The response after the import: the file decides every question it has a column for."""
    merged = {path: value for path, value in current.items() if template_path(path) not in covered}
    merged.update({path: value for path, value in imported.items() if value != ""})
    return merged


def validate_response(
    structure: Structure, plan: ResponsePlan, language: str = ENGINE_LANGUAGE
) -> list[Problem]:
    """Constraints, required answers and relevance of one whole response, by the engine."""
    from iocompendium.questionnaires.engine import evaluate

    problems = []
    row = plan.parsed
    for path, result in evaluate(structure, plan.answers, language).items():
        if path in row.rejected:
            continue  # its cell was refused and reported already
        sheet, row_number, column = row.locations.get(path, (row.sheet, row.row, path))
        given = plan.answers.get(path, "")
        if not result.get("relevant", True):
            if given != "":
                problems.append(
                    Problem(
                        sheet,
                        row_number,
                        column,
                        gettext_noop(
                            "answered although the question does not apply given the other answers."
                        ),
                        "warning",
                    )
                )
            continue
        error = result.get("error")
        if not error:
            continue
        missing_required = result.get("required") and result.get("value", "") == ""
        if missing_required and plan.status == ResponseStatus.DRAFT:
            continue  # a draft may be incomplete
        problems.append(Problem(sheet, row_number, column, FORM_MESSAGE, params={"message": error}))
    return problems


# --------------------------------------------------------------------------- writing


@dataclass
class PlanChanges:
    """What importing one row changes: answers (path, old answer or None, new value) in the
    row's order, answers removed, and whether the status moves."""

    answers: list[tuple[str, Answer | None, str]]
    removed: list[Answer]
    status_changed: bool

    @property
    def any(self) -> bool:
        return bool(self.answers or self.removed or self.status_changed)


def changes_of(plan: ResponsePlan) -> PlanChanges:
    current = plan.existing.current_answers if plan.existing is not None else {}
    answers = [
        (path, current.get(path), value)
        for path, value in plan.answers.items()
        if path not in current or current[path].value != value
    ]
    removed = [answer for path, answer in current.items() if path not in plan.answers]
    moved = plan.existing is not None and plan.existing.status != plan.status
    return PlanChanges(answers, removed, moved)


def _count(plans: Iterable[ResponsePlan], report: ImportReport) -> None:
    """The figures of the report, the same for a dry run and a real import."""
    for plan in plans:
        changes = changes_of(plan)
        report.answers_written += len(changes.answers)
        report.answers_removed += len(changes.removed)
        if plan.existing is None:
            report.responses_created += 1
        elif changes.any:
            report.responses_changed += 1
        else:
            report.responses_unchanged += 1
        acronym = plan.organisation.acronym
        if plan.organisation.pk is None and acronym not in report.organisations_created:
            report.organisations_created.append(acronym)


def _write(version: QuestionnaireVersion, plans: Iterable[ResponsePlan], user) -> None:
    now = timezone.now()
    actor_label = getattr(user, "username", "") or "import"
    new_answers: list[Answer] = []
    changed_answers: list[Answer] = []
    removed_ids: list[int] = []
    events: list[AuditEvent] = []

    def event(response, action, path, old, new):
        events.append(
            AuditEvent(
                response=response,
                actor=user,
                actor_label=actor_label,
                action=action,
                path=path,
                old_value=old,
                new_value=new,
                via=AuditEvent.Via.IMPORT,
            )
        )

    plans = list(plans)
    created_responses = _create_responses(version, [p for p in plans if p.existing is None])
    to_stamp: list[Response] = []
    for plan in plans:
        changes = changes_of(plan)
        response = plan.existing
        if response is None:
            response = created_responses[(plan.organisation.pk, plan.title)]
            event(response, "status", "", "", plan.status)
        for path, answer, value in changes.answers:
            if answer is None:
                new_answers.append(
                    Answer(response=response, path=path, value=value, updated_by=user)
                )
                event(response, "answer", path, "", value)
            else:
                event(response, "answer", path, answer.value, value)
                answer.value, answer.revision = value, answer.revision + 1
                answer.updated_by, answer.updated_at = user, now
                changed_answers.append(answer)
        for answer in changes.removed:
            removed_ids.append(answer.pk)
            event(response, "answer", answer.path, answer.value, "")
        if changes.status_changed:
            event(response, "status", "", response.status, plan.status)
            response.status = plan.status
        if changes.any or plan.existing is None:
            to_stamp.append(response)
    for start in range(0, len(removed_ids), BATCH):
        Answer.objects.filter(pk__in=removed_ids[start : start + BATCH]).delete()
    Answer.objects.bulk_create(new_answers, batch_size=BATCH)
    Answer.objects.bulk_update(
        changed_answers, ["value", "revision", "updated_by", "updated_at"], batch_size=BATCH
    )
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    # Saved last, once the answers are in: receivers of post_save (the instruments
    # registry syncs approved responses) see the imported answers.
    for response in to_stamp:
        _stamp(response, now)


def _create_responses(
    version: QuestionnaireVersion, plans: list[ResponsePlan]
) -> dict[tuple[int, str], Response]:
    """The new responses, in bulk (their post_save comes with ``_stamp``)."""
    created = Response.objects.bulk_create(
        [
            Response(
                organisation=plan.organisation,
                version=version,
                title=plan.title,
                status=plan.status,
                synthetic=plan.organisation.synthetic,
            )
            for plan in plans
        ],
        batch_size=BATCH,
    )
    if any(response.pk is None for response in created):  # a database without RETURNING
        created = list(
            Response.objects.filter(
                version=version, organisation__in=[p.organisation for p in plans]
            )
        )
    return {(response.organisation_id, response.title): response for response in created}


def _stamp(response: Response, now) -> None:
    """Dates that go with the status, and the last activity."""
    response.last_activity_at = now
    if (
        response.status
        in {ResponseStatus.SUBMITTED, ResponseStatus.IN_REVIEW, ResponseStatus.APPROVED}
        and response.submitted_at is None
    ):
        response.submitted_at = now
    if response.status == ResponseStatus.APPROVED and response.approved_at is None:
        response.approved_at = now
    # Progress is recomputed from the new answers (responses.services.fill_missing_progress).
    response.progress_answered = response.progress_relevant = None
    response.save(
        update_fields=[
            "status",
            "last_activity_at",
            "submitted_at",
            "approved_at",
            "progress_answered",
            "progress_relevant",
        ]
    )
