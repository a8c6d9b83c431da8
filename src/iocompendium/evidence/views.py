"""The evidence dashboard (secretariat only), report builds and downloads."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from iocompendium.evidence import reporting, selectors, services
from iocompendium.evidence.models import ReportJob
from iocompendium.questionnaires.models import Questionnaire
from iocompendium.registry.models import Category
from iocompendium.responses import selectors as responses_selectors
from iocompendium.web.roles import secretariat_only

EXPORT_FORMATS = ("long-csv", "wide-csv", "wide-xlsx", "json", "dictionary")


def _filters(request) -> tuple[str, str, str]:
    slug = request.GET.get("questionnaire") or selectors.DEFAULT_SLUG
    status_key = request.GET.get("status") or selectors.DEFAULT_STATUS
    if status_key not in selectors.STATUS_SETS:
        status_key = selectors.DEFAULT_STATUS
    category = request.GET.get("category", "")
    if category not in Category.values:
        category = ""
    return slug, status_key, category


def _group(request, slug: str):
    """The survey round (or other grouping of responses) chosen on the page: the filters
    to show, and the block within which the evidence counts only that group."""
    questionnaire = Questionnaire.objects.filter(slug=slug).first()
    groupings = responses_selectors.grouping_filters(questionnaire, request.GET)
    key = "&".join(f"{item.param}={item.value}" for item in groupings if item.value)
    return groupings, selectors.only_group(
        key, responses_selectors.grouped_response_ids(groupings))
def _breakdown(request, slug: str) -> str:
    """The ``by`` filter: one of the questionnaire's breakdowns, else the default ("")."""
    by = (request.POST if request.method == "POST" else request.GET).get("by", "")
    return by if by and by in dict(selectors.breakdown_choices(slug, _lang())) else ""


def _lang() -> str:
    return "fr" if (get_language() or "en").startswith("fr") else "en"


@require_GET
@secretariat_only
def index(request):
    """Every table and chart per theme, computed from the current answers."""
    slug, status_key, category = _filters(request)
    groupings, only_group = _group(request, slug)
    breakdown = _breakdown(request, slug)
    questionnaires = selectors.questionnaires_with_versions()
    context = {
        "slug": slug, "status_key": status_key, "category": category, "groupings": groupings,
        "breakdown": breakdown, "breakdowns": selectors.breakdown_choices(slug, _lang()),
        "questionnaires": questionnaires, "categories": Category.choices,
        "status_choices": [
            ("approved", _("Approved only")),
            ("submitted", _("All submitted (submitted, in review, approved)")),
        ],
        "formats": reporting.FORMATS, "export_formats": EXPORT_FORMATS,
        "category_labels": reporting.category_labels(),
        "jobs": ReportJob.objects.filter(questionnaire=slug)[:5],
    }
    context["chart_query"] = urlencode(
        {"questionnaire": slug, "status": status_key, "category": category, "by": breakdown,
         **{item.param: item.value for item in groupings if item.value}}
    )
    try:
        # Charts are drawn by the browser's (lazy) image requests, one by one.
        with only_group:
            context["report"] = services.content_for(
                slug, status_key, _lang(), category, with_charts=False,
                with_frameworks=False, breakdown=breakdown,
            )
        context["category_labels"] = context["report"].column_labels
    except selectors.EvidenceError as error:
        context["problem"] = str(error)
    return render(request, "evidence/index.html", context)


@require_GET
@secretariat_only
def chart(request, kind):
    """One chart of the dashboard as SVG, drawn when the browser shows it (lazy images)."""
    slug, status_key, category = _filters(request)
    key = request.GET.get("table", "")
    _groupings, only_group = _group(request, slug)
    try:
        with only_group:
            svg = services.chart_svg(slug, status_key, _lang(), category, key, kind,
                                     _breakdown(request, slug))
    except (selectors.EvidenceError, KeyError):
        raise Http404 from None
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=60"
    return response


@require_POST
@secretariat_only
def report_build(request):
    """Start a report build in the background, then show its progress page."""
    slug = request.POST.get("questionnaire") or selectors.DEFAULT_SLUG
    try:
        job = services.request_report(
            request.user, slug,
            lang=request.POST.get("lang") or _lang(),
            fmt=request.POST.get("format", "pdf"),
            status_key=request.POST.get("status") or selectors.DEFAULT_STATUS,
            category=request.POST.get("category", "") if request.POST.get("category", "")
            in Category.values else "",
            breakdown=_breakdown(request, slug),
        )
    except selectors.EvidenceError as error:
        messages.error(request, str(error))
        return redirect("evidence:index")
    return redirect("evidence:report_job", job_id=job.pk)


@require_GET
@secretariat_only
def report_job(request, job_id):
    job = get_object_or_404(ReportJob, pk=job_id)
    return render(request, "evidence/report_job.html", {"job": job})


@require_POST
@secretariat_only
def report_run_now(request, job_id):
    """Build a queued report in this request (when no background worker is running)."""
    job = get_object_or_404(ReportJob, pk=job_id)
    services.run_report_job(str(job.pk))
    return redirect("evidence:report_job", job_id=job.pk)


@require_GET
@secretariat_only
def report_download(request, job_id):
    job = get_object_or_404(ReportJob, pk=job_id, state=ReportJob.State.DONE)
    path = services.job_file(job)
    if not path.is_file():
        raise Http404
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=job.file_name,
        content_type=reporting.MEDIA_TYPES[job.fmt],
    )


@require_GET
@secretariat_only
def export_download(request, fmt):
    """The raw-data exports (built by ``evidence/exports.py``)."""
    from iocompendium.evidence import exports

    if fmt not in EXPORT_FORMATS:
        raise Http404
    slug, status_key, _category = _filters(request)
    try:
        name, data = exports.build_export(fmt, slug, selectors.STATUS_SETS[status_key])
    except exports.ExportError as error:
        messages.error(request, str(error))
        return redirect("evidence:index")
    media_type = exports.EXPORT_MEDIA_TYPES.get(fmt, "application/octet-stream")
    response = HttpResponse(data, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
