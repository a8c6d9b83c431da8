"""Family profiles in words: the values that define a family, "not recorded" included."""

from __future__ import annotations

import numpy as np
from django.utils import translation

from iocompendium.instruments import clustering, typology


def test_a_family_defined_by_a_missing_value_says_so():
    # Two families of SYNTHETIC profiles (type, scope): agreements with a bilateral scope,
    # and agreements whose scope the source does not give.
    profiles = [("Agreement", "bilateral"), ("Agreement", "")]
    counts = [30, 10]
    labels = np.array([0, 1])
    described = clustering.describe(profiles, counts, labels, ["type", "scope"])
    second = {d["attribute"]: d["value"] for d in described[1]}
    assert second == {"type": "Agreement", "scope": ""}
    scope = next(d for d in described[1] if d["attribute"] == "scope")
    assert scope["share"] == 1.0 and scope["overall"] == 0.25
    with translation.override("fr"):
        assert typology.label("scope", "") == "non renseigné"
    assert typology.label("scope", "") == "not recorded"


def test_a_family_name_says_which_attribute_is_not_recorded():
    from iocompendium.instruments.selectors import family_name

    profile = [{"attribute": "scope", "value": "", "share": 1.0, "overall": 0.2},
               {"attribute": "legal_effect", "value": "binding", "share": 1.0, "overall": 0.9}]
    assert family_name(profile, {}) == "scope: not recorded · binding"
