"""Home page in English and French, the language switch, logging in and out (Chromium)."""

import pytest

from iocompendium.registry.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_in_english_then_french(page):
    page.goto("/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Evidence on how")
    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**/fr/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "élaborent les règles" in page.get_by_role("heading", level=1).inner_text()


def test_language_switch_keeps_the_page(page):
    Organisation.objects.create(acronym="SYN", name_en="Synthetic Organisation",
                                name_fr="Organisation synthétique", category="tgn")
    page.goto("/en/organisations/SYN/")
    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**/fr/organisations/SYN/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Organisation synthétique")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/en/organisations/SYN/")


def test_log_in_then_out_in_french(page, secretariat_user):
    # "Log in"/"Log out" take Django's own French ("Connexion"/"Déconnexion"): the admin's
    # catalogue comes first in INSTALLED_APPS and shares these messages.
    page.goto("/fr/")
    page.get_by_role("link", name="Connexion", exact=True).click()
    page.get_by_label("Nom d'utilisateur ou adresse électronique").fill("analyst")
    page.get_by_label("Mot de passe").fill("analyst-pass-2026")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url("**/fr/")
    assert page.locator(".who").inner_text() == "analyst"
    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_url("**/fr/")
    assert page.get_by_role("link", name="Connexion", exact=True).is_visible()


def test_wrong_password_shows_an_error(page, secretariat_user):
    page.goto("/en/accounts/login/")
    page.get_by_label("User name or e-mail").fill("analyst")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()
