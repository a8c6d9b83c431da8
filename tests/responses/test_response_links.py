"""The links of answers and audit events to their response are kept by Django, not by
database constraints (decision 0024): deleting a response is still refused while it has
audit events, and a deletion still takes its answers with it."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from iocompendium.responses import services
from iocompendium.responses.models import Answer, AuditEvent, Response

pytestmark = pytest.mark.django_db


def test_a_response_with_audit_events_cannot_be_deleted(org_a, version, alice):
    response = services.get_or_create_response(org_a, version)
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    with pytest.raises(ProtectedError):
        response.delete()
    assert Response.objects.filter(pk=response.pk).exists()
    assert Answer.objects.filter(response_id=response.pk).count() == 1
    assert AuditEvent.objects.filter(response_id=response.pk, action="answer").count() == 1


def test_deleting_a_response_without_events_deletes_its_answers(org_a, org_b, version):
    # Written directly, without the services: no audit event, so PROTECT does not apply.
    gone = Response.objects.create(organisation=org_a, version=version)
    kept = Response.objects.create(organisation=org_b, version=version)
    for response in (gone, kept):
        Answer.objects.create(response=response, path="organisation/name", value="Synthetic")
    gone_pk = gone.pk
    gone.delete()
    # No answer is left pointing to the deleted response; the other response's stays.
    assert not Answer.objects.filter(response_id=gone_pk).exists()
    assert list(Answer.objects.values_list("response_id", flat=True)) == [kept.pk]
