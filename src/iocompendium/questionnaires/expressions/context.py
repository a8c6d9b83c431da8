"""What an expression sees while it runs: the context node and the form around it."""

from __future__ import annotations

from datetime import UTC, datetime

from .nodes import Node


class Environment:
    """The form-level services expressions need.  The base class knows no form: ``${name}``
    reads from ``values`` (tests, the command line, single expressions)."""

    def __init__(self, values: dict[str, object] | None = None, *, lang: str | None = None,
                 now: datetime | None = None) -> None:
        self.lang = lang
        self.now = now or datetime.now(UTC)
        self.document = Node("#document")
        root = Node("data", self.document)
        root.is_root_element = True
        self._by_name: dict[str, Node] = {}
        for name, value in (values or {}).items():
            self._by_name[name] = Node(name, root, raw=value)

    def resolve(self, name: str, current: Node | None) -> list[Node]:
        node = self._by_name.get(name)
        return [node] if node is not None else []

    def resolve_template(self, template: str, current: Node | None) -> list[Node] | None:
        """Nodes of a form path such as 'group/question'; None when this environment has
        no form (the caller then walks the tree as plain XPath)."""
        return None

    def indexed(self, target: str, indexes: list[tuple[str, int]],
                current: Node | None) -> list[Node]:
        return self.resolve(target, current)

    def instance(self, name: str) -> Node | None:
        return None

    def choice_label(self, value: str, question: str, current: Node | None) -> str:
        return ""

    def current_answer(self, current: Node | None) -> str:
        return ""

    def form_version(self) -> str:
        return ""


class Context:
    __slots__ = ("node", "position", "size", "current", "env")

    def __init__(self, node: Node, current: Node | None, env: Environment,
                 position: int = 1, size: int = 1) -> None:
        self.node = node
        self.current = current
        self.env = env
        self.position = position
        self.size = size

    def at(self, node: Node, position: int, size: int) -> Context:
        return Context(node, self.current, self.env, position, size)
