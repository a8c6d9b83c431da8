"""Pages: search without JavaScript, families, type mapping for the secretariat only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from iocompendium.instruments import services
from iocompendium.instruments.models import Instrument, InstrumentType, Source
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Contributor

pytestmark = pytest.mark.django_db


@pytest.fixture
def instruments():
    """Synthetic instruments of two made-up organisations."""
    source = Source.objects.create(name="Synthetic", attribution="Synthetic test data.")
    oecd = Organisation.objects.create(acronym="SYN-O", name_en="Synthetic O", category="igo")
    rows = [
        ("Recommendation on <b>regulatory</b> policy", "Recommendation", oecd, 2012),
        ("Decision on chemicals testing", "Decision", oecd, 1981),
        ("Standard for widget safety", "Standard", None, 2020),
        ("Guidelines on regulatory impact", "Guidelines", None, 2019),
        ("Declaration on open government", "Declaration", oecd, 2017),
        ("Convention on regulatory cooperation", "Convention", None, 1999),
    ]
    services.ensure_default_types()
    for index, (title, kind, organisation, year) in enumerate(rows):
        Instrument.objects.create(
            title=title, native_type=kind, organisation=organisation, year=year, source=source,
            organisation_name="" if organisation else "Synthetic body",
            external_key=f"syn-{index}",
        )
    services.reindex()
    services.compute_families(seed=1, bootstrap=5)


def test_search_page_escapes_and_highlights(client, instruments):
    page = client.get(reverse("instruments:index"), {"q": "regulatory"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;b&gt;<mark>regulatory</mark>&lt;/b&gt;" in html
    assert "<b>regulatory</b>" not in html
    assert "3 instruments found" in html
    assert "Synthetic test data." in html


def test_search_page_facets_work_as_plain_links(client, instruments):
    page = client.get(reverse("instruments:search"),
                      {"q": "regulatory", "organisation": "SYN-O"})
    html = page.content.decode()
    assert "1 instrument found" in html
    assert 'name="organisation" value="SYN-O" checked' in html


def test_search_page_in_french_and_garbage(client, instruments):
    page = client.get("/fr/instruments/", {"q": '"AND OR (', "page": "zz"})
    assert page.status_code == 200
    assert "Rechercher des instruments" in page.content.decode()


def test_search_json_contract(client, instruments):
    data = client.get(reverse("instruments:search_json"), {"q": "regulatory"}).json()
    assert data["total"] == 3 and len(data["results"]) == 3
    assert data["facets"]["legal_effect"] == {"non_binding": 2, "binding": 1}


def test_family_pages(client, instruments):
    listing = client.get(reverse("instruments:families"))
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "<caption>" in html and "<svg" in html
    detail = client.get(reverse("instruments:family", args=[1]))
    assert detail.status_code == 200
    assert client.get(reverse("instruments:family", args=[99])).status_code == 404


def test_instrument_page(client, instruments):
    instrument = Instrument.objects.get(external_key="syn-0")
    page = client.get(reverse("instruments:detail", args=[instrument.pk]))
    assert page.status_code == 200
    assert "&lt;b&gt;" in page.content.decode()


def test_type_mapping_is_secretariat_only(client, django_user_model, instruments):
    organisation = Organisation.objects.get(acronym="SYN-O")
    focal = django_user_model.objects.create_user("focal", password="focal-pass-2026")
    Contributor.objects.create(user=focal, organisation=organisation)
    assert client.get(reverse("instruments:types")).status_code == 404
    client.force_login(focal)
    assert client.get(reverse("instruments:types")).status_code == 404
    assert client.post(reverse("instruments:type_edit"), {"name": "X"}).status_code == 404


def test_secretariat_maps_a_type_and_search_follows(client, secretariat_user, instruments):
    Instrument.objects.filter(external_key="syn-2").update(native_type="Norm")
    services.reindex()
    client.force_login(secretariat_user)
    listing = client.get(reverse("instruments:types")).content.decode()
    assert "Norm" in listing
    response = client.post(reverse("instruments:type_edit"), {
        "name": "Norm", "label_en": "Norm", "label_fr": "Norme", "legal_effect": "binding",
        "nature": "technical", "addressees": ["private_operators"],
        "adopting_body": "technical_committee", "expert_family": "technical_standards",
    })
    assert response.status_code == 302
    assert InstrumentType.objects.get(key="norm").legal_effect == "binding"
    data = client.get(reverse("instruments:search_json"), {"q": "widget"}).json()
    assert data["results"][0]["legal_effect"] == "binding"


def test_a_mapping_changed_by_a_colleague_is_not_overwritten(client, secretariat_user,
                                                              instruments):
    services.save_type_mapping("Norm", {"label_en": "Norm", "legal_effect": "binding"})
    client.force_login(secretariat_user)
    page = client.get(reverse("instruments:type_edit"), {"name": "Norm"}).content.decode()
    loaded = re.search(r'name="loaded_stamp" value="([^"]+)"', page)[1]
    mine = {"name": "Norm", "label_en": "Norm", "label_fr": "", "legal_effect": "non_binding",
            "loaded_stamp": loaded}
    # A colleague saves first.
    services.save_type_mapping("Norm", {"label_en": "Norm", "legal_effect": "mixed"})
    reply = client.post(reverse("instruments:type_edit"), mine)
    assert reply.status_code == 200
    assert "A colleague changed this mapping" in reply.content.decode()
    assert InstrumentType.objects.get(key="norm").legal_effect == "mixed"
    # Saving again, knowingly, replaces theirs.
    again = re.search(r'name="loaded_stamp" value="([^"]+)"', reply.content.decode())[1]
    reply = client.post(reverse("instruments:type_edit"), {**mine, "loaded_stamp": again})
    assert reply.status_code == 302
    assert InstrumentType.objects.get(key="norm").legal_effect == "non_binding"


def test_instrument_and_family_pages_link_to_more_like_this(client, instruments):
    instrument = Instrument.objects.get(external_key="syn-0")
    html = client.get(reverse("instruments:detail", args=[instrument.pk])).content.decode()
    link = reverse("search:similar", args=["instrument", "syn-0"])
    assert f'href="{link}"' in html
    similar = client.get(link)
    assert similar.status_code == 200
    assert "Recommendation on &lt;b&gt;regulatory&lt;/b&gt; policy" in similar.content.decode()
    family = client.get(reverse("instruments:family", args=[1])).content.decode()
    assert f'href="{reverse("search:similar", args=["family", "1"])}"' in family
