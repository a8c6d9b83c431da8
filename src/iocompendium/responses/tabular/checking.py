"""The engine's verdict on many responses of one form, remembered per question (pure Python).

An import checks each row as a whole response with ``questionnaires.engine.evaluate``
(constraints, required answers, relevance): about 2 ms a row, the largest cost of a large
import (docs/benchmarks.md, issue 11). A question's verdict (relevant, error, required but
empty) follows from the answers its expressions read, transitively (calculations,
defaults, its groups' relevance), and from its own answer: whole when a constraint or a
``.`` reads it, otherwise only whether it is empty. ``ResponseStates`` remembers verdicts
by those values and evaluates a response in full only when one of its questions meets
values not seen before; rows of a survey repeat the same few choices, so after some
hundred rows almost none is evaluated.

Where that analysis cannot be trusted (repeats, XPath location paths, time and random
functions, secondary instances) every response is evaluated in full, as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from iocompendium.questionnaires.engine import FormEvaluator, evaluate, prepare, with_or_other
from iocompendium.questionnaires.expressions import ExpressionError, references
from iocompendium.questionnaires.structure import Structure, iter_nodes

# (template path, relevant, error message or None, required but empty)
Verdict = tuple[str, bool, "str | None", bool]

# Columns whose expressions decide a question's state (what evaluate() returns).
STATE_COLUMNS = ("relevant", "required", "constraint", "soft_constraint", "calculation",
                 "default")
# Text in an expression that reads something else than the ``${name}`` answers: a
# location path or secondary instance, the time, chance, a repeat position.
UNSAFE = ("/", "..", "now(", "today(", "random(", "uuid(", "once(", "current(", "position(",
          "instance(", "pulldata(", "indexed-repeat(", "last-saved", "digest(")
CONTAINERS = frozenset({"group", "repeat"})
# Verdicts remembered before the memory is emptied (memory stays bounded).
LIMIT = 200_000


def verdicts_of(states: Mapping[str, dict[str, Any]]) -> Iterator[Verdict]:
    """``evaluate``'s states as verdicts, in form order."""
    for path, state in states.items():
        missing = bool(state.get("required")) and state.get("value", "") == ""
        yield path, state.get("relevant", True), state.get("error"), missing


class _Question:
    """What one question's verdict is remembered by."""

    __slots__ = ("template", "inputs", "whole_self", "always", "keep")

    def __init__(self, template: str, inputs: tuple[str, ...], whole_self: bool,
                 always: bool) -> None:
        self.template, self.inputs = template, inputs
        # Its own answer counts whole (a constraint or '.' reads it), else only if empty.
        self.whole_self = whole_self
        # Checked even unanswered: required, calculated or with a default.
        self.always = always
        # This question, its inputs and their groups: what a cut-down form needs to hold
        # to give this question's verdict (``_cut``).
        self.keep: frozenset[str] = frozenset()


def _cut(structure: Structure, keep: set[str]) -> Structure:
    """``structure`` with only the nodes of ``keep`` and the groups around them (same
    paths, same names, same choices and settings)."""

    def children(nodes: list[dict], prefix: str) -> list[dict]:
        kept = []
        for node in nodes:
            path = prefix + node["name"]
            if node.get("type") in CONTAINERS:
                inner = children(node.get("children", []), path + "/")
                if inner or path in keep:
                    kept.append({**node, "children": inner})
            elif path in keep:
                kept.append(node)
        return kept

    return {**structure, "children": children(structure.get("children", []), "")}


def _questions(structure: Structure, order: list[str]) -> list[_Question] | None:
    """Each question of ``order`` with its inputs; None when they cannot be trusted."""
    expanded = with_or_other(structure)
    refs = list(iter_nodes(expanded))
    if any(ref.type == "repeat" for ref in refs):
        return None
    by_name: dict[str, str] = {}
    nodes: dict[str, dict[str, Any]] = {}
    groups: dict[str, tuple[str, ...]] = {}
    inside: dict[str, list[str]] = {}
    reads: dict[str, set[str]] = {}
    for ref in refs:
        by_name.setdefault(ref.name, ref.path)
        nodes[ref.path], groups[ref.path] = ref.node, ref.groups
        for group in ref.groups:
            inside.setdefault(group, []).append(ref.path)
    for ref in refs:
        names: set[str] = set()
        for column in STATE_COLUMNS:
            text = ref.node.get(column) or ""
            if not isinstance(text, str) or not text.strip():
                continue
            if any(mark in text for mark in UNSAFE):
                return None
            try:
                names |= references(text)
            except ExpressionError:
                continue  # evaluates to its default whatever the answers
        reads[ref.path] = names
    questions = []
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}  # equal inputs: one tuple object
    for template in order:
        if template not in nodes:
            return None  # a state the analysis does not know: trust nothing
        seen: set[str] = set()
        stack = [template]
        while stack:
            current = stack.pop()
            for reader in (current, *groups.get(current, ())):
                for name in reads.get(reader, ()):
                    target = by_name.get(name)
                    if target is None:
                        continue
                    for found in (target, *inside.get(target, ())):
                        if found not in seen:
                            seen.add(found)
                            stack.append(found)
        node = nodes[template]
        texts = [str(node.get(column) or "") for column in STATE_COLUMNS]
        whole_self = (template in seen or any("." in text for text in texts)
                      or bool(str(node.get("constraint") or "").strip())
                      or bool(str(node.get("soft_constraint") or "").strip()))
        always = any(str(node.get(c) or "").strip() for c in ("required", "calculation",
                                                                 "default"))
        inputs = tuple(sorted(t for t in seen - {template}
                              if nodes[t].get("type") not in CONTAINERS))
        inputs = shared.setdefault(inputs, inputs)
        question = _Question(template, inputs, whole_self, always)
        question.keep = frozenset(seen | {template} | set(groups[template]) | {
            group for found in seen for group in groups.get(found, ())})
        questions.append(question)
    return questions


class ResponseStates:
    """Verdicts of the engine on the responses of one form, remembered per question."""

    def __init__(self, structure: Structure, language: str) -> None:
        self.structure, self.language = structure, language
        self.expanded = with_or_other(structure)
        order = list(evaluate(structure, {}, language))
        self.questions = _questions(structure, order)
        self.memory: dict[tuple, Verdict] = {}
        self.evaluations = 0  # responses evaluated (cut down); the rest came from memory
        self.cut_evaluations = 0  # evaluations of cut-down forms (one or more a response)
        self.size = len(order)
        self.keep = {q.template: q.keep for q in self.questions or ()}
        # What ``verdicts`` reads of each question, as tuples (its loop runs per row).
        self.plan = [(q.template, q.inputs, q.whole_self, q.always)
                     for q in self.questions or ()]
        # A cut-down form per question's keep, at most one per question (``_evaluator``).
        self.evaluators: dict[frozenset[str], FormEvaluator] = {}

    def verdicts(self, answers: Mapping[str, str]) -> list[Verdict]:
        """The verdict of every question that can give a problem, in form order: the
        answered ones, and the required, calculated or defaulted ones.

        Questions whose values were seen before answer from memory; the others are
        evaluated together on the form cut down to them and their inputs (``_cut``)."""
        if self.questions is None:
            self.evaluations += 1
            return list(verdicts_of(evaluate(self.structure, answers, self.language)))
        memory, found, missed = self.memory, [], []
        get = answers.get
        read: dict[int, tuple] = {}  # the values of each (shared) inputs tuple, read once
        for template, inputs, whole_self, always in self.plan:
            given = get(template)
            if not given and not always:
                continue  # unanswered and optional: no verdict can be a problem
            values = read.get(id(inputs))
            if values is None:
                values = read[id(inputs)] = tuple(map(get, inputs))
            key = (template, given if whole_self else bool(given), values)
            verdict = memory.get(key)  # (template, relevant, error, missing_required)
            if verdict is None:
                missed.append((len(found), key))
            found.append(verdict)
        if missed:
            self._evaluate(answers, found, missed)
        return found

    def _evaluate(self, answers: Mapping[str, str], found: list, missed: list) -> None:
        """Fill in the verdicts not in memory from evaluations of cut-down forms.

        Each missed question is evaluated on the form cut down to a question's ``keep``
        that holds its own (the largest first, so that a few cuts serve every miss).
        Cuts are prepared once per question and their nodes kept (``engine.prepare``,
        ``engine.FormEvaluator``): rebuilding a cut's shape, dependency order and nodes for
        each row cost more than evaluating it."""
        if len(self.memory) > LIMIT:
            self.memory.clear()
        cuts: list[tuple[frozenset[str], list]] = []
        for item in sorted(missed, key=lambda item: -len(self.keep[item[1][0]])):
            keep = self.keep[item[1][0]]
            for cut, items in cuts:
                if keep <= cut:
                    items.append(item)
                    break
            else:
                cuts.append((keep, [item]))
        self.evaluations += 1
        for keep, items in cuts:
            self.cut_evaluations += 1
            # The cut-down form reads only the answers of its own questions.
            states = self._evaluator(keep).evaluate(answers, {key[0] for _p, key in items})
            for position, key in items:
                state = states[key[0]]
                verdict = (key[0], state.get("relevant", True), state.get("error"),
                           bool(state.get("required")) and state.get("value", "") == "")
                self.memory[key] = verdict
                found[position] = verdict

    def _evaluator(self, keep: frozenset[str]) -> FormEvaluator:
        evaluator = self.evaluators.get(keep)
        if evaluator is None:
            cut = _cut(self.expanded, keep)
            evaluator = FormEvaluator(cut, self.language, prepared=prepare(cut))
            self.evaluators[keep] = evaluator
        return evaluator
