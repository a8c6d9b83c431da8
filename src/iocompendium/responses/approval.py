"""Approving a round in one action: a whole import, or a selection from the review list.

Every response moves on its own (``services.set_status``: dates, post_save receivers such
as the instruments registry) with its own audit event, all in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from iocompendium.responses.models import AuditEvent, ImportRun, Response, ResponseStatus
from iocompendium.responses.services import set_status

# The statuses a bulk approval moves from (a past round's drafts included: the secretariat
# approves what an import brought in, as the "approving a round" asks).
APPROVABLE = (ResponseStatus.DRAFT, ResponseStatus.SUBMITTED, ResponseStatus.IN_REVIEW)


def approve_responses(responses: QuerySet[Response], *, user, via: str = AuditEvent.Via.REVIEW
                      ) -> int:
    """Approve every response of ``responses`` not yet approved; returns how many moved."""
    moved = 0
    with transaction.atomic():
        for response in responses.filter(status__in=APPROVABLE).select_for_update().order_by("id"):
            set_status(response, ResponseStatus.APPROVED, user=user, via=via)
            moved += 1
    return moved


def approve_import(run: ImportRun, *, user) -> int:
    """Approve the responses an import created or last changed."""
    return approve_responses(Response.objects.filter(import_run=run), user=user)
