"""A SYNTHETIC framework over the synthetic-small form (tests/responses/conftest.py) and
three fictional organisations' answers, for the indicators' pages."""

from __future__ import annotations

from django.utils import timezone

from iocompendium.indicators import services, workbook
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Answer, Response
from tests.responses.conftest import make_version

SLUG = "synthetic-presentation"


def definition(weights: dict[str, float] | None = None) -> dict:
    weights = weights or {}

    def rule(kind, question, **extra):
        base = {"kind": kind, "question": question, "scores": {}, "choices": [], "cap": None,
                "question2": "", "choices2": [], "op": "and", "missing": ""}
        base.update(extra)
        return base

    def n(name, level, parent, en, fr, rule_=None, mirrors=""):
        return {"name": name, "level": level, "parent": parent, "label_en": en,
                "label_fr": fr, "weight": weights.get(name, 1.0), "direction": 1,
                "target": None, "mirrors": mirrors, "rule": rule_}

    return {
        "slug": SLUG, "title_en": "Synthetic practice index",
        "title_fr": "Indice synthétique de pratique", "questionnaire": "synthetic-small",
        "version": "", "country_composite": "",
        "construction": {"missing": "na", "group": "", "winsorise": 0.0,
                         "normalisation": "none", "weighting": "manual",
                         "aggregation": "arithmetic", "zero_rule": "offset", "scale": 2.0},
        "nodes": [
            n("top", "composite", "", "Practice", "Pratique"),
            n("adoption", "category", "top", "Adoption", "Adoption"),
            n("adoption_sub", "subcategory", "adoption", "Instruments", "Instruments"),
            n("has_instruments", "indicator", "adoption_sub", "Has instruments",
              "A des instruments",
              rule("choice", "variety/has_instruments", scores={"yes": 1.0}),
              mirrors="2_SYN_P"),
            n("size", "category", "top", "Size", "Taille"),
            n("size_sub", "subcategory", "size", "Staff", "Personnel"),
            n("staff", "indicator", "size_sub", "Staff <b>count</b>", "Effectif",
              rule("number", "organisation/staff", cap=100.0)),
        ],
    }


ANSWERS = {
    # SYN-A: 1 and 50/100 -> (1 + .5) / 2 * 2 = 1.5
    "SYN-A": {"variety/has_instruments": "yes", "organisation/staff": "50"},
    # SYN-B: 0 and 1 (capped) -> 1.0
    "SYN-B": {"variety/has_instruments": "no", "organisation/staff": "400"},
    # SYN-C: staff only, 10/100 -> has_instruments not applicable -> 0.1 * 2 = 0.2
    "SYN-C": {"organisation/staff": "10"},
}


def build(status: str = "approved") -> dict[str, Response]:
    version = make_version()
    version.published_at = timezone.now()
    version.save()
    services.import_framework(workbook.workbook_bytes(definition()), "synthetic.xlsx")
    out = {}
    for acronym, answers in ANSWERS.items():
        organisation, _ = Organisation.objects.get_or_create(
            acronym=acronym, defaults={"name_en": f"Synthetic {acronym}", "category": "igo",
                                       "synthetic": True})
        response = Response.objects.create(organisation=organisation, version=version,
                                           status=status, synthetic=True)
        Answer.objects.bulk_create(
            [Answer(response=response, path=p, value=v) for p, v in answers.items()])
        out[acronym] = response
    return out
