"""axe-core (through axe-playwright-python, which injects axe.min.js into the page) finds no
serious or critical accessibility violation on the main pages of the published static
site (opened from disk) and of the web app. Data: SYNTHETIC."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model

from iocompendium.compendium import services
from iocompendium.compendium.models import PracticeStatus
from iocompendium.compendium.publishing import publish
from iocompendium.responses.models import Contributor, ResponseStatus
from tests.compendium.conftest import (  # noqa: F401 - fixtures
    make_response,
    organisations,
    principles,
    survey,
    template_response,
    template_version,
)

pytestmark = pytest.mark.django_db(transaction=True)
BLOCKING = {"serious", "critical"}
PASSWORD = "a11y-test-password-2026"


def blocking_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"] if v.get("impact") in BLOCKING
    ]


@pytest.fixture
def published(survey, template_response, principles):  # noqa: F811
    practice = services.practice_from_answer(survey["SYN-A"],
                                             "implementation/implementation_examples")
    template = services.practice_from_template(template_response)
    for item in (practice, template):
        services.set_practice_status(item, PracticeStatus.PUBLISHED, base_version=item.version)
    return practice


def test_static_site_pages_have_no_serious_violation(browser, published, tmp_path):
    result = publish(tmp_path / "site", with_pdf=False)
    pages = ["index.html", "en/index.html", "en/themes/stakeholders.html",
             "en/themes/implementation.html", f"en/practices/{published.identifier}.html",
             "en/organisations/index.html", "en/organisations/syn-a.html", "en/families.html",
             "en/search.html", "fr/index.html", "fr/themes/evaluation.html"]
    context = browser.new_context()
    page = context.new_page()
    found = {}
    for name in pages:
        assert (result.output / name).is_file(), name
        page.goto((result.output / name).as_uri())
        problems = blocking_violations(page)
        if problems:
            found[name] = problems
    context.close()
    assert found == {}


def _log_in(page, username: str) -> None:
    page.goto("/en/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def test_web_app_main_pages_have_no_serious_violation(page, published, survey, organisations):  # noqa: F811
    users = get_user_model().objects
    users.create_user("a11y-staff", "s@example.org", PASSWORD, is_staff=True)
    focal = users.create_user("a11y-focal", "f@example.org", PASSWORD)
    organisation = organisations["SYN-A"]
    Contributor.objects.create(user=focal, organisation=organisation)
    draft = make_response(organisation, survey["SYN-A"].version, {}, title="Second answer",
                          status=ResponseStatus.DRAFT)
    found = {}

    def check(path: str) -> None:
        assert page.goto(path).ok, path
        problems = blocking_violations(page)
        if problems:
            found[path] = problems

    for path in ("/en/", "/fr/", "/en/organisations/", "/en/compendium/",
                 "/en/compendium/themes/stakeholders/",
                 f"/en/compendium/practices/{published.identifier}/",
                 "/en/compendium/organisations/", "/en/compendium/search/?q=metrology",
                 "/fr/compendium/"):
        check(path)
    _log_in(page, "a11y-focal")
    check(f"/en/responses/{draft.pk}/")
    page.context.clear_cookies()
    _log_in(page, "a11y-staff")
    for path in ("/en/evidence/", "/en/compendium/curate/",
                 f"/en/compendium/curate/{published.pk}/", "/en/compendium/principles/"):
        check(path)
    assert found == {}
