from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from iocompendium.registry import selectors
from iocompendium.registry.models import Category, Organisation


def organisation_list(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category") or None
    return render(request, "registry/organisation_list.html", {
        "organisations": selectors.organisations(category),
        "categories": Category.choices,
        "category": category,
    })


def organisation_detail(request: HttpRequest, acronym: str) -> HttpResponse:
    organisation = get_object_or_404(Organisation, acronym=acronym)
    return render(request, "registry/organisation_detail.html", {"organisation": organisation})
