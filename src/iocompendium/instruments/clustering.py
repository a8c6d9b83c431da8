"""Families of instruments from the patterns of their categorical attributes (pure
Python + NumPy/SciPy, no Django).

Method: weighted k-modes (Huang 1998) on the *distinct attribute profiles*, each weighted
by how many instruments share it, so 100,000 instruments cost no more than their few
thousand profiles. The distance is the simple-matching (Hamming) distance: the share of
attributes on which two instruments differ. The number of families is the k in
``k_values`` with the best weighted silhouette on that distance (ties: fewer families).
Stability: the clustering is refitted on bootstrap resamples of the instruments; the mean
adjusted Rand index between each refit and the reference is reported, and each
instrument's confidence is the share of refits that keep it in its family (refit
families matched to reference families by the Hungarian method). Everything is drawn
from one seeded generator: the same input and seed give the same families.

The ``kmodes`` package implements the same algorithm with a per-row Python loop; this
vectorised version is used because it takes profile weights and runs fast enough for
the bootstrap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.special import comb


@dataclass
class Clustering:
    attributes: list[str]
    k: int
    quality: dict[int, float]  # weighted silhouette for every k tried
    labels: np.ndarray  # family (0..k-1, largest first) of every profile
    confidence: np.ndarray  # per profile: share of bootstrap refits agreeing
    stability: float  # mean adjusted Rand index over the bootstrap refits
    stability_runs: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)


def encode(profiles: Sequence[Sequence[str]]) -> tuple[np.ndarray, list[list[str]]]:
    """Integer codes per column and the category list of every column."""
    columns = list(zip(*profiles, strict=True)) if profiles else []
    categories = [sorted(set(column)) for column in columns]
    lookup = [{value: code for code, value in enumerate(cats)} for cats in categories]
    codes = np.array(
        [[lookup[j][value] for j, value in enumerate(row)] for row in profiles], dtype=np.int32
    )
    return codes.reshape(len(profiles), len(categories)), categories


def mismatches(points: np.ndarray, modes: np.ndarray) -> np.ndarray:
    """Number of differing attributes between every point and every mode (n x k)."""
    return (points[:, None, :] != modes[None, :, :]).sum(axis=2)


def _init_modes(points, weights, k, rng) -> np.ndarray:
    """k-means++-style seeding: far, heavy profiles are likelier to start a family."""
    n = len(points)
    chosen = [int(rng.choice(n, p=weights / weights.sum()))]
    nearest = mismatches(points, points[chosen]).min(axis=1).astype(float)
    while len(chosen) < k:
        score = weights * nearest
        if score.sum() <= 0:
            remaining = np.setdiff1d(np.arange(n), chosen)
            chosen.append(int(rng.choice(remaining)))
        else:
            chosen.append(int(rng.choice(n, p=score / score.sum())))
        nearest = np.minimum(nearest, mismatches(points, points[[chosen[-1]]])[:, 0])
    return points[chosen].copy()


def _update_modes(points, weights, labels, modes, n_categories) -> np.ndarray:
    new = modes.copy()
    for cluster in range(len(modes)):
        members = labels == cluster
        if not members.any():
            continue
        for j, size in enumerate(n_categories):
            counts = np.bincount(points[members, j], weights=weights[members], minlength=size)
            new[cluster, j] = int(counts.argmax())
    return new


def kmodes(
    points: np.ndarray, weights: np.ndarray, k: int, rng: np.random.Generator,
    n_init: int = 10, max_iter: int = 50,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Weighted k-modes: (labels, modes, cost), the best of ``n_init`` seeded starts."""
    n_categories = [int(points[:, j].max()) + 1 for j in range(points.shape[1])]
    best: tuple[np.ndarray, np.ndarray, float] | None = None
    for _ in range(n_init):
        modes = _init_modes(points, weights, k, rng)
        labels = None
        for _ in range(max_iter):
            distance = mismatches(points, modes)
            new_labels = distance.argmin(axis=1)
            if labels is not None and np.array_equal(new_labels, labels):
                break
            labels = new_labels
            modes = _update_modes(points, weights, labels, modes, n_categories)
        distance = mismatches(points, modes)
        labels = distance.argmin(axis=1)
        cost = float((distance[np.arange(len(points)), labels] * weights).sum())
        if best is None or cost < best[2] - 1e-9:
            best = (labels, modes, cost)
    assert best is not None
    return best


def weighted_silhouette(distance: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> float:
    """Mean silhouette of the instruments (profiles weighted by their counts)."""
    k = int(labels.max()) + 1
    onehot = np.zeros((len(labels), k))
    onehot[np.arange(len(labels)), labels] = 1.0
    sums = distance @ (onehot * weights[:, None])  # distance sum to each cluster's members
    sizes = (onehot * weights[:, None]).sum(axis=0)
    own = sizes[labels] - 1.0  # the other instruments of one's own family
    a = np.where(own > 0, sums[np.arange(len(labels)), labels] / np.maximum(own, 1e-12), 0.0)
    other = np.where(onehot > 0, np.inf, sums / np.maximum(sizes, 1e-12))
    other = np.where(sizes[None, :] > 0, other, np.inf)
    b = other.min(axis=1)
    denominator = np.maximum(a, b)
    score = np.where((own > 0) & np.isfinite(b) & (denominator > 0), (b - a) / denominator, 0.0)
    return float((score * weights).sum() / weights.sum())


def adjusted_rand(reference: np.ndarray, other: np.ndarray, weights: np.ndarray) -> float:
    """Adjusted Rand index of two labellings of the instruments (weighted profiles)."""
    table = _contingency(reference, other, weights)
    total = comb(table.sum(), 2)
    pairs = comb(table, 2).sum()
    rows = comb(table.sum(axis=1), 2).sum()
    cols = comb(table.sum(axis=0), 2).sum()
    expected = rows * cols / total if total else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return float((pairs - expected) / (maximum - expected))


def _contingency(reference, other, weights) -> np.ndarray:
    table = np.zeros((int(reference.max()) + 1, int(other.max()) + 1))
    np.add.at(table, (reference, other), weights)
    return table


def _relabel_by_size(labels: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    sizes = np.bincount(labels, weights=weights, minlength=k)
    order = sorted(range(k), key=lambda c: (-sizes[c], c))
    mapping = np.empty(k, dtype=int)
    mapping[order] = np.arange(k)
    return mapping[labels]


def find_families(
    profiles: Sequence[Sequence[str]],
    counts: Sequence[int],
    attributes: Sequence[str],
    *,
    seed: int = 1,
    k_values: Sequence[int] = range(2, 11),
    bootstrap: int = 20,
    n_init: int = 10,
    silhouette_sample: int = 2000,
) -> Clustering:
    """Families of the distinct ``profiles`` (one tuple of values per attribute), each
    standing for ``counts[i]`` instruments."""
    rng = np.random.default_rng(seed)
    points, _ = encode(profiles)
    weights = np.asarray(counts, dtype=float)
    n_profiles = len(points)
    candidates = [k for k in k_values if 2 <= k < n_profiles]
    if not candidates:  # too few distinct profiles to split: one family
        labels = np.zeros(n_profiles, dtype=int)
        return Clustering(list(attributes), 1, {}, labels, np.ones(n_profiles), 1.0, [],
                          [int(weights.sum())])
    sample = _silhouette_sample(n_profiles, weights, silhouette_sample, rng)
    distance = mismatches(points[sample], points[sample]) / points.shape[1]
    fits: dict[int, np.ndarray] = {}
    quality: dict[int, float] = {}
    for k in candidates:
        labels, _, _ = kmodes(points, weights, k, rng, n_init=n_init)
        fits[k] = labels
        quality[k] = round(weighted_silhouette(distance, labels[sample], weights[sample]), 4)
    k = max(candidates, key=lambda c: (quality[c], -c))
    labels = _relabel_by_size(fits[k], weights, k)
    runs, agreement = _bootstrap(points, weights, labels, k, rng, bootstrap, n_init)
    confidence = agreement / bootstrap if bootstrap else np.ones(n_profiles)
    sizes = np.bincount(labels, weights=weights, minlength=k).astype(int).tolist()
    stability = float(np.mean(runs)) if runs else 1.0
    return Clustering(list(attributes), k, quality, labels, confidence, stability, runs, sizes)


def _silhouette_sample(n, weights, cap, rng) -> np.ndarray:
    if n <= cap:
        return np.arange(n)
    return np.sort(rng.choice(n, size=cap, replace=False, p=weights / weights.sum()))


def _bootstrap(points, weights, labels, k, rng, runs, n_init) -> tuple[list[float], np.ndarray]:
    total = int(weights.sum())
    agreement = np.zeros(len(points))
    scores: list[float] = []
    for _ in range(runs):
        resampled = rng.multinomial(total, weights / weights.sum()).astype(float)
        kept = resampled > 0
        if kept.sum() <= k:
            continue
        _, modes, _ = kmodes(points[kept], resampled[kept], k, rng, n_init=n_init)
        refit = mismatches(points, modes).argmin(axis=1)
        scores.append(round(adjusted_rand(labels, refit, weights), 4))
        table = _contingency(labels, refit, weights)
        rows, cols = linear_sum_assignment(-table)
        matched = np.full(table.shape[1], -1)
        matched[cols] = rows
        agreement += matched[refit] == labels
    return scores, agreement


def describe(
    profiles: Sequence[Sequence[str]],
    counts: Sequence[int],
    labels: np.ndarray,
    attributes: Sequence[str],
    *,
    threshold: float = 0.5,
) -> list[list[dict]]:
    """For every family, the attribute values that define it: those held by at least
    ``threshold`` of its instruments ("" where not recorded), most shared first, with the
    share overall."""
    weights = np.asarray(counts, dtype=float)
    total = weights.sum()
    families: list[list[dict]] = []
    for family in range(int(labels.max()) + 1 if len(labels) else 0):
        members = labels == family
        size = weights[members].sum()
        found = []
        for j, attribute in enumerate(attributes):
            shares: dict[str, float] = {}
            overall: dict[str, float] = {}
            for i, profile in enumerate(profiles):
                overall[profile[j]] = overall.get(profile[j], 0.0) + weights[i]
                if members[i]:
                    shares[profile[j]] = shares.get(profile[j], 0.0) + weights[i]
            value, amount = max(shares.items(), key=lambda kv: (kv[1], kv[0]))
            # An empty value ("not recorded") is kept too: a family that is, say, the
            # agreements whose scope the source does not give must say so to read clearly.
            if amount / size >= threshold:
                found.append({
                    "attribute": attribute,
                    "value": value,
                    "share": round(amount / size, 3),
                    "overall": round(overall[value] / total, 3),
                })
        # Values that set the family apart (far more common in it than overall) first.
        found.sort(key=lambda d: (-(d["share"] - d["overall"]), -d["share"], d["attribute"]))
        families.append(found)
    return families
