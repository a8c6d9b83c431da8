"""The node model the evaluator walks: the form's instance and the choice lists.

A node is an XML element with a value; a question's value can be computed lazily by the
form evaluator (relevance, calculations), which sets ``compute``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

UNSET = object()  # "not computed yet" for memo_value ('' and NaN are real values)


class Node:
    __slots__ = ("name", "parent", "children", "by_name", "raw", "compute", "order", "index",
                 "template", "question", "is_root_element", "extra", "path", "memo_relevant",
                 "memo_value")

    def __init__(self, name: str, parent: Node | None = None, raw: object = "",
                 template: str = "", question: dict[str, Any] | None = None) -> None:
        self.name = name
        self.parent = parent
        self.children: list[Node] = []
        self.by_name: dict[str, list[Node]] = {}
        self.raw = raw
        self.compute: Callable[[Node], object] | None = None
        self.order = 0
        self.index = 1  # 1-based position among same-named siblings (a repeat instance's index)
        self.template = template
        self.question = question
        self.is_root_element = False
        self.extra: Any = None
        self.path = ""  # the concrete question path, for form nodes
        self.memo_relevant: bool | None = None  # the form evaluator's per-response caches
        self.memo_value: object = UNSET
        if parent is not None:
            parent.append(self)

    def append(self, child: Node) -> None:
        child.parent = self
        siblings = self.by_name.setdefault(child.name, [])
        child.index = len(siblings) + 1
        siblings.append(child)
        self.children.append(child)

    def value(self) -> object:
        if self.compute is not None:
            return self.compute(self)
        return self.raw

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"<Node {self.name}[{self.index}] {self.raw!r}>"


def number_nodes(root: Node, start: int = 0) -> int:
    """Give every node its document-order number (depth first)."""
    counter = start
    stack = [root]
    while stack:
        node = stack.pop()
        node.order = counter
        counter += 1
        stack.extend(reversed(node.children))
    return counter


def descendants(node: Node, include_self: bool) -> list[Node]:
    found = [node] if include_self else []
    stack = list(reversed(node.children))
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(current.children))
    return found


def document_of(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node
