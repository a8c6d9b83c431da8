"""Form-level evaluation of a questionnaire structure with ODK semantics (no Django).

``evaluate`` builds the form's instance from the answers (repeat instances included),
then computes relevance, calculations, defaults, ``required`` and constraints with
memoisation: values are settled in dependency (topological) order, and an expression
reading ``${x}`` that is not computed yet pulls ``x``'s relevance and value on demand.
A cycle (which ``check_structure`` reports) reads as empty instead of looping.

ODK rules applied (ODK XForms spec, "Bindings"; JavaRosa where the spec is silent):
- a group's or repeat's ``relevant`` applies to all its descendants;
- a non-relevant question reads as '' and gets no error;
- ``constraint`` is checked on non-empty values only; ``required`` fails on empty ones;
- inside a repeat instance ``${sibling}`` is the same instance's node; from outside, a
  reference to a repeated question is the node-set of all its instances.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress, count
from itertools import repeat as repeated
from typing import Any

from .expressions import CompiledExpression, ExpressionError, compile_expression
from .expressions.context import Context, Environment
from .expressions.functions import FUNCTIONS
from .expressions.nodes import UNSET, Node, descendants, number_nodes
from .expressions.values import (
    XDate,
    parse_date,
    string_to_number,
    to_boolean,
    to_number,
    to_string,
    unpack,
)
from .structure import (
    CONTAINER_TYPES,
    Structure,
    iter_nodes,
    language_code,
    localized,
    template_path,
)

__all__ = ["FormEvaluator", "Prepared", "Problem", "RelevanceEvaluator", "check_structure",
           "evaluate", "prepare", "visible_choices", "visible_choices_of"]

EXPRESSION_COLUMNS = ("relevant", "required", "constraint", "calculation", "choice_filter",
                      "default", "repeat_count", "soft_constraint", "read_only")
_TRUE_FLAGS = {"yes", "true", "true()", "1"}
_FALSE_FLAGS = {"", "no", "false", "false()", "0"}
_FUNCTION_CALL_RE = re.compile(r"([A-Za-z][\w:.-]*)\(")
MAX_REPEAT_INSTANCES = 500
# All repeat instances of one response together (nested repeats multiply: three levels of
# repeat_count 100 would be a million instances); past it, further instances are not built.
MAX_TOTAL_REPEAT_INSTANCES = 2000
_INDEXED_SEGMENT_RE = re.compile(r"(.+)\[(\d+)\]")

DEFAULT_MESSAGES = {
    "en": {"constraint": "Value not allowed.", "required": "This field is required.",
           "soft_constraint": "Please check this value."},
    "fr": {"constraint": "Valeur non autorisée.", "required": "Ce champ est obligatoire.",
           "soft_constraint": "Veuillez vérifier cette valeur."},
}


@dataclass(frozen=True)
class Problem:
    """One problem of a form, located in its spreadsheet."""

    sheet: str  # "survey", "choices", "settings"
    row: int  # 1-based spreadsheet row (0 if unknown)
    column: str  # e.g. "relevant", "constraint", "calculation"
    message: str  # one plain sentence


def form_language(structure: Structure, lang: str | None) -> str | None:
    """The form's language key for ``lang``: 'fr' finds a form's 'french' column and
    'french' finds 'fr', since forms name languages either way."""
    languages = structure.get("languages") or []
    if not lang or lang in languages:
        return lang
    wanted = lang.lower()
    for key in languages:
        lowered = key.lower()
        if lowered == wanted or lowered.startswith(wanted + " ") or lowered.endswith(f"({wanted})"):
            return key
    code = language_code(lang)
    for key in languages:
        if language_code(key) == code:
            return key
    return lang


def _flag(text: str) -> bool | None:
    """XLSForm's yes/no spellings for required and read_only; None for an expression."""
    lowered = text.strip().lower()
    if lowered.startswith("="):  # an Excel formula cell such as =TRUE()
        lowered = lowered[1:].strip()
    if lowered in _TRUE_FLAGS:
        return True
    if lowered in _FALSE_FLAGS:
        return False
    return None


def default_is_expression(text: str) -> bool:
    """pyxform treats a default holding ``${...}`` or a function call as dynamic; plain
    text such as 'Paris (France)' stays a literal."""
    if "${" in text:
        return True
    return any(name in FUNCTIONS for name in _FUNCTION_CALL_RE.findall(text))


def _expressions_of(node: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for column in EXPRESSION_COLUMNS:
        text = node.get(column) or ""
        if not isinstance(text, str) or not text.strip():
            continue
        if column in ("required", "read_only") and _flag(text) is not None:
            continue
        if column == "default" and not default_is_expression(text):
            continue
        found.append((column, text))
    return found


def _or_other_question(select: dict[str, Any]) -> dict[str, Any]:
    """The 'specify other' text question pyxform adds after a select ... or_other."""
    name = f"{select['name']}_other"
    return {
        "type": "text", "name": name, "row": select.get("row", 0),
        "label": {lang: "Specify other." for lang in (select.get("label") or {"default": ""})},
        "hint": {}, "relevant": f"selected(${{{select['name']}}}, 'other')", "required": "",
        "required_message": {}, "constraint": "", "constraint_message": {},
        "soft_constraint": "", "soft_constraint_message": {}, "calculation": "", "default": "",
        "read_only": "", "choice_list": "", "choice_filter": "", "or_other": False,
        "appearance": "", "repeat_count": "", "parameters": {}, "generated": True,
    }


def with_or_other(structure: Structure) -> Structure:
    """The structure with pyxform's generated ``<name>_other`` questions in place (ODK's
    form has them, so expressions and results do too)."""
    if not any(ref.node.get("or_other") for ref in iter_nodes(structure)):
        return structure

    def expand(children: list[dict]) -> list[dict]:
        expanded = []
        names = {child["name"] for child in children}
        for child in children:
            if child["type"] in CONTAINER_TYPES:
                child = {**child, "children": expand(child.get("children", []))}
            expanded.append(child)
            if child.get("or_other") and f"{child['name']}_other" not in names:
                expanded.append(_or_other_question(child))
        return expanded

    return {**structure, "children": expand(structure.get("children", []))}


# --- check_structure ------------------------------------------------------------------

def check_structure(structure: dict) -> list[Problem]:
    """Parse every expression of the form; syntax errors and unknown ${name} references."""
    problems: list[Problem] = []
    structure = with_or_other(structure)
    names = {ref.name for ref in iter_nodes(structure)}
    calculated: dict[str, tuple[int, frozenset[str]]] = {}
    for ref in iter_nodes(structure):
        node = ref.node
        row = int(node.get("row") or 0)
        for column, text in _expressions_of(node):
            try:
                compiled = compile_expression(text)
            except ExpressionError as error:
                problems.append(Problem("survey", row, column,
                                        f"The {column} of '{ref.name}' is not a valid expression: "
                                        f"{error} (in {text!r})."))
                continue
            for unknown in sorted(compiled.references - names):
                problems.append(Problem("survey", row, column,
                                        f"The {column} of '{ref.name}' refers to ${{{unknown}}}, "
                                        f"which is not a question of this form."))
            if column == "calculation":
                calculated[ref.name] = (row, compiled.references & names)
    problems.extend(_calculation_cycles(calculated))
    return problems


def _calculation_cycles(calculated: dict[str, tuple[int, frozenset[str]]]) -> list[Problem]:
    problems = []
    state: dict[str, int] = {}  # 1 = being visited, 2 = done
    reported: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(calculated[name][1]):
            if target not in calculated:
                continue
            if state.get(target) == 1:
                start = trail.index(target) if target in trail else len(trail) - 1
                cycle = trail[start:] + [target]
                first = cycle[0]
                if first not in reported:
                    reported.update(cycle)
                    problems.append(Problem("survey", calculated[first][0], "calculation",
                                            "The calculation of '" + first + "' depends on itself ("
                                            + " -> ".join(cycle) + ")."))
            elif state.get(target) is None:
                visit(target, trail + [target])
        state[name] = 2

    for name in calculated:
        if name not in state:
            visit(name, [name])
    return problems


# --- the form instance ------------------------------------------------------------------

def _repeat_maxima(answers: Mapping[str, str]) -> dict[str, int]:
    """'a[2]/b[3]/c' -> {'a': 2, 'a[2]/b': 3}: highest instance index per repeat path."""
    maxima: dict[str, int] = {}
    for key in answers:
        if "[" not in key:
            continue
        prefix = ""
        for segment in key.split("/"):
            match = _INDEXED_SEGMENT_RE.fullmatch(segment)
            if match:
                path = prefix + match.group(1)
                maxima[path] = max(maxima.get(path, 0), int(match.group(2)))
            prefix += segment + "/"
    return maxima


def _typed_answer(text: str, question_type: str) -> object:
    """An answer as JavaRosa holds it: numbers for numeric types, dates for date types."""
    if text == "":
        return ""
    if question_type in ("integer", "decimal", "range"):
        number = string_to_number(text)
        return text if math.isnan(number) else number
    if question_type == "date":
        parsed = parse_date(text)
        if parsed is None:
            return text
        return XDate(parsed.moment.replace(hour=0, minute=0, second=0, microsecond=0))
    if question_type in ("datetime", "dateTime"):
        parsed = parse_date(text)
        return parsed if parsed else text
    return text


def _calculated(value: object, question_type: str) -> object:
    """A calculation result as stored: NaN and '' are empty; integer types truncate."""
    value = unpack(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if question_type == "integer" and not math.isinf(value):
            return float(math.trunc(value))
    return value


def _as_text(value: object) -> str:
    """A stored value as text.  JavaRosa stores an integral number as an integer (up to
    64 bits: 1e10 is '10000000000'), other numbers with Java's Double.toString."""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if not math.isinf(value) and value == math.trunc(value) and abs(value) < 2**63:
            return str(int(value))
    return to_string(value)


@dataclass
class _Shape:
    """What a structure's instances share: the structure with its or_other questions,
    and its template paths' nodes, enclosing repeats and names."""

    source: Structure
    structure: Structure
    templates: dict[str, dict[str, Any]]
    repeats_of: dict[str, tuple[str, ...]]
    by_name: dict[str, str]
    dependencies: _Dependencies | None = None  # built on the first incremental update
    order: list[str] | None = None  # _dependency_order, kept with the shape when prepared


# What ``prepare`` gives: a structure's shape, for its caller to keep.
Prepared = _Shape

_SHAPES: dict[int, _Shape] = {}


def _shape(source: Structure) -> _Shape:
    """The shape of ``source``, remembered per structure object: a web page evaluates the
    same (cached, never modified) structure on every save, and walking it each time cost
    a fifth of an evaluation.  The identity check guards against a reused id()."""
    cached = _SHAPES.get(id(source))
    if cached is not None and cached.source is source:
        return cached
    shape = _make_shape(source)
    if len(_SHAPES) > 32:
        _SHAPES.clear()
    _SHAPES[id(source)] = shape
    return shape


def prepare(structure: Structure) -> Prepared:
    """The shape and dependency order of ``structure``, built once for a caller that keeps
    them (``evaluate(..., prepared=...)``): an import evaluates a few hundred cut-down
    forms over and over, more than the module's own caches keep (32 structures)."""
    shape = _make_shape(structure)
    shape.order = _dependency_order(shape.structure, cache=False)
    return shape


def _make_shape(source: Structure) -> _Shape:
    structure = with_or_other(source)
    templates: dict[str, dict[str, Any]] = {}
    repeats_of: dict[str, tuple[str, ...]] = {}
    by_name: dict[str, str] = {}
    for ref in iter_nodes(structure):
        templates[ref.path] = ref.node
        repeats_of[ref.path] = ref.repeats + ((ref.path,) if ref.type == "repeat" else ())
        by_name.setdefault(ref.name, ref.path)
    return _Shape(source, structure, templates, repeats_of, by_name)


class FormInstance(Environment):
    """The instance of one response: nodes for every question and repeat instance."""

    def __init__(self, structure: Structure, answers: Mapping[str, str], lang: str | None = None,
                 now: datetime | None = None, *, prepared: Prepared | None = None) -> None:
        super().__init__(None, lang=form_language(structure, lang), now=now)
        self.requested_language = lang
        shape = prepared if prepared is not None else _shape(structure)
        self.order = shape.order
        structure = shape.structure
        self.structure = structure
        self.answers = {str(k): ("" if v is None else str(v)) for k, v in answers.items()}
        self.default_language = structure.get("default_language", "")
        # Shared with every instance of this structure: only read, never changed.
        self.templates: dict[str, dict[str, Any]] = shape.templates
        self.repeats_of: dict[str, tuple[str, ...]] = shape.repeats_of
        self.by_name: dict[str, str] = shape.by_name
        self.single: dict[str, Node] = {}
        self.questions: list[Node] = []
        self._instances: dict[str, Node | None] = {}
        self._segments: dict[tuple[str, str], tuple[str, ...]] = {}
        self._maxima = _repeat_maxima(self.answers)
        self._instances_left = MAX_TOTAL_REPEAT_INSTANCES
        self.root = self.document.children[0]
        self.root.extra = ()
        self._build(structure.get("children", []), self.root, "", "")
        number_nodes(self.document)
        self.all_nodes = descendants(self.root, True)
        for node in self.all_nodes:  # values read while building (repeat_count) may be partial
            node.memo_relevant = None
            node.memo_value = UNSET

    def release(self) -> None:
        """Break the instance's reference cycles (parent and child, node and evaluator) so
        that it is freed at once: left to the cyclic garbage collector, the thousands of
        nodes of each evaluation made it run on almost every web save, pausing the
        server's other threads."""
        documents = [self.document] + [doc for doc in self._instances.values() if doc]
        for document in documents:
            for node in descendants(document, True):
                node.parent = None
                node.compute = None
                node.extra = None
        self._instances.clear()

    # -- building --------------------------------------------------------------------
    def _build(self, children: list[dict], parent: Node, prefix: str, template_prefix: str) -> None:
        for question in children:
            name = question["name"]
            template = template_prefix + name
            path = prefix + name
            if question["type"] == "repeat":
                count = min(self._instance_count(question, parent, path), self._instances_left)
                self._instances_left -= count
                for index in range(1, count + 1):
                    instance = Node(name, parent, template=template, question=question)
                    instance.extra = parent.extra + (instance,)
                    instance.path = f"{path}[{index}]"
                    self._build(question.get("children", []), instance, f"{path}[{index}]/",
                                template + "/")
                continue
            node = Node(name, parent, template=template, question=question)
            node.extra = parent.extra
            node.compute = self._value
            node.path = path
            if not self.repeats_of[template]:
                self.single[template] = node
            if question["type"] in CONTAINER_TYPES:
                self._build(question.get("children", []), node, path + "/", template + "/")
            else:
                self.questions.append(node)

    def _instance_count(self, question: dict, parent: Node, path: str) -> int:
        expression = (question.get("repeat_count") or "").strip()
        if not expression:
            return min(self._maxima.get(path, 0), MAX_REPEAT_INSTANCES)
        number = to_number(self._run(expression, parent, default=math.nan))
        if math.isnan(number) or number < 1:
            return 0
        return int(min(number, MAX_REPEAT_INSTANCES))

    # -- Environment services --------------------------------------------------------
    def resolve(self, name: str, current: Node | None) -> list[Node]:
        template = self.by_name.get(name)
        if template is None:
            return []
        return self._contextualised(template, current)

    def resolve_template(self, template: str, current: Node | None) -> list[Node] | None:
        if template not in self.repeats_of:
            return None
        return self._contextualised(template, current)

    def _contextualised(self, template: str, current: Node | None) -> list[Node]:
        node = self.single.get(template)
        if node is not None:
            return [node]
        repeats = self.repeats_of[template]
        chain = current.extra if current is not None and current.extra else ()
        shared = 0
        limit = min(len(repeats), len(chain))
        while shared < limit and chain[shared].template == repeats[shared]:
            shared += 1
        anchor = chain[shared - 1] if shared else self.root
        return self._walk(anchor, template)

    def _walk(self, anchor: Node, template: str) -> list[Node]:
        key = (anchor.template, template)
        segments = self._segments.get(key)
        if segments is None:
            relative = template[len(anchor.template) + 1:] if anchor.template else template
            segments = tuple(relative.split("/")) if relative else ()
            self._segments[key] = segments
        nodes = [anchor]
        for segment in segments:
            nodes = [child for node in nodes for child in node.by_name.get(segment, ())]
        return nodes

    def indexed(self, target: str, indexes: list[tuple[str, int]],
                current: Node | None) -> list[Node]:
        template = self.by_name.get(target)
        if template is None:
            return []
        chosen = {self.by_name.get(name): index for name, index in indexes}
        chain = current.extra if current is not None and current.extra else ()
        context_index = {node.template: node for node in chain}
        nodes = [self.root]
        previous = ""
        for repeat in self.repeats_of[template]:
            walked = [child for node in nodes for child in self._walk_to(node, previous, repeat)]
            if repeat in chosen:
                position = chosen[repeat]
                walked = [n for n in walked if n.index == position]
            elif repeat in context_index:
                walked = [n for n in walked if n is context_index[repeat]]
            nodes, previous = walked, repeat
        return [child for node in nodes for child in self._walk_to(node, previous, template)]

    def _walk_to(self, node: Node, from_template: str, to_template: str) -> list[Node]:
        relative = to_template[len(from_template) + 1:] if from_template else to_template
        nodes = [node]
        for segment in relative.split("/") if relative else ():
            nodes = [child for n in nodes for child in n.by_name.get(segment, ())]
        return nodes

    def instance(self, name: str) -> Node | None:
        if name not in self._instances:
            self._instances[name] = self._choice_instance(name)
        return self._instances[name]

    def _choice_instance(self, list_name: str) -> Node | None:
        choices = self.structure.get("choices", {}).get(list_name)
        if choices is None:
            return None
        document = Node("#document")
        root = Node("root", document)
        for choice in choices:
            item = Node("item", root)
            Node("name", item, raw=choice["name"])
            label = localized(choice.get("label"), self.lang, self.default_language)
            Node("label", item, raw=label)
            for column, value in (choice.get("extra") or {}).items():
                if column not in ("name", "label"):
                    Node(column, item, raw="" if value is None else str(value))
        number_nodes(document, start=10_000_000)
        return document

    def choice_label(self, value: str, question: str, current: Node | None) -> str:
        match = re.fullmatch(r"\s*\$\{\s*([^}\s]+)\s*\}\s*", question)
        name = match.group(1) if match else question.rstrip("/").rsplit("/", 1)[-1]
        template = self.by_name.get(name)
        if template is None or value == "":
            return ""
        list_name = self.templates[template].get("choice_list", "")
        for choice in self.structure.get("choices", {}).get(list_name, []):
            if choice["name"] == value:
                return localized(choice.get("label"), self.lang, self.default_language)
        if value == "other" and self.templates[template].get("or_other"):
            return "Other"  # pyxform's label for the choice it adds
        return ""

    def current_answer(self, current: Node | None) -> str:
        if current is None:
            return ""
        return self.answers.get(current.path, "")

    def form_version(self) -> str:
        return str(self.structure.get("form_version", ""))

    # -- evaluation --------------------------------------------------------------------
    def settle(self) -> None:
        """Compute relevance and values in dependency order (dependencies first), so that
        each lazy evaluation finds what it reads already computed: a long chain of
        calculations then never recurses deeply."""
        by_template: dict[str, list[Node]] = {}
        for node in self.questions:
            by_template.setdefault(node.template, []).append(node)
        for template in self.order or _dependency_order(self.structure):
            for node in by_template.get(template, ()):
                self._value(node)


    def _run(self, expression: str, node: Node, default: object, *,
             context: Node | None = None) -> object:
        try:
            compiled: CompiledExpression = compile_expression(expression)
            return compiled.run(Context(context or node, node, self))
        except ExpressionError:
            return default

    def relevant(self, node: Node) -> bool:
        known = node.memo_relevant
        if known is not None:
            return known
        node.memo_relevant = True  # provisional: a relevance cycle reads as relevant
        parent = node.parent
        result = parent is None or parent is self.root or self.relevant(parent)
        expression = (node.question or {}).get("relevant", "") if result else ""
        if expression and expression.strip():
            result = to_boolean(self._run(expression, node, default=True))
        node.memo_relevant = result
        return result

    def _value(self, node: Node) -> object:
        known = node.memo_value
        if known is not UNSET:
            return known
        node.memo_value = ""  # provisional: a calculation cycle reads as empty
        result = self._compute_value(node) if self.relevant(node) else ""
        node.memo_value = result
        return result

    def _compute_value(self, node: Node) -> object:
        question = node.question or {}
        question_type = question.get("type", "")
        if question_type in CONTAINER_TYPES:
            return ""
        calculation = (question.get("calculation") or "").strip()
        if calculation:
            return _calculated(self._run(calculation, node, default=""), question_type)
        path = node.path
        if path in self.answers:
            return _typed_answer(self.answers[path], question_type)
        default = (question.get("default") or "").strip()
        if not default:
            return ""
        if default_is_expression(default):
            return _calculated(self._run(default, node, default=""), question_type)
        return _typed_answer(default, question_type)

    def text_value(self, node: Node) -> str:
        if not self.relevant(node):
            return ""
        question = node.question or {}
        path = node.path
        if not (question.get("calculation") or "").strip() and path in self.answers:
            return self.answers[path]  # the given answer, verbatim
        return _as_text(self._value(node))

    def required(self, node: Node) -> bool:
        expression = (node.question or {}).get("required") or ""
        flag = _flag(expression)
        if flag is not None:
            return flag
        return to_boolean(self._run(expression, node, default=False))

    def message(self, question: dict, kind: str) -> str:
        text = localized(question.get(f"{kind}_message"), self.lang, self.default_language)
        if text:
            return text
        wanted = (self.requested_language or self.lang or self.default_language or "").lower()
        language = "fr" if wanted.startswith("fr") else "en"
        return DEFAULT_MESSAGES[language][kind]

    def result(self, node: Node) -> dict[str, Any]:
        question = node.question or {}
        relevant = self.relevant(node)
        required = self.required(node)
        value = self.text_value(node)
        error = warning = None
        if relevant and value == "":
            if required:
                error = self.message(question, "required")
        elif relevant:
            constraint = (question.get("constraint") or "").strip()
            if constraint and not to_boolean(self._run(constraint, node, default=True)):
                error = self.message(question, "constraint")
            soft = (question.get("soft_constraint") or "").strip()
            if soft and not to_boolean(self._run(soft, node, default=True)):
                warning = self.message(question, "soft_constraint")
        return {"relevant": relevant, "required": required, "value": value, "error": error,
                "warning": warning}


_ORDER_CACHE: dict[int, tuple[Structure, list[str]]] = {}


def _dependency_order(structure: Structure, *, cache: bool = True) -> list[str]:
    """Question template paths, each after the questions its calculation, default and
    relevance (its own and its groups') read.  Cycles are cut (they read as empty)."""
    cached = _ORDER_CACHE.get(id(structure)) if cache else None
    if cached is not None and cached[0] is structure:
        return cached[1]
    templates: dict[str, str] = {}
    depends: dict[str, set[str]] = {}
    for ref in iter_nodes(structure):
        templates.setdefault(ref.name, ref.path)
    for ref in iter_nodes(structure):
        names: set[str] = set()
        for column, text in _expressions_of(ref.node):
            if column in ("calculation", "default", "relevant", "repeat_count"):
                try:
                    names |= compile_expression(text).references
                except ExpressionError:
                    continue
        depends[ref.path] = {templates[n] for n in names if n in templates}
        depends[ref.path] |= set(ref.groups)  # a group's relevance comes first
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = placed
    for root in depends:
        if root in state:
            continue
        stack = [(root, iter(sorted(depends[root])))]
        state[root] = 1
        while stack:
            template, pending = stack[-1]
            following = next((t for t in pending if t not in state), None)
            if following is None:
                stack.pop()
                state[template] = 2
                order.append(template)
            else:
                state[following] = 1
                stack.append((following, iter(sorted(depends.get(following, ())))))
    if not cache:
        return order
    if len(_ORDER_CACHE) > 32:
        _ORDER_CACHE.clear()
    _ORDER_CACHE[id(structure)] = (structure, order)
    return order


def evaluate(structure: dict, answers: Mapping[str, str], lang: str | None = None,
             *, now: datetime | None = None, prepared: Prepared | None = None
             ) -> dict[str, dict]:
    """For every question path (non-container nodes incl. calculate and note, every repeat
    instance), in form order:
      {"relevant": bool, "required": bool, "value": str, "error": str | None,
       "warning": str | None}
    value = the given answer or the calculated/default value, as a string ("" unanswered;
    a non-relevant question's value is "").  error = the constraint or required message in
    `lang` (a default message in that language if the form has none), else None.
    warning = soft_constraint message when it fails.  Repeat instance count: repeat_count
    if set, else the highest index present in `answers` for that repeat (0 if none).
    ``prepared``: ``prepare(structure)``, kept by a caller that evaluates many responses
    of many (cut-down) structures."""
    form = FormInstance(structure, answers, lang, now, prepared=prepared)
    form.settle()
    states = {node.path: form.result(node) for node in form.questions}
    form.release()
    return states


class FormEvaluator:
    """``evaluate`` of many responses of one structure without repeat groups (an import's
    checks): the instance's nodes are built once, and only their values are reset for each
    response. Building the nodes cost more than evaluating a small (cut-down) form."""

    def __init__(self, structure: Structure, lang: str | None = None, *,
                 prepared: Prepared | None = None) -> None:
        shape = prepared if prepared is not None else _shape(structure)
        if any(ref.type == "repeat" for ref in iter_nodes(shape.structure)):
            raise ValueError("a form with repeat groups: its nodes follow the answers")
        self.form = FormInstance(structure, {}, lang, prepared=prepared)

    def evaluate(self, answers: Mapping[str, str], only: Collection[str] | None = None
                 ) -> dict[str, dict]:
        """``evaluate(structure, answers, lang)`` (answers are text: path -> value); with
        ``only``, the states of those question paths alone."""
        form = self.form
        form.answers = answers
        for node in form.all_nodes:
            node.memo_relevant = None
            node.memo_value = UNSET
        form.settle()
        questions = form.questions if only is None else [
            node for node in form.questions if node.path in only]
        states = {node.path: form.result(node) for node in questions}
        form.answers = {}
        return states


# --- incremental re-evaluation ----------------------------------------------------------

# Columns whose expressions decide a question's state (``result``); repeat_count decides
# the instance's shape, choice_filter only the visible choices (not part of the states).
_STATE_COLUMNS = ("relevant", "required", "constraint", "soft_constraint", "calculation",
                  "default")
# Functions whose result does not follow from the answers alone.
_UNSTABLE_FUNCTIONS = frozenset({"now", "today", "random", "uuid", "once", "current"})


@dataclass
class _Dependencies:
    """Which templates' states can change when one template's answer changes.

    Built from the ``${name}`` references of the state expressions. ``incremental`` is
    False when a reference can escape that analysis (an XPath location path other than
    ``.``, a time or random function, a dependency cycle): such forms are always
    evaluated in full."""

    incremental: bool
    dependents: dict[str, set[str]]  # template -> templates whose expressions read it
    ancestors: dict[str, tuple[str, ...]]  # template -> enclosing container templates
    inside: dict[str, list[str]]  # container template -> every template inside it
    counted: frozenset[str]  # templates a repeat_count reads (directly)
    affected: dict[str, frozenset[str] | None] = field(default_factory=dict)


def _stable_tree(tree: object) -> bool:
    """No location path but ``.`` and no unstable function anywhere in ``tree``."""
    return _tree_without(tree, allow_self=True)


def _tree_without(tree: object, allow_self: bool) -> bool:
    """No unstable function and no location path (but ``.`` where ``allow_self``)."""
    stack = [tree]
    while stack:
        item = stack.pop()
        if not isinstance(item, tuple) or not item:
            continue
        if item[0] == "path" and not (allow_self and item[1] is None
                                      and item[2] == (("self", ("node",), ()),)):
            return False
        if item[0] == "func" and len(item) == 3 and isinstance(item[1], str) and (
            item[1].split(":")[-1] in _UNSTABLE_FUNCTIONS
        ):
            return False
        stack.extend(part for part in item if isinstance(part, tuple))
    return True


def _dependencies(shape: _Shape) -> _Dependencies:
    if shape.dependencies is not None:
        return shape.dependencies
    dependents: dict[str, set[str]] = {}
    reads: dict[str, set[str]] = {}
    ancestors: dict[str, tuple[str, ...]] = {}
    inside: dict[str, list[str]] = {}
    counted: set[str] = set()
    incremental = True
    for ref in iter_nodes(shape.structure):
        ancestors[ref.path] = ref.groups
        for group in ref.groups:
            inside.setdefault(group, []).append(ref.path)
        for column, text in _expressions_of(ref.node):
            if column not in _STATE_COLUMNS and column != "repeat_count":
                continue
            try:
                compiled = compile_expression(text)
            except ExpressionError:
                continue  # evaluates to its default, whatever the answers
            incremental = incremental and _stable_tree(compiled.tree)
            targets = {shape.by_name[name] for name in compiled.references
                       if name in shape.by_name}
            if column == "repeat_count":
                counted |= targets
                continue
            reads.setdefault(ref.path, set()).update(targets)
            for target in targets:
                dependents.setdefault(target, set()).add(ref.path)
    incremental = incremental and not _has_cycle(reads)
    shape.dependencies = _Dependencies(incremental, dependents, ancestors, inside,
                                       frozenset(counted))
    return shape.dependencies


def _has_cycle(reads: dict[str, set[str]]) -> bool:
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    for root in reads:
        if root in state:
            continue
        stack = [(root, iter(reads.get(root, ())))]
        state[root] = 1
        while stack:
            template, pending = stack[-1]
            following = next(pending, None)
            if following is None:
                stack.pop()
                state[template] = 2
            elif state.get(following) == 1:
                return True
            elif following not in state:
                state[following] = 1
                stack.append((following, iter(reads.get(following, ()))))
    return False


def _affected(dependencies: _Dependencies, template: str) -> frozenset[str] | None:
    """Templates whose nodes must be evaluated again when ``template``'s answer changes
    (None: the change can reshape the instance, evaluate in full).  A template counts as
    changed for readers of it and of any container around it (a container's reference
    stands for what it holds); a container whose relevance changes changes all inside."""
    if template in dependencies.affected:
        return dependencies.affected[template]
    affected = {template}
    pending = [template]
    while pending:
        current = pending.pop()
        for read in (current, *dependencies.ancestors.get(current, ())):
            for reader in dependencies.dependents.get(read, ()):
                for changed in (reader, *dependencies.inside.get(reader, ())):
                    if changed not in affected:
                        affected.add(changed)
                        pending.append(changed)
    result = None
    if not affected & dependencies.counted and not any(
        ancestor in dependencies.counted for changed in affected
        for ancestor in dependencies.ancestors.get(changed, ())
    ):
        result = frozenset(affected)
    dependencies.affected[template] = result
    return result


class Evaluation:
    """One response's evaluation, kept to follow later changes of single answers.

    ``states`` is what ``evaluate`` returns.  ``change`` re-evaluates only the questions
    the changed answer can affect (by the form's ``${}`` references) and returns the new
    states, equal to a full ``evaluate`` of the changed answers; it returns None when that
    cannot be guaranteed (the form reads the time or uses location paths, the change can
    add or remove repeat instances), and the caller then evaluates in full."""

    def __init__(self, structure: Structure, answers: Mapping[str, str],
                 lang: str | None = None) -> None:
        self.structure = structure
        self.lang = lang
        self._form = FormInstance(structure, answers, lang)
        self._form.settle()
        self.states = {node.path: self._form.result(node) for node in self._form.questions}
        self._by_path: dict[str, Node] | None = None

    @property
    def answers(self) -> dict[str, str]:
        return self._form.answers

    @property
    def reusable(self) -> bool:
        """Whether the states follow from the answers alone (no time, random or location
        path), so that keeping this evaluation for the same answers is sound."""
        return _dependencies(_shape(self.structure)).incremental

    def change(self, path: str, value: str) -> dict[str, dict] | None:
        form = self._form
        dependencies = _dependencies(_shape(self.structure))
        if not dependencies.incremental:
            return None
        if self._by_path is None:
            self._by_path = {node.path: node for node in form.questions}
        node = self._by_path.get(path)
        if node is None:
            return None  # no such question node: a new instance, or not a question
        affected = _affected(dependencies, node.template)
        if affected is None:
            return None
        form.answers[path] = "" if value is None else str(value)
        stale = [n for n in form.all_nodes if n.template in affected]
        for stale_node in stale:
            stale_node.memo_relevant = None
            stale_node.memo_value = UNSET
        questions = [n for n in stale if n.path in self.states]
        by_template: dict[str, list[Node]] = {}
        for question in questions:
            by_template.setdefault(question.template, []).append(question)
        for template in _dependency_order(form.structure):
            for question in by_template.get(template, ()):
                form._value(question)
        states = dict(self.states)
        for question in questions:
            states[question.path] = form.result(question)
        self.states = states
        return states


# --- relevance of many responses ----------------------------------------------------------

def _pure_tree(tree: object) -> bool:
    """Only ``${name}`` references (no location path at all, not even ``.``) and no time,
    random or context function: the expression's value follows from the values of the
    nodes it names."""
    return _tree_without(tree, allow_self=False)


def _memo_key(value: object) -> object:
    """A node value as a dictionary key: typed (1.0 and '1' read differently) and NaN equal
    to NaN (it is not equal to itself)."""
    if isinstance(value, float) and math.isnan(value):
        return ("NaN",)
    return (type(value), value)


class _SharedInstance(FormInstance):
    """One instance of a form without repeats, reused for response after response, whose
    expression results are remembered on the values of the nodes they name.

    With 50,000 responses, building an instance per response (hundreds of nodes) and
    running every relevance expression again was the whole cost of ``publish``; but an
    expression such as ``${water_tank} = 'yes'`` only ever sees a few distinct values, so
    each distinct combination is run once.  Only expressions whose value follows from the
    values of the questions they name (``_pure_tree``, no container named) are
    remembered; the others run every time."""

    def __init__(self, structure: Structure, lang: str | None) -> None:
        self._plans: dict[str, tuple[Node, ...] | None] = {}
        self._results: dict[tuple, object] = {}
        super().__init__(structure, {}, lang)

    def load(self, answers: Mapping[str, str]) -> None:
        self.answers = {str(k): ("" if v is None else str(v)) for k, v in answers.items()}
        for node in self.all_nodes:
            node.memo_relevant = None
            node.memo_value = UNSET

    def _plan(self, expression: str) -> tuple[Node, ...] | None:
        if expression in self._plans:
            return self._plans[expression]
        plan = None
        try:
            compiled = compile_expression(expression)
        except ExpressionError:
            compiled = None
        if compiled is not None and _pure_tree(compiled.tree):
            templates = [self.by_name.get(name) for name in sorted(compiled.references)]
            nodes = [self.single.get(t) if t else None for t in templates]
            if all(n is not None and (n.question or {}).get("type") not in CONTAINER_TYPES
                   for n in nodes):
                plan = tuple(nodes)
        self._plans[expression] = plan
        return plan

    def _run(self, expression: str, node: Node, default: object, *,
             context: Node | None = None) -> object:
        plan = None if context is not None else self._plan(expression)
        if plan is None:
            return super()._run(expression, node, default, context=context)
        key = (expression, default, *(_memo_key(self._value(read)) for read in plan))
        try:
            return self._results[key]
        except KeyError:
            result = super()._run(expression, node, default)
            self._results[key] = result
            return result
        except TypeError:  # an unhashable value: run it
            return super()._run(expression, node, default)


    # -- column by column ------------------------------------------------------------
    def columnar(self) -> bool:
        """Whether every relevance, calculation and dynamic default is remembered (then
        ``relevance_columns`` can work column by column)."""
        for node in self.single.values():
            for column, text in _expressions_of(node.question or {}):
                if column in ("relevant", "calculation", "default") and self._plan(text) is None:
                    return False
        return True

    def relevance_columns(self, responses: Sequence[Mapping[str, str]]) -> dict[str, list[bool]]:
        """{template: one relevance flag per response} for every node, computed a column
        at a time: an expression runs once per distinct combination of the values it
        reads, and the rest is list work.  Only for ``columnar`` forms."""
        everyone = [True] * len(responses)
        relevant: dict[str, list[bool]] = {}
        values: dict[str, tuple[list[object], list[object]]] = {}  # (values, as keys)
        read = {n.template for plan in self._plans.values() if plan for n in plan}
        for template in _dependency_order(self.structure):
            node = self.single[template]
            parent = node.parent
            active = everyone if parent is self.root else relevant[parent.template]
            expression = ((node.question or {}).get("relevant") or "").strip()
            relevant[template] = (self._column(expression, node, True, active, values,
                                               to_boolean, False) if expression else active)
            if template in read:
                column = self._value_column(node, relevant[template], responses, values)
                values[template] = (column, _key_column(column))
        return relevant

    def _column(self, expression: str, node: Node, default: object, active: list[bool],
                values: dict[str, tuple[list[object], list[object]]],
                convert: Callable[[object], object], inactive: object) -> list[object]:
        """``convert`` of the expression's result per response (``inactive`` where
        ``active`` is False)."""
        plan = self._plan(expression) or ()
        raw = [values[read.template][0] for read in plan]
        keys = (zip(*[values[read.template][1] for read in plan], strict=True) if plan
                else repeated(()))
        results: dict[tuple, object] = {}
        out: list[object] = []
        append = out.append
        for index, on, key in zip(count(), active, keys):
            if not on:
                append(inactive)
                continue
            result = results.get(key, UNSET)
            if result is UNSET:
                for read, column in zip(plan, raw, strict=True):
                    read.memo_value = column[index]  # what the expression reads
                result = convert(FormInstance._run(self, expression, node, default))
                results[key] = result
            append(result)
        return out

    def _value_column(self, node: Node, relevant: list[bool],
                      responses: Sequence[Mapping[str, str]],
                      values: dict[str, tuple[list[object], list[object]]]) -> list[object]:
        """``_value`` of the node for every response (see ``_compute_value``)."""
        question = node.question or {}
        kind = question.get("type", "")
        if kind in CONTAINER_TYPES:
            return [""] * len(relevant)
        calculation = (question.get("calculation") or "").strip()

        def calculated(result: object) -> object:
            return _calculated(result, kind)

        if calculation:
            return self._column(calculation, node, "", relevant, values, calculated, "")
        default = (question.get("default") or "").strip()
        if default and default_is_expression(default):
            fallback = self._column(default, node, "", relevant, values, calculated, "")
        else:
            fallback = [_typed_answer(default, kind) if default else ""] * len(relevant)
        typed: dict[str, object] = {"": ""}
        path = node.path
        out: list[object] = []
        for on, given, otherwise in zip(relevant, responses, fallback, strict=True):
            text = given.get(path, UNSET) if on else ""
            if text is UNSET:
                out.append(otherwise)
                continue
            text = "" if text is None else str(text)
            if text not in typed:
                typed[text] = _typed_answer(text, kind)
            out.append(typed[text])
        return out


def _key_column(column: list[object]) -> list[object]:
    """A value column as dictionary keys: True equals 1.0 and False 0.0 in Python, so a
    column mixing booleans with numbers keeps each value's type beside it."""
    kinds = {type(value) for value in column}
    if bool in kinds and len(kinds) > 1:
        return [(type(value), value) for value in column]
    return column


class RelevanceEvaluator:
    """Which questions apply to each of many responses of one form (``publish``,
    ``report``, import checks), much faster than ``evaluate`` per response.

    ``relevant(answers)`` returns ``{question path: relevant}`` for every question node,
    equal to ``evaluate(structure, answers, lang)[path]["relevant"]``.  Calling the object
    as ``evaluator(structure, answers)`` returns ``{path: {"relevant": bool}}``: the
    signature of ``evaluate`` that ``analysis.relevance`` takes.  A form with repeats, a
    dependency cycle or expressions that read the time or location paths is evaluated in
    full per response (same results, no speed-up)."""

    def __init__(self, structure: Structure, lang: str | None = None) -> None:
        self.structure = structure
        self.lang = lang
        shape = _shape(structure)
        shared = (_dependencies(shape).incremental
                  and not any(shape.repeats_of[t] for t in shape.templates))
        self._shared = _SharedInstance(structure, lang) if shared else None

    def relevant_templates(self, responses: Sequence[Mapping[str, str]]) -> list[list[str]]:
        """For each response, the sorted template paths of the questions relevant to it
        (in at least one instance): ``analysis.relevance.relevant_questions`` of each."""
        form = self._shared
        if form is None or not form.columnar():
            return [sorted({template_path(path) for path, flag in self.relevant(a).items()
                            if flag}) for a in responses]
        columns = form.relevance_columns(responses)
        chosen: list[list[str]] = [[] for _ in responses]
        positions = range(len(chosen))
        for template in sorted({node.template for node in form.questions}):
            for index in compress(positions, columns[template]):
                chosen[index].append(template)
        return chosen

    def relevant(self, answers: Mapping[str, str]) -> dict[str, bool]:
        form = self._shared
        if form is None:
            states = evaluate(self.structure, answers, self.lang)
            return {path: bool(state["relevant"]) for path, state in states.items()}
        form.load(answers)
        return {node.path: form.relevant(node) for node in form.questions}

    def __call__(self, structure: Structure, answers: Mapping[str, str]) -> dict[str, dict]:
        if structure is not self.structure:
            return evaluate(structure, answers, self.lang)
        return {path: {"relevant": flag} for path, flag in self.relevant(answers).items()}


def visible_choices(structure: dict, path: str, answers: Mapping[str, str],
                    lang: str | None = None) -> list[str]:
    """Names of the choices of the question at ``path`` that its choice_filter keeps.

    The filter runs once per choice row with that row as the context node, so ``name``
    and the choice sheet's extra columns are readable as in XLSForm (``filter=${country}``).
    """
    return visible_choices_of(structure, [path], answers, lang).get(path, [])


def visible_choices_of(structure: dict, paths: list[str], answers: Mapping[str, str],
                       lang: str | None = None) -> dict[str, list[str]]:
    """``visible_choices`` for several questions of one response, building its instance
    once (a page showing many filtered selects); paths that do not exist are left out."""
    form = FormInstance(structure, answers, lang)
    wanted = set(paths)
    found = {node.path: node for node in form.questions if node.path in wanted}
    return {path: _kept_choices(form, node) for path, node in found.items()}


def _kept_choices(form: FormInstance, node: Node) -> list[str]:
    question = node.question or {}
    document = form.instance(question.get("choice_list", ""))
    if document is None:
        return []
    items = document.children[0].children
    names = [str(item.by_name["name"][0].raw) for item in items]
    # pyxform appends the choice 'other' to an or_other list; the filter does not see it.
    other = ["other"] if question.get("or_other") and "other" not in names else []
    expression = (question.get("choice_filter") or "").strip()
    if not expression:
        return names + other
    try:
        compiled = compile_expression(expression)
    except ExpressionError:
        return names + other
    kept = []
    for position, (item, name) in enumerate(zip(items, names, strict=True), start=1):
        try:
            keep = to_boolean(compiled.run(Context(item, node, form, position, len(items))))
        except ExpressionError:
            keep = False
        if keep:
            kept.append(name)
    return kept + other
