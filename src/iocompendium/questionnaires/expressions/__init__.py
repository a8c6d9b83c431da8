"""XPath 1.0 + ODK expression engine: pure Python, no Django import.

``compile_expression(text)`` parses once (cached by text) and returns a
:class:`CompiledExpression`; ``evaluate_expression(text, values)`` runs one expression
against plain values.  Every failure is an :class:`ExpressionError` with a plain message.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import lru_cache

from .compiler import compile_tree
from .context import Context, Environment
from .errors import ExpressionError
from .nodes import Node
from .parser import parse
from .values import XDate, to_boolean, to_number, to_string

__all__ = [
    "CompiledExpression",
    "Context",
    "Environment",
    "ExpressionError",
    "Node",
    "XDate",
    "compile_expression",
    "evaluate_expression",
    "references",
    "to_boolean",
    "to_number",
    "to_string",
]


class CompiledExpression:
    """A parsed expression; ``run`` evaluates it, raising only :class:`ExpressionError`."""

    __slots__ = ("text", "tree", "_function", "references")

    def __init__(self, text: str, tree: tuple, function: Callable[[Context], object]) -> None:
        self.text = text
        self.tree = tree
        self._function = function
        self.references = frozenset(_collect_references(tree))

    def run(self, context: Context) -> object:
        try:
            return self._function(context)
        except ExpressionError:
            raise
        except RecursionError:
            raise ExpressionError("the expression is nested too deeply") from None
        except Exception as error:  # noqa: BLE001 - nothing but ExpressionError may escape
            raise ExpressionError(f"the expression could not be evaluated ({error})") from None


def _collect_references(tree: object) -> set[str]:
    found: set[str] = set()
    stack = [tree]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            if len(item) == 2 and item[0] == "ref" and isinstance(item[1], str):
                found.add(item[1])
            else:
                stack.extend(item)
    return found


@lru_cache(maxsize=8192)
def compile_expression(text: str) -> CompiledExpression:
    """Parse and compile ``text`` (cached by text); raises :class:`ExpressionError`."""
    if not isinstance(text, str):
        raise ExpressionError("an expression must be text")
    try:
        tree = parse(text)
        return CompiledExpression(text, tree, compile_tree(tree))
    except ExpressionError:
        raise
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None


def references(text: str) -> frozenset[str]:
    """The ``${name}`` references of an expression."""
    return compile_expression(text).references


def evaluate_expression(text: str, values: Mapping[str, object] | None = None, *,
                        current: object = "", lang: str | None = None,
                        now: datetime | None = None) -> object:
    """Evaluate one expression; ``${name}`` reads ``values``, ``.`` is ``current``."""
    compiled = compile_expression(text)
    env = Environment(dict(values or {}), lang=lang, now=now)
    root = env.document.children[0]
    node = Node("current", root, raw=current)
    return compiled.run(Context(node, node, env))
