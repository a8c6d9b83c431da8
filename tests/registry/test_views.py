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
