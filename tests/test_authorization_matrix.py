"""Who may do what: every URL of the responses app (the questionnaire-taking pages
included) against every role, with real ids of another organisation's objects and
guessed ids. A new URL without a rule here fails ``test_every_url_has_a_rule``.

Roles: anonymous, a contributor of A, a contributor of B, a secretariat reviewer (staff)
and an administrator (superuser). The data is SYNTHETIC (tests/responses/conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, reverse

from iocompendium.responses import services
from iocompendium.responses import urls as response_urls
from iocompendium.responses.models import (
    Answer,
    AuditEvent,
    Contributor,
    Invitation,
    Query,
    QueryMessage,
    Response,
)
from tests.responses.conftest import PASSWORD, make_contributor, make_organisation, make_version

pytestmark = pytest.mark.django_db

SECRET = "SECRET-ANSWER-OF-A"
ROLES = ["anonymous", "contributor_a", "contributor_b", "reviewer", "admin"]
LOGIN = "login"  # a redirect to the log-in page


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Accounts are made in every test: a fast hasher keeps the tests quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    response: Response
    query: Query
    invitation: Invitation
    token: str
    users: dict


@pytest.fixture
def world(django_user_model) -> World:
    version = make_version()
    org_a, org_b = make_organisation("SYN-A"), make_organisation("SYN-B")
    alice = make_contributor(django_user_model, "alice", org_a)
    bob = make_contributor(django_user_model, "bob", org_b)
    reviewer = django_user_model.objects.create_user("reviewer", "r@example.org", PASSWORD,
                                                     is_staff=True)
    admin = django_user_model.objects.create_superuser("admin", "a@example.org", PASSWORD)
    response = services.get_or_create_response(org_a, version)
    services.save_answer(response, "organisation/name", SECRET, user=alice, base_revision=0)
    query = services.raise_query(response, "organisation/name", "Query for A", user=reviewer)
    invitation, url = services.create_invitation(org_a, "colleague@a.example.org",
                                                 invited_by=alice)
    users = {"anonymous": None, "contributor_a": alice, "contributor_b": bob,
             "reviewer": reviewer, "admin": admin}
    return World(response, query, invitation, url.rstrip("/").rsplit("/", 1)[1], users)


def state_of_a(world: World) -> tuple:
    """Everything of A that a forbidden request could change."""
    response = Response.objects.get(pk=world.response.pk)
    invitation = Invitation.objects.get(pk=world.invitation.pk)
    return (
        response.status, response.version_id,
        tuple(Answer.objects.filter(response=response).values_list("path", "value", "revision")),
        Query.objects.get(pk=world.query.pk).status,
        QueryMessage.objects.filter(query__response=response).count(),
        invitation.revoked_at, invitation.accepted_at,
        Contributor.objects.filter(organisation=response.organisation).count(),
        Invitation.objects.filter(organisation=response.organisation).count(),
    )


# url name -> (kwargs builder, {method: {role: expected status or LOGIN}}, POST data builder)
OWN = {"anonymous": LOGIN, "contributor_a": 200, "contributor_b": 404, "reviewer": 200,
       "admin": 200}


def _pk(world):
    return {"pk": world.response.pk}


def _query(world):
    return {"pk": world.response.pk, "query_id": world.query.pk}


RULES = {
    "index": (lambda w: {}, {"GET": {"anonymous": LOGIN, "contributor_a": 200,
                                     "contributor_b": 200, "reviewer": 200, "admin": 200}},
              None),
    "invitations": (
        lambda w: {},
        {"GET": {"anonymous": LOGIN, "contributor_a": 200, "contributor_b": 200,
                 "reviewer": 200, "admin": 200},
         # Everyone tries to invite someone into organisation A.
         "POST": {"anonymous": LOGIN, "contributor_a": 302, "contributor_b": 400,
                  "reviewer": 302, "admin": 302}},
        lambda w: {"organisation": "SYN-A", "email": "intruder@example.org"},
    ),
    "invitation_revoke": (
        lambda w: {"pk": w.invitation.pk},
        {"POST": {"anonymous": LOGIN, "contributor_a": 302, "contributor_b": 404,
                  "reviewer": 302, "admin": 302}},
        lambda w: {},
    ),
    "invitation_accept": (
        lambda w: {"token": w.token},
        # The link is the credential; a logged-in account of another organisation or of
        # the secretariat cannot join with it (410 with the reason).
        {"GET": {"anonymous": 200, "contributor_a": 200, "contributor_b": 200,
                 "reviewer": 410, "admin": 410},
         "POST": {"anonymous": 200, "contributor_a": 302, "contributor_b": 410,
                  "reviewer": 410, "admin": 410}},
        lambda w: {"password1": "short", "password2": "short"},
    ),
    "start": (
        lambda w: {"slug": "synthetic-small"},
        {"POST": {"anonymous": LOGIN, "contributor_a": 302, "contributor_b": 302,
                  "reviewer": 403, "admin": 403}},
        lambda w: {},
    ),
    "response_detail": (_pk, {"GET": OWN}, None),
    "section": (
        lambda w: {"pk": w.response.pk, "name": "organisation"},
        {"GET": OWN,
         "POST": {"anonymous": LOGIN, "contributor_a": 302, "contributor_b": 404,
                  "reviewer": 403, "admin": 403}},
        lambda w: {"_revisions": '{"organisation/name": 1}', "organisation/name": "Changed"},
    ),
    "autosave": (
        _pk,
        {"POST": {"anonymous": 403, "contributor_a": 200, "contributor_b": 404,
                  "reviewer": 403, "admin": 403}},
        lambda w: {"path": "organisation/name", "value": "Changed", "revision": 1},
    ),
    "check": (_pk, {"GET": OWN}, None),
    "submit": (
        _pk,
        {"POST": {"anonymous": LOGIN, "contributor_a": 400, "contributor_b": 404,
                  "reviewer": 403, "admin": 403}},
        lambda w: {},
    ),
    "move": (_pk, {"GET": {"anonymous": LOGIN, "contributor_a": 302, "contributor_b": 404,
                           "reviewer": 403, "admin": 403}}, None),
    "set_status": (
        _pk,
        {"POST": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 404,
                  "reviewer": 302, "admin": 302}},
        lambda w: {"status": "in_review"},
    ),
    "queries": (
        _pk,
        {"GET": OWN,
         "POST": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 404,
                  "reviewer": 302, "admin": 302}},
        lambda w: {"path": "organisation/name", "text": "Another query"},
    ),
    "query_detail": (
        _query,
        {"GET": OWN,
         "POST": {"anonymous": LOGIN, "contributor_a": 302, "contributor_b": 404,
                  "reviewer": 302, "admin": 302}},
        lambda w: {"text": "A reply"},
    ),
    "query_status": (
        _query,
        {"POST": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 404,
                  "reviewer": 302, "admin": 302}},
        lambda w: {"status": "resolved"},
    ),
    "audit": (_pk, {"GET": OWN}, None),
    "audit_csv": (_pk, {"GET": OWN}, None),
    "answers_csv": (_pk, {"GET": OWN}, None),
    "upload_answer_file": (
        _pk,
        # Without a file: the contributor is sent back with a message; nothing changes.
        {"POST": {"anonymous": LOGIN, "contributor_a": 302, "contributor_b": 404,
                  "reviewer": 403, "admin": 403}},
        lambda w: {"path": "organisation/name"},
    ),
    "preview_section": (
        lambda w: {"slug": "synthetic-small", "number": 1, "name": "organisation"},
        {"GET": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 403,
                 "reviewer": 200, "admin": 200}},
        None,
    ),
    "preview_answer": (
        lambda w: {"slug": "synthetic-small", "number": 1},
        # The preview's answers live in the session: nothing of A changes.
        {"POST": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 403,
                  "reviewer": 200, "admin": 200}},
        lambda w: {"path": "organisation/name", "value": "Typed in the preview",
                   "section": "organisation"},
    ),
    "import": (
        lambda w: {},
        {"GET": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 403,
                 "reviewer": 200, "admin": 200},
         # A check without a file: refused before anything is read (400 for the secretariat).
         "POST": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 403,
                  "reviewer": 400, "admin": 400}},
        lambda w: {"action": "check", "questionnaire": "synthetic-small", "status": "draft"},
    ),
    # Without a valid ticket the secretariat is sent back to the import page.
    "import_problems": (
        lambda w: {},
        {"GET": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 403,
                 "reviewer": 302, "admin": 302}},
        None,
    ),
    "approve_bulk": (
        lambda w: {},
        {"POST": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 403,
                  "reviewer": 302, "admin": 302}},
        lambda w: {"questionnaire": "synthetic-small", "scope": "selected",
                   "response": w.response.pk},
    ),
    "data_quality": (
        lambda w: {"slug": "synthetic-small"},
        {"GET": {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 403,
                 "reviewer": 200, "admin": 200}},
        None,
    ),
}

# Requests that may change A's data when allowed: for the others, nothing of A changes.
ALLOWED_TO_CHANGE = {"contributor_a", "reviewer", "admin"}


def url_names() -> list[str]:
    return [p.name for p in response_urls.urlpatterns if isinstance(p, URLPattern)]


def test_every_url_has_a_rule():
    missing = sorted(set(url_names()) - set(RULES))
    assert not missing, f"URLs of the responses app without an authorization rule: {missing}"


CASES = [(name, method, role) for name, (_k, methods, _d) in RULES.items()
         for method in methods for role in ROLES]


def body_of(reply) -> str:
    if getattr(reply, "streaming", False):
        return b"".join(reply.streaming_content).decode("utf-8-sig")
    return reply.content.decode()


@pytest.mark.parametrize("name, method, role", CASES)
def test_matrix(client, world, name, method, role):
    kwargs_of, methods, data_of = RULES[name]
    expected = methods[method][role]
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"responses:{name}", kwargs=kwargs_of(world))
    before = state_of_a(world)
    if method == "GET":
        reply = client.get(url)
    else:
        reply = client.post(url, data_of(world) if data_of else {})
    if expected == LOGIN:
        assert reply.status_code == 302 and "/accounts/login/" in reply["Location"]
    else:
        assert reply.status_code == expected, body_of(reply)[:500]
    if role not in {"contributor_a", "reviewer", "admin"}:
        assert SECRET not in body_of(reply)
        assert "Query for A" not in body_of(reply)
        if role != "anonymous" or name != "invitation_accept":
            assert state_of_a(world) == before


WITHOUT_IDS = {"index", "invitations", "invitation_accept", "start", "import",
               "import_problems", "approve_bulk", "data_quality"}


@pytest.mark.parametrize("name", [name for name in RULES if name not in WITHOUT_IDS])
def test_guessed_ids_are_not_found(client, world, name):
    """Ids that exist nowhere give 404 to everyone signed in, never a server error."""
    kwargs_of, methods, data_of = RULES[name]
    kwargs = {key: value + 1000 if isinstance(value, int) else value
              for key, value in kwargs_of(world).items()}
    url = reverse(f"responses:{name}", kwargs=kwargs)
    for role in ["contributor_a", "contributor_b", "reviewer"]:
        client.force_login(world.users[role])
        for method in methods:
            reply = client.get(url) if method == "GET" else client.post(
                url, data_of(world) if data_of else {})
            assert reply.status_code in {403, 404}, (role, method, reply.status_code)


def test_a_guessed_invitation_token_is_not_found(client, world):
    url = reverse("responses:invitation_accept", kwargs={"token": "guessed-token"})
    assert client.get(url).status_code == 404
    assert client.post(url, {"password1": PASSWORD, "password2": PASSWORD}).status_code == 404


def test_no_audit_event_was_added_by_organisation_b(client, world):
    client.force_login(world.users["contributor_b"])
    before = AuditEvent.objects.filter(response=world.response).count()
    for name, (kwargs_of, methods, data_of) in RULES.items():
        url = reverse(f"responses:{name}", kwargs=kwargs_of(world))
        if "POST" in methods:
            client.post(url, data_of(world) if data_of else {})
    assert AuditEvent.objects.filter(response=world.response).count() == before


# --- indicators: every URL against every role, with A's and B's real units ---------------
# The dashboard, the editor and its preview show every organisation's scores: the
# secretariat's. A focal point opens only its own organisation's unit page (B's is a 404,
# which does not say whether the unit exists).

INDICATOR_SLUG = "synthetic-presentation"


@pytest.fixture
def indicator_world(world):
    from iocompendium.indicators import services as indicator_services
    from iocompendium.indicators import workbook
    from tests.indicators.presentation_fixtures import definition

    indicator_services.import_framework(workbook.workbook_bytes(definition()), "synthetic.xlsx")
    Response.objects.filter(pk=world.response.pk).update(status="submitted")
    Answer.objects.bulk_create([
        Answer(response=world.response, path="variety/has_instruments", value="yes"),
        Answer(response=world.response, path="organisation/staff", value="50"),
    ])
    org_b = Contributor.objects.get(user=world.users["contributor_b"]).organisation
    response_b = Response.objects.create(organisation=org_b, version=world.response.version,
                                         status="submitted", synthetic=True)
    Answer.objects.create(response=response_b, path="organisation/staff", value="10")
    return world


SECRETARIAT_ONLY = {"anonymous": LOGIN, "contributor_a": 403, "contributor_b": 403,
                    "reviewer": 200, "admin": 200}
INDICATOR_RULES = {
    "index": ({}, {"GET": {"anonymous": LOGIN, "contributor_a": 200, "contributor_b": 200,
                           "reviewer": 200, "admin": 200}}, None),
    "dashboard": ({"slug": INDICATOR_SLUG}, {"GET": SECRETARIAT_ONLY}, None),
    # Importing a framework: no file posted is refused (400), nothing written.
    "upload": ({}, {"GET": SECRETARIAT_ONLY,
                    "POST": {**SECRETARIAT_ONLY, "reviewer": 400, "admin": 400}},
               lambda: {}),
    "unit": ({"slug": INDICATOR_SLUG, "unit": "SYN-A"}, {"GET": OWN}, None),
    "edit": (
        {"slug": INDICATOR_SLUG},
        # A stale base version: the secretariat's save is refused (409), nothing written.
        {"GET": SECRETARIAT_ONLY,
         "POST": {**SECRETARIAT_ONLY, "reviewer": 409, "admin": 409}},
        lambda: {"base_version": 99, "missing": "na", "normalisation": "none",
                 "weighting": "manual", "aggregation": "arithmetic", "zero_rule": "offset",
                 "winsorise": "0", "scale": "2"} | {
                     f"weight__{n}": "1" for n in ("adoption", "adoption_sub",
                                                    "has_instruments", "size", "size_sub",
                                                    "staff")} | {
                     "direction__has_instruments": "1", "direction__staff": "1"},
    ),
    "preview": ({"slug": INDICATOR_SLUG},
                {"POST": {**SECRETARIAT_ONLY, "reviewer": 422, "admin": 422}},
                lambda: {}),
}


def test_every_indicators_url_has_a_rule():
    from iocompendium.indicators import urls as indicator_urls

    names = {p.name for p in indicator_urls.urlpatterns if isinstance(p, URLPattern)}
    assert not sorted(names - set(INDICATOR_RULES))


INDICATOR_CASES = [(name, method, role) for name, (_k, methods, _d) in INDICATOR_RULES.items()
                   for method in methods for role in ROLES]


@pytest.mark.parametrize("name, method, role", INDICATOR_CASES)
def test_indicators_matrix(client, indicator_world, name, method, role):
    from iocompendium.indicators.models import FrameworkVersion

    kwargs, methods, data_of = INDICATOR_RULES[name]
    expected = methods[method][role]
    user = indicator_world.users[role]
    if user is not None:
        client.force_login(user)
    url = reverse(f"indicators:{name}", kwargs=kwargs)
    reply = client.get(url) if method == "GET" else client.post(url, data_of() if data_of
                                                                 else {})
    if expected == LOGIN:
        assert reply.status_code == 302 and "/accounts/login/" in reply["Location"]
    else:
        assert reply.status_code == expected, body_of(reply)[:500]
    if role == "contributor_b":
        # Nothing of A (its name heads its scores; the URL itself may be echoed by a 404).
        assert "Synthetic organisation SYN-A" not in body_of(reply)
    assert FrameworkVersion.objects.filter(framework__slug=INDICATOR_SLUG).count() == 1


def test_indicators_guessed_units_are_not_found(client, indicator_world):
    url = reverse("indicators:unit", kwargs={"slug": INDICATOR_SLUG, "unit": "NO-SUCH"})
    other = reverse("indicators:unit", kwargs={"slug": "no-such", "unit": "SYN-A"})
    for role in ["contributor_a", "contributor_b", "reviewer"]:
        client.force_login(indicator_world.users[role])
        assert client.get(url).status_code == 404
        assert client.get(other).status_code == 404
