"""The organisation list and pages, in both languages."""

from __future__ import annotations

import re

import pytest

from iocompendium.registry.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations():
    # Synthetic records.
    return [
        Organisation.objects.create(acronym="ALPHA", name_en="Alpha Organisation",
                                    name_fr="Organisation Alpha", category="igo", verified=True),
        Organisation.objects.create(acronym="BETA", name_en="Beta Network", category="tgn"),
        Organisation.objects.create(acronym="PIC/S", name_en="Slash Scheme", category="tgn"),
        Organisation.objects.create(acronym="<b>X</b>", name_en="<script>alert(1)</script>",
                                    category="other"),
    ]


def row_acronyms(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', html)


def test_list_shows_every_organisation_with_links(client, organisations):
    html = client.get("/en/organisations/").content.decode()
    assert row_acronyms(html) == sorted(o.acronym.replace("<", "&lt;").replace(">", "&gt;")
                                        for o in organisations)
    assert 'href="/en/organisations/PIC/S/"' in html
    assert "<script>alert(1)</script>" not in html


def test_category_filter(client, organisations):
    html = client.get("/en/organisations/?category=tgn").content.decode()
    assert row_acronyms(html) == ["BETA", "PIC/S"]
    assert '<option value="tgn" selected>' in html
    assert "2 organisations" in html


def test_unknown_category_shows_everything(client, organisations):
    html = client.get("/en/organisations/?category=nonsense").content.decode()
    assert len(row_acronyms(html)) == len(organisations)


def test_french_list_uses_french_names_and_labels(client, organisations):
    html = client.get("/fr/organisations/?category=igo").content.decode()
    assert '<html lang="fr">' in html
    assert "Organisation Alpha" in html
    assert "Organisation intergouvernementale" in html
    assert "1 organisation dans la catégorie" in html


def test_detail_page_and_slash_acronym(client, organisations):
    response = client.get("/fr/organisations/PIC/S/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Slash Scheme" in html and "Réseau transgouvernemental" in html
    # The English name shown on a French page is marked as English.
    assert '<h1 lang="en">' in html


def test_unknown_organisation_is_a_translated_404(client, organisations):
    response = client.get("/fr/organisations/NOPE/")
    assert response.status_code == 404
    assert '<html lang="fr">' in response.content.decode()
    assert "Page not found" not in response.content.decode()


def test_admin_refuses_to_overwrite_a_change_made_since_the_form_was_opened(
    client, django_user_model
):
    admin_user = django_user_model.objects.create_superuser("boss", "b@example.org", "pw-2026-x")
    client.force_login(admin_user)
    organisation = Organisation.objects.create(acronym="SYN-X", name_en="Synthetic X",
                                               category="igo")
    url = f"/en/admin/registry/organisation/{organisation.pk}/change/"
    page = client.get(url).content.decode()
    loaded = re.search(r'name="loaded_fingerprint" value="([0-9a-f]+)"', page)[1]
    form = {"acronym": "SYN-X", "name_en": "Mine", "name_fr": "", "category": "igo",
            "membership": "", "website": "", "loaded_fingerprint": loaded}
    # A colleague saves first.
    Organisation.objects.filter(pk=organisation.pk).update(name_en="Theirs")
    reply = client.post(url, form)
    assert reply.status_code == 200
    assert "Someone else changed this organisation" in reply.content.decode()
    assert Organisation.objects.get(pk=organisation.pk).name_en == "Theirs"
    # Opened again, the form saves.
    page = client.get(url).content.decode()
    form["loaded_fingerprint"] = re.search(r'name="loaded_fingerprint" value="([0-9a-f]+)"',
                                           page)[1]
    assert client.post(url, form).status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).name_en == "Mine"
