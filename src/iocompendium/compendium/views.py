"""Views of the compendium: the public pages (the secretariat also sees drafts, marked as
such) and the secretariat's curation screens. Pages are built by ``pages.Compendium``, the
same code that writes the static site."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iocompendium.compendium import selectors, services
from iocompendium.compendium.figures import ThemeFigures, cached_theme_figures
from iocompendium.compendium.forms import KeyPrincipleForm, PracticeForm
from iocompendium.compendium.models import KeyPrinciple, PracticeStatus
from iocompendium.compendium.pages import Compendium
from iocompendium.compendium.site import Site
from iocompendium.compendium.themes import THEME_BY_SLUG, THEMES
from iocompendium.responses.models import Response, ResponseStatus
from iocompendium.web.roles import is_secretariat, secretariat_only


def _lang() -> str:
    return (get_language() or "en")[:2]


def _site(request: HttpRequest) -> Site:
    curator = is_secretariat(request.user)
    return Site(static=False, lang=_lang(), include_drafts=curator, can_curate=curator)


def _compendium(request: HttpRequest, *, figures: bool = False) -> Compendium:
    lang = _lang()
    return Compendium.load(
        lang, include_drafts=is_secretariat(request.user),
        figures=cached_theme_figures(selectors.SURVEY_SLUG, lang) if figures
        else ThemeFigures(False),
        with_families=False,
    )


def _show(request: HttpRequest, page) -> HttpResponse:
    template, context = page
    return render(request, template, context)


def index(request: HttpRequest) -> HttpResponse:
    return _show(request, _compendium(request).index_page(_site(request)))


def theme(request: HttpRequest, slug: str) -> HttpResponse:
    if slug not in THEME_BY_SLUG:
        raise Http404("No such theme.")
    return _show(request, _compendium(request, figures=True).theme_page(_site(request), slug))


def practice(request: HttpRequest, identifier: str) -> HttpResponse:
    site = _site(request)
    item = selectors.practice_by_identifier(identifier, include_drafts=site.include_drafts)
    return _show(request, _compendium(request).practice_page(site, item))


def organisations(request: HttpRequest) -> HttpResponse:
    return _show(request, _compendium(request).organisations_page(_site(request)))


def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    book = _compendium(request)
    found = selectors.organisation_by_slug(slug, book.organisations)
    return _show(request, book.organisation_page(_site(request), found))


def families(request: HttpRequest) -> HttpResponse:
    book = _compendium(request)
    book.families = selectors.families_summary(_lang())
    return _show(request, book.families_page(_site(request)))


def search_practices(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    book = _compendium(request)
    hits = selectors.search_practices(query, book.practices) if query else None
    return _show(request, book.search_page(_site(request), query, hits))


# --- curation (secretariat) ----------------------------------------------------------------


@secretariat_only
def curate(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        response = Response.objects.filter(
            pk=request.POST.get("response", ""), status=ResponseStatus.APPROVED
        ).first() if request.POST.get("response", "").isdigit() else None
        if response is None:
            raise Http404("No such approved response.")
        path = request.POST.get("path", "")
        try:
            if path:
                created = services.practice_from_answer(response, path, user=request.user)
            else:
                created = services.practice_from_template(response, user=request.user)
        except services.CurationError as error:
            messages.error(request, str(error))
            return redirect("compendium:curate")
        messages.success(request, _("Draft practice created: check and translate it."))
        return redirect("compendium:edit", pk=created.pk)
    return render(request, "compendium/curate.html", {
        "site": _site(request),
        "candidates": selectors.curation_candidates(),
        "practices": selectors.practices(include_drafts=True),
    })


@secretariat_only
def edit_practice(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.practice_for_curation(pk)
    initial = {
        "version": item.version, "title_en": item.title_en, "title_fr": item.title_fr,
        "description_en": item.description_en, "description_fr": item.description_fr,
        "theme": item.theme, "sub_theme": item.sub_theme,
        "key_principles": list(item.key_principles.all()),
    }
    form = PracticeForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_practice(
                item, base_version=data["version"], title_en=data["title_en"],
                title_fr=data["title_fr"], description_en=data["description_en"],
                description_fr=data["description_fr"], theme=data["theme"],
                sub_theme=data["sub_theme"], key_principles=data["key_principles"],
            )
        except services.StaleEdit as error:
            messages.error(request, str(error))
            status = 409
        except services.CurationError as error:
            messages.error(request, str(error))
            status = 400
        else:
            messages.success(request, _("Practice saved."))
            return redirect("compendium:edit", pk=item.pk)
    elif request.method == "POST":
        status = 400
    return render(request, "compendium/practice_form.html", {
        "site": _site(request), "practice": item, "form": form,
        "statuses": PracticeStatus,
    }, status=status)


@require_POST
@secretariat_only
def practice_status(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.practice_for_curation(pk)
    status = request.POST.get("status", "")
    version = request.POST.get("version", "")
    if status not in PracticeStatus.values or not version.isdigit():
        messages.error(request, _("Unknown status."))
        return redirect("compendium:edit", pk=item.pk)
    try:
        services.set_practice_status(item, status, base_version=int(version))
    except services.StaleEdit as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Practice published.") if status == PracticeStatus.PUBLISHED
                         else _("Practice withdrawn: it is a draft again."))
    return redirect("compendium:edit", pk=item.pk)


@secretariat_only
def principles(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _save_principle(request)
        return redirect("compendium:principles")
    rows = [
        (theme, [(p, KeyPrincipleForm(initial={"version": p.version, "order": p.order,
                                                "text_en": p.text_en, "text_fr": p.text_fr},
                                       prefix=f"kp{p.pk}"))
                 for p in selectors.key_principles(theme.slug)],
         KeyPrincipleForm(prefix=f"new-{theme.slug}"))
        for theme in THEMES
    ]
    return render(request, "compendium/principles.html", {"site": _site(request), "rows": rows})


def _save_principle(request: HttpRequest) -> None:
    pk = request.POST.get("principle", "")
    theme_slug = request.POST.get("theme", "")
    if pk.isdigit():
        principle = KeyPrinciple.objects.filter(pk=int(pk)).first()
        if principle is None:
            raise Http404("No such key principle.")
        form = KeyPrincipleForm(request.POST, prefix=f"kp{principle.pk}")
        if not form.is_valid() or form.cleaned_data["version"] is None:
            messages.error(request, _("Check the key principle: the English text is required."))
            return
        data = form.cleaned_data
        try:
            services.update_key_principle(
                principle, text_en=data["text_en"], text_fr=data["text_fr"],
                order=data["order"] or principle.order, base_version=data["version"],
            )
        except services.CurationError as error:
            messages.error(request, str(error))
            return
        messages.success(request, _("Key principle saved."))
        return
    form = KeyPrincipleForm(request.POST, prefix=f"new-{theme_slug}")
    if theme_slug not in THEME_BY_SLUG or not form.is_valid():
        messages.error(request, _("Check the key principle: the English text is required."))
        return
    services.add_key_principle(theme_slug, form.cleaned_data["text_en"],
                               form.cleaned_data["text_fr"])
    messages.success(request, _("Key principle added."))
