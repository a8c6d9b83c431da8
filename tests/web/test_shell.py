"""The web shell: languages, error pages, log-in throttling, the admin."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import iocompendium

pytestmark = pytest.mark.django_db

PACKAGE = Path(iocompendium.__file__).parent


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_home_has_the_right_html_lang(client, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()


def test_root_redirects_to_a_language(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] in {"/en/", "/fr/"}


def test_home_says_what_the_platform_is_in_both_languages(client):
    assert "how international organisations make rules" in client.get("/en/").content.decode()
    french = client.get("/fr/").content.decode()
    assert "élaborent les règles" in french
    assert french_text("Skip to main content") in french


def test_language_switch_keeps_the_page(client):
    html = client.get("/en/organisations/?category=igo").content.decode()
    assert 'href="/fr/organisations/?category=igo"' in html
    html = client.get("/fr/organisations/").content.decode()
    assert 'href="/en/organisations/"' in html


def french_text(message: str) -> str:
    """The French of a message (whichever catalogue provides it), checked to differ."""
    from django.utils import translation

    with translation.override("fr"):
        french = translation.gettext(message)
    assert french != message
    return french


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_404_page_is_translated(client, lang):
    response = client.get(f"/{lang}/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    title = "Page not found" if lang == "en" else french_text("Page not found")
    assert f'<html lang="{lang}">' in html and f"<h1>{title}</h1>" in html


@pytest.mark.parametrize("lang, title", [("en", "Something went wrong"),
                                         ("fr", "Une erreur s'est produite")])
def test_500_page_is_translated(rf, lang, title):
    from django.utils import translation

    from iocompendium.web.views import server_error

    with translation.override(lang):
        response = server_error(rf.get(f"/{lang}/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{title}</h1>" in html


def login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/en/accounts/login/", {"username": username, "password": password},
                       REMOTE_ADDR=address)


def test_login_and_logout(client, secretariat_user):
    response = login(client, "analyst", "analyst-pass-2026")
    assert response.status_code == 302
    html = client.get("/en/").content.decode()
    assert "analyst" in html and "Log out" in html
    assert 'href="/en/admin/"' in html  # the secretariat sees the admin link
    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert "Log in" in client.get("/en/").content.decode()


def test_logout_needs_post(client, secretariat_user):
    client.force_login(secretariat_user)
    assert client.get("/en/accounts/logout/").status_code == 405


def test_repeated_failures_are_slowed_down_not_locked_out(client, secretariat_user, settings):
    # The throttle itself is tested in tests/security/test_throttle.py.
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert login(client, "analyst", "wrong").status_code == 200
    response = login(client, "analyst", "wrong")
    assert response.status_code == 429
    assert "Too many failed attempts: wait 1 second" in response.content.decode()
    assert int(response["Retry-After"]) <= settings.IOCOMPENDIUM_THROTTLE_MAX_DELAY_SECONDS


def test_a_successful_login_clears_earlier_failures(client, secretariat_user):
    from axes.models import AccessAttempt

    login(client, "analyst", "wrong")
    login(client, "analyst", "wrong")
    assert AccessAttempt.objects.filter(username="analyst").exists()
    assert login(client, "analyst", "analyst-pass-2026").status_code == 302
    assert not AccessAttempt.objects.filter(username="analyst").exists()


def test_admin_is_for_the_secretariat_only(client, django_user_model, secretariat_user):
    focal_point = django_user_model.objects.create_user("focal", password="focal-pass-2026")
    client.force_login(focal_point)
    assert client.get("/en/admin/").status_code == 302  # sent to the admin's log-in
    client.force_login(secretariat_user)
    secretariat_user.is_superuser = True
    secretariat_user.save()
    response = client.get("/fr/admin/registry/organisation/")
    assert response.status_code == 200
    assert "Administration d&#x27;iocompendium" in response.content.decode()


def test_login_page_labels_every_control(client):
    html = client.get(reverse("web:login")).content.decode()
    for control in re.findall(r'<input[^>]+type="(?:text|password)"[^>]*>', html):
        control_id = re.search(r'id="([^"]+)"', control)[1]
        assert f'<label for="{control_id}">' in html


@pytest.mark.parametrize("app", ["web", "registry"])
def test_french_catalogue_is_complete(app):
    """Every message has a French translation and none is fuzzy."""
    po = (PACKAGE / app / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    assert (PACKAGE / app / "locale" / "fr" / "LC_MESSAGES" / "django.mo").is_file()
    entries = po.split("\n\n")[1:]
    assert entries
    for entry in entries:
        assert "#, fuzzy" not in entry
        assert not re.search(r'^msgstr(\[\d\])? ""\Z', entry.strip(), re.MULTILINE), entry


def test_home_counts_real_and_fictional_organisations_apart(client):
    from iocompendium.registry.models import Organisation

    Organisation.objects.create(acronym="R1", name_en="Real one", category="igo")
    Organisation.objects.create(acronym="R2", name_en="Real two", category="tgn")
    Organisation.objects.create(acronym="DEMO", name_en="Fictional", category="igo",
                                synthetic=True)
    html = " ".join(client.get("/en/").content.decode().split())
    assert "The registry lists 2 organisations." in html
    assert "The demo adds 1 fictional organisation, marked as such." in html
