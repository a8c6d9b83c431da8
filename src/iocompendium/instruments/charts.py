"""Geometry of the families' pictures (pure Python, no Django): the templates draw SVG
from these numbers, and the same numbers fill the data table beside each picture.

Every picture has a fixed viewBox and is scaled by CSS to the width it is given, so it
fits a 1,280-pixel window without squashing; labels sit in their own column.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

# Colour-blind-safe qualitative palette (Okabe & Ito 2008) extended with darker tones.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#000000", "#7F5A00", "#4B0092", "#5F8F00", "#A00050"]


def colour(number: int) -> str:
    return PALETTE[(number - 1) % len(PALETTE)]


def heatmap(rows: Sequence[Mapping], columns: Sequence[str], *, label_width: int = 260,
            cell: int = 46, row_height: int = 24) -> dict:
    """Cells of the attribute-by-family heatmap: a darker cell is a value more common in
    the family; a cell marked "+" holds the value at least 1.5 times as often as all
    instruments do."""
    cells = []
    for r, row in enumerate(rows):
        for c, share in enumerate(row["shares"]):
            ratio = share / row["overall"] if row["overall"] else 0.0
            cells.append({
                "x": label_width + c * cell, "y": 30 + r * row_height,
                "width": cell - 2, "height": row_height - 2,
                "opacity": round(0.08 + 0.92 * share, 3), "share": round(100 * share),
                "text_x": label_width + c * cell + (cell - 2) / 2,
                "text_y": 30 + r * row_height + row_height / 2 + 4,
                "dark": share >= 0.55, "over": ratio >= 1.5 and share >= 0.2,
            })
    heads = [{"x": label_width + c * cell + (cell - 2) / 2, "label": label}
             for c, label in enumerate(columns)]
    labels = [{"y": 30 + r * row_height + row_height / 2 + 4} for r in range(len(rows))]
    width = label_width + cell * max(len(columns), 1) + 10
    return {"cells": cells, "heads": heads, "labels": labels, "width": width,
            "height": 40 + row_height * len(rows), "label_x": label_width - 8}


def scatter(points: Sequence[Sequence[float]], *, width: int = 640, height: int = 420,
            margin: int = 30) -> dict:
    """The MCA map: each point [x, y, family, count] placed in the box, its radius by the
    square root of its count; axes through the origin."""
    if not points:
        return {"dots": [], "width": width, "height": height, "axis_x": 0, "axis_y": 0}
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x_low, x_high = min(xs + [0.0]), max(xs + [0.0])
    y_low, y_high = min(ys + [0.0]), max(ys + [0.0])
    x_span = (x_high - x_low) or 1.0
    y_span = (y_high - y_low) or 1.0
    largest = max(p[3] for p in points) or 1

    def place_x(x: float) -> float:
        return round(margin + (x - x_low) / x_span * (width - 2 * margin), 1)

    def place_y(y: float) -> float:
        return round(height - margin - (y - y_low) / y_span * (height - 2 * margin), 1)

    dots = [{"cx": place_x(x), "cy": place_y(y), "family": int(f), "count": int(n),
             "r": round(2.5 + 9 * (n / largest) ** 0.5, 1), "fill": colour(int(f))}
            for x, y, f, n in sorted(points, key=lambda p: -p[3])]
    return {"dots": dots, "width": width, "height": height,
            "axis_x": place_y(0.0), "axis_y": place_x(0.0)}


def centroids(points: Sequence[Sequence[float]]) -> list[dict]:
    """Per family: instruments on the map and their mean position (the map's table)."""
    sums: dict[int, list[float]] = {}
    for x, y, family, count in points:
        total = sums.setdefault(int(family), [0.0, 0.0, 0.0])
        total[0] += x * count
        total[1] += y * count
        total[2] += count
    return [{"family": f, "count": int(t[2]), "x": round(t[0] / t[2], 3),
             "y": round(t[1] / t[2], 3)} for f, t in sorted(sums.items()) if t[2]]


def stacked_bars(rows: Sequence[Mapping], keys: Sequence[str], *, label_width: int = 260,
                 bar_width: int = 460, row_height: int = 28) -> dict:
    """Horizontal 100% bars: for each family, the share of each expert family."""
    bars = []
    for r, row in enumerate(rows):
        total = sum(row["counts"].get(k, 0) for k in keys) or 1
        x = label_width
        parts = []
        for i, key in enumerate(keys):
            n = row["counts"].get(key, 0)
            if not n:
                continue
            w = round(bar_width * n / total, 1)
            parts.append({"x": x, "width": w, "fill": PALETTE[i % len(PALETTE)], "key": key,
                          "count": n})
            x += w
        bars.append({"y": 10 + r * row_height, "text_y": 10 + r * row_height + 15,
                     "label": row["label"], "parts": parts})
    return {"bars": bars, "width": label_width + bar_width + 10,
            "height": 20 + row_height * len(rows), "label_x": label_width - 8,
            "legend": [{"key": k, "fill": PALETTE[i % len(PALETTE)]} for i, k in enumerate(keys)]}
