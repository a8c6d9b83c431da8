"""The web questionnaire's view of a structure: sections, paths, repeat instances, states.

A *compiled form* indexes a version's structure once (cached per version in
``responses/selectors.py``); the page and the autosave endpoint ask it whether a path and
a value are acceptable, and turn the engine's evaluation into the items a section shows.
The expression engine (``questionnaires.engine.evaluate``) is the single source of truth
for relevance, required, constraints, calculations and repeat instances.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from iocompendium.questionnaires.structure import (
    CONTAINER_TYPES,
    GEO_TYPES,
    METADATA_TYPES,
    NON_ANSWER_TYPES,
    UPLOAD_TYPES,
    Node,
    QuestionRef,
    Structure,
    iter_nodes,
    localized,
    repeat_indexes,
    template_path,
)
from iocompendium.web import limits

# The text answer that goes with the "other" choice of an or_other question.
OTHER_SUFFIX = "_other"
OTHER_CHOICE = "other"
ACKNOWLEDGED = "OK"
# Types answered with the same control as another (a trigger is acknowledged).
SELECT_KINDS = {"select_one_from_file": "select_one", "select_one_external": "select_one",
                "select_multiple_from_file": "select_multiple", "trigger": "acknowledge"}
MAX_VALUE_LENGTH = limits.MAX_ANSWER_LENGTH  # the one answer limit of every write path
MAX_REPEAT_INSTANCES = 500
# Questions without a top-level group are shown together on this pseudo-section.
LOOSE_SECTION = "_"

_INDEXED_NAME_RE = re.compile(r"^([A-Za-z_][\w.\-]*)(?:\[(\d+)\])?$")
_INTEGER_RE = re.compile(r"^[-+]?\d+$")
_SELECT_SPLIT_RE = re.compile(r"\s+")


@lru_cache(maxsize=200_000)
def tpath(path: str) -> str:
    """``template_path`` remembered: the same few hundred paths come back on every save."""
    return template_path(path)


class InvalidAnswer(ValueError):
    """A path or value the form does not accept (a crafted request, or a stale page)."""


@dataclass(frozen=True)
class Section:
    name: str
    label: dict[str, str]
    nodes: tuple[Node, ...]
    prefix: str  # "" for the loose section, else the group's own path
    repeats: tuple[QuestionRef, ...] = ()  # its repeats that are not inside another repeat


@dataclass(frozen=True)
class CompiledForm:
    structure: Structure
    refs: Mapping[str, QuestionRef]  # template path -> node reference
    sections: tuple[Section, ...]
    section_of: Mapping[str, str]  # template path -> section name

    @property
    def default_language(self) -> str:
        return self.structure.get("default_language", "")

    def text(self, texts: dict[str, str] | None, lang: str) -> str:
        return localized(texts, lang, self.default_language)

    def section(self, name: str) -> Section | None:
        return next((section for section in self.sections if section.name == name), None)

    def choices(self, ref: QuestionRef) -> list[dict[str, Any]]:
        return self.structure.get("choices", {}).get(ref.node.get("choice_list", ""), [])


def compile_form(structure: Structure) -> CompiledForm:
    refs = {ref.path: ref for ref in iter_nodes(structure)}
    sections: list[Section] = []
    loose: list[Node] = []
    for node in structure.get("children", []):
        if node["type"] in CONTAINER_TYPES:
            sections.append(Section(node["name"], node.get("label") or {}, (node,), ""))
        else:
            loose.append(node)
    if loose:
        sections.insert(0, Section(LOOSE_SECTION, {}, tuple(loose), ""))
    sections = [
        Section(section.name, section.label, section.nodes, section.prefix, tuple(
            ref for ref in iter_nodes({"children": list(section.nodes)})
            if ref.type == "repeat" and not ref.repeats
        ))
        for section in sections
    ]
    section_of = {}
    for path in refs:
        top = path.split("/", 1)[0]
        section_of[path] = top if refs[top].type in CONTAINER_TYPES else LOOSE_SECTION
    return CompiledForm(structure, refs, tuple(sections), section_of)


def is_answerable(ref: QuestionRef) -> bool:
    """A question a respondent answers on the page (metadata is the server's to fill)."""
    return ref.type not in NON_ANSWER_TYPES and ref.type not in METADATA_TYPES


def is_shown(node: Node) -> bool:
    """Metadata (start, end, deviceid...) is never shown as an input."""
    return node["type"] not in METADATA_TYPES


def split_other(path: str) -> tuple[str, bool]:
    """``a/b_other`` -> (``a/b``, True) when that names an or_other text; else (path, False)."""
    if path.endswith(OTHER_SUFFIX):
        return path[: -len(OTHER_SUFFIX)], True
    return path, False


def resolve_path(form: CompiledForm, path: str) -> tuple[QuestionRef, bool]:
    """The question a submitted path names, and whether it is an or_other text.

    Refuses unknown questions, containers, notes and calculations, and repeat indexes
    that do not match the enclosing repeats."""
    if not path or len(path) > 500:
        raise InvalidAnswer(_("This question does not exist in the questionnaire."))
    parts = path.split("/")
    if not all(_INDEXED_NAME_RE.match(part) for part in parts):
        raise InvalidAnswer(_("This question does not exist in the questionnaire."))
    ref = form.refs.get(template_path(path))
    is_other = False
    if ref is None:
        base, is_other = split_other(path)
        ref = form.refs.get(template_path(base))
        if ref is None or not is_other or not ref.node.get("or_other"):
            raise InvalidAnswer(_("This question does not exist in the questionnaire."))
        path = base
    if not is_answerable(ref):
        raise InvalidAnswer(_("This question cannot be answered."))
    indexes = repeat_indexes(path)
    if len(indexes) != len(ref.repeats) or not _indexes_follow_repeats(path, ref):
        raise InvalidAnswer(_("This question does not exist in the questionnaire."))
    if any(index < 1 or index > MAX_REPEAT_INSTANCES for index in indexes):
        raise InvalidAnswer(_("This repeat instance does not exist."))
    return ref, is_other


def _indexes_follow_repeats(path: str, ref: QuestionRef) -> bool:
    """Every index sits right after a repeat's name, and nowhere else."""
    parts = path.split("/")
    prefix = ""
    for part in parts:
        match = _INDEXED_NAME_RE.match(part)
        name, index = match.group(1), match.group(2)
        prefix = f"{prefix}/{name}" if prefix else name
        if (index is not None) != (prefix in ref.repeats):
            return False
    return True


def check_value(form: CompiledForm, ref: QuestionRef, value: str, *, is_other: bool) -> None:
    """Refuse values no input of the page can produce: unknown choices, huge texts."""
    if len(value) > MAX_VALUE_LENGTH:
        raise InvalidAnswer(_("This answer is too long."))
    if ref.type == "rank" and value:
        names = {choice["name"] for choice in form.choices(ref)}
        given = split_selection(value)
        if len(set(given)) != len(given) or any(name not in names for name in given):
            raise InvalidAnswer(_("This answer is not one of the choices."))
        return
    kind = SELECT_KINDS.get(ref.type, ref.type)
    if is_other or kind not in {"select_one", "select_multiple", "acknowledge"}:
        return
    if kind == "acknowledge":
        if value not in {"", ACKNOWLEDGED}:
            raise InvalidAnswer(_("This answer is not one of the choices."))
        return
    names = {choice["name"] for choice in form.choices(ref)}
    if ref.node.get("or_other"):
        names.add(OTHER_CHOICE)
    given = [value] if kind == "select_one" else split_selection(value)
    if value and any(name not in names for name in given):
        raise InvalidAnswer(_("This answer is not one of the choices."))


def rank_value(form: CompiledForm, ref: QuestionRef, positions: Mapping[str, str]) -> str:
    """The choices' names in rank order from {choice name: position typed}; unranked
    choices are left out (ODK stores the ranked names separated by spaces)."""
    names = [choice["name"] for choice in form.choices(ref)]
    ranked = []
    for name in names:
        position = str(positions.get(name, "")).strip()
        if position.isdigit():
            ranked.append((int(position), names.index(name), name))
    return " ".join(name for _position, _order, name in sorted(ranked))


def split_selection(value: str) -> list[str]:
    return [name for name in _SELECT_SPLIT_RE.split(value.strip()) if name]


def type_error(ref: QuestionRef, value: str) -> str | None:
    """The message for a value that is not of the question's type (None when it is)."""
    if not value:
        return None
    if ref.type == "integer" and not _INTEGER_RE.match(value.strip()):
        return _("Enter a whole number, for example 12.")
    if ref.type == "decimal":
        try:
            Decimal(value.strip())
        except InvalidOperation:
            return _("Enter a number, for example 3.5.")
    if ref.type == "date":
        try:
            date.fromisoformat(value.strip())
        except ValueError:
            return _("Enter a date as YYYY-MM-DD.")
    if ref.type in GEO_TYPES:
        return geo_error(ref.type, value)
    if ref.type == "range":
        return range_error(ref.node.get("parameters") or {}, value)
    return None


def geo_points(value: str) -> list[tuple[float, float]] | None:
    """``"lat lon [alt acc];lat lon..."`` (ODK's form) as (lat, lon) pairs; None if not."""
    points = []
    for part in value.split(";"):
        numbers = part.split()
        if not part.strip():
            continue
        if len(numbers) < 2 or len(numbers) > 4:
            return None
        try:
            lat, lon = float(numbers[0]), float(numbers[1])
        except ValueError:
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        points.append((lat, lon))
    return points


def geo_error(node_type: str, value: str) -> str | None:
    points = geo_points(value)
    if points is None or not points:
        return _("Enter a latitude between -90 and 90 and a longitude between -180 and 180.")
    if node_type == "geopoint" and len(points) != 1:
        return _("Enter one point: a latitude and a longitude.")
    if node_type == "geotrace" and len(points) < 2:
        return _("Enter at least two points, separated by ';'.")
    if node_type == "geoshape" and len(points) < 3:
        return _("Enter at least three points, separated by ';'.")
    return None


def range_bounds(parameters: Mapping[str, str]) -> tuple[Decimal, Decimal, Decimal]:
    """start, end, step of an XLSForm range (defaults 1, 10, 1 as in ODK)."""
    def number(key: str, default: str) -> Decimal:
        try:
            return Decimal(str(parameters.get(key) or default))
        except InvalidOperation:
            return Decimal(default)
    return number("start", "1"), number("end", "10"), number("step", "1")


def range_error(parameters: Mapping[str, str], value: str) -> str | None:
    start, end, step = range_bounds(parameters)
    low, high = min(start, end), max(start, end)
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return _("Enter a number, for example 3.5.")
    if not low <= number <= high or (step and (number - start) % step != 0):
        return _("Enter a number from %(low)s to %(high)s in steps of %(step)s.") % {
            "low": low, "high": high, "step": step}
    return None


def current_language() -> str:
    """The active language as the structure's keys name it ("en", "fr")."""
    return (get_language() or "en")[:2]


# --- evaluation ------------------------------------------------------------------------


def evaluate(form: CompiledForm, answers: Mapping[str, str], lang: str) -> dict[str, dict]:
    """The engine's states for every question path, with type errors added."""
    from iocompendium.questionnaires import engine  # imported late: a pure, separate module

    return add_type_errors(form, engine.evaluate(form.structure, answers, lang), answers)


def add_type_errors(form: CompiledForm, states: dict[str, dict],
                    answers: Mapping[str, str]) -> dict[str, dict]:
    """The engine's states with type errors (a word in a number question) added."""
    for path, state in states.items():
        ref = form.refs.get(tpath(path))
        if ref is None or not state.get("relevant", True):
            continue
        problem = type_error(ref, answers.get(path, ""))
        if problem:
            state["error"] = problem
    return states


def instance_counts(paths: Mapping[str, Any] | list[str]) -> dict[str, int]:
    """Highest instance index per indexed repeat path, from the evaluated question paths."""
    counts: dict[str, int] = {}
    for path in paths:
        position = path.find("[")
        while position != -1:
            end = path.index("]", position)
            repeat_path = path[:position]
            counts[repeat_path] = max(counts.get(repeat_path, 0), int(path[position + 1 : end]))
            position = path.find("[", end)
    return counts


def is_answered(ref: QuestionRef, state: Mapping[str, Any]) -> bool:
    return bool(str(state.get("value", "")).strip())


def progress(
    form: CompiledForm, states: Mapping[str, Mapping[str, Any]], section: str | None = None
) -> tuple[int, int]:
    """(answered, relevant) over answerable questions, for one section or the whole form."""
    if section is None:
        return progress_by_section(form, states)[None]
    return progress_by_section(form, states).get(section, (0, 0))


def progress_by_section(
    form: CompiledForm, states: Mapping[str, Mapping[str, Any]]
) -> dict[str | None, tuple[int, int]]:
    """(answered, relevant) per section name, and for the whole form under None."""
    counts: dict[str | None, list[int]] = {None: [0, 0]}
    for path, state in states.items():
        template = tpath(path)
        ref = form.refs.get(template)
        if ref is None or not is_answerable(ref) or not state.get("relevant", True):
            continue
        answered = is_answered(ref, state)
        for key in (None, form.section_of.get(template)):
            pair = counts.setdefault(key, [0, 0])
            pair[0] += answered
            pair[1] += 1
    return {key: (pair[0], pair[1]) for key, pair in counts.items()}


@dataclass
class Finding:
    """One line of the completeness report."""

    kind: str  # "missing", "error", "warning"
    path: str
    section: str
    label: str
    message: str


def completeness(
    form: CompiledForm, states: Mapping[str, Mapping[str, Any]], lang: str
) -> list[Finding]:
    findings: list[Finding] = []
    for path, state in states.items():
        ref = form.refs.get(template_path(path))
        if ref is None or not state.get("relevant", True) or ref.type in {"note"}:
            continue
        section = form.section_of.get(ref.path, LOOSE_SECTION)
        label = form.text(ref.node.get("label"), lang) or ref.name
        answered = is_answered(ref, state)
        if state.get("error"):
            kind = "error" if answered or ref.type == "calculate" else "missing"
            findings.append(Finding(kind, path, section, label, state["error"]))
        elif state.get("required") and not answered and is_answerable(ref):
            findings.append(Finding("missing", path, section, label, _("This answer is required.")))
        if state.get("warning"):
            findings.append(Finding("warning", path, section, label, state["warning"]))
    return findings


# --- what a section shows --------------------------------------------------------------


@dataclass
class Choice:
    name: str
    label: str
    selected: bool
    input_id: str
    # False: hidden by the question's choice_filter for now (the page shows it again when
    # an earlier answer changes; cascading selects need every option in the page).
    visible: bool = True


@dataclass
class Question:
    path: str
    node: Node
    label: str
    hint: str
    state: dict[str, Any]
    value: str
    revision: int
    choices: list[Choice] = field(default_factory=list)
    other_value: str = ""
    other_revision: int = 0
    queries: list[Any] = field(default_factory=list)
    show_error: bool = False
    editable: bool = False
    other_editable: bool = False

    kind = "question"

    @property
    def type(self) -> str:
        return self.node["type"]

    @property
    def input_id(self) -> str:
        return input_id(self.path)

    @property
    def other_id(self) -> str:
        return input_id(self.path + OTHER_SUFFIX)

    @property
    def other_path(self) -> str:
        return self.path + OTHER_SUFFIX

    @property
    def choices_html(self) -> SafeString:
        """Its options as HTML, built in Python (``rendering``): the page's largest cost."""
        from iocompendium.responses.rendering import choices_html

        return choices_html(self)

    @property
    def widget(self) -> str:
        """Which control the template draws."""
        node_type, appearance = self.type, self.node.get("appearance", "")
        node_type = SELECT_KINDS.get(node_type, node_type)
        if node_type == "select_one":
            return "select" if "minimal" in appearance or len(self.choices) > 12 else "radios"
        if node_type == "select_multiple":
            return "checkboxes"
        if node_type in {"note", "calculate", "acknowledge", "integer", "decimal", "date",
                         "range", "rank", "geopoint"}:
            return node_type
        if node_type in {"geotrace", "geoshape"}:
            return "geolines"
        if node_type in UPLOAD_TYPES:
            return "upload"
        if node_type == "datetime":
            return "datetime"
        if node_type == "time":
            return "time"
        if node_type == "text" and (
            "multiline" in appearance or self.node["name"].endswith(("_examples", "_comments"))
        ):
            return "textarea"
        return "text"

    @property
    def relevant(self) -> bool:
        return bool(self.state.get("relevant", True))

    @property
    def required(self) -> bool:
        return bool(self.state.get("required"))

    @property
    def geo_parts(self) -> tuple[str, str]:
        """(latitude, longitude) of a geopoint answer, for its two fields."""
        parts = self.value.split()
        return (parts[0], parts[1]) if len(parts) >= 2 else ("", "")

    @property
    def range_bounds(self) -> tuple[Decimal, Decimal, Decimal]:
        return range_bounds(self.node.get("parameters") or {})

    @property
    def ranked(self) -> list[tuple[int, Choice]]:
        """The choices with their current rank (0: not ranked yet), in the form's order."""
        order = split_selection(self.value)
        return [(order.index(c.name) + 1 if c.name in order else 0, c) for c in self.choices]

    @property
    def positions(self) -> list[int]:
        return list(range(1, len(self.choices) + 1))

    @property
    def acknowledged(self) -> bool:
        return self.value == ACKNOWLEDGED

    @property
    def other_selected(self) -> bool:
        return OTHER_CHOICE in split_selection(self.value)


@dataclass
class Group:
    path: str
    label: str
    hint: str
    items: list[Any]
    kind = "group"

    @property
    def relevant(self) -> bool:
        return any_relevant(self.items)


@dataclass
class Instance:
    index: int
    path: str
    items: list[Any]
    is_first: bool = False
    is_last: bool = False

    @property
    def relevant(self) -> bool:
        return any_relevant(self.items)


@dataclass
class Repeat:
    path: str  # indexed path of the repeat itself, e.g. "variety/instruments"
    label: str
    hint: str
    instances: list[Instance]
    fixed_count: bool
    relevant: bool = True
    kind = "repeat"


def any_relevant(items: list[Any]) -> bool:
    """A container shows while any question inside it is relevant (or it holds none)."""
    questions = [item for item in items if item.kind == "question"]
    containers = [item for item in items if item.kind != "question"]
    if not items:
        return True
    return any(q.relevant for q in questions) or any(c.relevant for c in containers)


def input_id(path: str) -> str:
    """An HTML id for a path (ids must be unique; the path's characters are kept readable)."""
    return "q-" + path.replace("/", "--").replace("[", "-").replace("]", "")


@dataclass
class PageData:
    """What the section page knows about the response when it renders."""

    states: Mapping[str, dict[str, Any]]
    answers: Mapping[str, str]
    revisions: Mapping[str, int]
    lang: str
    queries: Mapping[str, list[Any]] = field(default_factory=dict)
    show_all_errors: bool = False
    editable: set[str] = field(default_factory=set)
    repeat_relevance: Mapping[str, bool] = field(default_factory=dict)


def build_section(form: CompiledForm, section: Section, data: PageData) -> list[Any]:
    counts = instance_counts(list(data.states) + list(data.answers))
    return _build_items(form, list(section.nodes), "", counts, data)


def _build_items(
    form: CompiledForm, nodes: list[Node], prefix: str, counts: dict[str, int], data: PageData
) -> list[Any]:
    items: list[Any] = []
    for node in nodes:
        path = prefix + node["name"]
        label = form.text(node.get("label"), data.lang)
        hint = form.text(node.get("hint"), data.lang)
        if not is_shown(node):
            continue
        if node["type"] == "group":
            items.append(
                Group(path, label, hint, _build_items(form, node.get("children", []),
                                                      path + "/", counts, data))
            )
        elif node["type"] == "repeat":
            items.append(_build_repeat(form, node, path, label, hint, counts, data))
        else:
            items.append(_build_question(form, node, path, label or node["name"], hint, data))
    return items


def _build_repeat(form, node, path, label, hint, counts, data) -> Repeat:
    count = counts.get(path, 0)
    instances = []
    for index in range(1, count + 1):
        instance_path = f"{path}[{index}]"
        items = _build_items(form, node.get("children", []), instance_path + "/", counts, data)
        instances.append(Instance(index, instance_path, items, index == 1, index == count))
    relevant = (any(instance.relevant for instance in instances) if instances
                else data.repeat_relevance.get(path, True))
    return Repeat(path, label, hint, instances, fixed_count=bool(node.get("repeat_count")),
                  relevant=relevant)


def _build_question(form, node, path, label, hint, data: PageData) -> Question:
    state = dict(data.states.get(path) or {"relevant": True, "required": False,
                                            "value": "", "error": None, "warning": None})
    value = data.answers.get(path, "")
    if node["type"] == "calculate":
        value = str(state.get("value", ""))
    question = Question(
        path=path, node=node, label=label, hint=hint, state=state, value=value,
        revision=data.revisions.get(path, 0),
        other_value=data.answers.get(path + OTHER_SUFFIX, ""),
        other_revision=data.revisions.get(path + OTHER_SUFFIX, 0),
        queries=list(data.queries.get(path, [])),
        editable=path in data.editable,
        other_editable=path + OTHER_SUFFIX in data.editable,
    )
    if node["type"] in {"select_one", "select_multiple", "rank", "select_one_from_file",
                        "select_multiple_from_file", "select_one_external"}:
        selected = set(split_selection(value))
        ref = form.refs[template_path(path)]
        question.choices = [
            Choice(choice["name"], form.text(choice.get("label"), data.lang) or choice["name"],
                   choice["name"] in selected, f"{question.input_id}-{number}")
            for number, choice in enumerate(form.choices(ref), start=1)
        ]
        if node.get("choice_filter"):
            visible = set(visible_choices(form, path, data.answers, data.lang))
            for choice in question.choices:
                choice.visible = choice.name in visible or choice.selected
        if node.get("or_other"):
            question.choices.append(
                Choice(OTHER_CHOICE, _("Other"), OTHER_CHOICE in selected,
                       f"{question.input_id}-other")
            )
    # A required message shows once the person has been asked to check the page; a
    # constraint or type message shows as soon as there is an answer.
    question.show_error = bool(state.get("error")) and (bool(value) or data.show_all_errors)
    return question


def visible_choices(
    form: CompiledForm, path: str, answers: Mapping[str, str], lang: str
) -> list[str]:
    from iocompendium.questionnaires import engine

    return engine.visible_choices(form.structure, path, answers, lang)


def filtered_choices(
    form: CompiledForm, paths: list[str], answers: Mapping[str, str], lang: str
) -> dict[str, list[str]]:
    """Visible choice names of the given paths' questions that have a choice filter."""
    result = {}
    for path in paths:
        ref = form.refs.get(template_path(path))
        if ref is not None and ref.node.get("choice_filter"):
            result[path] = visible_choices(form, path, answers, lang)
    return result


def empty_repeat_relevance(
    form: CompiledForm, section: Section, answers: Mapping[str, str], lang: str,
    states: Mapping[str, Any],
) -> dict[str, bool]:
    """Whether each repeat of the section without instances would be relevant.

    The engine reports questions, not containers: an empty repeat is probed by evaluating
    once more with one (empty) instance added. Only done when such a repeat exists."""
    if not section.repeats:
        return {}
    counts = instance_counts(list(states) + list(answers))
    probes: dict[str, str] = {}
    for ref in section.repeats:  # nested repeats show through their parent instance
        if counts.get(ref.path):
            continue
        marker = marker_path(ref.node, f"{ref.path}[1]")
        if marker:
            probes[ref.path] = marker
    if not probes:
        return {}
    probe_answers = dict(answers)
    probe_answers.update({marker: "" for marker in probes.values()})
    probe_states = evaluate(form, probe_answers, lang)
    return {path: bool(probe_states.get(marker, {}).get("relevant", True))
            for path, marker in probes.items()}


def repeat_states(
    form: CompiledForm, section: Section, answers: Mapping[str, str], lang: str,
    states: Mapping[str, Any],
) -> dict[str, bool]:
    """Relevance of the section's top-level repeats (for the script to show or hide them)."""
    result = empty_repeat_relevance(form, section, answers, lang, states)
    for ref in section.repeats:
        if ref.path in result:
            continue
        prefix = ref.path + "["
        result[ref.path] = any(
            state.get("relevant", True) for path, state in states.items()
            if path.startswith(prefix)
        )
    return result


def has_repeat(section: Section) -> bool:
    return bool(section.repeats)


def section_paths(form: CompiledForm, section: Section, states: Mapping[str, Any]) -> list[str]:
    """Every evaluated question path of a section (indexed), in form order."""
    return [path for path in states if form.section_of.get(tpath(path)) == section.name]


def marker_path(node: Node, instance_path: str) -> str | None:
    """``variety/instruments[3]`` -> ``variety/instruments[3]/title`` (first answerable)."""

    def walk(nodes: list[Node], prefix: str) -> str | None:
        for child in nodes:
            if child["type"] == "group":
                found = walk(child.get("children", []), f"{prefix}{child['name']}/")
                if found:
                    return found
            elif child["type"] not in NON_ANSWER_TYPES:
                return prefix + child["name"]
        return None

    return walk(node.get("children", []), instance_path + "/")
