"""Tokenizer and recursive-descent parser for XPath 1.0 with ODK's ``${name}`` references.

The grammar and the token disambiguation rules are those of XPath 1.0, sections 3 and
3.7 (https://www.w3.org/TR/xpath-10/).  The parser produces a small tuple-based tree
that :mod:`.compiler` turns into Python closures.
"""

from __future__ import annotations

import re

from .errors import ExpressionError

MAX_LENGTH = 20_000
MAX_DEPTH = 200

_NCNAME = r"[A-Za-z_\u00c0-\uffff][\w.\-\u00b7\u00c0-\uffff]*"
_TOKEN_RE = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<ref>\$\{{\s*(?:last-saved\#)?(?P<refname>[^{{}}\s]*)\s*\}})
  | (?P<number>\d+(?:\.\d*)?|\.\d+)
  | (?P<string>"[^"]*"|'[^']*')
  | (?P<var>\$(?:{_NCNAME}:)?{_NCNAME})
  | (?P<dcolon>::)
  | (?P<nametest>{_NCNAME}:\*|(?:{_NCNAME}:)?{_NCNAME}|\*)
  | (?P<op>//|!=|<=|>=|\.\.|[/|+\-=<>()\[\],.@])
    """,
    re.VERBOSE,
)
_AXES = {
    "ancestor", "ancestor-or-self", "attribute", "child", "descendant", "descendant-or-self",
    "following", "following-sibling", "namespace", "parent", "preceding", "preceding-sibling",
    "self",
}
_NODE_TYPES = {"node", "text", "comment", "processing-instruction"}
_OPERATOR_NAMES = {"and", "or", "mod", "div"}
# After these tokens an operator cannot follow (XPath 1.0, 3.7 "Lexical Structure").
_NO_OPERATOR_AFTER = {"@", "::", "(", "[", ",", "and", "or", "mod", "div", "/", "//", "|",
                      "+", "-", "=", "!=", "<", "<=", ">", ">=", "*op"}


def tokenize(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, position) triples ending with ('end', '', len)."""
    tokens: list[tuple[str, str, int]] = []
    pos = 0
    length = len(text)
    while pos < length:
        match = _TOKEN_RE.match(text, pos)
        if not match:
            if text[pos] in "'\"":
                raise ExpressionError(f"the quoted text starting at position {pos + 1} "
                                      f"has no closing {text[pos]}")
            raise ExpressionError(f"unexpected character {text[pos]!r} at position {pos + 1}")
        kind = match.lastgroup if match.lastgroup != "refname" else "ref"
        value = match.group(0)
        start = pos
        pos = match.end()
        if kind == "space":
            continue
        if kind == "ref":
            name = match.group("refname")
            if not name or not re.fullmatch(_NCNAME, name):
                raise ExpressionError(f"invalid reference {value!r}")
            tokens.append(("ref", name, start))
            continue
        previous = tokens[-1] if tokens else None
        operator_context = previous is not None and (
            previous[0] not in {"op", "opname", "dcolon", "mul"}
            or previous[1] in {")", "]", ".", ".."}
        )
        if kind == "nametest":
            if value == "*" and operator_context:
                tokens.append(("mul", "*", start))
                continue
            if value in _OPERATOR_NAMES and operator_context:
                tokens.append(("opname", value, start))
                continue
            rest = text[pos:].lstrip()
            if rest.startswith("::") and value in _AXES:
                kind = "axis"
            elif rest.startswith("(") and value != "*":
                kind = "nodetype" if value in _NODE_TYPES else "func"
        tokens.append((kind, value, start))
    tokens.append(("end", "", length))
    return tokens


class Parser:
    def __init__(self, text: str) -> None:
        if len(text) > MAX_LENGTH:
            raise ExpressionError("the expression is too long")
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    # -- helpers ---------------------------------------------------------------------
    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.index]

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, kind: str, value: str | None = None) -> bool:
        token_kind, token_value, _ = self.tokens[self.index]
        return token_kind == kind and (value is None or token_value == value)

    def expect(self, kind: str, value: str) -> None:
        if not self.at(kind, value):
            self.fail(f"expected {value!r}")
        self.index += 1

    def fail(self, what: str) -> None:
        kind, value, pos = self.peek()
        found = "the end of the expression" if kind == "end" else repr(value)
        raise ExpressionError(f"{what} but found {found} at position {pos + 1}")

    # -- grammar ---------------------------------------------------------------------
    def parse(self) -> tuple:
        if not self.text.strip():
            raise ExpressionError("the expression is empty")
        tree = self.expr()
        if not self.at("end"):
            self.fail("expected an operator or the end of the expression")
        return tree

    def expr(self) -> tuple:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError("the expression is nested too deeply")
        try:
            return self.or_expr()
        finally:
            self.depth -= 1

    def or_expr(self) -> tuple:
        left = self.and_expr()
        while self.at("opname", "or"):
            self.take()
            left = ("or", left, self.and_expr())
        return left

    def and_expr(self) -> tuple:
        left = self.equality()
        while self.at("opname", "and"):
            self.take()
            left = ("and", left, self.equality())
        return left

    def equality(self) -> tuple:
        left = self.relational()
        while self.at("op", "=") or self.at("op", "!="):
            op = self.take()[1]
            left = ("eq" if op == "=" else "ne", left, self.relational())
        return left

    def relational(self) -> tuple:
        left = self.additive()
        while self.peek()[0] == "op" and self.peek()[1] in ("<", ">", "<=", ">="):
            op = self.take()[1]
            left = ("cmp", op, left, self.additive())
        return left

    def additive(self) -> tuple:
        left = self.multiplicative()
        while self.peek()[0] == "op" and self.peek()[1] in ("+", "-"):
            op = self.take()[1]
            left = ("arith", op, left, self.multiplicative())
        return left

    def multiplicative(self) -> tuple:
        left = self.unary()
        while self.at("mul") or self.at("opname", "div") or self.at("opname", "mod"):
            op = self.take()[1]
            left = ("arith", op, left, self.unary())
        return left

    def unary(self) -> tuple:
        negations = 0
        while self.at("op", "-"):
            self.take()
            negations += 1
        operand = self.union()
        if not negations:
            return operand
        # An even number of minus signs still converts the operand to a number.
        return ("neg", operand) if negations % 2 else ("number_of", operand)

    def union(self) -> tuple:
        left = self.path_expr()
        while self.at("op", "|"):
            self.take()
            left = ("union", left, self.path_expr())
        return left

    def path_expr(self) -> tuple:
        kind, value, _ = self.peek()
        starts_filter = kind in ("number", "string", "var", "ref", "func") or (
            kind == "op" and value == "("
        )
        if not starts_filter:
            return self.location_path()
        primary = self.filter_expr()
        if self.at("op", "/") or self.at("op", "//"):
            steps = []
            if self.take()[1] == "//":
                steps.append(("descendant-or-self", ("node",), ()))
            steps.extend(self.relative_steps())
            return ("path", primary, tuple(steps))
        return primary

    def filter_expr(self) -> tuple:
        primary = self.primary()
        predicates = self.predicates()
        return ("filter", primary, predicates) if predicates else primary

    def primary(self) -> tuple:
        kind, value, _ = self.take()
        if kind == "number":
            return ("num", float(value))
        if kind == "string":
            return ("str", value[1:-1])
        if kind == "ref":
            return ("ref", value)
        if kind == "var":
            raise ExpressionError(f"variable {value} is not supported in forms")
        if kind == "func":
            return self.function_call(value)
        if kind == "op" and value == "(":
            inner = self.expr()
            self.expect("op", ")")
            return inner
        self.index -= 1
        self.fail("expected a value")
        raise AssertionError  # pragma: no cover

    def function_call(self, name: str) -> tuple:
        self.expect("op", "(")
        args = []
        if not self.at("op", ")"):
            args.append(self.expr())
            while self.at("op", ","):
                self.take()
                args.append(self.expr())
        self.expect("op", ")")
        return ("func", name, tuple(args))

    def predicates(self) -> tuple:
        found = []
        while self.at("op", "["):
            self.take()
            found.append(self.expr())
            self.expect("op", "]")
        return tuple(found)

    def location_path(self) -> tuple:
        if self.at("op", "/") or self.at("op", "//"):
            slash = self.take()[1]
            steps = []
            if slash == "//":
                steps.append(("descendant-or-self", ("node",), ()))
                steps.extend(self.relative_steps())
            elif self.starts_step():
                steps.extend(self.relative_steps())
            return ("path", ("root",), tuple(steps))
        if not self.starts_step():
            self.fail("expected a value")
        return ("path", None, tuple(self.relative_steps()))

    def starts_step(self) -> bool:
        kind, value, _ = self.peek()
        return kind in ("nametest", "axis", "nodetype") or (
            kind == "op" and value in (".", "..", "@")
        )

    def relative_steps(self) -> list[tuple]:
        steps = [self.step()]
        while self.at("op", "/") or self.at("op", "//"):
            if self.take()[1] == "//":
                steps.append(("descendant-or-self", ("node",), ()))
            steps.append(self.step())
        return steps

    def step(self) -> tuple:
        kind, value, _ = self.peek()
        if kind == "op" and value == ".":
            self.take()
            return ("self", ("node",), ())
        if kind == "op" and value == "..":
            self.take()
            return ("parent", ("node",), ())
        axis = "child"
        if kind == "axis":
            axis = self.take()[1]
            self.expect("dcolon", "::")
        elif kind == "op" and value == "@":
            self.take()
            axis = "attribute"
        kind, value, _ = self.peek()
        if kind == "nametest":
            self.take()
            test = ("any",) if value == "*" or value.endswith(":*") else ("name", value)
        elif kind == "nodetype":
            self.take()
            self.expect("op", "(")
            if value == "processing-instruction" and self.at("string"):
                self.take()
            self.expect("op", ")")
            test = ("node",) if value == "node" else ("text",) if value == "text" else ("none",)
        else:
            self.fail("expected a name")
            raise AssertionError  # pragma: no cover
        return (axis, test, self.predicates())


def parse(text: str) -> tuple:
    """The syntax tree of ``text``; raises :class:`ExpressionError` with a plain message."""
    try:
        return Parser(text).parse()
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
