"""Workspace blocks shown on other apps' pages (home milestones, the evidence page's round
comparison) without those apps importing the workspace."""

from __future__ import annotations

from django import template

from iocompendium.workspace import selectors

register = template.Library()


@register.inclusion_tag("workspace/_milestones.html", takes_context=True)
def milestones(context, limit: int = 8) -> dict:
    """The partnership's latest milestones, from the data."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    entries = selectors.timeline(user)
    return {"entries": entries[-limit:]}


@register.inclusion_tag("workspace/_evidence_rounds.html")
def round_comparison() -> dict:
    """The latest comparison of two rounds, for the evidence page."""
    pairs = selectors.comparable_pairs()
    if not pairs:
        return {"context_missing": True}
    after = pairs[-1]
    return selectors.comparison_context(after.previous, after)


@register.inclusion_tag("workspace/_carried_link.html")
def carried_link(response) -> dict:
    """On a response's page: a link to confirm the answers carried over from the last round."""
    from iocompendium.workspace.models import CarriedAnswer

    pending = CarriedAnswer.objects.filter(round_response__response=response,
                                           confirmed_at__isnull=True).count()
    carried = pending or CarriedAnswer.objects.filter(
        round_response__response=response).exists()
    return {"response": response, "carried": carried, "pending": pending}


@register.inclusion_tag("workspace/_public_people.html")
def public_people(organisation) -> dict:
    """On the public organisation page: the people who chose to be listed, their working
    groups, and the organisation's public documents."""
    from iocompendium.workspace.models import Person

    people = (Person.objects.filter(organisation=organisation, public=True)
              .prefetch_related("working_groups").order_by("name"))
    return {"people": list(people)}
