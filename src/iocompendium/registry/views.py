"""Public pages of the registry: the list of organisations and one organisation's page."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from iocompendium.registry import selectors
from iocompendium.registry.models import Category


def organisation_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category") or None
    if category not in Category.values:
        category = None
    return render(request, "registry/organisation_list.html", {
        "organisations": selectors.organisations(category),
        "categories": Category.choices,
        "category": category,
        "category_label": Category(category).label if category else "",
    })


def organisation_detail(request: HttpRequest, acronym: str) -> HttpResponse:
    organisation = selectors.organisation_by_acronym(acronym)
    if organisation is None:
        raise Http404(acronym)
    return render(request, "registry/organisation_detail.html", {"organisation": organisation})
