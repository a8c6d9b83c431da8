import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_home_has_the_right_html_lang(client, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.content.decode()


def test_root_redirects_to_a_language(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] in {"/en/", "/fr/"}
