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


def _family_filters(request: HttpRequest) -> tuple[str, str]:
    return request.GET.get("source", "")[:100], request.GET.get("organisation", "")[:300]


def family_list(request: HttpRequest) -> HttpResponse:
    """The families as a reader meets them: names, ten-second descriptions, typical
    instruments, organisations; then the pictures, each with its data table."""
    source, organisation = _family_filters(request)
    summary = selectors.families_summary(request.LANGUAGE_CODE)
    context: dict = {"summary": summary, "source": source, "organisation": organisation,
                     "sources": selectors.source_names(),
                     "secretariat": is_secretariat(request.user),
                     "curation_stamp": selectors.curation_stamp()}
    if summary["computed"]:
        shown = selectors.family_counts(source, organisation) if source or organisation \
            else None
        titles = selectors.instrument_titles(
            [pk for f in summary["families"] for pk in f["typical"]])
        for family in summary["families"]:
            family["typical_items"] = [{"id": pk, "title": titles[pk]} for pk in
                                       family["typical"] if pk in titles]
            family["shown"] = (sum(shown.get(n, 0) for n in family["numbers"])
                               if shown is not None else family["size"])
        if shown is not None:
            summary["families"] = [f for f in summary["families"] if f["shown"]]
        context.update(selectors.family_pictures(summary))
    return render(request, "instruments/family_list.html", context)


def family_methods(request: HttpRequest) -> HttpResponse:
    """How the families were made: words first, figures second."""
    summary = selectors.families_summary(request.LANGUAGE_CODE)
    return render(request, "instruments/family_methods.html", {
        "summary": summary, "runs": selectors.recent_runs(),
        "weights": sorted((summary.get("settings") or {}).get("weights", {}).items()),
        "weight_fields": [(name, typology.ATTRIBUTE_LABELS.get(name, name), value)
                          for name, value in services.current_settings().weights.items()
                          if name in selectors.FAMILY_ATTRIBUTES],
        "secretariat": is_secretariat(request.user),
        "curation_stamp": selectors.curation_stamp(),
    })


def family_detail(request: HttpRequest, number: int) -> HttpResponse:
    summary = selectors.families_summary(request.LANGUAGE_CODE)
    entry = next((f for f in summary["families"] if number in f["numbers"]), None)
    family = selectors.family_of_number(number)
    if entry is None or family is None:
        raise Http404(_("No such family."))
    if entry["number"] != number:  # merged: one page, under the lowest number
        return redirect("instruments:family", number=entry["number"])
    types = selectors.type_table()
    instruments = selectors.group_instruments(entry["numbers"])
    paginator = Paginator(instruments, 50)
    page = paginator.get_page(request.GET.get("page"))
    bars = selectors.family_chart_rows(family, types)
    for index, bar in enumerate(bars):
        bar["y"] = 10 + index * 34
        bar["width"] = round(3 * bar["share"])
        bar["overall_width"] = round(3 * bar["overall"])
    others = [f for f in summary["families"] if f["number"] != number]
    return render(request, "instruments/family_detail.html", {
        "family": family, "entry": entry, "bars": bars,
        "chart_height": 20 + 34 * len(bars), "page_obj": page,
        "uncertain": selectors.uncertain_instruments(entry["numbers"]),
        "others": others, "attributes": selectors.FAMILY_ATTRIBUTES,
        "attribute_labels": typology.ATTRIBUTE_LABELS,
        "secretariat": is_secretariat(request.user),
        "attribution": selectors.attributions(),
        "curation_stamp": selectors.curation_stamp(),
    })


def _curation_done(request: HttpRequest, action, message: str, target: str, *args):
    """Run one curation action for the secretariat; its error is shown, never a trace."""
    _require_secretariat(request)
    try:
        with services.curation_guard(request.POST.get("stamp") or None):
            action()
    except services.StaleCuration as error:
        messages.error(request, _stale_message(error.last))
    except services.CurationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message)
    return redirect(target, *args)


def _stale_message(last: dict) -> str:
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    if not last:
        return _("The families were computed again since you opened this page; your change "
                 "was not saved. Reload the page to see the new families, then try again.")
    return _("Someone else changed the families since you opened this page (%(who)s, "
             "%(when)s: %(action)s); your change was not saved. Reload the page to see "
             "their change, then try again.") % {
        "who": last.get("actor_label") or _("the command line"),
        "when": date_format(localtime(last["at"]), "DATETIME_FORMAT"),
        "action": CURATION_ACTIONS().get(last["action"], last["action"])}


def CURATION_ACTIONS() -> dict[str, str]:  # noqa: N802 - a table, read in the active language
    return {"rename": _("renamed a family"), "merge": _("merged families"),
            "split": _("split a family"), "pin": _("pinned an instrument"),
            "unpin": _("unpinned an instrument"), "review": _("marked the typology reviewed"),
            "weights": _("changed the attributes' weights"),
            "recluster": _("computed the families again")}


def family_curation(request: HttpRequest) -> HttpResponse:
    """The audit trail of the families' curation: who renamed, merged, split, pinned,
    unpinned or reviewed what, and when (secretariat only)."""
    _require_secretariat(request)
    actions = CURATION_ACTIONS()
    events = selectors.curation_events()
    for event in events:
        event["action_label"] = actions.get(event["action"], event["action"])
        event["details"] = sorted((str(k), ", ".join(map(str, v)) if isinstance(v, list)
                                   else str(v)) for k, v in event["detail"].items())
    return render(request, "instruments/family_curation.html", {"events": events})


def _number(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise Http404 from None


@require_http_methods(["POST"])
def family_rename(request: HttpRequest, number: int) -> HttpResponse:
    return _curation_done(request, lambda: services.rename_family(
        number, request.POST.get("name_en", ""), request.POST.get("name_fr", ""),
        user=request.user), _("The family was renamed."), "instruments:family", number)


@require_http_methods(["POST"])
def family_merge(request: HttpRequest, number: int) -> HttpResponse:
    other = _number(request.POST.get("other"))
    return _curation_done(request, lambda: services.merge_families(
        [number, other], user=request.user), _("The families were merged."),
        "instruments:family", min(number, other))


@require_http_methods(["POST"])
def family_split(request: HttpRequest, number: int) -> HttpResponse:
    return _curation_done(request, lambda: services.split_family(
        number, request.POST.get("attribute", ""), request.POST.get("value", ""),
        request.POST.get("name_en", ""), request.POST.get("name_fr", ""),
        request.POST.get("reason", ""), user=request.user),
        _("The family was split."), "instruments:families")


@require_http_methods(["POST"])
def instrument_pin(request: HttpRequest, pk: int) -> HttpResponse:
    if request.POST.get("unpin"):
        return _curation_done(request, lambda: services.unpin_instrument(pk, user=request.user),
                              _("The instrument is no longer pinned."), "instruments:detail", pk)
    number = _number(request.POST.get("family"))
    return _curation_done(request, lambda: services.pin_instrument(
        pk, number, request.POST.get("reason", ""), user=request.user),
        _("The instrument is pinned to the family."), "instruments:detail", pk)


@require_http_methods(["POST"])
def family_recompute(request: HttpRequest) -> HttpResponse:
    def recompute() -> None:
        if services.compute_families(**selectors.last_run_options()) is None:
            raise services.CurationError(_("There are no instruments to group."))

    return _curation_done(request, recompute, _(
        "The families were computed again; the curated names and pins were kept (see what "
        "moved on the methods page)."), "instruments:families")


MAX_WEIGHT = 10.0


@require_http_methods(["POST"])
def family_weights(request: HttpRequest) -> HttpResponse:
    """The secretariat changes the attributes' weights and the families are computed again
    with them (kept for the next runs, recorded with the run and in the curation trail)."""
    def recompute() -> None:
        weights: dict[str, float] = {}
        for name in selectors.FAMILY_ATTRIBUTES:
            raw = (request.POST.get(f"weight_{name}") or "").strip().replace(",", ".")
            try:
                value = float(raw)
            except ValueError:
                value = -1.0
            if not 0 <= value <= MAX_WEIGHT:
                raise services.CurationError(_(
                    "The weight of %(attribute)s must be a number from 0 to %(most)s.") % {
                    "attribute": typology.ATTRIBUTE_LABELS.get(name, name),
                    "most": f"{MAX_WEIGHT:g}"})
            weights[name] = value
        if not any(weights.values()):
            raise services.CurationError(_("At least one weight must be above 0."))
        services.reweigh_families(weights, user=request.user)

    return _curation_done(request, recompute, _(
        "The families were computed again with the new weights; the curated names and pins "
        "were kept."), "instruments:family_methods")


@require_http_methods(["POST"])
def family_review(request: HttpRequest) -> HttpResponse:
    from django.utils.dateparse import parse_date

    def review() -> None:
        day = parse_date(request.POST.get("reviewed_on", "") or "")
        if day is None:
            raise services.CurationError(_("Give the date of the review (YYYY-MM-DD)."))
        services.mark_reviewed(day, request.POST.get("note", ""), user=request.user)

    return _curation_done(request, review, _("The typology is marked as reviewed."),
                          "instruments:family_methods")


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
    summary = selectors.families_summary(request.LANGUAGE_CODE) if is_secretariat(
        request.user) else None
    return render(request, "instruments/instrument_detail.html", {
        "instrument": instrument, "attributes": labelled,
        "family_entry": selectors.published_entry(instrument.family),
        "pin": getattr(instrument, "pin", None) if hasattr(instrument, "pin") else None,
        "families": summary["families"] if summary else [],
        "expert_family": typology.EXPERT_FAMILIES[attributes["expert_family"]],
        "curation_stamp": selectors.curation_stamp(),
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
