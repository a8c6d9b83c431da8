"""An indicator framework as plain data: the tree, the scoring rules, the construction.

A framework is a tree: one composite, its categories, their sub-categories, and the
indicators (leaves). Every indicator is a scoring rule on one or two questions of a
questionnaire (``rules.py``). The construction choices (missing data, outliers,
normalisation, weighting, aggregation) are recorded in ``Construction`` and travel with
the results. No Django: the same objects are built from a spreadsheet by the
``indicators`` app and by hand in a notebook.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

LEVELS = ("composite", "category", "subcategory", "indicator")
RULE_KINDS = ("choice", "count", "number", "condition")
MISSING = ("none", "na", "mean", "median", "zero")
NORMALISATIONS = ("none", "minmax", "zscore", "rank", "target")
WEIGHTINGS = ("equal", "manual", "pca")
AGGREGATIONS = ("arithmetic", "geometric")
ZERO_RULES = ("offset", "zero")


class FrameworkError(ValueError):
    """A framework that cannot be computed, with the reason in one sentence."""


@dataclass(frozen=True)
class Rule:
    """How one indicator scores a unit's answers.

    * ``choice``: the answer to ``question`` scores the value given for it in ``scores``
      (``{"yes": 1.0}``; a select_multiple scores the highest of its selected choices);
      an answer not in ``scores`` scores 0.
    * ``count``: the number of ``choices`` selected (all choices if empty), divided by
      ``cap`` and capped at 1 when ``cap`` is given.
    * ``number``: the number answered, capped at ``cap`` and divided by it when given.
    * ``condition``: 1 when ``question`` has one of ``choices`` and (``op`` = "and") or
      (``op`` = "or") ``question2`` has one of ``choices2``; else 0.
    """

    kind: str
    question: str
    scores: dict[str, float] = field(default_factory=dict)
    choices: tuple[str, ...] = ()
    cap: float | None = None
    question2: str = ""
    choices2: tuple[str, ...] = ()
    op: str = "and"
    missing: str = ""  # "" = the framework's default treatment

    @property
    def questions(self) -> tuple[str, ...]:
        return (self.question, self.question2) if self.question2 else (self.question,)

    @property
    def bounded(self) -> bool:
        """True when the rule scores within 0-1 (so direction -1 is 1 - score)."""
        return self.kind in ("choice", "condition") or self.cap is not None


@dataclass(frozen=True)
class Node:
    """A node of the tree. ``parent`` is the name of the node above ("" for the composite)."""

    name: str
    level: str
    parent: str
    label_en: str
    label_fr: str
    weight: float = 1.0
    direction: int = 1
    rule: Rule | None = None
    target: float | None = None  # for the distance-to-target normalisation
    mirrors: str = ""  # the comparable question of another instrument (e.g. iREG item)


@dataclass(frozen=True)
class Construction:
    """Every construction choice, recorded with the results."""

    missing: str = "na"  # default treatment of a rule whose ``missing`` is ""
    group: str = ""  # question giving the group of "mean"/"median" imputation
    winsorise: float = 0.0  # fraction clipped at each tail of numeric indicators
    normalisation: str = "none"
    weighting: str = "equal"
    aggregation: str = "arithmetic"
    zero_rule: str = "offset"  # geometric mean: "offset" (of x + 1, minus 1) or "zero"
    scale: float = 1.0  # the composite is the weighted mean of its categories times this

    def validate(self) -> None:
        for value, allowed, label in (
            (self.missing, MISSING, "missing"), (self.normalisation, NORMALISATIONS,
            "normalisation"), (self.weighting, WEIGHTINGS, "weighting"),
            (self.aggregation, AGGREGATIONS, "aggregation"),
            (self.zero_rule, ZERO_RULES, "zero_rule"),
        ):
            if value not in allowed:
                raise FrameworkError(
                    f"{label} '{value}' is not one of {', '.join(allowed)}."
                )
        if self.aggregation == "geometric" and self.normalisation == "zscore":
            raise FrameworkError(
                "geometric aggregation needs non-negative scores: use the minmax, rank, "
                "target or none normalisation, not zscore."
            )
        if not 0 <= self.winsorise < 0.5:
            raise FrameworkError("winsorise must be a fraction from 0 to below 0.5.")
        if self.scale <= 0:
            raise FrameworkError("scale must be positive.")

    def with_(self, **changes) -> Construction:
        return replace(self, **changes)

    def as_dict(self) -> dict:
        return {
            "missing": self.missing, "group": self.group, "winsorise": self.winsorise,
            "normalisation": self.normalisation, "weighting": self.weighting,
            "aggregation": self.aggregation, "zero_rule": self.zero_rule, "scale": self.scale,
        }


@dataclass(frozen=True)
class Framework:
    slug: str
    title_en: str
    title_fr: str
    nodes: tuple[Node, ...]
    construction: Construction = field(default_factory=Construction)

    def __post_init__(self) -> None:
        self.construction.validate()
        names = [node.name for node in self.nodes]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise FrameworkError(f"node names must be unique: {', '.join(duplicates)}.")
        roots = [node for node in self.nodes if node.level == "composite"]
        if len(roots) != 1:
            raise FrameworkError("a framework has exactly one composite.")
        known = set(names)
        for node in self.nodes:
            if node.level not in LEVELS:
                raise FrameworkError(f"{node.name}: unknown level '{node.level}'.")
            if node.level != "composite" and node.parent not in known:
                raise FrameworkError(f"{node.name}: unknown parent '{node.parent}'.")
            if node.parent in known and self.node(node.parent).level == "indicator":
                raise FrameworkError(f"{node.name}: an indicator cannot have children.")
            if (node.level == "indicator") != (node.rule is not None):
                raise FrameworkError(f"{node.name}: only indicators have a scoring rule.")
            if node.weight < 0:
                raise FrameworkError(f"{node.name}: a weight cannot be negative.")
            if node.direction not in (1, -1):
                raise FrameworkError(f"{node.name}: direction is 1 or -1.")
        for node in self.nodes:
            self.depth(node.name)  # refuses a cycle
            if node.level != "indicator" and not self.children(node.name):
                raise FrameworkError(f"{node.name}: a {node.level} needs at least one child.")

    # --- the tree ---------------------------------------------------------------------
    @property
    def root(self) -> Node:
        return next(node for node in self.nodes if node.level == "composite")

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    def children(self, name: str) -> list[Node]:
        return [node for node in self.nodes if node.parent == name and node.name != name]

    def level(self, level: str) -> list[Node]:
        return [node for node in self.nodes if node.level == level]

    @property
    def indicators(self) -> list[Node]:
        return self.level("indicator")

    @property
    def categories(self) -> list[Node]:
        return self.children(self.root.name)

    def questions(self) -> list[str]:
        seen: dict[str, None] = {}
        for node in self.indicators:
            for question in node.rule.questions:
                seen.setdefault(question)
        return list(seen)

    def depth(self, name: str) -> int:
        """0 for the composite, 1 for its children..."""
        depth, node = 0, self.node(name)
        while node.parent:
            depth, node = depth + 1, self.node(node.parent)
            if depth > len(self.nodes):
                raise FrameworkError(f"{name}: the tree has a cycle.")
        return depth

    def aggregation_order(self) -> list[Node]:
        """Parents, deepest first, so that every child is computed before its parent."""
        parents = [node for node in self.nodes if node.level != "indicator"]
        return sorted(parents, key=lambda node: self.depth(node.name), reverse=True)

    def with_construction(self, **changes) -> Framework:
        return replace(self, construction=self.construction.with_(**changes))

    def with_weights(self, weights: dict[str, float]) -> Framework:
        nodes = tuple(
            replace(node, weight=weights[node.name]) if node.name in weights else node
            for node in self.nodes
        )
        return replace(self, nodes=nodes)
