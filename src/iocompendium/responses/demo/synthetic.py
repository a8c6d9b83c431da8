"""The demo data set: synthetic answers of 36 fictional organisations to the IO Survey.

Pure Python (no Django), seeded and deterministic: the same structure and seed give the
same answers. Every organisation here is invented (flagged ``synthetic``); none is a real
international organisation.

The generator walks the questionnaire structure, draws a plausible value for every
question (by type, and by name for the questions it knows: instruments, practice
examples...), then asks the expression engine (``questionnaires.engine.evaluate``)
which questions apply and which answers break a constraint: answers to questions that do
not apply are dropped, answers that break a constraint are drawn again, questions that
became relevant are answered, until the response is coherent.

The fictional organisations are in ``organisations.py``, the words and sentences
answers are made of in ``vocabulary.py``.

It is CALIBRATED on the Seed facts of ``reference/domain.md``: over the 36 organisations,
the 15 options of ``stakeholders_section/stakeholders`` are chosen exactly
``STAKEHOLDER_COUNTS`` times, 12 organisations answer ``understanding_no_definition`` to
``stakeholders_section/stakeholder_definition`` and 13 answer ``yes`` to
``coordination/coordination_guidelines``. These answers are fixed before anything else
and the questions they depend on are set so that they apply.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from iocompendium.questionnaires.structure import (
    QuestionRef,
    Structure,
    iter_nodes,
    iter_questions,
    template_path,
)
from iocompendium.responses.demo.organisations import ORGANISATIONS, SyntheticOrganisation
from iocompendium.responses.demo.vocabulary import (
    ADOPTING_BODIES,
    CITIES,
    COMMENT_SENTENCES,
    EXCLUSIVE_CHOICES,
    INSTRUMENT_TYPES,
    LEGAL_EFFECTS,
    PRACTICE_SENTENCES,
    SUBJECT_WORDS,
    TITLE_ASPECTS,
    definition_text,
)
from iocompendium.responses.tabular import answerable

DEFAULT_SEED = 2018
# Part of the demo's cache key: raise it when a change alters the generated answers.
GENERATOR_VERSION = 3
MAX_PASSES = 12
MAX_REDRAWS = 8

STAKEHOLDERS = "stakeholders_section/stakeholders"
STAKEHOLDER_DEFINITION = "stakeholders_section/stakeholder_definition"
STAKEHOLDER_DEFINITION_TEXT = "stakeholders_section/stakeholder_definition_text"
COORDINATION_GUIDELINES = "coordination/coordination_guidelines"
CATEGORY = "organisation/category"
INSTRUMENTS_REPEAT = "instruments"

# Seed facts: organisations (of 36) choosing each option, in the option order.
STAKEHOLDER_COUNTS = {
    "gov_members": 29,
    "gov_non_members": 27,
    "national_regulators": 29,
    "other_domestic": 26,
    "igos": 35,
    "international_ngos": 33,
    "academic_institutions": 27,
    "academic_unions": 16,
    "philanthropic_foundations": 19,
    "business_associations": 31,
    "private_sector": 28,
    "individual_experts": 28,
    "labour_unions": 14,
    "consumers": 19,
    "other": 13,
}
SEED_RESPONDENTS = 36
UNDERSTANDING_NO_DEFINITION = 12
COORDINATION_GUIDELINES_YES = 13

Evaluate = Callable[..., dict[str, dict]]


@dataclass
class SyntheticResponse:
    organisation: SyntheticOrganisation
    answers: dict[str, str] = field(default_factory=dict)


def calibrated_answers(
    organisations: tuple[SyntheticOrganisation, ...] = ORGANISATIONS, seed: int = DEFAULT_SEED
) -> list[dict[str, str]]:
    """The fixed answers of every organisation reproducing the Seed facts exactly."""
    count = len(organisations)
    rng = random.Random(f"{seed}-calibration")
    chosen: list[list[str]] = [[] for _ in range(count)]
    for option, times in STAKEHOLDER_COUNTS.items():
        for index in rng.sample(range(count), _scaled(times, count)):
            chosen[index].append(option)
    # Everyone regards at least one actor as a stakeholder: give an empty set the option
    # of an organisation choosing the most options, keeping every count unchanged.
    for options in chosen:
        if not options:
            donor = max(range(count), key=lambda i: len(chosen[i]))
            options.append(chosen[donor].pop())
    order = list(STAKEHOLDER_COUNTS)
    definitions = _shuffled_labels(
        rng,
        count,
        _scaled(UNDERSTANDING_NO_DEFINITION, count),
        "understanding_no_definition",
        ["formal_definition", "no_definition"],
    )
    guidelines = _shuffled_labels(
        rng, count, _scaled(COORDINATION_GUIDELINES_YES, count), "yes", ["no"]
    )
    return [
        {
            CATEGORY: organisation.category,
            STAKEHOLDERS: " ".join(sorted(chosen[i], key=order.index)),
            STAKEHOLDER_DEFINITION: definitions[i],
            STAKEHOLDER_DEFINITION_TEXT: definition_text(definitions[i], organisation, i),
            COORDINATION_GUIDELINES: guidelines[i],
        }
        for i, organisation in enumerate(organisations)
    ]


def _scaled(times: int, count: int) -> int:
    """The Seed count for 36 respondents, in proportion for another number (benchmarks)."""
    return (
        times if count == SEED_RESPONDENTS else min(count, round(times * count / SEED_RESPONDENTS))
    )


def _shuffled_labels(
    rng: random.Random, count: int, times: int, label: str, others: list[str]
) -> list[str]:
    labels = [label] * times + [others[i % len(others)] for i in range(count - times)]
    rng.shuffle(labels)
    return labels


# --------------------------------------------------------------------------- generation


def generate(
    structure: Structure,
    *,
    seed: int = DEFAULT_SEED,
    organisations: tuple[SyntheticOrganisation, ...] = ORGANISATIONS,
    evaluate: Evaluate | None = None,
) -> list[SyntheticResponse]:
    """Coherent, calibrated synthetic responses of ``organisations`` to the form."""
    if evaluate is None:
        from iocompendium.questionnaires.engine import evaluate
    generator = _Generator(structure, evaluate)
    fixed = calibrated_answers(organisations, seed)
    return [
        SyntheticResponse(
            organisation,
            generator.response(
                organisation, fixed[i], random.Random(f"{seed}-{organisation.acronym}")
            ),
        )
        for i, organisation in enumerate(organisations)
    ]


class _Generator:
    def __init__(self, structure: Structure, evaluate: Evaluate) -> None:
        self.structure = structure
        self.evaluate = evaluate
        self.questions = {ref.path: ref for ref in iter_questions(structure)}
        self.by_name: dict[str, list[QuestionRef]] = {}
        for ref in self.questions.values():
            self.by_name.setdefault(ref.name, []).append(ref)
        self.nodes = {ref.path: ref for ref in iter_nodes(structure)}
        self.top_repeats = [
            ref for ref in iter_nodes(structure) if ref.type == "repeat" and not ref.repeats
        ]

    # --- one response
    def response(
        self, organisation: SyntheticOrganisation, fixed: Mapping[str, str], rng: random.Random
    ) -> dict[str, str]:
        fixed = {path: value for path, value in fixed.items() if path in self.questions}
        answers = dict(fixed)
        self._fill(answers, organisation, rng)
        results = self.evaluate(self.structure, answers, "en")
        for path in fixed:
            if not results.get(path, {}).get("relevant", True):
                self._make_relevant(answers, path)
        redraws: dict[str, int] = {}
        changed = True
        for _ in range(MAX_PASSES):
            changed, results = self._settle(answers, fixed, organisation, rng, redraws)
            if not changed:
                break
        if changed:
            results = self.evaluate(self.structure, answers, "en")
        self._check_fixed(results, fixed, organisation)
        return answers

    def _fill(self, answers: dict[str, str], organisation, rng: random.Random) -> None:
        """A value for every question, with 2-6 instruments and 1-3 instances elsewhere."""
        for ref in self.questions.values():
            if ref.repeats or ref.path in answers:
                continue
            value = self.value(ref, ref.path, organisation, rng, answers)
            if value != "":
                answers[ref.path] = value
        for repeat in self.top_repeats:
            count = rng.randint(2, 6) if repeat.name == INSTRUMENTS_REPEAT else rng.randint(1, 3)
            for index in range(1, count + 1):
                self._fill_instance(answers, repeat, f"{repeat.path}[{index}]", organisation, rng)

    def _fill_instance(
        self, answers, repeat: QuestionRef, prefix: str, organisation, rng: random.Random
    ) -> None:
        instrument = _instrument(organisation, rng) if repeat.name == INSTRUMENTS_REPEAT else {}
        for child in repeat.node.get("children", []):
            path = f"{prefix}/{child['name']}"
            ref = self.nodes[f"{repeat.path}/{child['name']}"]
            if ref.type == "repeat":
                for index in range(1, rng.randint(1, 3) + 1):
                    self._fill_instance(answers, ref, f"{path}[{index}]", organisation, rng)
            elif ref.type == "group":
                self._fill_instance(answers, ref, path, organisation, rng)
            elif ref.name in instrument and answerable(ref):
                answers[path] = instrument[ref.name]
            elif answerable(ref):
                value = self.value(ref, path, organisation, rng, answers)
                if value != "":
                    answers[path] = value

    def _settle(self, answers, fixed, organisation, rng, redraws) -> tuple[bool, dict]:
        """One pass of the engine over the response: (anything changed?, the engine's results)."""
        results = self.evaluate(self.structure, answers, "en")
        changed = False
        for path in [p for p in answers if p not in results]:
            del answers[path]  # an instance the engine does not count
            changed = True
        for path, result in results.items():
            ref = self.questions.get(template_path(path))
            if ref is None or not answerable(ref) or path in fixed:
                continue
            if not result.get("relevant", True):
                if path in answers:
                    del answers[path]
                    changed = True
            elif result.get("error") or path not in answers:
                if path in answers and redraws.get(path, 0) >= MAX_REDRAWS:
                    if not result.get("required"):
                        del answers[path]  # no value fits: leave the optional question empty
                        changed = True
                    continue
                if path in answers:
                    redraws[path] = redraws.get(path, 0) + 1
                value = self.value(
                    ref, path, organisation, rng, answers, attempt=redraws.get(path, 0)
                )
                if value != answers.get(path, ""):
                    if value == "":
                        answers.pop(path, None)
                    else:
                        answers[path] = value
                    changed = True
        return changed, results

    def _make_relevant(self, answers: dict[str, str], path: str) -> None:
        """Set the questions a fixed question's relevance reads so that it applies."""
        for name in self._relevance_references(path):
            for ref in self.by_name.get(name, []):
                if ref.repeats:
                    continue
                for candidate in self._candidates(ref):
                    trial = dict(answers, **{ref.path: candidate})
                    if self.evaluate(self.structure, trial, "en").get(path, {}).get("relevant"):
                        answers[ref.path] = candidate
                        return

    def _relevance_references(self, path: str) -> list[str]:
        names, parts = [], path.split("/")
        for depth in range(1, len(parts) + 1):
            node = self.nodes.get("/".join(parts[:depth]))
            if node is not None:
                names += re.findall(r"\$\{([^}]+)\}", node.node.get("relevant", ""))
        return names

    def _candidates(self, ref: QuestionRef) -> list[str]:
        choices = [
            c["name"]
            for c in self.structure.get("choices", {}).get(ref.node.get("choice_list", ""), [])
        ]
        if ref.type in {"select_one", "select_multiple"}:
            return choices
        if ref.type in {"integer", "decimal"}:
            return ["1", "5", "20", "100"]
        return ["yes"]

    def _check_fixed(self, results, fixed, organisation) -> None:
        for path in fixed:
            result = results.get(path, {})
            if not result.get("relevant", True) or result.get("error"):
                raise ValueError(
                    f"The form does not let {organisation.acronym} answer {path} as calibrated "
                    f"({result.get('error') or 'not relevant'})."
                )

    # --- one value
    def value(
        self,
        ref: QuestionRef,
        path: str,
        organisation: SyntheticOrganisation,
        rng: random.Random,
        answers: Mapping[str, str],
        attempt: int = 0,
    ) -> str:
        kind, name = ref.type, ref.name
        section = ref.path.split("/", 1)[0]
        if kind == "text":
            return _text_value(name, section, organisation, rng)
        if kind == "integer":
            return str(_integer(name, rng, attempt))
        if kind == "decimal":
            return f"{rng.uniform(0, 100 if attempt < 3 else 1):.1f}"
        if kind == "range":
            params = ref.node.get("parameters", {})
            start, end = int(params.get("start", 0)), int(params.get("end", 10))
            return str(rng.randint(min(start, end), max(start, end)))
        if kind == "date":
            start = dt.date(2000, 1, 1)
            return (start + dt.timedelta(days=rng.randint(0, 9400))).isoformat()
        if kind == "select_one":
            return self._select_one(ref, organisation, rng, self._choices(ref, path, answers))
        if kind == "select_multiple":
            return self._select_multiple(rng, attempt, self._choices(ref, path, answers))
        if kind == "acknowledge":
            return "OK"
        return ""

    def _choices(self, ref: QuestionRef, path: str, answers: Mapping[str, str]) -> list[str]:
        """The choices offered, after the question's choice_filter if it has one."""
        if ref.node.get("choice_filter"):
            from iocompendium.questionnaires.engine import visible_choices

            return visible_choices(self.structure, path, answers)
        listed = self.structure.get("choices", {}).get(ref.node.get("choice_list", ""), [])
        return [c["name"] for c in listed]

    def _select_one(
        self, ref: QuestionRef, organisation, rng: random.Random, choices: list[str]
    ) -> str:
        if not choices:
            return ""
        if ref.name == "category" and organisation.category in choices:
            return organisation.category
        weights = [0.3 if c in EXCLUSIVE_CHOICES or c == "other" else 1.0 for c in choices]
        return rng.choices(choices, weights=weights)[0]

    def _select_multiple(self, rng: random.Random, attempt: int, choices: list[str]) -> str:
        ordinary = [c for c in choices if c not in EXCLUSIVE_CHOICES] or choices
        if not ordinary:
            return ""
        if attempt >= 3:  # a constraint keeps refusing sets: try a single choice
            return rng.choice(choices)
        # "other" (with its free-text follow-up) is chosen by about one organisation in ten.
        common = [c for c in ordinary if c != "other"] or ordinary
        picked = set(rng.sample(common, rng.randint(1, min(4, len(common)))))
        if "other" in ordinary and rng.random() < 0.1:
            picked.add("other")
        return " ".join(c for c in choices if c in picked)


def _integer(name: str, rng: random.Random, attempt: int) -> int:
    if attempt >= 2:
        return [0, 1, 3, 10, 2000][attempt % 5]
    if "year" in name:
        return rng.randint(1965, 2025)
    if "member" in name:
        return rng.randint(12, 190)
    if "staff" in name:
        return rng.randint(8, 900)
    return rng.randint(1, 60)


def _instrument(organisation: SyntheticOrganisation, rng: random.Random) -> dict[str, str]:
    kind = rng.choice(INSTRUMENT_TYPES.get(organisation.category, INSTRUMENT_TYPES["other"]))
    effect = LEGAL_EFFECTS.get(kind, "non_binding")
    if rng.random() < 0.08:
        effect = "unknown"
    addressees = ["states", "regulators", "private_operators", "other_ios", "general_public"]
    picked = set(rng.sample(addressees, rng.randint(1, 3)))
    if organisation.category == "private":
        picked.add("private_operators")
    aspect = rng.choice(TITLE_ASPECTS)
    return {
        "title": f"{kind} on {aspect} {organisation.domain}",
        "instrument_type": kind,
        "legal_effect": effect,
        "addressees": " ".join(a for a in addressees if a in picked),
        "adopting_body": rng.choice(ADOPTING_BODIES.get(organisation.category, ["other"])),
        "year": str(rng.randint(1972, 2025)),
        "status": rng.choices(
            ["in_force", "superseded", "draft", "withdrawn"], weights=[8, 2, 1, 0.5]
        )[0],
        "subjects": ";".join(rng.sample(SUBJECT_WORDS, rng.randint(1, 3))),
    }


def _text_value(
    name: str, section: str, organisation: SyntheticOrganisation, rng: random.Random
) -> str:
    if "respondent" in name and "email" not in name:
        return f"Focal point, {organisation.acronym} secretariat (synthetic)"
    values = {
        "acronym": organisation.acronym,
        "website": organisation.website,
        "url": f"{organisation.website}/instruments",
    }
    for key, value in values.items():
        if key in name:
            return value
    if "email" in name:
        return f"focal.point@{organisation.acronym.lower()}.example.org"
    if name.endswith("_other"):
        return f"Other arrangement specific to {organisation.domain}"
    if "name" in name:
        return organisation.name_en
    if any(word in name for word in ("seat", "headquarters", "city", "location")):
        return rng.choice(CITIES)
    if name.endswith("_comments"):
        return rng.choice(COMMENT_SENTENCES)
    sentences = PRACTICE_SENTENCES.get(section) or PRACTICE_SENTENCES["implementation"]
    picked = rng.sample(sentences, min(2, len(sentences)))
    committee = rng.choice(["technical committee", "governing council", "plenary"])
    return " ".join(
        s.format(acronym=organisation.acronym, domain=organisation.domain, committee=committee)
        for s in picked
    )

