"""Page helpers that need no database: static links and the families summary."""

from __future__ import annotations

from iocompendium.compendium.pages import family_rows
from iocompendium.compendium.site import Site


def test_static_links_are_relative_to_the_page():
    site = Site(static=True, lang="fr", page="fr/practices/x.html")
    assert site.url("theme", "evaluation") == "../themes/evaluation.html"
    assert site.url("asset", "site.css") == "../../assets/site.css"
    assert site.url("practice", "y") == "y.html"
    assert site.other_language_url() == "../../en/practices/x.html"
    root = Site(static=True, lang="en", page="en/index.html")
    assert root.url("organisation", "abc") == "organisations/abc.html"


def test_family_rows_read_the_instruments_summary_shape():
    summary = {"computed": True, "method": "k-modes", "families": [
        {"number": 1, "name": "legal · binding", "profile": "nature legal (100%)", "size": 31},
        {"number": 2, "name": "", "profile": ["type Standard"], "size": 5},
    ]}
    rows = family_rows(summary)
    assert [(r.label, r.size, r.description, r.traits) for r in rows] == [
        ("legal · binding", 31, "nature legal (100%)", []),
        ("Family 2", 5, "", ["type Standard"]),
    ]
    assert family_rows({"computed": False, "families": []}) == []
    assert family_rows(None) is None
