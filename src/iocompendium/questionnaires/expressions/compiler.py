"""Turn a syntax tree into a Python closure ``fn(context) -> value``.

Operators follow XPath 1.0 section 3.4 with JavaRosa's treatment of single values:
``=`` compares as booleans if either side is a boolean, else as numbers if either side is
a number, else as strings; ``<``, ``>``, ``<=``, ``>=`` always compare as numbers.  A
node-set of one node stands for that node's (typed) value and an empty node-set for '';
a node-set of several nodes compares existentially (XPath 1.0).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .context import Context
from .errors import ExpressionError
from .functions import FUNCTIONS
from .nodes import Node, descendants
from .values import XDate, parse_date, to_boolean, to_number, to_string

Compiled = Callable[[Context], object]


def compile_tree(tree: tuple) -> Compiled:
    kind = tree[0]
    builder = _BUILDERS.get(kind)
    if builder is None:  # pragma: no cover - the parser produces only known kinds
        raise ExpressionError(f"unsupported construct {kind}")
    return builder(tree)


def _literal(tree: tuple) -> Compiled:
    value = tree[1]
    return lambda ctx: value


def _ref(tree: tuple) -> Compiled:
    name = tree[1]
    return lambda ctx: ctx.env.resolve(name, ctx.current)


def _or(tree: tuple) -> Compiled:
    left, right = compile_tree(tree[1]), compile_tree(tree[2])
    return lambda ctx: to_boolean(left(ctx)) or to_boolean(right(ctx))


def _and(tree: tuple) -> Compiled:
    left, right = compile_tree(tree[1]), compile_tree(tree[2])
    return lambda ctx: to_boolean(left(ctx)) and to_boolean(right(ctx))


def atoms(value: object) -> list[object]:
    if isinstance(value, list):
        return [node.value() for node in value] if value else [""]
    return [value]


def atomic_equal(left: object, right: object) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return to_boolean(left) == to_boolean(right)
    if isinstance(left, float) or isinstance(right, float):
        return abs(to_number(left) - to_number(right)) < 1e-12
    return to_string(left) == to_string(right)


def values_equal(left: object, right: object) -> bool:
    return any(atomic_equal(a, b) for a in atoms(left) for b in atoms(right))


def _eq(tree: tuple) -> Compiled:
    left, right = compile_tree(tree[1]), compile_tree(tree[2])
    if tree[0] == "eq":
        return lambda ctx: values_equal(left(ctx), right(ctx))
    return lambda ctx: any(
        not atomic_equal(a, b) for a in atoms(left(ctx)) for b in atoms(right(ctx))
    )


_COMPARE = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _cmp(tree: tuple) -> Compiled:
    compare = _COMPARE[tree[1]]
    left, right = compile_tree(tree[2]), compile_tree(tree[3])

    def run(ctx: Context) -> bool:
        return any(
            compare(*_comparable(a, b)) for a in atoms(left(ctx)) for b in atoms(right(ctx))
        )

    return run


def _comparable(a: object, b: object) -> tuple[float, float]:
    """Numbers to compare: a date against a date-shaped string compares the two dates
    (ODK: ``${start} > '2020-01-01'``), in days with the time as a fraction; anything
    else compares as numbers (XPath 1.0)."""
    if isinstance(a, XDate) or isinstance(b, XDate):
        a_date = a if isinstance(a, XDate) else _date_string(a)
        b_date = b if isinstance(b, XDate) else _date_string(b)
        if a_date is not None and b_date is not None:
            if a_date.has_time or b_date.has_time:
                return a_date.fractional_days(), b_date.fractional_days()
            return a_date.days(), b_date.days()
    return to_number(a), to_number(b)


def _date_string(value: object) -> XDate | None:
    return parse_date(value) if isinstance(value, str) else None


def _divide(a: float, b: float) -> float:
    if b == 0:
        if math.isnan(a) or a == 0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _modulo(a: float, b: float) -> float:
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)  # XPath 1.0: the sign of the dividend, like Java's %


def _safe(operation: Callable[[float, float], float]) -> Callable[[float, float], float]:
    def run(a: float, b: float) -> float:
        try:
            return operation(a, b)
        except OverflowError:
            return math.inf
    return run


_ARITH = {
    "+": _safe(lambda a, b: a + b),
    "-": _safe(lambda a, b: a - b),
    "*": _safe(lambda a, b: a * b),
    "div": _divide,
    "mod": _modulo,
}


def _arith(tree: tuple) -> Compiled:
    operation = _ARITH[tree[1]]
    left, right = compile_tree(tree[2]), compile_tree(tree[3])
    return lambda ctx: operation(to_number(left(ctx)), to_number(right(ctx)))


def _neg(tree: tuple) -> Compiled:
    operand = compile_tree(tree[1])
    return lambda ctx: -to_number(operand(ctx))


def _number_of(tree: tuple) -> Compiled:
    operand = compile_tree(tree[1])
    return lambda ctx: to_number(operand(ctx))


def _in_document_order(nodes: list[Node]) -> list[Node]:
    unique = {id(node): node for node in nodes}
    return sorted(unique.values(), key=lambda node: node.order)


def _union(tree: tuple) -> Compiled:
    left, right = compile_tree(tree[1]), compile_tree(tree[2])

    def run(ctx: Context) -> list[Node]:
        a, b = left(ctx), right(ctx)
        if not isinstance(a, list) or not isinstance(b, list):
            raise ExpressionError("'|' joins node-sets only")
        return _in_document_order(a + b)

    return run


def _filter(tree: tuple) -> Compiled:
    primary = compile_tree(tree[1])
    predicates = [compile_tree(p) for p in tree[2]]

    def run(ctx: Context) -> object:
        value = primary(ctx)
        if not isinstance(value, list):
            raise ExpressionError("a predicate applies to a node-set only")
        for predicate in predicates:
            value = _apply_predicate(ctx, value, predicate)
        return value

    return run


def _apply_predicate(ctx: Context, nodes: list[Node], predicate: Compiled) -> list[Node]:
    size = len(nodes)
    kept = []
    for position, node in enumerate(nodes, start=1):
        result = predicate(ctx.at(node, position, size))
        if isinstance(result, float):
            if result == position:
                kept.append(node)
        elif to_boolean(result):
            kept.append(node)
    return kept


def _axis_nodes(axis: str, node: Node) -> list[Node]:
    """Candidates along ``axis`` in proximity order (reverse axes nearest first)."""
    if axis == "child":
        return node.children
    if axis == "self":
        return [node]
    if axis == "parent":
        return [node.parent] if node.parent is not None else []
    if axis in ("descendant", "descendant-or-self"):
        return descendants(node, axis == "descendant-or-self")
    if axis in ("ancestor", "ancestor-or-self"):
        found = [node] if axis == "ancestor-or-self" else []
        current = node.parent
        while current is not None:
            found.append(current)
            current = current.parent
        return found
    if axis in ("following-sibling", "preceding-sibling") and node.parent is not None:
        siblings = node.parent.children
        where = next(i for i, sibling in enumerate(siblings) if sibling is node)
        if axis == "following-sibling":
            return siblings[where + 1:]
        return list(reversed(siblings[:where]))
    if axis in ("following", "preceding"):
        root = node
        while root.parent is not None:
            root = root.parent
        every = descendants(root, True)
        ancestors = {id(a) for a in _axis_nodes("ancestor", node)}
        inside = {id(d) for d in descendants(node, False)}
        if axis == "following":
            return [n for n in every if n.order > node.order and id(n) not in inside]
        return [n for n in reversed(every) if n.order < node.order and id(n) not in ancestors]
    return []  # attribute and namespace axes: form instances carry no attributes here


def _node_test(test: tuple) -> Callable[[Node], bool]:
    if test[0] == "node":
        return lambda node: True
    if test[0] == "any":
        return lambda node: node.name != "#document"
    if test[0] == "name":
        name = test[1]
        local = name.split(":", 1)[1] if ":" in name else name
        return lambda node: node.name == local or node.is_root_element
    return lambda node: False


def _step(step: tuple) -> Callable[[Context, list[Node]], list[Node]]:
    axis, test, predicate_trees = step
    matches = _node_test(test)
    predicates = [compile_tree(p) for p in predicate_trees]
    simple_child = axis == "child" and test[0] == "name" and not predicates
    child_name = test[1].split(":", 1)[-1] if simple_child else ""

    def run(ctx: Context, nodes: list[Node]) -> list[Node]:
        found: list[Node] = []
        for node in nodes:
            if simple_child and node.name != "#document":
                found.extend(node.by_name.get(child_name, ()))
                continue
            candidates = [n for n in _axis_nodes(axis, node) if matches(n)]
            for predicate in predicates:
                candidates = _apply_predicate(ctx, candidates, predicate)
            found.extend(candidates)
        if len(nodes) > 1 or axis not in ("child", "self", "parent"):
            return _in_document_order(found)
        return found

    return run


def _absolute_template(tree: tuple) -> str | None:
    """'/data/a/b' -> 'a/b' when the path is plain child steps from the root, else None."""
    if tree[1] != ("root",) or len(tree[2]) < 2:
        return None
    names = []
    for axis, test, predicates in tree[2]:
        if axis != "child" or test[0] != "name" or predicates:
            return None
        names.append(test[1])
    return "/".join(names[1:])


def _path(tree: tuple) -> Compiled:
    template = _absolute_template(tree)
    generic = _generic_path(tree)
    if template is None:
        return generic

    def run(ctx: Context) -> list[Node]:
        # JavaRosa contextualises absolute references too: inside a repeat instance,
        # /data/rep/q is that instance's q.
        nodes = ctx.env.resolve_template(template, ctx.current)
        return generic(ctx) if nodes is None else nodes

    return run


def _generic_path(tree: tuple) -> Compiled:
    start, steps = tree[1], [_step(s) for s in tree[2]]
    if start is None:
        def begin(ctx: Context) -> list[Node]:
            return [ctx.node]
    elif start == ("root",):
        def begin(ctx: Context) -> list[Node]:
            node = ctx.node
            while node.parent is not None:
                node = node.parent
            return [node]
    else:
        primary = compile_tree(start)

        def begin(ctx: Context) -> list[Node]:
            value = primary(ctx)
            if not isinstance(value, list):
                raise ExpressionError("a path must start from a node-set")
            return value

    def run(ctx: Context) -> list[Node]:
        nodes = begin(ctx)
        for step in steps:
            nodes = step(ctx, nodes)
        return nodes

    return run


def _func(tree: tuple) -> Compiled:
    name, arg_trees = tree[1], tree[2]
    spec = FUNCTIONS.get(name)
    if spec is None:
        raise ExpressionError(f"unknown function {name}()")
    too_many = spec.max_args is not None and len(arg_trees) > spec.max_args
    if len(arg_trees) < spec.min_args or too_many:
        raise ExpressionError(f"{name}() {spec.arity_text()}, not {len(arg_trees)}")
    if spec.check is not None:
        spec.check(arg_trees)
    if name == "indexed-repeat":
        return _indexed_repeat(arg_trees)
    args = [compile_tree(a) for a in arg_trees]
    implementation = spec.implementation
    if spec.lazy:
        return lambda ctx: implementation(ctx, args)
    return lambda ctx: implementation(ctx, [arg(ctx) for arg in args])


def _indexed_repeat(arg_trees: tuple) -> Compiled:
    """indexed-repeat(${q}, ${repeat}, n[, ${inner_repeat}, m ...]): one instance's value."""
    target = arg_trees[0][1]
    repeats = [tree[1] for tree in arg_trees[1::2]]
    indexes = [compile_tree(tree) for tree in arg_trees[2::2]]

    def run(ctx: Context) -> list[Node]:
        chosen = []
        for repeat, index in zip(repeats, indexes, strict=True):
            number = to_number(index(ctx))
            position = 1 if math.isnan(number) or number < 1 else int(min(number, 1e9))
            chosen.append((repeat, position))
        return ctx.env.indexed(target, chosen, ctx.current)

    return run


_BUILDERS: dict[str, Callable[[tuple], Compiled]] = {
    "num": _literal,
    "str": _literal,
    "ref": _ref,
    "or": _or,
    "and": _and,
    "eq": _eq,
    "ne": _eq,
    "cmp": _cmp,
    "arith": _arith,
    "neg": _neg,
    "number_of": _number_of,
    "union": _union,
    "filter": _filter,
    "path": _path,
    "func": _func,
}
