"""A seeded generator of SYNTHETIC instruments (not real data) for benchmarks and tests.

Distributions are realistic rather than uniform: organisations differ in size (Zipf),
each category of organisation favours its own types (standard setters make standards,
IGOs recommendations and decisions, convention secretariats protocols and amendments),
the legal effect follows the type with some exceptions, adoption years grow towards the
present, and titles combine a type, a subject and a qualifier.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

from iocompendium import spreadsheets

COLUMNS = [
    "key", "title", "other_titles", "organisation", "type", "legal_effect", "addressees",
    "adopting_body", "scope", "domain", "date", "status", "subjects", "url", "excerpt",
]
CATEGORIES = {
    "igo": (["Recommendation", "Decision", "Convention", "Declaration", "Guidelines",
             "Principles", "Resolution", "Model treaty"],
            [30, 12, 6, 8, 18, 8, 12, 6]),
    "private": (["Standard", "International Standard", "Technical specification", "Guidance",
                 "Code", "Best practice"], [40, 25, 15, 10, 5, 5]),
    "tgn": (["Principles", "Guidance", "Memorandum of understanding", "Best practice",
             "Mutual recognition arrangement", "Recommendation"], [20, 25, 15, 15, 10, 15]),
    "convention": (["Protocol", "Amendment", "Decision", "Resolution", "Guidelines",
                    "Report"], [20, 25, 25, 15, 10, 5]),
    "supranational": (["Regulation", "Directive", "Decision", "Recommendation", "Guidelines",
                       "Model law"], [35, 25, 15, 10, 10, 5]),
}
LEGAL = {
    "Convention": "binding", "Protocol": "binding", "Amendment": "binding",
    "Decision": "binding", "Regulation": "binding", "Directive": "binding",
    "Mutual recognition arrangement": "mixed",
}
BODIES = {
    "igo": ["governing_council", "plenary", "technical_committee", "secretariat"],
    "private": ["technical_committee", "technical_committee", "governing_council"],
    "tgn": ["plenary", "technical_committee", "secretariat"],
    "convention": ["conference_of_parties", "conference_of_parties", "secretariat"],
    "supranational": ["governing_council", "plenary"],
}
ADDRESSEES = {
    "igo": ["states", "states regulators", "states general_public"],
    "private": ["private_operators", "private_operators regulators"],
    "tgn": ["regulators", "regulators other_ios"],
    "convention": ["states", "states other_ios"],
    "supranational": ["states", "states private_operators", "regulators private_operators"],
}
DOMAINS = {
    "Environment": ["climate", "biodiversity", "waste", "chemicals", "water", "fisheries",
                    "air pollution", "oceans"],
    "Trade": ["customs", "tariffs", "investment", "services", "competition", "procurement"],
    "Health": ["medicines", "food safety", "animal health", "pandemics", "tobacco"],
    "Finance": ["banking", "insurance", "accounting", "auditing", "taxation", "anti-bribery"],
    "Technology": ["metrology", "electrical safety", "telecommunications", "data protection",
                   "artificial intelligence", "cybersecurity"],
    "Transport": ["aviation", "shipping", "road safety", "rail", "dangerous goods"],
    "Labour": ["working conditions", "social security", "migration", "child labour"],
}
QUALIFIERS = ["on", "concerning", "for", "relating to", "on the governance of",
              "on good practices in", "on the harmonisation of", "on the measurement of"]
WORDS = ["assessment", "cooperation", "transparency", "compliance", "implementation",
         "monitoring", "reporting", "consultation", "evaluation", "capacity", "safety",
         "quality", "risk", "information", "exchange", "enforcement", "recognition",
         "conformity", "review", "regulatory"]


def _organisations(rng: random.Random, count: int = 120) -> list[tuple[str, str, float]]:
    categories = list(CATEGORIES)
    shares = [40, 25, 15, 12, 8]
    organisations = []
    for rank in range(1, count + 1):
        category = rng.choices(categories, shares)[0]
        organisations.append((f"SYN{rank:03d}", category, 1.0 / rank**0.9))
    return organisations


def generate_rows(n: int, seed: int = 1) -> Iterator[dict[str, str]]:
    """``n`` synthetic instruments as dictionaries of the ``COLUMNS``."""
    rng = random.Random(seed)
    organisations = _organisations(rng)
    org_weights = [w for _, _, w in organisations]
    domains = list(DOMAINS)
    for number in range(1, n + 1):
        acronym, category, _ = rng.choices(organisations, org_weights)[0]
        types, weights = CATEGORIES[category]
        kind = rng.choices(types, weights)[0]
        domain = rng.choice(domains)
        subjects = rng.sample(DOMAINS[domain], k=rng.choice([1, 1, 2, 3]))
        legal = LEGAL.get(kind, "non_binding")
        if rng.random() < 0.05:
            legal = rng.choice(["mixed", "unknown"])
        year = min(2026, int(1950 + 76 * rng.random() ** 0.6))
        date = f"{year}" if rng.random() < 0.1 else f"{year}-{rng.randint(1, 12):02d}-" \
            f"{rng.randint(1, 28):02d}"
        topic = rng.choice(subjects)
        title = f"{kind} {rng.choice(QUALIFIERS)} {topic} {rng.choice(WORDS)}".capitalize()
        if rng.random() < 0.3:
            title += f" ({rng.choice(WORDS)} and {rng.choice(WORDS)})"
        status = rng.choices(["in_force", "superseded", "withdrawn", "draft"], [80, 12, 5, 3])[0]
        yield {
            "key": f"{acronym}-{number:06d}",
            "title": title,
            "other_titles": f"{acronym}/{kind[:3].upper()}/{year}/{number}",
            "organisation": acronym,
            "type": kind,
            "legal_effect": legal,
            "addressees": rng.choice(ADDRESSEES[category]),
            "adopting_body": rng.choice(BODIES[category]),
            "scope": rng.choices(["multilateral", "regional", "global"], [60, 25, 15])[0],
            "domain": domain,
            "date": date,
            "status": status,
            "subjects": ";".join(subjects),
            "url": f"https://example.org/{acronym.lower()}/{number}",
            "excerpt": " ".join(rng.choice(WORDS) for _ in range(12)) + f" {topic}.",
        }


def write_csv(path: str | Path, n: int, seed: int = 1) -> int:
    path = Path(path)
    rows = [[row[column] for column in COLUMNS] for row in generate_rows(n, seed)]
    with path.open("w", newline="", encoding="utf-8") as handle:
        spreadsheets.write_csv(handle, COLUMNS, rows, lineterminator="\r\n")
    return len(rows)
