"""The jurisdictions registry's source data: ISO 3166-1 countries with their English and
French names (pycountry and its French locale), UN sub-region and OECD membership
(the country table shipped with country_converter, read directly: its converter class is
not needed). No Django model code here: ``services.load_jurisdictions`` writes them."""

from __future__ import annotations

import csv
import gettext
import importlib.resources
from dataclasses import dataclass
from functools import lru_cache


def gettext_noop(message: str) -> str:
    """Mark a region name for ``makemessages`` (translated on display by ``region_label``)."""
    return message


# The UN geoscheme sub-regions as country_converter names them.
REGIONS = (
    gettext_noop("Antarctica"),
    gettext_noop("Australia and New Zealand"),
    gettext_noop("Caribbean"),
    gettext_noop("Central America"),
    gettext_noop("Central Asia"),
    gettext_noop("Eastern Africa"),
    gettext_noop("Eastern Asia"),
    gettext_noop("Eastern Europe"),
    gettext_noop("Melanesia"),
    gettext_noop("Micronesia"),
    gettext_noop("Middle Africa"),
    gettext_noop("Northern Africa"),
    gettext_noop("Northern America"),
    gettext_noop("Northern Europe"),
    gettext_noop("Polynesia"),
    gettext_noop("South America"),
    gettext_noop("South-eastern Asia"),
    gettext_noop("Southern Africa"),
    gettext_noop("Southern Asia"),
    gettext_noop("Southern Europe"),
    gettext_noop("Western Africa"),
    gettext_noop("Western Asia"),
    gettext_noop("Western Europe"),
    gettext_noop("Europe"),
)


def region_label(region: str) -> str:
    """A region's name in the active language (the registry app's catalogue)."""
    from django.utils.translation import gettext

    return gettext(region) if region else ""


@dataclass(frozen=True)
class CountryRecord:
    code: str  # alpha-3
    alpha_2: str
    name_en: str
    name_fr: str
    region: str
    oecd_member: bool


@lru_cache(maxsize=1)
def _attributes() -> dict[str, tuple[str, bool]]:
    """alpha-3 -> (UN sub-region, OECD member) from country_converter's table."""
    table = importlib.resources.files("country_converter") / "country_data.tsv"
    with table.open(encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["ISO3"]: (row["UNregion"], bool(row["OECD"].strip())) for row in rows}


def iso_countries() -> list[CountryRecord]:
    """Every ISO 3166-1 country, ordered by alpha-3 code."""
    import pycountry

    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    attributes = _attributes()
    records = []
    for country in pycountry.countries:
        # Common names where ISO has one ("Bolivia" rather than "Bolivia, Plurinational
        # State of"); the French catalogue translates the ISO name.
        name_en = getattr(country, "common_name", None) or country.name
        region, oecd = attributes.get(country.alpha_3, ("", False))
        records.append(
            CountryRecord(
                code=country.alpha_3,
                alpha_2=country.alpha_2,
                name_en=name_en,
                name_fr=french.gettext(country.name),
                region=region,
                oecd_member=oecd,
            )
        )
    return sorted(records, key=lambda record: record.code)
