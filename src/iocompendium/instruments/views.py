"""Pages: search (the index), families, one family, one instrument, type mapping."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from iocompendium.instruments import selectors, services, typology
from iocompendium.instruments.forms import InstrumentTypeForm
from iocompendium.instruments.models import Instrument, InstrumentType
from iocompendium.web.roles import is_secretariat

PAGE_SIZE = 20
FACET_VALUES_SHOWN = 12


def _search_request(request: HttpRequest) -> tuple[str, dict[str, list[str]], int]:
    text = request.GET.get("q", "")[:300]
    chosen = {f: request.GET.getlist(f)[:20] for f in selectors.FACETS if request.GET.getlist(f)}
    try:
        page = min(10_000, max(1, int(request.GET.get("page", "1"))))
    except ValueError:
        page = 1
    return text, chosen, page


def search_json(request: HttpRequest) -> JsonResponse:
    """The search contract over HTTP: {"total", "facets", "results", "attribution"}."""
    text, chosen, page = _search_request(request)
    result = selectors.search_instruments(
        text, chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    for item in result["results"]:
        item.pop("title_html", None)
    return JsonResponse(result, json_dumps_params={"ensure_ascii": False})


def search_page(request: HttpRequest) -> HttpResponse:
    text, chosen, page = _search_request(request)
    result = selectors.search_instruments(
        text, chosen, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
    )
    facets = []
    for name in selectors.FACETS:
        counts = result["facets"].get(name, {})
        shown = list(counts.items())[:FACET_VALUES_SHOWN]
        shown += [(v, counts.get(v, 0)) for v in chosen.get(name, []) if v not in dict(shown)]
        facets.append({
            "name": name,
            "label": FACET_LABELS().get(name, name),
            "values": [
                {"value": v, "label": selectors.facet_label(name, v), "count": n,
                 "checked": v in chosen.get(name, [])}
                for v, n in shown
            ],
        })
    for item in result["results"]:
        item["legal_effect_label"] = typology.label("legal_effect", item["legal_effect"])
    pages = max(1, -(-result["total"] // PAGE_SIZE))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "instruments/search.html", {
        "q": text, "result": result, "facets": facets, "page": page, "pages": pages,
        "query_string": query.urlencode(), "chosen": chosen,
    })


def FACET_LABELS() -> dict[str, str]:  # noqa: N802 - a table, read in the active language
    return {
        "organisation": _("Organisation"), "category": _("Category"), "family": _("Family"),
        "type": _("Type"), "legal_effect": _("Legal effect"), "decade": _("Decade"),
        "subject": _("Subject"),
    }


def family_list(request: HttpRequest) -> HttpResponse:
    summary = selectors.families_summary(request.LANGUAGE_CODE)
    largest = max((f["size"] for f in summary["families"]), default=1)
    for family in summary["families"]:
        family["bar"] = round(300 * family["size"] / largest)
        row = summary.get("comparison", {}).get("table", {}).get(str(family["number"]), {})
        family["expert_counts"] = [row.get(code, 0) for code in summary.get(
            "expert_families", {})]
    return render(request, "instruments/family_list.html", {"summary": summary})


def family_detail(request: HttpRequest, number: int) -> HttpResponse:
    family = selectors.family_of_number(number)
    if family is None:
        raise Http404(_("No such family."))
    types = selectors.type_table()
    paginator = Paginator(selectors.family_instruments(family), 50)
    page = paginator.get_page(request.GET.get("page"))
    bars = selectors.family_chart_rows(family, types)
    for index, bar in enumerate(bars):
        bar["y"] = 10 + index * 34
        bar["width"] = round(3 * bar["share"])
        bar["overall_width"] = round(3 * bar["overall"])
    return render(request, "instruments/family_detail.html", {
        "family": family,
        "name": selectors.family_name(family.profile, types),
        "profile": selectors.family_profile_text(family.profile, types),
        "bars": bars,
        "chart_height": 20 + 34 * len(bars),
        "page_obj": page,
        "attribution": selectors.attributions(),
    })


def instrument_detail(request: HttpRequest, pk: int) -> HttpResponse:
    instrument = get_object_or_404(
        Instrument.objects.select_related("organisation", "source", "family"), pk=pk
    )
    types = selectors.type_table()
    attributes = selectors.effective(selectors._row_of(instrument), types)
    labelled = [
        (typology.ATTRIBUTE_LABELS[name], selectors.value_label(name, attributes[name], types))
        for name in ["type", "legal_effect", "nature", "addressees", "adopting_body", "scope"]
        if attributes[name]
    ]
    return render(request, "instruments/instrument_detail.html", {
        "instrument": instrument, "attributes": labelled,
        "expert_family": typology.EXPERT_FAMILIES[attributes["expert_family"]],
        "attribution": [instrument.source.attribution] if instrument.source.attribution else [],
    })


def _require_secretariat(request: HttpRequest) -> None:
    if not is_secretariat(request.user):
        raise Http404


def type_list(request: HttpRequest) -> HttpResponse:
    _require_secretariat(request)
    return render(request, "instruments/type_list.html", {
        "types": selectors.type_mappings(), "unmapped": selectors.unmapped_types(),
    })


@require_http_methods(["GET", "POST"])
def type_edit(request: HttpRequest) -> HttpResponse:
    _require_secretariat(request)
    name = (request.POST.get("name") or request.GET.get("name") or "").strip()[:200]
    instance = InstrumentType.objects.filter(key=typology.type_key(name)).first() if name \
        else None
    form = InstrumentTypeForm(request.POST or None, instance=instance,
                              initial={"name": name, "label_en": name})
    if request.method == "POST" and form.is_valid():
        try:
            services.save_type_mapping(form.cleaned_data["name"], form.mapping_values(),
                                       loaded_stamp=form.cleaned_data["loaded_stamp"])
        except services.StaleTypeMapping as stale:
            form = _form_over_colleague(request, stale.current)
        else:
            messages.success(request, _("The mapping of the type was saved."))
            return redirect("instruments:types")
    return render(request, "instruments/type_edit.html", {"form": form, "name": name})


def _shown(item: InstrumentType, field: str) -> str:
    """A field as people read it: the label of a choice, else the stored text."""
    display = getattr(item, f"get_{field}_display", None)
    return str(display()) if display else str(getattr(item, field))


def _form_over_colleague(request: HttpRequest, current: InstrumentType) -> InstrumentTypeForm:
    """The user's values kept, the colleague's shown; saving again replaces theirs."""
    data = request.POST.copy()
    data["loaded_stamp"] = services.mapping_stamp(current)
    form = InstrumentTypeForm(data, instance=current)
    form.is_valid()
    fields = InstrumentTypeForm.Meta.fields[1:]
    theirs = "; ".join(f"{InstrumentType._meta.get_field(f).verbose_name}: "
                       f"{_shown(current, f) or '—'}" for f in fields)
    form.add_error(None, _("A colleague changed this mapping after you opened it, and "
                           "nothing was saved. Their version: %(theirs)s. Your values are "
                           "still in the form: save again to replace theirs.")
                   % {"theirs": theirs})
    return form
