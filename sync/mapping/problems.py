"""Problems in mapping files, each with its place: ``mappings/mobile.toml:14:3: objective[1].target: ...``.

pydantic reports an error by ``loc``, a path through the models that also holds the tags of the
unions it chose on the way (``("objective", 1, "key_result", 0, "numeric", "target")``). This
module walks that path through the model classes, drops the tags, finds the TOML position of what
is left and words the message for a Jira admin rather than for a Python programmer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, Discriminator, Tag, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from sync.mapping.toml_positions import Loc, TomlPositions
from sync.mapping.types import BOUND_MEANINGS, PATTERN_MEANINGS, did_you_mean

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")

#: What a type error expected, by pydantic error type.
_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "date_type": "a date such as 2026-10-01 (no quotes)",
    "tuple_type": "an array",
    "model_type": "a table",
}


@dataclass(frozen=True, slots=True)
class MappingProblem:
    """One error or warning, at ``path:line:column`` and a key path such as ``kpi[2].window``."""

    path: str
    line: int | None
    column: int | None
    location: str
    message: str

    def sort_key(self) -> tuple[str, int, int]:
        """Orders problems by file, then position."""
        return self.path, self.line or 0, self.column or 0

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}:{self.column}"
        return f"{where}: {self.location}: {self.message}" if self.location else f"{where}: {self.message}"


def format_loc(loc: Loc) -> str:
    """``("objective", 1, "key_result", 0, "target")`` as ``objective[1].key_result[0].target``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            key = part if _BARE_KEY.match(part) else f'"{part}"'
            text += f".{key}" if text else key
    return text


@dataclass(frozen=True)
class MappingSource:
    """Where a mapping came from: the file as it was named, and the positions of its keys."""

    path: str
    positions: TomlPositions

    def where(self, loc: Loc) -> str:
        """``path:line:column`` of ``loc``."""
        line, column = self.positions.find(loc)
        return f"{self.path}:{line}:{column}"

    def problem(self, loc: Loc, message: str) -> MappingProblem:
        """A problem at ``loc`` of this file."""
        line, column = self.positions.find(loc)
        return MappingProblem(self.path, line, column, format_loc(loc), message)


def validation_problems(error: ValidationError, root: type[BaseModel], source: MappingSource) -> list[MappingProblem]:
    """Every error of ``error`` (raised validating ``root``) as a problem of ``source``.

    Type errors from the branches of one union (``board`` is an integer or a string) become one,
    and give way to any other error a branch found at the same key.
    """
    problems: list[MappingProblem] = []
    other: set[Loc] = set()
    expected: dict[Loc, tuple[list[str], Any]] = {}
    for details in error.errors(include_url=False):
        ctx = details.get("ctx") or {}
        loc, node, table = _walk(root, (*details["loc"], *ctx.get("at", ())))
        if details["type"] in _EXPECTED:
            wanted, _ = expected.setdefault(loc, ([], details["input"]))
            wanted.append(_EXPECTED[details["type"]])
            continue
        other.add(loc)
        loc, message = _message(details, loc, node, table)
        problems.append(source.problem(loc, message))
    for loc, (wanted, given) in expected.items():
        if loc not in other:
            problems.append(
                source.problem(loc, f"expected {' or '.join(dict.fromkeys(wanted))}, got {_toml_type(given)}")
            )
    return sorted(problems, key=MappingProblem.sort_key)


def _message(details: ErrorDetails, loc: Loc, node: Any, table: type[BaseModel] | None) -> tuple[Loc, str]:
    kind, ctx, given = details["type"], details.get("ctx") or {}, details["input"]
    if kind == "missing":
        return loc, "required key is missing"
    if kind == "extra_forbidden":
        known = [f.alias or name for name, f in table.model_fields.items()] if table else []
        hint = did_you_mean(str(loc[-1]), known)
        return loc, f"unknown key{hint}" if hint else f"unknown key (known keys: {', '.join(known)})"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        node, key = _unwrap(node)
        tags = [t for m in _members(node) or () for t in _member_tags(m, key) if " " not in t]
        loc = (*loc, key or "")
        if kind == "union_tag_not_found":
            return loc, f"required key is missing: one of {', '.join(tags)}"
        hint = did_you_mean(str(ctx.get("tag")), tags)
        return loc, f"unknown {key} {ctx.get('tag')!r}{hint or ' (one of: ' + ', '.join(tags) + ')'}"
    if kind == "literal_error":
        allowed = get_args(_unwrap(node)[0])
        hint = did_you_mean(given, [str(a) for a in allowed]) if isinstance(given, str) else ""
        return loc, f"{given!r} is not one of {', '.join(repr(a) for a in allowed)}{hint}"
    if kind == "string_pattern_mismatch":
        return loc, f"{PATTERN_MEANINGS.get(ctx['pattern'], 'must match ' + ctx['pattern'])}, not {given!r}"
    if kind == "value_error":
        return loc, str(ctx["error"])
    if kind == "mapping":
        return loc, str(ctx["detail"])
    if kind == "finite_number":
        return loc, f"must be a finite number, not {given!r}"
    bound = _BOUNDS.get(kind)
    if bound is None:
        return loc, details["msg"]
    limit = ctx.get("le", ctx.get("lt"))
    meaning = next((words for bound, words in BOUND_MEANINGS.items() if bound == limit), None)
    return loc, bound.format(**ctx) + (f" ({meaning})" if meaning else "")


_BOUNDS = {
    "greater_than_equal": "must be at least {ge:g}",
    "greater_than": "must be more than {gt:g}",
    "less_than_equal": "must be at most {le:g}",
    "less_than": "must be less than {lt:g}",
    "string_too_short": "must not be empty",
    "too_short": "must list at least {min_length}",
}


def _toml_type(value: object) -> str:
    kinds: tuple[tuple[type, str], ...] = (
        (bool, "a boolean"),
        (int, "an integer"),
        (float, "a float"),
        (str, "a string"),
        (list, "an array"),
        (dict, "a table"),
        (datetime, "a date-time"),
        (date, "a date"),
        (time, "a time"),
    )
    return next((name for kind, name in kinds if isinstance(value, kind)), type(value).__name__)


# --- following pydantic's loc through the models ------------------------------------------------


def _walk(root: type[BaseModel], raw: tuple[str | int, ...]) -> tuple[Loc, Any, type[BaseModel] | None]:
    """The TOML path of pydantic's ``raw`` loc, the type annotation found there and the last table.

    At a union, pydantic's loc holds the tag of the branch it tried; the tag is dropped and the
    walk continues in that branch.
    """
    node: Any = root
    table: type[BaseModel] | None = None
    loc: list[str | int] = []
    for part in raw:
        inner, key = _unwrap(node)
        members = _members(inner)
        if members is not None:
            node = _branch(members, key, part)
            continue
        loc.append(part)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            table = inner
            field = next((f for name, f in inner.model_fields.items() if (f.alias or name) == part), None)
            node = Annotated[field.annotation, field] if field else None
        elif get_origin(inner) is tuple:
            node = get_args(inner)[0]
        else:
            node = None
    return tuple(loc), node, table


def _unwrap(node: Any) -> tuple[Any, str | None]:
    """Strip ``Annotated`` and ``Optional`` from ``node``; also say which key discriminates it."""
    key: str | None = None
    while True:
        if get_origin(node) is Annotated:
            for meta in node.__metadata__:
                key = _discriminator_key(meta) or key
            node = node.__origin__
            continue
        members = _members(node)
        if members is not None and len([m for m in members if m is not type(None)]) == 1:
            node = next(m for m in members if m is not type(None))
            continue
        return node, key


def _discriminator_key(meta: object) -> str | None:
    found = meta.discriminator if isinstance(meta, FieldInfo | Discriminator) else None
    if isinstance(found, Discriminator):
        found = found.discriminator
    if isinstance(found, str):
        return found
    return getattr(found, "key", None)


def _members(node: Any) -> tuple[Any, ...] | None:
    return get_args(node) if get_origin(node) in (Union, UnionType) else None


def _branch(members: tuple[Any, ...], key: str | None, tag: str | int) -> Any:
    """The member of a union that pydantic's ``tag`` names (``None`` for a scalar's type label)."""
    return next((m for m in members if tag in _member_tags(m, key)), None)


def _member_tags(member: Any, key: str | None) -> list[str]:
    """The tag of a union member: its ``Tag`` mark, else the literal of its ``key`` field."""
    tags = [m.tag for m in getattr(member, "__metadata__", ()) if isinstance(m, Tag)]
    inner, _ = _unwrap(member)
    if not tags and key and isinstance(inner, type) and issubclass(inner, BaseModel) and key in inner.model_fields:
        tags = [str(v) for v in get_args(inner.model_fields[key].annotation)]
    return tags
