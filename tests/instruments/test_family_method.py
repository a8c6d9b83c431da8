"""The grouping (issue 18): missing values, weights, pins as constraints, choice of k by
stability, determinism, MCA. Profiles here are SYNTHETIC."""

from __future__ import annotations

import numpy as np
import pytest

from iocompendium.instruments import clustering


def _blocks():
    # Three clear groups of SYNTHETIC profiles (type, legal effect, body), some values
    # not recorded.
    profiles = [
        ("Standard", "non_binding", "technical_committee"),
        ("Standard", "", "technical_committee"),
        ("Standard", "non_binding", ""),
        ("Treaty", "binding", "states"),
        ("Treaty", "binding", ""),
        ("Treaty", "", "states"),
        ("Guidelines", "non_binding", "secretariat"),
        ("Guidelines", "", "secretariat"),
    ]
    counts = [30, 5, 4, 20, 6, 3, 15, 5]
    return profiles, counts, ["type", "legal_effect", "adopting_body"]


def test_missing_values_are_left_out_of_the_distance():
    points, _ = clustering.encode([("a", "x"), ("a", ""), ("b", "")])
    assert points[1, 1] == -1
    d = clustering.distances(points, points, np.array([1.0, 1.0]))
    assert d[0, 1] == 0.0  # the only attribute both record is the same
    assert d[1, 2] == 1.0
    assert d[0, 2] == 1.0  # differ on the one attribute both record


def test_weights_change_the_distance():
    points, _ = clustering.encode([("a", "x"), ("b", "x")])
    even = clustering.distances(points, points, np.array([1.0, 1.0]))[0, 1]
    heavy = clustering.distances(points, points, np.array([3.0, 1.0]))[0, 1]
    assert even == 0.5 and heavy == 0.75


def test_clear_groups_are_found_stable_and_reproducible():
    profiles, counts, attributes = _blocks()
    settings = clustering.Settings(seed=4, bootstrap=15, k_values=[2, 3, 4, 5])
    first = clustering.find_families(profiles, counts, attributes, settings=settings)
    again = clustering.find_families(profiles, counts, attributes, settings=settings)
    assert first.k == 3
    assert first.stability >= 0.85
    assert first.labels.tolist() == again.labels.tolist()
    assert first.scores == again.scores
    assert first.labels.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]
    assert first.sizes == [39, 29, 20]
    assert [profiles[m][0] for m in first.medoids] == ["Standard", "Treaty", "Guidelines"]


def test_pins_hold_their_points():
    profiles, counts, attributes = _blocks()
    # Pin the second guidelines point to one group with the treaties.
    pins = [-1, -1, -1, 0, -1, -1, -1, 0]
    settings = clustering.Settings(seed=1, bootstrap=5, k_values=[3])
    result = clustering.find_families(profiles, counts, attributes, settings=settings,
                                      pins=pins)
    assert result.labels[3] == result.labels[7] == 0
    assert result.labels[6] != 0  # the unpinned guidelines stay apart


def test_k_is_chosen_by_stability_then_silhouette():
    scores = {2: {"silhouette": 0.3, "stability": 0.95},
              3: {"silhouette": 0.5, "stability": 0.9},
              4: {"silhouette": 0.6, "stability": 0.7}}
    assert clustering.choose_k(scores, 0.85) == 3
    assert clustering.choose_k({4: {"silhouette": 0.6, "stability": 0.7},
                                5: {"silhouette": 0.2, "stability": 0.8}}, 0.85) == 5


def test_correspondence_map_separates_the_groups():
    profiles, counts, _ = _blocks()
    coordinates, explained = clustering.correspondence_map(profiles, counts)
    assert coordinates.shape == (8, 2)
    assert 0 < explained[0] <= 1 and explained[1] <= explained[0]
    # The treaties sit apart from the standards on the first two axes.
    standards = coordinates[0]
    treaties = coordinates[3]
    assert np.linalg.norm(standards - treaties) > 0.5


def test_correspondence_map_matches_a_textbook_computation():
    # MCA as correspondence analysis of the indicator matrix (Greenacre 2007): the
    # squared singular values of the standardised residuals are the principal inertias.
    profiles = [("a", "x"), ("a", "y"), ("b", "y"), ("b", "x"), ("c", "y")]
    counts = [3, 1, 2, 1, 1]
    rows = []
    for profile, n in zip(profiles, counts, strict=True):
        rows += [profile] * n
    indicator = np.array([[r[0] == v for v in "abc"] + [r[1] == v for v in "xy"]
                          for r in rows], dtype=float)
    p = indicator / indicator.sum()
    r, c = p.sum(axis=1), p.sum(axis=0)
    s = np.linalg.svd((p - np.outer(r, c)) / np.sqrt(np.outer(r, c)), compute_uv=False)
    inertia = s**2
    _, explained = clustering.correspondence_map(profiles, counts)
    assert explained[0] == pytest.approx(inertia[0] / inertia.sum(), abs=1e-3)
    assert explained[1] == pytest.approx(inertia[1] / inertia.sum(), abs=1e-3)
