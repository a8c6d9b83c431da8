"""The compendium in the web app: public pages, drafts for the secretariat only, curation."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation

from iocompendium.compendium import services
from iocompendium.compendium.models import Practice, PracticeStatus
from iocompendium.responses.models import Contributor

pytestmark = pytest.mark.django_db
EXAMPLE = "implementation/implementation_examples"


def url(name: str, *args, lang: str = "en") -> str:
    with translation.override(lang):
        return reverse(f"compendium:{name}", args=args)


@pytest.fixture
def staff_client(secretariat_user) -> Client:
    client = Client()
    client.force_login(secretariat_user)
    return client


@pytest.fixture
def focal_client(organisations) -> Client:
    user = get_user_model().objects.create_user("focal", "f@example.org", "pw-focal-2026")
    Contributor.objects.create(user=user, organisation=organisations["SYN-A"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def draft(survey) -> Practice:
    return services.practice_from_answer(survey["SYN-A"], EXAMPLE)


def test_public_pages_render_in_both_languages(client, survey, principles):
    for lang in ("en", "fr"):
        for page in (url("index", lang=lang), url("theme", "stakeholders", lang=lang),
                     url("organisations", lang=lang), url("families", lang=lang),
                     url("search", lang=lang)):
            response = client.get(page)
            assert response.status_code == 200, page
            assert f'<html lang="{lang}"' in response.content.decode()
    french = client.get(url("theme", "evaluation", lang="fr")).content.decode()
    assert "Principes clés" in french and "Institutionnaliser" in french


def test_drafts_are_visible_to_the_secretariat_only_and_marked(client, staff_client,
                                                               focal_client, draft):
    page = url("practice", draft.identifier)
    assert client.get(page).status_code == 404
    assert focal_client.get(page).status_code == 404
    preview = staff_client.get(page)
    assert preview.status_code == 200
    assert 'class="badge draft"' in preview.content.decode()
    services.set_practice_status(draft, PracticeStatus.PUBLISHED, base_version=draft.version)
    public = client.get(page).content.decode()
    assert 'class="badge draft"' not in public and "SYN-A trains" in public


def test_curation_is_for_the_secretariat_only(client, focal_client, draft):
    for page in (url("curate"), url("edit", draft.pk), url("principles")):
        assert client.get(page).status_code == 302  # to the log-in page
        assert focal_client.get(page).status_code == 403
    response = focal_client.post(url("status", draft.pk),
                                 {"status": "published", "version": draft.version})
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == PracticeStatus.DRAFT


def test_secretariat_creates_edits_and_publishes(staff_client, survey, principles):
    created = staff_client.post(url("curate"), {"response": survey["SYN-B"].pk, "path": EXAMPLE})
    practice = Practice.objects.get(source_response=survey["SYN-B"], source_path=EXAMPLE)
    assert created.url == url("edit", practice.pk)
    form = {"version": practice.version, "title_en": "Scoreboard", "title_fr": "Tableau",
            "description_en": "A yearly scoreboard.", "description_fr": "Un tableau annuel.",
            "theme": "implementation", "sub_theme": "monitoring", "key_principles": []}
    assert staff_client.post(url("edit", practice.pk), form).status_code == 302
    # The same form again carries the old version: refused, with a message, nothing lost.
    stale = staff_client.post(url("edit", practice.pk), {**form, "title_en": "Overwrite"})
    assert stale.status_code == 409
    assert "Someone else saved this practice" in stale.content.decode()
    practice.refresh_from_db()
    assert practice.title_en == "Scoreboard"
    staff_client.post(url("status", practice.pk), {"status": "published",
                                                    "version": practice.version})
    practice.refresh_from_db()
    assert practice.status == PracticeStatus.PUBLISHED
    french = Client().get(url("practice", practice.identifier, lang="fr")).content.decode()
    assert "Tableau" in french and "Un tableau annuel." in french


def test_posts_need_the_csrf_token(secretariat_user, draft):
    client = Client(enforce_csrf_checks=True)
    client.force_login(secretariat_user)
    response = client.post(url("status", draft.pk), {"status": "published",
                                                      "version": draft.version})
    assert response.status_code == 403


def test_user_text_is_escaped_in_the_web_pages(staff_client, template_response):
    practice = services.practice_from_template(template_response)
    html = staff_client.get(url("practice", practice.identifier)).content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; review panel" in html


def test_web_search_finds_a_practice_by_a_word_of_its_description(client, draft):
    services.set_practice_status(draft, PracticeStatus.PUBLISHED, base_version=draft.version)
    found = client.get(url("search"), {"q": "metrology"}).content.decode()
    assert draft.identifier in found
    nothing = client.get(url("search"), {"q": "zzzunknownword"}).content.decode()
    assert draft.identifier not in nothing


def test_key_principles_are_editable(staff_client, principles):
    from iocompendium.compendium.models import KeyPrinciple

    principle = KeyPrinciple.objects.filter(theme="coordination").first()
    prefix = f"kp{principle.pk}"
    staff_client.post(url("principles"), {
        "principle": principle.pk, f"{prefix}-version": principle.version,
        f"{prefix}-order": 1, f"{prefix}-text_en": "Map partners.",
        f"{prefix}-text_fr": "Recenser les partenaires.",
    })
    principle.refresh_from_db()
    assert principle.text_fr == "Recenser les partenaires."
    staff_client.post(url("principles"), {"theme": "variety", "new-variety-text_en": "New one"})
    assert KeyPrinciple.objects.filter(theme="variety", text_en="New one").exists()
