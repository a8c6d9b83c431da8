"""Family profiles in words: "not recorded" is missing, never a value that defines or
names a family (issue 18)."""

from __future__ import annotations

import numpy as np

from iocompendium.instruments import clustering, wording


def test_a_missing_value_never_defines_a_family():
    # Two families of SYNTHETIC profiles (type, scope): agreements with a bilateral scope,
    # and agreements whose scope the source does not give.
    profiles = [("Agreement", "bilateral"), ("Agreement", "")]
    counts = [30, 10]
    labels = np.array([0, 1])
    described = clustering.describe(profiles, counts, labels, ["type", "scope"])
    assert {d["attribute"]: d["value"] for d in described[0]} == {
        "type": "Agreement", "scope": "bilateral"}
    assert {d["attribute"]: d["value"] for d in described[1]} == {"type": "Agreement"}
    scope = next(d for d in described[0] if d["attribute"] == "scope")
    assert scope["share"] == 1.0 and scope["overall"] == 0.75 and scope["coverage"] == 1.0


def test_names_never_say_not_recorded():
    facts = wording.Facts(size=10, n_organisations=2, types=[("Agreement", 10)], defining=[
        {"attribute": "legal_effect", "value": "binding", "share": 1.0, "overall": 0.5}])
    for lang in wording.LANGUAGES:
        name = wording.name(facts, lang, {})
        assert "not recorded" not in name and "non renseigné" not in name
    assert wording.name(facts, "en", {}) == "Agreement · binding"
    assert wording.name(facts, "fr", {"Agreement": "Accord"}) == "Accord · contraignant"


def test_repeated_names_are_told_apart():
    same = wording.Facts(size=10, n_organisations=1, types=[("Standard", 10)], defining=[
        {"attribute": "legal_effect", "value": "non_binding", "share": 1, "overall": .5},
        {"attribute": "adopting_body", "value": "plenary", "share": 1, "overall": .5}])
    other = wording.Facts(size=10, n_organisations=1, types=[("Standard", 10)], defining=[
        {"attribute": "legal_effect", "value": "non_binding", "share": 1, "overall": .5},
        {"attribute": "adopting_body", "value": "secretariat", "share": 1, "overall": .5}])
    names = wording.unique_names([same, other], "en", {})
    assert names[0] != names[1]
    assert names == ["Standard · non-binding · plenary", "Standard · non-binding · secretariat"]
