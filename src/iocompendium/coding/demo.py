"""Demo step: two FICTIONAL coders code how each organisation understands "stakeholder".

The IO Survey's ``stakeholders_section/stakeholder_definition_text`` (asked of every
organisation since version 2026113016) is coded with a small codebook by two fictional
coders, each reading every answer; they disagree on a few answers, which a reconciliation
settles (the final coding). The Seed fact "12 IOs report some understanding but not
really a definition of stakeholder" then comes out of the coded text as well as out of
the select question. Idempotent: an existing codebook is left as it is.

The coders' "reading" is a fixed list of phrases per code (the fictional coders' rules),
so the demo is deterministic; real coders code on the coding page.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model

from iocompendium.coding import selectors, services
from iocompendium.coding.models import Code, Codebook
from iocompendium.questionnaires.models import Questionnaire

SLUG = "stakeholder-understanding"
SURVEY = "io-survey"
QUESTION = "stakeholders_section/stakeholder_definition_text"
CODERS = ("demo-coder-amal", "demo-coder-bruno")  # fictional people

# name, label EN, label FR, definition EN, definition FR, colour, phrases the coders code.
CODES = [
    ("formal_definition", "Formal definition", "Définition formelle",
     "The organisation quotes or summarises a written definition.",
     "L'organisation cite ou résume une définition écrite.", "#1f77b4",
     [r"\bdefines?\b", r"\bdéfinit\b"]),
    ("understanding_no_definition", "Understanding, but no real definition",
     "Une compréhension, mais pas de véritable définition",
     "The organisation describes a shared or practical understanding without a definition.",
     "L'organisation décrit une compréhension commune ou pratique, sans définition.",
     "#ff7f0e",
     [r"no written definition", r"not written down", r"never adopted a definition",
      r"pas de définition écrite"]),
    ("notion_not_used", "Notion not used", "Notion non utilisée",
     "The organisation does not use or define the notion.",
     "L'organisation n'utilise pas ou ne définit pas la notion.", "#7f7f7f",
     [r"not defined the term", r"notion is not used", r"notion n'est pas utilisée"]),
    ("business", "Business and industry", "Entreprises et industrie",
     "Business, industry or private operators are named as stakeholders.",
     "Les entreprises, l'industrie ou les opérateurs privés sont cités.", "#2ca02c",
     [r"business\w*", r"industry", r"entreprises"]),
    ("civil_society", "Civil society and experts", "Société civile et experts",
     "NGOs, civil society, academics, observers or experts are named.",
     "Les ONG, la société civile, les universitaires, observateurs ou experts sont cités.",
     "#9467bd", [r"NGOs", r"civil society", r"academic institutions", r"observers",
                 r"experts"]),
]
# Answers (by organisation acronym order) where the second coder reads the definition
# differently: a formal definition where the first coder saw only an understanding.
SECOND_CODER_DIFFERS = (0, 5)


def _codebook(questionnaire: Questionnaire) -> Codebook:
    codebook = services.create_codebook(
        SLUG, "Understanding of 'stakeholder' (demo, fictional coders)", questionnaire)
    for name, label_en, label_fr, definition_en, definition_fr, colour, _phrases in CODES:
        services.save_code(codebook, name, label_en=label_en, label_fr=label_fr,
                           definition_en=definition_en, definition_fr=definition_fr,
                           colour=colour, questions=[QUESTION])
    return codebook


def _coders() -> list:
    users = get_user_model()
    coders = []
    for username in CODERS:
        user, created = users.objects.get_or_create(
            username=username, defaults={"first_name": "Fictional coder"})
        if created:
            user.set_unusable_password()
            user.save()
        coders.append(services.grant_coder(user, granted_by=None, fictional=True))
    return coders


def _spans(text: str, phrases: list[str]) -> list[tuple[int, int]]:
    return sorted({(m.start(), m.end()) for p in phrases for m in re.finditer(p, text)})


def _code_answer(answer, codes: dict[str, Code], coder, differs: bool) -> None:
    for name, *_texts, phrases in CODES:
        name_to_apply = name
        if differs and name == "understanding_no_definition":
            name_to_apply = "formal_definition"
        for start, end in _spans(answer.value, phrases):
            services.apply_code(answer, codes[name_to_apply], coder=coder, user=coder.user,
                                start=start, end=end)


def run(context: Any) -> None:
    questionnaire = Questionnaire.objects.filter(slug=SURVEY).first()
    if questionnaire is None or Codebook.objects.filter(slug=SLUG).exists():
        return
    codebook = _codebook(questionnaire)
    codes = {code.name: code for code in selectors.codes_of(codebook)}
    coders = _coders()
    answers = list(selectors.answers_to(codebook, QUESTION))
    services.assign(codebook, answers, coders)
    understanding = [a for a in answers if _spans(a.value, CODES[1][-1])]
    differing = {understanding[i].pk for i in SECOND_CODER_DIFFERS if i < len(understanding)}
    for answer in answers:
        _code_answer(answer, codes, coders[0], differs=False)
        _code_answer(answer, codes, coders[1], differs=answer.pk in differing)
    agreement = selectors.agreement(codebook)
    services.finalize_agreed(codebook, user=None)
    # Reconciliation: the differing answers get the first coder's reading (the codebook's
    # definition of a formal definition needs a written text, which these do not quote).
    for answer, _by_coder in selectors.differing_answers(codebook):
        first = set(
            codes[name].pk for name in codes
            if codes[name].segments.filter(answer=answer, coder=coders[0]).exists()
        )
        services.reconcile(codebook, answer, first, user=None)
    units = selectors.final_units_per_code(codebook, [a.pk for a in answers])
    context.lines.append(
        f"Coding: {len(answers)} answers on the understanding of 'stakeholder' coded by two "
        f"fictional coders (kappa {agreement.overall.kappa:.2f}, alpha "
        f"{agreement.overall.alpha:.2f}); after reconciliation "
        f"{len(units['understanding_no_definition'])} organisations report an understanding "
        "but no real definition."
    )
