"""The indicators' pages: the list of frameworks, a dashboard per framework, a page per
unit (every score traced to its answer), and the editor with its live preview.

Who sees what: the secretariat sees everything. A focal point sees only its own
organisation's unit page of each framework (its scores and the answers behind them):
another unit's page is a 404 (the page does not say whether the unit exists), and the
dashboard, which shows every organisation's scores, is the secretariat's.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from iocompendium.analysis.indicators import FrameworkError
from iocompendium.evidence.selectors import DEFAULT_STATUS, STATUS_SETS
from iocompendium.indicators import presenting, services, sources
from iocompendium.indicators.forms import EditForm, ImportForm
from iocompendium.indicators.workbook import WorkbookError
from iocompendium.responses.importing import problem_text
from iocompendium.web.roles import is_secretariat, organisation_id_of, secretariat_only


def _status(request) -> str:
    status_key = request.GET.get("status") or request.POST.get("status") or DEFAULT_STATUS
    return status_key if status_key in STATUS_SETS else DEFAULT_STATUS


def _source(slug: str, status_key: str) -> presenting.Source:
    try:
        return sources.source_for(slug, status_key)
    except sources.NotFound:
        raise Http404 from None


@require_GET
@login_required
def index(request):
    """The frameworks: the secretariat opens the dashboards; a focal point its own pages."""
    secretariat = is_secretariat(request.user)
    organisation = organisation_id_of(request.user)
    if not secretariat and organisation is None:
        return render(request, "indicators/index.html", {"frameworks": [], "own": []})
    frameworks = sources.frameworks()
    own = [] if secretariat else sources.own_units(organisation, frameworks)
    return render(request, "indicators/index.html", {
        "frameworks": frameworks if secretariat else [], "own": own,
        "secretariat": secretariat})


@require_GET
@secretariat_only
def dashboard(request, slug):
    status_key = _status(request)
    source = _source(slug, status_key)
    try:
        view = presenting.dashboard(source)
    except FrameworkError as error:
        return render(request, "indicators/dashboard.html", {
            "problem": str(error), "slug": slug, "status_key": status_key,
            "status_choices": status_choices()}, status=200)
    return render(request, "indicators/dashboard.html", {
        "view": view, "slug": slug, "status_key": status_key, "caveat": presenting.caveat(),
        "status_choices": status_choices()})


@require_http_methods(["GET", "POST"])
@secretariat_only
def upload(request):
    """Import a framework workbook: every problem listed with its sheet and row and
    nothing stored, or a new version (the same file again makes none)."""
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list = []
    if request.method == "POST" and form.is_valid():
        uploaded = form.cleaned_data["workbook"]
        try:
            imported = services.import_framework(uploaded.read(), uploaded.name,
                                                 user=request.user)
        except WorkbookError as error:
            # Each sentence in the page's language (the workbook keeps English templates).
            problems = [{"sheet": p.sheet, "row": p.row, "text": problem_text(p)}
                        for p in error.problems]
        else:
            version = imported.version
            if imported.created:
                messages.success(request, _("Imported %(slug)s as version %(number)d.") % {
                    "slug": version.framework.slug, "number": version.number})
            else:
                messages.info(request, _("The workbook is unchanged: %(slug)s stays at "
                                         "version %(number)d.") % {
                    "slug": version.framework.slug, "number": version.number})
            return redirect("indicators:dashboard", slug=version.framework.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "indicators/upload.html", {"form": form, "problems": problems},
                  status=status)


def status_choices() -> list[tuple[str, str]]:
    return [("approved", _("Approved only")),
            ("submitted", _("All submitted (submitted, in review, approved)"))]


@require_GET
@login_required
def unit(request, slug, unit):
    """How one unit scored on every indicator, with the answer behind each score (the
    dashboard's status set when it links here; else every submitted response)."""
    status_key = request.GET.get("status", "submitted")
    status_key = status_key if status_key in STATUS_SETS else "submitted"
    if not is_secretariat(request.user):
        organisation = organisation_id_of(request.user)
        if organisation is None:
            raise Http404
        # Approved or not, a focal point sees its own organisation's answers.
        source = _source(slug, "submitted")
        if unit not in source.answers.index or source.organisations.get(unit) != organisation:
            raise Http404
    else:
        source = _source(slug, status_key)
        if unit not in source.answers.index:
            raise Http404
    page = presenting.unit_page(source, unit)
    return render(request, "indicators/unit.html", {
        "page": page, "source": source, "slug": slug, "status_key": status_key})


@require_http_methods(["GET", "POST"])
@secretariat_only
def edit(request, slug):
    """Edit the construction choices and weights; saving makes a new version, refused when
    someone saved another version since the editor was opened (the version check)."""
    source = _source(slug, DEFAULT_STATUS)
    conflict = False
    if request.method == "POST":
        form = EditForm(source.framework, request.POST)
        if form.is_valid():
            try:
                edited = form.edited()
            except FrameworkError:
                edited = None
            if edited is not None:
                try:
                    number = sources.save_version(slug, edited, form.cleaned_data["base_version"],
                                                  request.user)
                except sources.StaleVersion as stale:
                    conflict = True
                    form.add_error(None, _(
                        "Someone saved version %(current)d of this framework while you were "
                        "editing version %(base)d: your changes were not saved. Reload the "
                        "editor to start from the current version.") % {
                        "current": stale.current, "base": stale.base})
                except sources.SaveError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("Saved as version %(number)d.") % {
                        "number": number})
                    return redirect("indicators:dashboard", slug=slug)
        return render(request, "indicators/edit.html",
                      {"form": form, "source": source, "slug": slug},
                      status=409 if conflict else 200)
    form = EditForm(source.framework, initial={"base_version": source.version})
    return render(request, "indicators/edit.html", {"form": form, "source": source, "slug": slug})


@require_POST
@secretariat_only
def preview(request, slug):
    """The scores recomputed with the editor's choices, nothing saved (an HTML fragment)."""
    source = _source(slug, _status(request))
    form = EditForm(source.framework, request.POST)
    context: dict = {"slug": slug}
    if not form.is_valid():
        context["problem"] = _("Correct the highlighted fields to see the scores.")
    else:
        try:
            edited = form.edited()
            view = presenting.dashboard(source, framework=edited, runs=0)
            saved = presenting.dashboard(source, runs=0, charts=False)
            before = {row.unit: row.score for row in saved.rows}
            context["view"] = view
            context["compared"] = [(row, before.get(row.unit)) for row in view.rows]
        except FrameworkError as error:
            context["problem"] = str(error)
    html = render_to_string("indicators/_preview.html", context, request=request)
    return HttpResponse(html, status=200 if "view" in context else 422)
