"""Services of response collection on a small synthetic form (tests/responses/conftest.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from iocompendium.responses import services
from iocompendium.responses.formtree import InvalidAnswer
from iocompendium.responses.models import (
    Answer,
    AuditEvent,
    Contributor,
    Invitation,
    ResponseStatus,
)
from tests.responses.conftest import make_version, node, small_structure

pytestmark = pytest.mark.django_db


@pytest.fixture
def response(org_a, version):
    return services.get_or_create_response(org_a, version)


def test_a_save_is_stored_with_revision_and_audit(response, alice):
    result = services.save_answer(response, "organisation/name", "Alpha", user=alice,
                                  base_revision=0)
    assert (result.saved, result.revision) == (True, 1)
    answer = Answer.objects.get(response=response, path="organisation/name")
    assert (answer.value, answer.revision, answer.updated_by) == ("Alpha", 1, alice)
    event = AuditEvent.objects.get(response=response, action="answer")
    assert (event.old_value, event.new_value, event.via, event.actor_label) == (
        "", "Alpha", "web", "alice")


def test_a_stale_revision_is_refused_and_nothing_is_overwritten(response, alice, anna):
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    services.save_answer(response, "organisation/name", "Alpha II", user=anna, base_revision=1)
    stale = services.save_answer(response, "organisation/name", "Beta", user=alice,
                                 base_revision=1)
    assert stale.conflict
    assert (stale.value, stale.revision, stale.updated_by) == ("Alpha II", 2, "anna")
    assert Answer.objects.get(response=response, path="organisation/name").value == "Alpha II"
    # Two answer events only: the refused save left no trace as a change.
    assert AuditEvent.objects.filter(response=response, action="answer").count() == 2


def test_creating_an_answer_a_colleague_already_created_is_a_conflict(response, alice, anna):
    services.save_answer(response, "organisation/staff", "12", user=anna, base_revision=0)
    result = services.save_answer(response, "organisation/staff", "13", user=alice,
                                  base_revision=0)
    assert result.conflict and result.value == "12"


def test_saving_the_stored_value_again_is_not_a_conflict(response, alice, anna):
    services.save_answer(response, "organisation/staff", "12", user=anna, base_revision=0)
    result = services.save_answer(response, "organisation/staff", "12", user=alice,
                                  base_revision=0)
    assert result.saved and result.unchanged


@pytest.mark.parametrize("path, value", [
    ("organisation/unknown", "x"),
    ("organisation", "x"),
    ("variety/instrument_count", "3"),  # a calculation
    ("variety/variety_note", "x"),  # a note
    ("variety/instruments/title", "x"),  # repeat without index
    ("organisation[1]/name", "x"),  # index on a group
    ("organisation/category", "nonsense"),  # not a choice
    ("variety/instruments[1]/addressees", "states martians"),
    ("coordination/confirm", "yes"),  # acknowledge takes "OK"
    ("organisation/name_other", "x"),  # not an or_other question
])
def test_paths_and_values_the_form_does_not_accept_are_refused(response, alice, path, value):
    with pytest.raises(InvalidAnswer):
        services.save_answer(response, path, value, user=alice, base_revision=0)
    assert not Answer.objects.filter(response=response).exists()


def test_or_other_text_and_other_choice_are_accepted(response, alice):
    services.save_answer(response, "organisation/category", "other", user=alice, base_revision=0)
    services.save_answer(response, "organisation/category_other", "Court", user=alice,
                         base_revision=0)
    assert Answer.objects.get(path="organisation/category_other").value == "Court"


def test_web_saves_into_an_instance_nobody_added_are_refused(response, alice):
    with pytest.raises(InvalidAnswer):
        services.save_answer(response, "variety/instruments[400]/title", "x", user=alice,
                             base_revision=0)


def _instances(response) -> dict[str, str]:
    return dict(Answer.objects.filter(response=response, path__contains="instruments[")
                .values_list("path", "value"))


def test_add_remove_and_move_repeat_instances(response, alice):
    for title in ["First", "Second", "Third"]:
        index = services.add_instance(response, "variety/instruments", user=alice)
        services.save_answer(response, f"variety/instruments[{index}]/title", title, user=alice,
                             base_revision=1)
    services.save_answer(response, "variety/instruments[3]/year", "2001", user=alice,
                         base_revision=0)
    services.move_instance(response, "variety/instruments", 3, -1, user=alice)
    titles = {p: v for p, v in _instances(response).items() if p.endswith("title")}
    assert titles == {"variety/instruments[1]/title": "First",
                      "variety/instruments[2]/title": "Third",
                      "variety/instruments[3]/title": "Second"}
    assert _instances(response)["variety/instruments[2]/year"] == "2001"
    services.remove_instance(response, "variety/instruments", 1, user=alice)
    assert _instances(response) == {"variety/instruments[1]/title": "Third",
                                    "variety/instruments[1]/year": "2001",
                                    "variety/instruments[2]/title": "Second"}
    removed = AuditEvent.objects.get(action="answer", old_value="First", new_value="")
    assert removed.path == "variety/instruments[1]/title"


def test_a_moved_answer_gets_a_revision_no_stale_page_holds(response, alice, anna):
    for title in ["First", "Second"]:
        index = services.add_instance(response, "variety/instruments", user=alice)
        services.save_answer(response, f"variety/instruments[{index}]/title", title,
                             user=alice, base_revision=1)
    # Anna's page holds instance 1 at revision 2; Alice swaps the two instances.
    services.move_instance(response, "variety/instruments", 1, 1, user=alice)
    stale = services.save_answer(response, "variety/instruments[1]/title", "First, edited",
                                 user=anna, base_revision=2)
    assert stale.conflict and stale.value == "Second"


def test_submitted_response_is_locked_except_queried_answers(response, alice, secretariat_user):
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    services.set_status(response, ResponseStatus.SUBMITTED, user=alice)
    with pytest.raises(services.ResponseLocked):
        services.save_answer(response, "organisation/staff", "3", user=alice, base_revision=0)
    services.raise_query(response, "organisation/name", "Is this the full name?",
                         user=secretariat_user)
    response.refresh_from_db()
    assert response.status == ResponseStatus.IN_REVIEW
    result = services.save_answer(response, "organisation/name", "Alpha Organisation",
                                  user=alice, base_revision=1)
    assert result.saved


def test_status_changes_are_audited(response, alice, secretariat_user):
    services.set_status(response, ResponseStatus.SUBMITTED, user=alice)
    services.set_status(response, ResponseStatus.DRAFT, user=secretariat_user)
    events = list(AuditEvent.objects.filter(action="status").values_list("old_value",
                                                                         "new_value"))
    assert events == [("draft", "submitted"), ("submitted", "draft")]
    assert services.allowed_transition("draft", "approved") is None
    assert services.allowed_transition("submitted", "draft") == "secretariat"


def test_audit_events_cannot_be_changed_or_deleted(response, alice):
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    event = AuditEvent.objects.get(response=response)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(response=response).delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(response=response).update(new_value="x")


def test_moving_a_draft_to_a_new_version(response, alice):
    services.save_answer(response, "organisation/name", "Alpha", user=alice, base_revision=0)
    services.save_answer(response, "organisation/staff", "12", user=alice, base_revision=0)
    services.save_answer(response, "coordination/guidelines", "yes", user=alice, base_revision=0)
    structure = small_structure()
    organisation = structure["children"][0]
    organisation["children"] = [c for c in organisation["children"] if c["name"] != "staff"]
    organisation["children"].append(node("text", "website", "Website", "Site web"))
    new_version = make_version(structure, number=2)
    report = services.move_to_version(response, new_version, user=alice)
    assert report.dropped == [("organisation/staff", "12")]
    assert sorted(report.carried) == ["coordination/guidelines", "organisation/name"]
    response.refresh_from_db()
    assert response.version_id == new_version.pk
    assert not Answer.objects.filter(response=response, path="organisation/staff").exists()
    migration_events = AuditEvent.objects.filter(response=response, via="migration")
    assert {e.action for e in migration_events} == {"answer", "version"}


def test_invitation_stores_only_a_hash_and_mails_the_link(org_a, secretariat_user):
    invitation, url = services.create_invitation(org_a, "Focal@Example.org",
                                                 invited_by=secretariat_user)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert token not in invitation.token_hash
    assert invitation.token_hash == services.hash_token(token)
    assert invitation.email == "focal@example.org"
    assert len(mail.outbox) == 1 and url in mail.outbox[0].body
    assert (invitation.expires_at - timezone.now()).days in {13, 14}


def test_accepting_makes_a_contributor_once(org_a, secretariat_user):
    invitation, _url = services.create_invitation(org_a, "new@example.org",
                                                  invited_by=secretariat_user)
    user = services.accept_invitation(invitation, password="a-long-test-password-2026")
    assert Contributor.objects.get(user=user).organisation == org_a
    assert user.check_password("a-long-test-password-2026")
    with pytest.raises(services.InvitationError):
        services.accept_invitation(Invitation.objects.get(pk=invitation.pk), password="x" * 20)
    assert get_user_model().objects.filter(username="new@example.org").count() == 1


def test_expired_and_revoked_invitations_are_refused(org_a, secretariat_user):
    expired, _ = services.create_invitation(org_a, "late@example.org", invited_by=None)
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    revoked, _ = services.create_invitation(org_a, "gone@example.org", invited_by=None)
    services.revoke_invitation(revoked)
    for invitation in (expired, revoked):
        with pytest.raises(services.InvitationError):
            services.accept_invitation(invitation, password="a-long-test-password-2026")
    assert not Contributor.objects.exists()
