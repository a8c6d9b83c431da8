"""The framework spreadsheet, in the spirit of XLSForm: read, validate, write.

Three sheets (see ``docs/guide/indicators.md`` for a worked example):

* ``tree``: one row per node: ``name``, ``level`` (composite, category, subcategory,
  indicator), ``parent``, ``label::English (en)``, ``label::Français (fr)``, ``weight``
  (blank = 1), ``direction`` (1 or -1, blank = 1), ``target`` (distance-to-target
  normalisation), ``mirrors`` (the comparable question of another instrument, e.g. an
  iREG item code).
* ``rules``: one row per indicator: ``indicator``, ``kind`` (choice, count, number,
  condition), ``question`` (its path in the questionnaire), ``scores`` (choice rules:
  ``always=1 frequently=0.67``), ``choices`` (names separated by spaces), ``cap``,
  ``question2``, ``choices2``, ``op`` (and, or), ``missing`` (blank = the framework's).
* ``settings``: a header row and one row of values: ``slug``, ``title::English (en)``,
  ``title::Français (fr)``, ``questionnaire``, ``version``, ``country_composite``, and
  the construction choices ``missing``, ``group``, ``winsorise``, ``normalisation``,
  ``weighting``, ``aggregation``, ``zero_rule``, ``scale``.

``read`` returns the definition (plain JSON) and every problem with its sheet, row and
reason; ``check_against`` adds the problems found against the questionnaire's structure.
Pure Python (no Django): the file can be checked in a notebook.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from iocompendium.analysis.indicators import (
    Construction,
    Framework,
    FrameworkError,
    Node,
    Rule,
)
from iocompendium.analysis.indicators.framework import (
    AGGREGATIONS,
    LEVELS,
    MISSING,
    NORMALISATIONS,
    RULE_KINDS,
    WEIGHTINGS,
    ZERO_RULES,
)
from iocompendium.questionnaires.structure import iter_questions, language_code
from iocompendium.responses.tabular import fill, gettext_noop

TREE = "tree"
RULES = "rules"
SETTINGS = "settings"
TREE_COLUMNS = ["name", "level", "parent", "label::English (en)", "label::Français (fr)",
                "weight", "direction", "target", "mirrors"]
RULE_COLUMNS = ["indicator", "kind", "question", "scores", "choices", "cap", "question2",
                "choices2", "op", "missing"]
SETTING_COLUMNS = ["slug", "title::English (en)", "title::Français (fr)", "questionnaire",
                   "version", "country_composite", "missing", "group", "winsorise",
                   "normalisation", "weighting", "aggregation", "zero_rule", "scale"]
NUMBER_TYPES = frozenset({"integer", "decimal", "range", "calculate"})
SELECT_TYPES = frozenset({"select_one", "select_multiple"})


@dataclass(frozen=True)
class Problem:
    """One problem of a framework file: where it is and why, in one sentence."""

    sheet: str
    row: int  # 1-based spreadsheet row (the header is row 1); 0 for the whole sheet
    code: str  # unknown_question, choice_not_in_list, never_scores, wrong_type, ...
    # English, marked with gettext_noop so that the web pages show it translated
    # (``indicators.views``); %(name)s placeholders filled from ``params``.
    template: str
    params: Mapping[str, Any] = field(default_factory=dict, hash=False)

    @property
    def message(self) -> str:
        """The sentence in English (the command's output and the JSON)."""
        return fill(self.template, self.params)

    def line(self) -> str:
        where = f"{self.sheet}, row {self.row}" if self.row else self.sheet
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "code": self.code,
                "message": self.message}


class WorkbookError(ValueError):
    """A framework file that cannot be imported, with every problem."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "; ".join(p.line() for p in problems[:5])
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        super().__init__(f"{len(problems)} problem(s): {lines}{more}")


# ------------------------------------------------------------------------------ reading


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _sheet_rows(workbook: Any, name: str) -> list[tuple[int, dict[str, str]]] | None:
    """(row number, {header: text}) for every non-empty row; None if the sheet is absent."""
    sheet = next((workbook[s] for s in workbook.sheetnames if s.strip().lower() == name), None)
    if sheet is None:
        return None
    rows = list(sheet.iter_rows(values_only=True))
    if not rows:
        return []
    header = [_text(cell).lower() for cell in rows[0]]
    out = []
    for number, row in enumerate(rows[1:], start=2):
        values = {header[i]: _text(cell) for i, cell in enumerate(row) if i < len(header)
                  and header[i]}
        if any(values.values()):
            out.append((number, values))
    return out


def _labels(values: dict[str, str], prefix: str) -> dict[str, str]:
    """``label::English (en)`` / ``label::fr`` / ``label`` -> {"en": ..., "fr": ...}."""
    out: dict[str, str] = {}
    for key, value in values.items():
        if key == prefix:
            out.setdefault("en", value)
        elif key.startswith(prefix + "::"):
            out[language_code(key.split("::", 1)[1])] = value
    return out


def _number(text: str, default: float | None, problems: list[Problem], sheet: str,
            row: int, column: str) -> float | None:
    if text == "":
        return default
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem(sheet, row, "bad_value",
                                gettext_noop("%(column)s '%(value)s' is not a number."),
                                {"column": column, "value": text}))
        return default
    if not math.isfinite(value):
        problems.append(Problem(sheet, row, "bad_value",
                                gettext_noop("%(column)s must be a finite number."),
                                {"column": column}))
        return default
    return value


def _scores(text: str, problems: list[Problem], row: int) -> dict[str, float]:
    scores: dict[str, float] = {}
    for token in text.split():
        name, sep, value = token.partition("=")
        try:
            scores[name] = float(value) if sep else 1.0
        except ValueError:
            problems.append(Problem(RULES, row, "bad_value",
                                    gettext_noop("scores: '%(token)s' is not choice=number."),
                                    {"token": token}))
    return scores


def read(data: bytes) -> tuple[dict, list[Problem]]:
    """The definition read from a framework workbook, and every problem found in it."""
    import openpyxl

    problems: list[Problem] = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is one sentence to the user
        return {}, [Problem("file", 0, "unreadable",
                            gettext_noop("the file is not an .xlsx workbook that can be read."))]
    sheets = {}
    for name in (TREE, RULES, SETTINGS):
        rows = _sheet_rows(workbook, name)
        if rows is None:
            problems.append(Problem(name, 0, "missing_sheet",
                                    gettext_noop("the sheet '%(sheet)s' is missing."),
                                    {"sheet": name}))
            rows = []
        sheets[name] = rows
    workbook.close()
    settings = _read_settings(sheets[SETTINGS], problems)
    rules = _read_rules(sheets[RULES], problems)
    nodes = _read_tree(sheets[TREE], rules, problems)
    definition = {**settings, "nodes": nodes}
    if not problems:
        try:
            to_framework(definition)
        except FrameworkError as error:
            problems.append(Problem(TREE, 0, "tree", "%(error)s", {"error": str(error)}))
    return definition, problems


def _read_settings(rows: list[tuple[int, dict[str, str]]], problems: list[Problem]) -> dict:
    if not rows:
        problems.append(Problem(SETTINGS, 2, "missing_value",
                                gettext_noop("the settings sheet needs one row of values under its "
                                             "header.")))
        values, row = {}, 2
    else:
        row, values = rows[0]
    titles = _labels(values, "title")
    construction: dict[str, Any] = {}
    default = Construction()
    for column, allowed in (("missing", MISSING), ("normalisation", NORMALISATIONS),
                            ("weighting", WEIGHTINGS), ("aggregation", AGGREGATIONS),
                            ("zero_rule", ZERO_RULES)):
        value = values.get(column, "") or getattr(default, column)
        if value not in allowed:
            problems.append(Problem(SETTINGS, row, "bad_value",
                                    gettext_noop("%(column)s '%(value)s' is not one of "
                                                 "%(allowed)s."),
                                    {"column": column, "value": value,
                                     "allowed": ", ".join(allowed)}))
            value = getattr(default, column)
        construction[column] = value
    construction["group"] = values.get("group", "")
    construction["winsorise"] = _number(values.get("winsorise", ""), 0.0, problems, SETTINGS,
                                        row, "winsorise")
    construction["scale"] = _number(values.get("scale", ""), 1.0, problems, SETTINGS, row,
                                    "scale")
    try:
        Construction(**construction).validate()
    except (FrameworkError, TypeError) as error:
        problems.append(Problem(SETTINGS, row, "bad_value", "%(error)s",
                                {"error": str(error)}))
    slug = values.get("slug", "")
    for column, value in (("slug", slug), ("questionnaire", values.get("questionnaire", "")),
                          ("title::English (en)", titles.get("en", ""))):
        if not value:
            problems.append(Problem(SETTINGS, row, "missing_value",
                                    gettext_noop("%(column)s is empty."),
                                    {"column": column}))
    return {
        "slug": slug, "title_en": titles.get("en", ""), "title_fr": titles.get("fr", ""),
        "questionnaire": values.get("questionnaire", ""), "version": values.get("version", ""),
        "country_composite": values.get("country_composite", ""),
        "construction": construction,
    }


def _read_rules(rows: list[tuple[int, dict[str, str]]],
                problems: list[Problem]) -> dict[str, dict]:
    rules: dict[str, dict] = {}
    for row, values in rows:
        name = values.get("indicator", "")
        if not name:
            problems.append(Problem(RULES, row, "missing_value",
                                    gettext_noop("indicator is empty.")))
            continue
        if name in rules:
            problems.append(Problem(RULES, row, "duplicate",
                                    gettext_noop("the indicator '%(name)s' already has a rule "
                                                 "(row %(other)s)."),
                                    {"name": name, "other": rules[name]["row"]}))
            continue
        kind = values.get("kind", "")
        if kind not in RULE_KINDS:
            problems.append(Problem(RULES, row, "bad_value",
                                    gettext_noop("kind '%(kind)s' is not one of %(allowed)s."),
                                    {"kind": kind, "allowed": ", ".join(RULE_KINDS)}))
        if not values.get("question"):
            problems.append(Problem(RULES, row, "missing_value",
                                    gettext_noop("question is empty.")))
        missing = values.get("missing", "")
        if missing and missing not in MISSING:
            problems.append(Problem(RULES, row, "bad_value",
                                    gettext_noop("missing '%(missing)s' is not one of "
                                                 "%(allowed)s."),
                                    {"missing": missing, "allowed": ", ".join(MISSING)}))
        op = values.get("op", "") or "and"
        if op not in ("and", "or"):
            problems.append(Problem(RULES, row, "bad_value",
                                    gettext_noop("op '%(op)s' is not and or or."),
                                    {"op": op}))
        cap = _number(values.get("cap", ""), None, problems, RULES, row, "cap")
        rules[name] = {
            "row": row, "kind": kind, "question": values.get("question", ""),
            "scores": _scores(values.get("scores", ""), problems, row),
            "choices": values.get("choices", "").split(), "cap": cap,
            "question2": values.get("question2", ""),
            "choices2": values.get("choices2", "").split(), "op": op, "missing": missing,
        }
        if kind == "condition" and not values.get("question2"):
            problems.append(Problem(RULES, row, "missing_value",
                                    gettext_noop("a condition rule needs question2.")))
    return rules


def _read_tree(rows: list[tuple[int, dict[str, str]]], rules: dict[str, dict],
               problems: list[Problem]) -> list[dict]:
    nodes: list[dict] = []
    seen: dict[str, int] = {}
    for row, values in rows:
        name, level = values.get("name", ""), values.get("level", "")
        if not name:
            problems.append(Problem(TREE, row, "missing_value", gettext_noop("name is empty.")))
            continue
        if name in seen:
            problems.append(Problem(TREE, row, "duplicate",
                                    gettext_noop("the name '%(name)s' is already used (row "
                                                 "%(other)s)."),
                                    {"name": name, "other": seen[name]}))
            continue
        seen[name] = row
        if level not in LEVELS:
            problems.append(Problem(TREE, row, "bad_value",
                                    gettext_noop("level '%(level)s' is not one of %(allowed)s."),
                                    {"level": level, "allowed": ", ".join(LEVELS)}))
        labels = _labels(values, "label")
        weight = _number(values.get("weight", ""), 1.0, problems, TREE, row, "weight")
        if weight is not None and weight < 0:
            problems.append(Problem(TREE, row, "bad_value",
                                    gettext_noop("a weight cannot be negative.")))
        direction = _number(values.get("direction", ""), 1.0, problems, TREE, row, "direction")
        if direction not in (1.0, -1.0):
            problems.append(Problem(TREE, row, "bad_value", gettext_noop("direction is 1 or -1.")))
            direction = 1.0
        rule = rules.get(name)
        if level == "indicator" and rule is None:
            problems.append(Problem(TREE, row, "no_rule",
                                    gettext_noop("the indicator '%(name)s' has no row in the "
                                                 "rules sheet."),
                                    {"name": name}))
        if level != "indicator" and rule is not None:
            problems.append(Problem(RULES, rule["row"], "rule_without_indicator",
                                    gettext_noop("'%(name)s' is a %(level)s, not an indicator: "
                                                 "only indicators have a rule."),
                                    {"name": name, "level": level}))
        nodes.append({
            "row": row, "name": name, "level": level, "parent": values.get("parent", ""),
            "label_en": labels.get("en", "") or name, "label_fr": labels.get("fr", ""),
            "weight": weight, "direction": int(direction),
            "target": _number(values.get("target", ""), None, problems, TREE, row, "target"),
            "mirrors": values.get("mirrors", ""),
            "rule": ({k: v for k, v in rule.items()} if level == "indicator" and rule
                     else None),
        })
    for name, rule in rules.items():
        if name not in seen:
            problems.append(Problem(RULES, rule["row"], "rule_without_indicator",
                                    gettext_noop("'%(name)s' is not an indicator of the tree "
                                                 "sheet."),
                                    {"name": name}))
    names = set(seen)
    for node in nodes:
        if node["level"] != "composite" and node["parent"] not in names:
            problems.append(Problem(TREE, node["row"], "unknown_parent",
                                    gettext_noop("the parent '%(parent)s' is not a node of the "
                                                 "tree."),
                                    {"parent": node["parent"]}))
    return nodes


# ----------------------------------------------------- checks against the questionnaire


def check_against(definition: dict, structure: dict) -> list[Problem]:
    """Every rule checked against the questionnaire: the question exists (outside a
    repeat), its type fits the rule, every choice named is in its list, the rule can score
    above 0."""
    questions = {ref.path: ref for ref in iter_questions(structure)}
    problems: list[Problem] = []
    group = definition.get("construction", {}).get("group", "")
    if group and group not in questions:
        problems.append(_unknown_question(SETTINGS, 2, "group", group, questions))
    for node in definition.get("nodes", []):
        rule = node.get("rule")
        if not rule:
            continue
        row = rule["row"]
        refs = []
        for column in ("question", "question2"):
            path = rule.get(column, "")
            if not path:
                refs.append(None)
                continue
            ref = questions.get(path)
            if ref is None:
                problems.append(_unknown_question(RULES, row, column, path, questions))
            elif ref.repeats:
                problems.append(Problem(RULES, row, "wrong_type",
                                        gettext_noop("%(column)s: '%(path)s' is inside a repeat; "
                                                     "a rule reads one answer per unit."),
                                        {"column": column, "path": path}))
                ref = None
            refs.append(ref)
        problems += _check_rule(rule, refs[0], refs[1], structure)
    return problems


def _unknown_question(sheet: str, row: int, column: str, path: str,
                      questions: dict[str, Any]) -> Problem:
    """The problem, with the path to write when the name is a question's inside a group
    (a form's ``name`` column gives the name alone, rules need the path)."""
    name = path.rsplit("/", 1)[-1]
    paths = [known for known in questions if known.rsplit("/", 1)[-1] == name]
    params = {"column": column, "path": path}
    if len(paths) == 1:
        template = gettext_noop("%(column)s: the questionnaire has no question '%(path)s'; "
                                "write its path with its group: '%(known)s'.")
        params["known"] = paths[0]
    elif paths:
        template = gettext_noop("%(column)s: the questionnaire has no question '%(path)s'; "
                                "write the path of one of: %(known)s.")
        params["known"] = ", ".join(sorted(paths)[:5])
    else:
        template = gettext_noop("%(column)s: the questionnaire has no question '%(path)s'.")
    return Problem(sheet, row, "unknown_question", template, params)


def _choice_names(structure: dict, ref: Any) -> set[str]:
    names = {c["name"] for c in structure.get("choices", {}).get(ref.node.get("choice_list"),
                                                                     [])}
    return names | ({"other"} if ref.node.get("or_other") else set())


def _check_choices(names: list[str], ref: Any, structure: dict, row: int,
                   column: str) -> list[Problem]:
    if ref is None or ref.type not in SELECT_TYPES:
        return []
    allowed = _choice_names(structure, ref)
    return [Problem(RULES, row, "choice_not_in_list",
                    gettext_noop("%(column)s: '%(name)s' is not a choice of '%(path)s' (list "
                                 "'%(list)s')."),
                    {"column": column, "name": name, "path": ref.path,
                     "list": ref.node.get("choice_list")})
            for name in names if name not in allowed]


def _check_rule(rule: dict, ref: Any, ref2: Any, structure: dict) -> list[Problem]:
    row, kind = rule["row"], rule["kind"]
    problems: list[Problem] = []
    if kind in ("choice", "count", "condition") and ref is not None and \
            ref.type not in SELECT_TYPES:
        problems.append(Problem(RULES, row, "wrong_type",
                                gettext_noop("a %(kind)s rule reads a select question; '%(path)s' "
                                             "is "
                                             "a %(type)s."),
                                {"kind": kind, "path": ref.path, "type": ref.type}))
        return problems
    if kind == "number" and ref is not None and ref.type not in NUMBER_TYPES:
        problems.append(Problem(RULES, row, "wrong_type",
                                gettext_noop("a number rule reads a number; '%(path)s' is a "
                                             "%(type)s."),
                                {"path": ref.path, "type": ref.type}))
        return problems
    if kind == "choice":
        problems += _check_choices(list(rule["scores"]), ref, structure, row, "scores")
        if not any(value > 0 for value in rule["scores"].values()):
            problems.append(Problem(RULES, row, "never_scores",
                                    gettext_noop("no choice scores above 0: the rule can never "
                                                 "score.")))
    elif kind == "count":
        problems += _check_choices(rule["choices"], ref, structure, row, "choices")
        if ref is not None and ref.type == "select_one" and rule["cap"] and rule["cap"] > 1:
            problems.append(Problem(RULES, row, "never_scores",
                                    gettext_noop("'%(path)s' is a select_one: a count capped at "
                                                 "%(cap)s "
                                                 "can never reach its full score."),
                                    {"path": ref.path, "cap": f"{rule['cap']:g}"}))
        if rule["cap"] is not None and rule["cap"] <= 0:
            problems.append(Problem(RULES, row, "never_scores",
                                    gettext_noop("cap must be above 0: the rule can never score.")))
    elif kind == "number":
        if rule["cap"] is not None and rule["cap"] <= 0:
            problems.append(Problem(RULES, row, "never_scores",
                                    gettext_noop("cap must be above 0: the rule can never score.")))
    elif kind == "condition":
        problems += _check_choices(rule["choices"], ref, structure, row, "choices")
        problems += _check_choices(rule["choices2"], ref2, structure, row, "choices2")
        if ref2 is not None and ref2.type not in SELECT_TYPES:
            problems.append(Problem(RULES, row, "wrong_type",
                                    gettext_noop("question2 '%(path)s' is a %(type)s, not a select "
                                                 "question."),
                                    {"path": ref2.path, "type": ref2.type}))
        if not rule["choices"] or not rule["choices2"]:
            problems.append(Problem(RULES, row, "never_scores",
                                    gettext_noop("a condition needs choices and choices2: with one "
                                                 "empty it can never score.")))
        elif (rule["op"] == "and" and ref is not None and ref2 is not None
              and ref.path == ref2.path and ref.type == "select_one"
              and not set(rule["choices"]) & set(rule["choices2"])):
            problems.append(Problem(RULES, row, "never_scores",
                                    gettext_noop("one select_one answer cannot be in both choices "
                                                 "and "
                                                 "choices2: the rule can never score.")))
    return problems


# ------------------------------------------------------------------ definition -> model


def to_framework(definition: dict) -> Framework:
    """The pure layer's ``Framework`` from a definition (raises ``FrameworkError``)."""
    nodes = []
    for node in definition["nodes"]:
        rule = node.get("rule")
        nodes.append(Node(
            name=node["name"], level=node["level"], parent=node["parent"],
            label_en=node["label_en"], label_fr=node["label_fr"],
            weight=float(node["weight"]), direction=int(node["direction"]),
            target=node.get("target"), mirrors=node.get("mirrors", ""),
            rule=None if not rule else Rule(
                kind=rule["kind"], question=rule["question"],
                scores={k: float(v) for k, v in rule["scores"].items()},
                choices=tuple(rule["choices"]), cap=rule["cap"],
                question2=rule.get("question2", ""), choices2=tuple(rule.get("choices2", [])),
                op=rule.get("op") or "and", missing=rule.get("missing", ""),
            ),
        ))
    return Framework(
        slug=definition["slug"], title_en=definition["title_en"],
        title_fr=definition["title_fr"], nodes=tuple(nodes),
        construction=Construction(**definition["construction"]),
    )


def definition_of(framework: Framework, questionnaire: str, version: str = "",
                  country_composite: str = "") -> dict:
    """A definition from a pure ``Framework`` (the inverse of ``to_framework``): what the
    web editor saves, through ``workbook_bytes`` and ``services.import_framework``."""
    nodes = []
    for node in framework.nodes:
        rule = node.rule
        nodes.append({
            "name": node.name, "level": node.level, "parent": node.parent,
            "label_en": node.label_en, "label_fr": node.label_fr,
            "weight": float(node.weight), "direction": int(node.direction),
            "target": node.target, "mirrors": node.mirrors,
            "rule": None if rule is None else {
                "kind": rule.kind, "question": rule.question, "scores": dict(rule.scores),
                "choices": list(rule.choices), "cap": rule.cap,
                "question2": rule.question2, "choices2": list(rule.choices2),
                "op": rule.op, "missing": rule.missing,
            },
        })
    return {
        "slug": framework.slug, "title_en": framework.title_en,
        "title_fr": framework.title_fr, "questionnaire": questionnaire, "version": version,
        "country_composite": country_composite,
        "construction": framework.construction.as_dict(), "nodes": nodes,
    }


# ------------------------------------------------------------------------------ writing


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _scores_text(scores: dict[str, float]) -> str:
    return " ".join(f"{name}={_cell(value)}" for name, value in scores.items())


def workbook_bytes(definition: dict) -> bytes:
    """A framework workbook for a definition, written by ``iocompendium.spreadsheets``."""
    from iocompendium.spreadsheets import tables_xlsx

    tree, rules = [], []
    for node in definition["nodes"]:
        tree.append([node["name"], node["level"], node["parent"] or None, node["label_en"],
                     node["label_fr"], _cell(node["weight"]),
                     None if node["direction"] == 1 else node["direction"],
                     _cell(node.get("target")), node.get("mirrors") or None])
        rule = node.get("rule")
        if rule:
            rules.append([node["name"], rule["kind"], rule["question"],
                          _scores_text(rule["scores"]) or None,
                          " ".join(rule["choices"]) or None, _cell(rule["cap"]),
                          rule.get("question2") or None,
                          " ".join(rule.get("choices2", [])) or None,
                          rule["op"] if rule.get("op", "and") != "and" else None,
                          rule.get("missing") or None])
    c = definition["construction"]
    settings = [[definition["slug"], definition["title_en"], definition["title_fr"],
                 definition["questionnaire"], definition.get("version") or None,
                 definition.get("country_composite") or None, c["missing"],
                 c.get("group") or None, _cell(c["winsorise"]), c["normalisation"],
                 c["weighting"], c["aggregation"], c["zero_rule"], _cell(c["scale"])]]
    return tables_xlsx([(TREE, TREE_COLUMNS, tree), (RULES, RULE_COLUMNS, rules),
                        (SETTINGS, SETTING_COLUMNS, settings)])
