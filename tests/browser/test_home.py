import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_in_english_then_french(page):
    page.goto("/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Français").click()
    page.wait_for_url("**/fr/")
    assert page.locator("html").get_attribute("lang") == "fr"
