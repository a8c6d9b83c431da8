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

import hashlib
import io
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, field
from itertools import chain
from operator import attrgetter
from pathlib import Path
from typing import Any, Protocol

from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext

from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion, Unit
from iocompendium.questionnaires.structure import Structure, template_path
from iocompendium.registry.jurisdiction_services import find_jurisdiction, jurisdiction_index
from iocompendium.registry.models import Category, Jurisdiction, Organisation
from iocompendium.responses.models import (
    Answer,
    AuditEvent,
    ImportRun,
    Response,
    ResponseStatus,
)
from iocompendium.responses.tabular import (
    KEY_COLUMN,
    STATUS,
    ParsedFile,
    ParsedResponse,
    Problem,
    TabularFileError,
    fill,
    gettext_noop,
    read_sheets,
)
from iocompendium.responses.tabular.checking import ResponseStates, Verdict, verdicts_of
from iocompendium.responses.tabular.parsing import (
    CHUNK_ROWS,
    FLAG,
    FLAG_CONSTRAINT,
    FLAG_MISSING_REQUIRED,
    SKIP_REJECTED,
    STRICT,
    Counts,
    ParseOptions,
    WideParser,
    default_submission_key,
)
from iocompendium.responses.tabular.recodes import Recodes

DEFAULT_STATUS = ResponseStatus.APPROVED
# The statuses an import may give (a review in progress is not imported).
IMPORT_STATUSES = [ResponseStatus.DRAFT, ResponseStatus.SUBMITTED, ResponseStatus.APPROVED]
BATCH = 2000
SQLITE_ROWS = 100  # rows per INSERT statement on SQLite (``_insert_rows``)
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


class _Translatable(Protocol):
    template: str
    params: Mapping[str, Any]


def problem_text(problem: _Translatable) -> str:
    """A problem's sentence in the active language: any problem kept as an English template
    and its parameters (a response file's, an indicator framework workbook's)."""
    return fill(gettext(problem.template), problem.params)


class ProblemLog:
    """Every problem of an import, in the order found, without holding them all.

    A past round kept with policy "flag" may carry a million flagged values; beyond
    ``KEEP`` problems the earlier ones are pickled to a temporary file and read back, in
    order, when the log is iterated, so memory stays flat as the rows grow."""

    KEEP = 20_000

    def __init__(self, problems: Iterable[Problem] = ()) -> None:
        self._recent: list[Problem] = []
        self._file = None  # the temporary file of earlier problems, opened on first use
        self._batches: list[int] = []  # the file offset of each pickled batch
        self._spilled = 0
        self.severities: Counter = Counter()
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        self._recent.append(problem)
        self.severities[problem.severity] += 1
        if len(self._recent) >= self.KEEP:
            self._spill()

    def extend(self, problems: Iterable[Problem]) -> None:
        for problem in problems:
            self.append(problem)

    def _spill(self) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the log
        self._file.seek(0, io.SEEK_END)
        self._batches.append(self._file.tell())
        # As plain tuples: pickling a million dataclass instances cost a tenth of an import.
        rows = list(map(astuple_of, self._recent))
        pickle.dump(rows, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._spilled += len(self._recent)
        self._recent = []

    def __iter__(self) -> Iterator[Problem]:
        # Only this process's own pickles are read back (never anything from outside).
        for offset in list(self._batches):
            self._file.seek(offset)
            for row in pickle.load(self._file):  # noqa: S301
                yield Problem(*row)
        yield from list(self._recent)

    def __len__(self) -> int:
        return self._spilled + len(self._recent)

    def __bool__(self) -> bool:
        return len(self) > 0

    def of(self, severity: str) -> list[Problem]:
        if not self.severities[severity]:
            return []
        return [problem for problem in self if problem.severity == severity]


# A problem's fields in order (``Problem(*fields)`` gives it back).
astuple_of = attrgetter("sheet", "row", "column", "template", "severity", "params", "flag",
                        "question")


@dataclass
class ImportReport:
    problems: ProblemLog = field(default_factory=ProblemLog)
    applied: bool = False
    dry_run: bool = False
    responses_created: int = 0
    responses_changed: int = 0
    responses_unchanged: int = 0
    answers_written: int = 0
    answers_removed: int = 0
    organisations_created: list[str] = field(default_factory=list)  # acronyms
    notes: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    layout: dict = field(default_factory=dict)
    policy: str = STRICT
    unit: str = Unit.ORGANISATION
    key_column: str = ""
    respondent_column: str = ""
    recodes: list[dict[str, str]] = field(default_factory=list)
    recoded: int = 0  # cells whose value a recode replaced
    import_run: int | None = None  # the ImportRun's id once written

    def as_json(self) -> dict:
        """The ``responses import --json`` object (the Contract)."""
        return {
            **self.counts.as_dict(),
            "applied": self.applied,
            "dry_run": self.dry_run,
            "unit": self.unit,
            "policy": self.policy,
            "key": self.key_column,
            "respondent_column": self.respondent_column,
            "layout": self.layout,
            "recodes": self.recodes,
            "recoded": self.recoded,
            "responses": {
                "created": self.responses_created,
                "changed": self.responses_changed,
                "unchanged": self.responses_unchanged,
            },
            "answers": {"written": self.answers_written, "removed": self.answers_removed},
            "errors": self.problems.severities["error"],
            "warnings": self.problems.severities["warning"],
            "import_run": self.import_run,
        }

    def counts_line(self) -> str:
        """Nothing lost, in one sentence (the command's and the web page's)."""
        counts = self.counts
        skipped = ", ".join(f"{reason} {n}" for reason, n in sorted(counts.skipped.items()))
        return gettext(
            "%(rows)s row(s); %(values)s value(s) in the file = %(stored)s stored "
            "(%(flagged)s flagged) + %(skipped)s skipped (%(reasons)s)."
        ) % {
            "rows": counts.rows,
            "values": counts.values_in_file,
            "stored": counts.stored,
            "flagged": counts.as_dict()["flagged"],
            "skipped": sum(counts.skipped.values()),
            "reasons": skipped or "-",
        }

    @property
    def errors(self) -> list[Problem]:
        return self.problems.of("error")

    @property
    def warnings(self) -> list[Problem]:
        return self.problems.of("warning")

    @property
    def has_errors(self) -> bool:
        return self.problems.severities["error"] > 0

    def refused(self) -> None:
        """Nothing was written: the figures of what would have been written go."""
        self.responses_created = self.responses_changed = self.responses_unchanged = 0
        self.answers_written = self.answers_removed = 0
        self.organisations_created, self.notes = [], []
        self.applied, self.import_run = False, None

    def summary(self) -> str:
        """One sentence in the active language (the command's and the web page's)."""
        if self.has_errors:
            return gettext("Nothing imported: %(count)s error(s) in the file.") % {
                "count": self.problems.severities["error"]
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
    jurisdiction: Jurisdiction | None = None
    unit_key: str = ""
    # Answer path -> the problem it is kept with (policy "flag"); absent: valid.
    flags: dict[str, str] = field(default_factory=dict)
    changes: PlanChanges | None = None  # set by plan_changes once the plan is checked

    @property
    def unit(self) -> tuple:
        """Which respondent the response belongs to, comparable across plans and rows."""
        if self.organisation is not None:
            return ("organisation", self.organisation.acronym)
        if self.jurisdiction is not None:
            return ("jurisdiction", self.jurisdiction.pk)
        return ("submission", self.unit_key)


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


@dataclass
class ImportOptions:
    """Everything a user chooses for an import (the command's options, the web form)."""

    status: str | None = None
    key: str | None = None  # the column identifying each row (submission key)
    respondent_column: str | None = None  # the column naming the organisation/jurisdiction
    organisation: str | None = None  # file every row under this organisation (legacy)
    create_organisations: bool = False
    policy: str = STRICT
    recodes: Recodes | None = None
    dry_run: bool = False
    language: str = ENGINE_LANGUAGE


def import_responses(
    slug: str,
    path: Path | str,
    *,
    data: bytes | None = None,
    status: str | None = None,
    key: str | None = None,
    respondent_column: str | None = None,
    organisation: str | None = None,
    create_organisations: bool = False,
    policy: str = STRICT,
    recodes: Recodes | None = None,
    user=None,
    dry_run: bool = False,
    language: str = ENGINE_LANGUAGE,
) -> ImportReport:
    """Import a wide .xlsx, .csv or .zip of CSVs; all or nothing. See the module docstring.

    ``key``: the column identifying each row (a submission's key; for organisations, the
    acronym column unless ``respondent_column`` names it). ``respondent_column``: the column
    naming each row's organisation or jurisdiction. ``policy``: "strict" refuses the file
    on any problem; "flag" keeps problem values, marked with their problem. ``recodes``:
    file values mapped to the form's before checking. ``create_organisations``: an acronym
    missing from the registry becomes a new organisation instead of an error of its row.
    ``dry_run``: check and count, write nothing. ``language``: of the form's messages."""
    options = ImportOptions(
        status=status,
        key=key,
        respondent_column=respondent_column,
        organisation=organisation,
        create_organisations=create_organisations,
        policy=policy,
        recodes=recodes,
        dry_run=dry_run,
        language=language,
    )
    return run_import(slug, path, options, data=data, user=user)


def run_import(
    slug: str, path: Path | str, options: ImportOptions, *, data: bytes | None = None, user=None
) -> ImportReport:
    version = import_version(slug)
    if options.policy not in {STRICT, FLAG}:
        raise ImportFailed(
            gettext_noop("Unknown policy '%(policy)s'; use strict or flag."), policy=options.policy
        )
    try:
        sheets = read_sheets(path, data)
        digest = _sha256(Path(path), data)
        unit = version.questionnaire.unit
        parse_options = _parse_options(unit, options, sheets)
        parser = WideParser(version.structure, sheets, parse_options)
        return _apply(
            version,
            parser,
            status=options.status,
            organisation=options.organisation,
            user=user,
            key=parse_options.key,
            create_organisations=options.create_organisations,
            dry_run=options.dry_run,
            language=options.language,
            policy=options.policy,
            source=(Path(path).name, digest),
            respondent_column=options.respondent_column or "",
            recodes=options.recodes,
        )
    except TabularFileError as error:
        raise ImportFailed(error.template, **error.params) from error


def _sha256(path: Path, data: bytes | None) -> str:
    if data is not None:
        return hashlib.sha256(data).hexdigest()
    with path.open("rb") as handle:  # read in blocks: a large file is never held whole
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _parse_options(unit: str, options: ImportOptions, sheets) -> ParseOptions:
    """Which column identifies a row, by the questionnaire's unit (see ``run_import``)."""
    key, title_column = options.key, None
    if unit == Unit.SUBMISSION:
        if key is None and sheets:
            key = default_submission_key(sheets[0])
    elif options.respondent_column and not options.organisation:
        key, title_column = options.respondent_column, options.key
    elif unit == Unit.JURISDICTION and key is None:
        key = _first_header(sheets, JURISDICTION_HEADERS)
    return ParseOptions(
        key=key, title_column=title_column, policy=options.policy, recodes=options.recodes
    )


# Headers naming a row's jurisdiction when no --respondent-column is given.
JURISDICTION_HEADERS = ("jurisdiction", "country", "iso3", "country_code", "economy")


def _first_header(sheets, candidates) -> str | None:
    if not sheets:
        return None
    headers = {h.strip().lower(): h for h in sheets[0].headers}
    return next((headers[c] for c in candidates if c in headers), None)


def apply_parsed(version: QuestionnaireVersion, parsed: ParsedFile, **options) -> ImportReport:
    """Check a file parsed whole (``parse_wide``) as whole responses and write it if no
    error was found; the options of ``_apply``. ``run_import`` streams a file instead."""
    return _apply(version, _WholeFile(parsed), **options)


class _WholeFile:
    """A file parsed whole, read as one chunk (what ``_apply`` reads; ``WideParser`` too)."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.problems = list(parsed.problems)
        self.counts, self.covered, self.layout = parsed.counts, parsed.covered, parsed.layout

    def chunks(self, size: int) -> Iterator[list[ParsedResponse]]:
        yield self.parsed.responses


class _Refused(Exception):
    """Raised inside the import's transaction to roll it back: the file has an error."""


def _apply(
    version: QuestionnaireVersion,
    reader: WideParser | _WholeFile,
    *,
    status: str | None = None,
    organisation: str | None = None,
    user=None,
    key: str | None = None,
    validate: bool = True,
    create_organisations: bool = False,
    dry_run: bool = False,
    language: str = ENGINE_LANGUAGE,
    policy: str = STRICT,
    source: tuple[str, str] | None = None,
    respondent_column: str = "",
    recodes: Recodes | None = None,
) -> ImportReport:
    """Check the file chunk by chunk as whole responses and write each chunk while no
    error has been found; all in one transaction, rolled back if any error turns up.

    Streaming keeps memory flat (docs/benchmarks.md, issue 11): a chunk's responses are
    parsed, checked and written, then dropped. After the first error nothing more is
    written but every chunk is still checked, so that every problem is reported, row by
    row, as a dry run reports them; then the transaction is rolled back (all or nothing).
    A dry run opens no transaction: on SQLite one takes the write lock (IMMEDIATE) and
    would hold up autosaves for as long as the check lasts."""
    if status is not None and status not in ResponseStatus.values:
        raise ImportFailed(
            gettext_noop("Unknown status '%(status)s'; use one of %(statuses)s."),
            status=status,
            statuses=", ".join(ResponseStatus.values),
        )
    report = ImportReport(
        dry_run=dry_run,
        counts=reader.counts,
        layout=reader.layout.as_dict() if reader.layout else {},
        policy=policy,
        unit=version.questionnaire.unit,
        key_column=key or "",
        respondent_column=respondent_column,
        recodes=recodes.rows() if recodes else [],
    )
    stream = _Stream(
        version, report, units=_Units(
            version, organisation=organisation, create_organisations=create_organisations,
            key_column=key or KEY_COLUMN,
        ),
        checker=ResponseChecker(version.structure, language, policy) if validate else None,
        status=status, covered=reader.covered,
    )
    try:
        with nullcontext() if dry_run else transaction.atomic():
            for chunk in reader.chunks(CHUNK_ROWS):
                report.problems.extend(reader.problems)
                reader.problems.clear()
                plans = stream.plan(chunk)
                if dry_run or report.has_errors:
                    continue  # check the rest, write nothing more
                stream.write(plans, user, source, status)
            report.problems.extend(reader.problems)
            reader.problems.clear()
            stream.final_counts()
            report.recoded = sum(recodes.used.values()) if recodes else 0
            if report.has_errors and not dry_run:
                raise _Refused
            if stream.run is not None:
                stream.run.counts = report.counts.as_dict()
                stream.run.save(update_fields=["counts"])
    except _Refused:
        pass
    if report.has_errors:
        report.refused()
        return report
    report.import_run = stream.run.pk if stream.run is not None else None
    report.applied = not dry_run
    return report


class _Stream:
    """What carries over from one chunk of an import to the next."""

    def __init__(self, version, report, *, units, checker, status, covered) -> None:
        self.version, self.report, self.units, self.checker = version, report, units, checker
        self.status, self.covered = status, covered
        self.run: ImportRun | None = None
        self.stored = 0
        self.flagged: Counter = Counter()

    def plan(self, chunk: list[ParsedResponse]) -> list[ResponsePlan]:
        """The chunk's plans, checked by the engine; problems and counts in the report."""
        report = self.report
        plans = _plan(self.version, chunk, self.covered, report, self.units, status=self.status)
        if self.checker is not None:
            for plan in plans:
                report.problems.extend(self.checker.problems(plan))
        planned = {id(plan.parsed) for plan in plans}
        report.counts.skip(SKIP_REJECTED, sum(p.stored for p in chunk if id(p) not in planned))
        for plan in plans:
            self.stored += plan.parsed.stored
            for flag in plan.flags.values():
                self.flagged[flag] += 1
        _count(plans, report)
        return plans

    def final_counts(self) -> None:
        """Stored and flagged values of the rows planned (refused rows moved to skipped)."""
        counts = self.report.counts
        counts.stored = self.stored
        counts.flagged.clear()
        counts.flagged.update(self.flagged)

    def write(self, plans: list[ResponsePlan], user, source_file, status) -> None:
        report = self.report
        for created in {p.organisation.acronym: p.organisation for p in plans
                        if p.organisation is not None}.values():
            if created.pk is None:
                created.save()
                report.notes.append(f"Created the organisation '{created.acronym}'.")
        if self.run is None and source_file:
            self.run = _import_run(self.version, report, source_file, status, user)
        _write(self.version, plans, user, self.run)


def _import_run(version, report: ImportReport, source, status, user) -> ImportRun:
    """The record of the import: file, options, recodes and counts, for audit and re-runs.

    Written before the first chunk (its responses point to it); its counts are completed
    once the whole file is read."""
    return ImportRun.objects.create(
        questionnaire_version=version,
        file_name=source[0][:255],
        file_sha256=source[1],
        layout=report.layout,
        policy=report.policy,
        key_column=report.key_column[:200],
        respondent_column=report.respondent_column[:200],
        status=status or "",
        recodes=report.recodes,
        counts=report.counts.as_dict(),
        created_by=user if getattr(user, "pk", None) else None,
    )


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


class _Units:
    """Finds the respondent unit of each row, by the questionnaire's unit."""

    def __init__(self, version, *, organisation, create_organisations, key_column) -> None:
        self.unit = version.questionnaire.unit
        self.placeholder = placeholder_organisation(organisation) if organisation else None
        self.create = create_organisations
        self.key_column = key_column
        self.known: dict[str, Organisation] = {}
        self.jurisdictions: dict = {}
        if self.unit == Unit.JURISDICTION:
            self.jurisdictions = jurisdiction_index()

    def prepare(self, chunk: list[ParsedResponse]) -> None:
        """Look up the organisations a chunk's rows name (kept for the next chunks)."""
        if self.placeholder is not None or self.unit != Unit.ORGANISATION:
            return
        keys = {p.key for p in chunk} - self.known.keys()
        self.known.update(
            (o.acronym, o) for o in Organisation.objects.filter(acronym__in=keys)
        )

    def of(self, row: ParsedResponse) -> tuple[dict | None, Problem | None]:
        """(unit fields of the plan, or None with the problem)."""
        if self.placeholder is not None:
            return {"organisation": self.placeholder, "title": row.key}, None
        if self.unit == Unit.SUBMISSION:
            return {"organisation": None, "unit_key": row.key, "title": row.title}, None
        if self.unit == Unit.JURISDICTION:
            found = find_jurisdiction(row.key, self.jurisdictions)
            if found is None:
                return None, self._unknown(
                    row,
                    gettext_noop(
                        "unknown jurisdiction '%(name)s' (use an ISO 3166 code or name, or "
                        "add it with 'iocompendium jurisdictions add')."
                    ),
                    {"name": row.key},
                )
            return {"organisation": None, "jurisdiction": found, "title": row.title}, None
        owner = self.known.get(row.key)
        if owner is None and self.create:
            owner = self.known[row.key] = new_organisation(row.key, row.answers)
        if owner is None:
            return None, self._unknown(
                row,
                gettext_noop(
                    "unknown organisation '%(acronym)s' (add it to the registry, or "
                    "import with the option to create missing organisations)."
                ),
                {"acronym": row.key},
            )
        return {"organisation": owner, "title": row.title}, None

    def _unknown(self, row: ParsedResponse, template: str, params: dict) -> Problem:
        return Problem(row.sheet, row.row, self.key_column, template, params=params)


def _plan(
    version: QuestionnaireVersion,
    chunk: list[ParsedResponse],
    covered: set[str],
    report: ImportReport,
    units: _Units,
    *,
    status: str | None,
) -> list[ResponsePlan]:
    """What each row of the chunk becomes; rows whose unit or status is wrong are reported."""
    units.prepare(chunk)
    located = []
    for row in chunk:
        fields, problem = units.of(row)
        if problem is not None:
            report.problems.append(problem)
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
        located.append((row, fields, row_status))
    existing = _existing_responses(version, [fields for _row, fields, _status in located])
    plans = []
    for row, fields, row_status in located:
        plan = ResponsePlan(row, status=row_status, answers={}, **fields)
        plan.existing = existing.get((plan.unit, plan.title))
        current = plan.existing.current if plan.existing is not None else {}
        plan.answers = merge_answers(current, row.answers, covered)
        plan.flags = dict(row.flags)
        plans.append(plan)
    return plans


def _existing_responses(version, located: list[dict]) -> dict[tuple, Response]:
    """The version's responses of the units in the file, by (unit, title), with answers."""
    organisations = {f["organisation"].pk for f in located if f.get("organisation") and
                     f["organisation"].pk}
    jurisdictions = {f["jurisdiction"].pk for f in located if f.get("jurisdiction")}
    keys = {f["unit_key"] for f in located if f.get("unit_key")}
    # By title too: a streamed import asks per chunk, and a placeholder organisation may
    # hold every response of the file.
    titles = {f["title"] for f in located}
    responses = Response.objects.filter(version=version).filter(
        Q(organisation__in=organisations, title__in=titles)
        | Q(jurisdiction__in=jurisdictions, title__in=titles)
        | Q(unit_key__in=keys)
    )
    found: dict[tuple, Response] = {}
    for response in responses.select_related("organisation").order_by("id"):
        if response.organisation_id:
            unit = ("organisation", response.organisation.acronym)
        elif response.jurisdiction_id:
            unit = ("jurisdiction", response.jurisdiction_id)
        else:
            unit = ("submission", response.unit_key)
        found.setdefault((unit, response.title), response)
    current: dict[int, dict[str, Answer]] = {r.pk: {} for r in found.values()}
    ids = list(current)
    for start in range(0, len(ids), BATCH):
        for answer in Answer.objects.filter(response_id__in=ids[start : start + BATCH]):
            current[answer.response_id][answer.path] = answer
    for response in found.values():
        response.version = version  # one shared structure for every response's receivers
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
    structure: Structure,
    plan: ResponsePlan,
    language: str = ENGINE_LANGUAGE,
    *,
    policy: str = STRICT,
    verdicts: Iterable[Verdict] | None = None,
) -> list[Problem]:
    """Constraints, required answers and relevance of one whole response, by the engine.

    ``verdicts``: the engine's, when the caller has them (``ResponseStates``); else the
    response is evaluated here. Policy "flag": a failed constraint marks the answer (kept
    as given); a missing required answer is recorded as an empty answer marked
    ``missing_required``."""
    if verdicts is None:
        from iocompendium.questionnaires.engine import evaluate

        verdicts = verdicts_of(evaluate(structure, plan.answers, language))
    problems = []
    row = plan.parsed
    for path, relevant, error, missing_required in verdicts:
        if relevant and not error:
            continue  # most verdicts: nothing to say
        if path in row.rejected or path in plan.flags:
            continue  # its cell was refused or flagged and reported already
        if not relevant:
            if plan.answers.get(path, "") != "":
                sheet, row_number, column = row.locations.get(path, (row.sheet, row.row, path))
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
        if not error:
            continue
        if missing_required and plan.status == ResponseStatus.DRAFT:
            continue  # a draft may be incomplete
        sheet, row_number, column = row.locations.get(path, (row.sheet, row.row, path))
        flag = FLAG_MISSING_REQUIRED if missing_required else FLAG_CONSTRAINT
        severity = "error"
        if policy == FLAG:
            severity = "flag"
            plan.flags[path] = flag
            if missing_required:
                plan.answers[path] = ""
        problems.append(
            Problem(
                sheet, row_number, column, FORM_MESSAGE, severity, {"message": error},
                flag=flag, question=template_path(path),
            )
        )
    return problems


class ResponseChecker:
    """Checks the whole responses of one import by the engine, its verdicts remembered per
    question (``tabular.checking.ResponseStates``)."""

    def __init__(self, structure: Structure, language: str, policy: str) -> None:
        self.structure, self.language, self.policy = structure, language, policy
        self.states = ResponseStates(structure, language)

    def problems(self, plan: ResponsePlan) -> list[Problem]:
        return validate_response(self.structure, plan, self.language, policy=self.policy,
                                 verdicts=self.states.verdicts(plan.answers))


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
        if path not in current
        or current[path].value != value
        or current[path].flag != plan.flags.get(path)
    ]
    removed = [answer for path, answer in current.items() if path not in plan.answers]
    moved = plan.existing is not None and plan.existing.status != plan.status
    return PlanChanges(answers, removed, moved)


def plan_changes(plan: ResponsePlan) -> PlanChanges:
    """``changes_of(plan)``, worked out once (counted, then written)."""
    if plan.changes is None:
        plan.changes = changes_of(plan)
    return plan.changes


def _count(plans: Iterable[ResponsePlan], report: ImportReport) -> None:
    """The figures of the report, the same for a dry run and a real import."""
    for plan in plans:
        changes = plan_changes(plan)
        report.answers_written += len(changes.answers)
        report.answers_removed += len(changes.removed)
        if plan.existing is None:
            report.responses_created += 1
        elif changes.any:
            report.responses_changed += 1
        else:
            report.responses_unchanged += 1
        if plan.organisation is None:
            continue
        acronym = plan.organisation.acronym
        if plan.organisation.pk is None and acronym not in report.organisations_created:
            report.organisations_created.append(acronym)


def _write(
    version: QuestionnaireVersion, plans: Iterable[ResponsePlan], user, run: ImportRun | None = None
) -> None:
    now = timezone.now()
    # Values as the database takes them, prepared once: rows, not model instances, since
    # building and compiling millions of Answer and AuditEvent objects cost most of an
    # import's time (docs/benchmarks.md, issue 11).
    at = AuditEvent._meta.get_field("at").get_db_prep_save(now, connection)
    actor_label = getattr(user, "username", "") or "import"
    user_id = getattr(user, "pk", None)
    new_answers: list[tuple] = []
    changed_answers: list[Answer] = []
    removed_ids: list[int] = []
    events: list[tuple] = []
    via = AuditEvent.Via.IMPORT.value

    def event(response_id, action, path, old, new):
        events.append((response_id, at, user_id, actor_label, action, path, old, new, via))

    plans = list(plans)
    created_responses = _create_responses(version, [p for p in plans if p.existing is None], run)
    to_stamp: list[Response] = []
    for plan in plans:
        changes = plan_changes(plan)
        response = plan.existing
        if response is None:
            response = created_responses[(plan.unit, plan.title)]
            event(response.pk, "status", "", "", plan.status)
        response_id, flags = response.pk, plan.flags
        for path, answer, value in changes.answers:
            if answer is None:
                new_answers.append((response_id, path, value, flags.get(path), 1, user_id, at))
                events.append((response_id, at, user_id, actor_label, "answer", path, "", value,
                               via))
            else:
                event(response_id, "answer", path, answer.value, value)
                answer.flag = flags.get(path)
                answer.value, answer.revision = value, answer.revision + 1
                answer.updated_by, answer.updated_at = user, now
                changed_answers.append(answer)
        for answer in changes.removed:
            removed_ids.append(answer.pk)
            event(response_id, "answer", answer.path, answer.value, "")
        if changes.status_changed:
            event(response_id, "status", "", response.status, plan.status)
            response.status = plan.status
        if changes.any or plan.existing is None:
            if run is not None:
                response.import_run = run
            # For the post_save receivers (instruments sync): the answers as now stored.
            response.imported_answers = plan.answers
            response.imported_new = plan.existing is None
            to_stamp.append(response)
    for start in range(0, len(removed_ids), BATCH):
        Answer.objects.filter(pk__in=removed_ids[start : start + BATCH]).delete()
    _insert_rows(Answer, ["response", "path", "value", "flag", "revision", "updated_by",
                          "updated_at"], new_answers)
    Answer.objects.bulk_update(
        changed_answers, ["value", "flag", "revision", "updated_by", "updated_at"],
        batch_size=BATCH,
    )
    _insert_rows(AuditEvent, ["response", "at", "actor", "actor_label", "action", "path",
                              "old_value", "new_value", "via"], events)
    # Stamped last, once the answers are in: receivers of post_save (the instruments
    # registry syncs approved responses, the search index) see the imported answers.
    _stamp(to_stamp, now, run)


def _insert_rows(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert plain rows in the caller's transaction (no model instances).

    Values must already be what the database takes (datetimes by ``get_db_prep_save``).
    PostgreSQL: one ``COPY ... FROM STDIN`` (psycopg 3), several times faster than
    INSERTs for both the client and the server. SQLite: INSERTs of 100 rows each on the
    driver's own connection (Django's cursor wrapper only rewrites the marks and logs)."""
    if not rows:
        return
    meta = model._meta
    quote = connection.ops.quote_name
    # Table and column names come from the models' metadata, quoted; values are parameters.
    table = quote(meta.db_table)
    names = ", ".join(quote(meta.get_field(name).column) for name in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        if connection.vendor == "sqlite":
            # Many rows per INSERT: SQLite's own cost per statement (bind, step, reset) was
            # as large as the row's; 100 rows keep under the 999 parameters of old builds.
            raw = connection.connection
            mark = "(" + ", ".join(["?"] * len(fields)) + ")"
            per = max(1, min(SQLITE_ROWS, 999 // len(fields)))
            full = f"INSERT INTO {table} ({names}) VALUES {', '.join([mark] * per)}"  # noqa: S608
            for start in range(0, len(rows), per):
                part = rows[start : start + per]
                sql = full if len(part) == per else (
                    f"INSERT INTO {table} ({names}) VALUES {', '.join([mark] * len(part))}")  # noqa: S608
                raw.execute(sql, list(chain.from_iterable(part)))
            return
        marks = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start : start + BATCH])


def _create_responses(
    version: QuestionnaireVersion, plans: list[ResponsePlan], run: ImportRun | None = None
) -> dict[tuple, Response]:
    """The new responses, in bulk (their post_save comes with ``_stamp``)."""
    created = Response.objects.bulk_create(
        [
            Response(
                organisation=plan.organisation,
                jurisdiction=plan.jurisdiction,
                unit_key=plan.unit_key,
                version=version,
                title=plan.title,
                status=plan.status,
                synthetic=bool(plan.organisation and plan.organisation.synthetic),
                import_run=run,
            )
            for plan in plans
        ],
        batch_size=BATCH,
    )
    by_unit = {}
    for plan, response in zip(plans, created, strict=True):
        if response.pk is None:  # a database without RETURNING
            response = Response.objects.filter(
                version=version, organisation=plan.organisation,
                jurisdiction=plan.jurisdiction, unit_key=plan.unit_key, title=plan.title,
            ).latest("id")
        by_unit[(plan.unit, plan.title)] = response
    return by_unit


def _stamp(responses: list[Response], now, run: ImportRun | None) -> None:
    """Dates that go with the status, and the last activity: one UPDATE per status, then
    the post_save signal of each response, as ``save()`` would send it."""
    fields = ["import_run", "status", "last_activity_at", "submitted_at", "approved_at",
              "progress_answered", "progress_relevant"]
    submitted = {ResponseStatus.SUBMITTED, ResponseStatus.IN_REVIEW, ResponseStatus.APPROVED}
    by_status: dict[str, list[Response]] = {}
    for response in responses:
        by_status.setdefault(response.status, []).append(response)
    for status, group in by_status.items():
        values = {
            "status": status, "last_activity_at": now,
            # Progress is recomputed from the new answers (services.fill_missing_progress).
            "progress_answered": None, "progress_relevant": None,
        }
        if run is not None:
            values["import_run"] = run
        if status in submitted:
            values["submitted_at"] = Coalesce("submitted_at", Value(now))
        if status == ResponseStatus.APPROVED:
            values["approved_at"] = Coalesce("approved_at", Value(now))
        ids = [response.pk for response in group]
        for start in range(0, len(ids), BATCH):
            Response.objects.filter(pk__in=ids[start : start + BATCH]).update(**values)
        for response in group:
            response.last_activity_at = now
            response.progress_answered = response.progress_relevant = None
            if status in submitted and response.submitted_at is None:
                response.submitted_at = now
            if status == ResponseStatus.APPROVED and response.approved_at is None:
                response.approved_at = now
            post_save.send(Response, instance=response, created=False, update_fields=fields,
                           raw=False, using=connection.alias)
