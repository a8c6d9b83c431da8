"""The jurisdictions registry: ISO 3166 countries from pycountry (names EN/FR), region and
OECD membership; jurisdictions the secretariat adds; how files name them."""

from __future__ import annotations

import pycountry
import pytest
from django.core.management import call_command
from django.utils import translation

from iocompendium.registry.jurisdiction_services import (
    JurisdictionError,
    add_jurisdiction,
    find_jurisdiction,
    load_jurisdictions,
)
from iocompendium.registry.models import Jurisdiction

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_every_iso_country():
    assert Jurisdiction.objects.filter(iso=True).count() == len(pycountry.countries)
    lebanon = Jurisdiction.objects.get(code="LBN")
    assert (lebanon.alpha_2, lebanon.name_en, lebanon.name_fr) == ("LB", "Lebanon", "Liban")
    assert lebanon.region == "Western Asia" and not lebanon.oecd_member
    france = Jurisdiction.objects.get(code="FRA")
    assert france.oecd_member and france.name_fr == "France"
    # 38 OECD members in country_converter's table at the pinned version.
    assert Jurisdiction.objects.filter(oecd_member=True).count() == 38


def test_loading_again_changes_nothing_and_restores_edits():
    assert load_jurisdictions().created == 0
    Jurisdiction.objects.filter(code="LBN").update(name_fr="changed")
    counts = load_jurisdictions()
    assert counts.updated == 1 and Jurisdiction.objects.get(code="LBN").name_fr == "Liban"


def test_names_follow_the_active_language():
    germany = Jurisdiction.objects.get(code="DEU")
    with translation.override("fr"):
        assert germany.name == "Allemagne"
        assert germany.region_label == "Europe de l'Ouest"
    assert germany.name == "Germany" and germany.region_label == "Western Europe"


def test_the_secretariat_adds_the_european_union():
    eu = add_jurisdiction("euu", "European Union", "Union européenne", region="Europe")
    assert eu.code == "EUU" and not eu.iso
    load_jurisdictions()  # a reload keeps jurisdictions added by hand
    assert Jurisdiction.objects.get(code="EUU").name_fr == "Union européenne"
    with pytest.raises(JurisdictionError):
        add_jurisdiction("e u", "Bad")


@pytest.mark.parametrize(
    "text", ["LBN", "lb", "Lebanon", "liban", " LEBANON ", "Liban"]
)
def test_a_cell_names_a_jurisdiction_by_code_or_name(text):
    assert find_jurisdiction(text).code == "LBN"


def test_a_cell_in_french_with_accents():
    assert find_jurisdiction("Égypte").code == "EGY"
    assert find_jurisdiction("Atlantis") is None


def test_the_command_lists_and_adds(capsys):
    call_command("jurisdictions", "add", "EUU", "European Union", "--name-fr", "Union européenne")
    call_command("jurisdictions", "list", "--oecd")
    out = capsys.readouterr().out
    assert "EUU: European Union." in out
    assert len([line for line in out.splitlines() if line.endswith("OECD")]) == 38
