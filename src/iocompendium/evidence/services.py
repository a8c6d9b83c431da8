"""Writes and computations of the evidence: analyses, report files, report build jobs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from iocompendium.analysis.charts import chart_specs, render_svg
from iocompendium.analysis.coded import add_coded_tables
from iocompendium.analysis.coverage import coverage, report_keys
from iocompendium.analysis.tables import Analysis, Quote, analyse
from iocompendium.atomic import write_bytes_atomic
from iocompendium.coding.selectors import coded_questions, coding_fingerprint, final_passages
from iocompendium.evidence import reporting, selectors
from iocompendium.evidence.models import QuestionMark, QuoteMark, ReportJob
from iocompendium.evidence.selectors import (
    DEFAULT_STATUS,
    EvidenceError,
    analysed_version,
    evidence_data,
    fingerprint,
    group_key,
    personal_questions,
    publishable_quotes,
    statuses_for,
)
from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.responses.models import Answer

ANALYSIS_CACHE_SECONDS = 3600
REPORTS_FOLDER = "reports"
LANGUAGES = ("en", "fr")


@dataclass
class ComputedEvidence:
    version: QuestionnaireVersion
    analysis: Analysis
    synthetic: bool


def compute(
    slug: str, status_key: str = DEFAULT_STATUS, lang: str = "en", category: str = "",
    breakdown: str = "",
) -> ComputedEvidence:
    """The analysis of the current answers.

    Cached under a fingerprint of the answers (one cheap query), so that the dashboard and
    its chart images recompute only after an answer or a status changed."""
    if lang not in LANGUAGES:
        raise EvidenceError(f"Unknown language '{lang}'; use en or fr.")
    statuses = statuses_for(status_key)
    version = analysed_version(slug)
    coding = coding_fingerprint(version.questionnaire_id)
    key = (f"evidence:analysis:{fingerprint(slug, statuses)}:{coding}:{lang}:{category}:"
           f"{group_key()}:{breakdown}")
    cached = cache.get(key)
    if cached is None:
        data = evidence_data(slug, status_key, category or None, breakdown or None)
        analysis = analyse(
            data.version.structure,
            data.answers,
            lang=lang,
            respondents=data.respondents,
            relevance=data.relevance,
            flags=data.flags,
        )
        # Coded text questions get a table of their codes (coding reads responses and
        # feeds the evidence).
        add_coded_tables(analysis, data.answers, coded_questions(version.questionnaire_id, lang))
        cached = (analysis, data.synthetic)
        cache.set(key, cached, ANALYSIS_CACHE_SECONDS)
    analysis, synthetic = cached
    _add_code_quotes(analysis, slug, statuses)
    return ComputedEvidence(version, analysis, synthetic)


def _add_code_quotes(analysis: Analysis, slug: str, statuses) -> None:
    """Each coded table's quotes: the coded passages of the answers marked publishable
    (read on every call, outside the analysis cache, so a new mark shows at once). In
    these quotes ``category`` holds the code's name and ``path`` its label."""
    for table in analysis.tables:
        if not table.coded_from:
            continue
        quotes = publishable_quotes(slug, table.coded_from, statuses)
        passages = final_passages([quote.answer_id for quote in quotes])
        labels = {option.name: option.label for option in table.options}
        table.quotes = [
            Quote(organisation=quote.unit, category=name, path=labels.get(name, name),
                  text=text)
            for quote in quotes for name, text in passages.get(quote.answer_id, [])
        ]


# The instruments of the IO Survey (and of other sources) are grouped into families: its
# report shows them with their pictures.
FAMILIES_SURVEY = "io-survey"


def content_for(
    slug: str,
    status_key: str = DEFAULT_STATUS,
    lang: str = "en",
    category: str = "",
    *,
    with_charts: bool = True,
    progress: reporting.Progress | None = None,
    with_frameworks: bool = True,
    breakdown: str = "",
) -> reporting.ReportContent:
    """The report's content in ``lang`` (texts, tables, charts; the indicator frameworks
    over the questionnaire unless ``with_frameworks`` is False). ``breakdown``: what the
    cross-tabs break down by (``selectors.breakdown_choices``; default: the unit's own
    attribute)."""
    statuses_for(status_key)
    with translation.override(lang):
        by_title, by_labels = selectors.breakdown_labels(slug, breakdown, lang)
        computed = compute(slug, status_key, lang, category, breakdown)
        questionnaire = computed.version.questionnaire
        content = reporting.report_content(
            computed.analysis,
            slug=slug,
            title=questionnaire.title_in(lang),
            lang=lang,
            status_key=status_key,
            synthetic=computed.synthetic,
            category_filter=category,
            with_charts=with_charts,
            progress=progress,
            unit=(questionnaire.unit, questionnaire.unit_label_in(lang)),
            breakdown=(breakdown, by_title, by_labels),
        )
        if with_frameworks:
            content.frameworks = indicator_dashboards(slug, status_key, charts=with_charts)
        if slug == FAMILIES_SURVEY and with_charts:
            from iocompendium.instruments.selectors import report_families

            content.families = report_families(lang)
    structure = computed.version.structure
    content.coverage = coverage(structure, personal_questions(slug))
    content.keys = report_keys(structure)
    return content


def indicator_dashboards(slug: str, status_key: str, *, charts: bool) -> list:
    """The frameworks over the questionnaire, computed for the report (indicators feed
    evidence: evidence reads them, never the other way)."""
    from iocompendium.indicators.sources import dashboards_for_questionnaire

    return dashboards_for_questionnaire(slug, status_key, charts=charts)


def chart_svg(
    slug: str, status_key: str, lang: str, category: str, table_key: str, kind: str,
    breakdown: str = "",
) -> str:
    """The SVG of one chart of one table (``kind``: bars, distribution, map or crosstab);
    KeyError if none."""
    statuses_for(status_key)
    with translation.override(lang):
        by_title, by_labels = selectors.breakdown_labels(slug, breakdown, lang)
        computed = compute(slug, status_key, lang, category, breakdown)
        questionnaire = computed.version.questionnaire
        unit_label = (questionnaire.unit_label_in(lang)
                      if questionnaire.unit != "organisation" else "")
        table = computed.analysis.table(table_key)
        spec = chart_specs(table, reporting.chart_texts(unit_label, by_title),
                           {**reporting.category_labels(), **by_labels})[kind]
        return render_svg(spec)


def report_filename(slug: str, lang: str, fmt: str, status_key: str) -> str:
    return f"{slug}-report-{status_key}-{lang}.{fmt}"


def build_report(
    slug: str,
    *,
    lang: str = "en",
    fmt: str = "html",
    status_key: str = DEFAULT_STATUS,
    category: str = "",
    progress: reporting.Progress | None = None,
    allow_empty: bool = True,
    breakdown: str = "",
) -> tuple[str, bytes]:
    """(file name, content) of the results report in one format and language.

    ``allow_empty=False`` refuses a report of zero respondents (EvidenceError);
    ``breakdown``: what cross-tabs break down by (``selectors.breakdown_choices``)."""
    if fmt not in reporting.FORMATS:
        raise EvidenceError(
            f"Unknown report format '{fmt}'; use one of {', '.join(reporting.FORMATS)}."
        )
    content = content_for(
        slug, status_key, lang, category, with_charts=fmt in {"html", "pdf"}, progress=progress,
        breakdown=breakdown,
    )
    if not allow_empty and content.respondents == 0:
        raise EvidenceError(
            f"No response of '{slug}' is {status_key}: the report would be empty "
            "(use --allow-empty to write it anyway).")
    with translation.override(lang):
        data = reporting.build(fmt, content)
    return report_filename(slug, lang, fmt, status_key), data


# --------------------------------------------------------------------------- background jobs


def reports_dir() -> Path:
    folder = Path(settings.GENERATED_DIR) / REPORTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def job_file(job: ReportJob) -> Path:
    return reports_dir() / f"{job.pk}-{job.file_name}"


def request_report(
    user, slug: str, *, lang: str, fmt: str, status_key: str, category: str = "",
    breakdown: str = "",
) -> ReportJob:
    """Record a report build and hand it to the background worker."""
    from iocompendium.evidence.tasks import build_report_task

    if fmt not in reporting.FORMATS:
        raise EvidenceError(f"Unknown report format '{fmt}'.")
    if lang not in LANGUAGES:
        raise EvidenceError(f"Unknown language '{lang}'.")
    statuses_for(status_key)
    job = ReportJob.objects.create(
        questionnaire=slug, lang=lang, fmt=fmt, status_key=status_key, category=category,
        breakdown=breakdown,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    result = build_report_task.enqueue(str(job.pk))
    ReportJob.objects.filter(pk=job.pk, task_id="").update(task_id=result.id)
    job.refresh_from_db()
    return job


def run_report_job(job_id: str) -> str:
    """Build the report of a job (called by the worker); the file name when done."""
    job = ReportJob.objects.get(pk=job_id)
    # Claim the job: whoever runs it first (the worker, or "build now" from the web page
    # when no worker runs) builds it; the other finds it taken and leaves it.
    claimed = ReportJob.objects.filter(pk=job.pk, state=ReportJob.State.QUEUED).update(
        state=ReportJob.State.RUNNING
    )
    if not claimed:
        return job.file_name
    try:
        name, data = build_report(
            job.questionnaire, lang=job.lang, fmt=job.fmt, status_key=job.status_key,
            category=job.category, breakdown=job.breakdown,
        )
    except EvidenceError as error:
        _finish(job, state=ReportJob.State.FAILED, error=str(error))
        return ""
    except Exception as error:  # the worker records any failure on the job, then re-raises
        _finish(job, state=ReportJob.State.FAILED, error=f"{type(error).__name__}: {error}")
        raise
    job.file_name = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    write_bytes_atomic(job_file(job), data)
    _finish(job, state=ReportJob.State.DONE, file_name=job.file_name)
    return job.file_name


def _finish(job: ReportJob, **fields) -> None:
    ReportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **fields)


# The secretariat's publication marks (quotes publishable, questions personal).


def mark_quote(answer: Answer, publishable: bool, user=None) -> QuoteMark:
    """Mark one text answer publishable (or not) as a quote, for its current text."""
    mark, _created = QuoteMark.objects.update_or_create(
        answer=answer,
        defaults={
            "publishable": publishable,
            "answer_revision": answer.revision,
            "marked_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    return mark


def _question_mark(questionnaire: Questionnaire, question: str, user, **fields) -> QuestionMark:
    mark, _created = QuestionMark.objects.update_or_create(
        questionnaire=questionnaire,
        question=question,
        defaults={
            **fields,
            "marked_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    return mark


def mark_question_quotes(
    questionnaire: Questionnaire, question: str, publishable: bool, user=None
) -> QuestionMark:
    """Mark every answer to one question (template path) publishable as a quote, or none.

    Marks given to single answers are kept: they override the question's mark."""
    return _question_mark(questionnaire, question, user, quotes_publishable=publishable)


def mark_question_personal(
    questionnaire: Questionnaire, question: str, personal: bool, user=None
) -> QuestionMark:
    """Mark a question as personal data: left out of every public output."""
    return _question_mark(questionnaire, question, user, personal=personal)


def coverage_rows(slug: str) -> list:
    """Coverage of the questionnaire's analysed version (see ``analysis.coverage``)."""
    return coverage(analysed_version(slug).structure, personal_questions(slug))
