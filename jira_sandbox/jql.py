"""JQL lexer and parser for the documented subset (see README); anything else is a JqlError.

Grammar::

    query   := [or] [ORDER BY field [ASC|DESC] {, field [ASC|DESC]}]
    or      := and {OR and}            and := not {AND not}
    not     := (NOT | !) not | ( or ) | clause
    clause  := field op operand        field := word | "quoted" | cf[NNNNN]
    op      := = != > >= < <= ~ !~ | IN | NOT IN | IS | IS NOT
    operand := value | function(args) | ( value {, value} ) | EMPTY | NULL

Keywords are case-insensitive; strings take " or ' with backslash escapes.
"""

from __future__ import annotations

from dataclasses import dataclass

KEYWORDS = {"and", "or", "not", "in", "is", "empty", "null", "order", "by", "asc", "desc"}
UNSUPPORTED = {"was", "changed"}
SPECIAL = set("()=!<>~,\"'&|")
OPERATORS = ("!=", "!~", ">=", "<=", "=", ">", "<", "~")
VALID_OPS = "The valid operators are '=', '!=', '<', '>', '<=', '>=', '~', '!~', 'IN', 'NOT IN', 'IS' and 'IS NOT'."


class JqlError(ValueError):
    """A query Jira would answer with 400; the message is Jira's wording where it has one."""


@dataclass(frozen=True, slots=True)
class Token:
    """A lexical token: kind is word, str, op, (, ), ',', and, or, not or eof."""

    kind: str
    text: str
    pos: int

    @property
    def low(self) -> str:
        """The text in lower case (for keyword checks)."""
        return self.text.lower() if self.kind == "word" else ""


@dataclass(frozen=True, slots=True)
class Value:
    """A literal; ``quoted`` tells "EMPTY" the string from EMPTY the keyword."""

    text: str
    quoted: bool = False


@dataclass(frozen=True, slots=True)
class Func:
    """A function call such as ``openSprints()`` or ``startOfDay("-1d")``."""

    name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Empty:
    """The EMPTY / NULL keyword."""


Operand = Value | Func | Empty | tuple[Value | Func | Empty, ...]


@dataclass(frozen=True, slots=True)
class Clause:
    """``field op operand``; ``op`` is upper case (``NOT IN``, ``IS NOT``...)."""

    field: str
    op: str
    operand: Operand
    pos: int


@dataclass(frozen=True, slots=True)
class BoolOp:
    """AND / OR over two or more nodes."""

    op: str
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    """NOT over one node."""

    item: Node


Node = Clause | BoolOp | Not


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: an optional condition and the ORDER BY list of (field, descending)."""

    where: Node | None
    order: tuple[tuple[str, bool], ...]


def _where(pos: int) -> str:
    return f"(line 1, character {pos + 1})"


def tokenize(text: str) -> list[Token]:
    """Split JQL into tokens."""
    out: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c in "\"'":
            j, buf = i + 1, []
            while j < n and text[j] != c:
                if text[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(text[j])
                j += 1
            if j >= n:
                raise JqlError(
                    f"Error in the JQL Query: The quoted string '{text[i + 1 :]}' has not been completed. {_where(i)}"
                )
            out.append(Token("str", "".join(buf), i))
            i = j + 1
        elif c in "(),":
            out.append(Token(c, c, i))
            i += 1
        elif text.startswith(("&&", "||"), i) or c in "&|":
            width = 2 if text.startswith(("&&", "||"), i) else 1
            out.append(Token("and" if c == "&" else "or", c * width, i))
            i += width
        elif c in "=!<>~":
            op = next((o for o in OPERATORS if text.startswith(o, i)), None)
            if op is None:
                out.append(Token("not", "!", i))
                i += 1
            else:
                out.append(Token("op", op, i))
                i += len(op)
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in SPECIAL:
                j += 1
            out.append(Token("word", text[i:j], i))
            i = j
    out.append(Token("eof", "", n))
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def is_kw(self, *words: str) -> bool:
        return self.tok.low in words or self.tok.kind in words

    def query(self) -> Query:
        where = None
        if self.tok.kind != "eof" and not self.is_kw("order"):
            where = self.or_()
        order: list[tuple[str, bool]] = []
        if self.is_kw("order"):
            self.take()
            if not self.is_kw("by"):
                raise JqlError(
                    f"Error in the JQL Query: Expecting 'BY' but got '{self.tok.text}'. {_where(self.tok.pos)}"
                )
            self.take()
            while True:
                name = self.field()
                desc = False
                if self.is_kw("asc", "desc"):
                    desc = self.take().low == "desc"
                order.append((name, desc))
                if self.tok.kind != ",":
                    break
                self.take()
        if self.tok.kind != "eof":
            raise JqlError(
                f"Error in the JQL Query: Expecting either 'OR' or 'AND' but got '{self.tok.text}'. "
                f"{_where(self.tok.pos)}"
            )
        return Query(where, tuple(order))

    def or_(self) -> Node:
        items = [self.and_()]
        while self.is_kw("or"):
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else BoolOp("OR", tuple(items))

    def and_(self) -> Node:
        items = [self.not_()]
        while self.is_kw("and"):
            self.take()
            items.append(self.not_())
        return items[0] if len(items) == 1 else BoolOp("AND", tuple(items))

    def not_(self) -> Node:
        if self.is_kw("not"):
            self.take()
            return Not(self.not_())
        if self.tok.kind == "(":
            self.take()
            node = self.or_()
            if self.tok.kind != ")":
                raise JqlError(
                    f"Error in the JQL Query: Expecting ')' but got '{self.tok.text or 'the end'}'. "
                    f"{_where(self.tok.pos)}"
                )
            self.take()
            return node
        return self.clause()

    def field(self) -> str:
        tok = self.tok
        if tok.kind == "str" or (tok.kind == "word" and tok.low not in KEYWORDS):
            self.take()
            return tok.text
        got = tok.text or "the end of the query"
        raise JqlError(f"Error in the JQL Query: Expecting a field name but got '{got}'. {_where(tok.pos)}")

    def clause(self) -> Clause:
        start = self.tok.pos
        name = self.field()
        tok = self.take()
        if tok.kind == "op":
            op = tok.text
        elif tok.low in UNSUPPORTED:
            raise JqlError(
                f"The Jira sandbox does not support the '{tok.text.upper()}' operator (history "
                "searches); see jira_sandbox/README.md for the supported JQL."
            )
        elif tok.low == "in":
            op = "IN"
        elif tok.kind == "not" or tok.low == "not":
            if not self.is_kw("in"):
                raise JqlError(
                    f"Error in the JQL Query: Expecting 'IN' but got '{self.tok.text}'. {_where(self.tok.pos)}"
                )
            self.take()
            op = "NOT IN"
        elif tok.low == "is":
            op = "IS"
            if self.is_kw("not"):
                self.take()
                op = "IS NOT"
        else:
            raise JqlError(
                f"Error in the JQL Query: Expecting operator but got '{tok.text or 'the end'}'. "
                f"{VALID_OPS} {_where(tok.pos)}"
            )
        if op in ("IS", "IS NOT"):
            if not self.is_kw("empty", "null"):
                raise JqlError(
                    f"Error in the JQL Query: Expecting 'EMPTY' but got '{self.tok.text}'. {_where(self.tok.pos)}"
                )
            self.take()
            return Clause(name, op, Empty(), start)
        if op in ("IN", "NOT IN"):
            if self.tok.kind == "(":
                self.take()
                values = [self.value()]
                while self.tok.kind == ",":
                    self.take()
                    values.append(self.value())
                if self.tok.kind != ")":
                    raise JqlError(
                        f"Error in the JQL Query: Expecting ')' but got '{self.tok.text or 'the end'}'. "
                        f"{_where(self.tok.pos)}"
                    )
                self.take()
                return Clause(name, op, tuple(values), start)
            value = self.value()
            if not isinstance(value, Func):
                got = value.text if isinstance(value, Value) else "EMPTY"
                raise JqlError(f"Error in the JQL Query: Expecting '(' but got '{got}'. {_where(start)}")
            return Clause(name, op, value, start)
        return Clause(name, op, self.value(), start)

    def value(self) -> Value | Func | Empty:
        tok = self.tok
        if tok.kind == "str":
            self.take()
            return Value(tok.text, quoted=True)
        if tok.kind == "word" and tok.low in ("empty", "null"):
            self.take()
            return Empty()
        if tok.kind == "word" and tok.low not in KEYWORDS:
            self.take()
            if self.tok.kind != "(":
                return Value(tok.text)
            self.take()
            args: list[str] = []
            while self.tok.kind != ")":
                if self.tok.kind not in ("str", "word"):
                    raise JqlError(
                        f"Error in the JQL Query: Expecting ')' but got '{self.tok.text or 'the end'}'. "
                        f"{_where(self.tok.pos)}"
                    )
                args.append(self.take().text)
                if self.tok.kind == ",":
                    self.take()
            self.take()
            return Func(tok.text, tuple(args))
        got = tok.text or "the end of the query"
        raise JqlError(
            f"Error in the JQL Query: Expecting either a value, list or function but got '{got}'. "
            f"You must surround '{got}' in quotation marks to use it as a value. {_where(tok.pos)}"
        )


def parse(text: str) -> Query:
    """Parse JQL into a :class:`Query`; raises :class:`JqlError` with Jira-like messages."""
    return _Parser(text).query()
