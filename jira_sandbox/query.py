"""Evaluating parsed JQL against a site, as one account on one flavour at one instant.

Date literals have minute precision and are read in the calling account's time zone, relative
periods (``-7d``) and date functions count from the site clock, exactly as Jira does it.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from jira_sandbox.catalog import Field, User
from jira_sandbox.jql import BoolOp, Clause, Empty, Func, JqlError, Node, Not, Query, Value
from jira_sandbox.jql_values import EMPTY, Literals
from jira_sandbox.model import Issue
from jira_sandbox.site import Site

_COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
_OPS = {
    "set": {"=", "!=", "IN", "NOT IN", "IS", "IS NOT"},
    "ordered": {"=", "!=", "IN", "NOT IN", "IS", "IS NOT", ">", ">=", "<", "<="},
    "text": {"~", "!~", "IS", "IS NOT"},
}
_SYSTEM_CLAUSES = {
    "type": "issuetype",
    "resolved": "resolutiondate",
    "due": "duedate",
    "createddate": "created",
    "updateddate": "updated",
    "originalestimate": "timeoriginalestimate",
    "remainingestimate": "timeestimate",
    "statuscategorychangeddate": "statuscategorychangedate",
}
Predicate = Callable[[Issue], bool]


@dataclass(slots=True)
class Spec:
    """How one JQL field is read: its category, value getter, literal resolver and sort key."""

    name: str
    cat: str
    get: Callable[[Issue], Any]
    lit: Callable[[Value | Func | Empty], list[Any]]
    sort: Callable[[Issue], Any] | None = None


@dataclass(slots=True)
class Compiled:
    """A query ready to run: predicate (None: all), candidate narrowing and sort keys."""

    predicate: Predicate | None
    narrow: Callable[[], list[Issue] | None]
    order: list[tuple[Callable[[Issue], Any], bool]]
    relative: bool


class Compiler(Literals):
    """Turns a :class:`Query` into Python callables for one caller and one instant."""

    def __init__(
        self, site: Site, flavor: str, user: User, now_ms: int, projects: Callable[[], dict[str, list[Issue]]]
    ) -> None:
        self.site, self.flavor, self.user, self.now_ms = site, flavor, user, now_ms
        self.tz = ZoneInfo(user.time_zone)
        self.projects = projects
        self.relative = False
        self._due: dict[str, int] = {}

    def compile(self, query: Query, default_order: Iterable[tuple[str, bool]] = (("id", True),)) -> Compiled:
        """Compile the condition and the ORDER BY (``default_order`` when the query has none)."""
        predicate = self.node(query.where) if query.where is not None else None
        order = [(self.sort_key(name), desc) for name, desc in (query.order or tuple(default_order))]
        where = query.where
        return Compiled(predicate, lambda: self._narrow(where), order, self.relative)

    # --- fields ------------------------------------------------------------------------------------

    def spec(self, name: str) -> Spec:
        """The :class:`Spec` for a JQL field name (case-insensitive)."""
        low = name.lower()
        low = _SYSTEM_CLAUSES.get(low, low)
        site = self.site
        if low in ("key", "issuekey", "id", "issue"):
            return Spec("key", "ordered", lambda i: i, self._issue_lit("key"), lambda i: (i.project, i.num))
        if low == "statuscategory":
            return Spec(
                "statusCategory",
                "set",
                lambda i: (site.statuses[i.values["status"]].category_id,),
                self._named_lit("statusCategory", {c.id: (str(c.id), c.key, c.name) for c in site.categories.values()}),
            )
        if low == "text":
            return Spec(
                "text",
                "text",
                lambda i: " ".join([i.values.get("summary", ""), i.values.get("description", "")]).lower(),
                self._text_lit,
            )
        field = self._field(low)
        if field is None:
            raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")
        return self._field_spec(field)

    def _field(self, low: str) -> Field | None:
        for f in self.site.live_fields(self.flavor):
            if not f.searchable:
                continue
            if low in (c.lower() for c in f.clause_names(self.flavor)) or (not f.custom and low == f.key.lower()):
                return f
        return None

    def _field_spec(self, f: Field) -> Spec:
        site, key, name, kind = self.site, f.key, f.display(self.flavor), f.kind

        def one(i: Issue) -> tuple[Any, ...]:
            v = i.values.get(key)
            return () if v is None else (v,)

        if kind == "project":
            table: dict[str, tuple[str, ...]] = {p.key: (p.id, p.key, p.name) for p in site.projects.values()}
            return Spec(name, "set", lambda i: (i.project,), self._named_lit("project", table), lambda i: i.project)
        if kind in ("status", "resolution", "issuetype"):
            names: dict[str, str] = {
                x.id: x.name
                for x in (
                    site.statuses
                    if kind == "status"
                    else site.resolutions
                    if kind == "resolution"
                    else site.issue_types
                ).values()
            }
            table = {k: (k, v) for k, v in names.items()}
            sort = (lambda i: names[i.values[key]]) if kind != "resolution" else None
            return Spec(f.key, "set", one, self._named_lit(f.key, table, kind == "resolution"), sort)
        if kind == "priority":
            table = {p.id: (p.id, p.name) for p in site.priorities.values()}
            named = self._named_lit("priority", table)

            def rank(i: Issue) -> int | None:
                v = i.values.get("priority")
                return None if v is None else 6 - int(v)

            return Spec(
                "priority", "ordered", rank, lambda v: [x if x is EMPTY else 6 - int(x) for x in named(v)], rank
            )
        if kind == "labels":
            return Spec(
                "labels",
                "set",
                lambda i: tuple(x.lower() for x in i.values.get("labels", ())),
                lambda v: [EMPTY] if isinstance(v, Empty) else [self._plain(v, "labels").lower()],
            )
        if kind == "user":
            return Spec(
                f.key,
                "set",
                one,
                self._user_lit(f.key),
                lambda i: site.users[i.values[key]].display_name if key in i.values else None,
            )
        if kind == "datetime":
            return Spec(
                f.key,
                "ordered",
                lambda i: i.values[key][0] if key in i.values else None,
                lambda v: self._date_lit(v, f.key),
                lambda i: i.values[key][0] if key in i.values else None,
            )
        if kind == "date":
            return Spec(f.key, "ordered", self._due_ms, lambda v: self._date_lit(v, f.key), lambda i: i.values.get(key))
        if kind in ("number", "seconds"):
            getter = lambda i: i.values.get(key)  # noqa: E731
            return Spec(name, "ordered", getter, lambda v: self._number_lit(v, name, kind == "seconds"), getter)
        if kind in ("string", "text"):
            return Spec(
                name,
                "text",
                lambda i: i.values[key].lower() if key in i.values else None,
                self._text_lit,
                lambda i: i.values.get(key, "").lower(),
            )
        if kind == "select":
            by_value = {val.lower(): oid for oid, val in f.options.items()}
            return Spec(name, "set", one, lambda v: self._option_lit(v, name, f.options, by_value))
        if kind == "sprint":
            return Spec(
                name,
                "set",
                lambda i: i.values.get(key, ()),
                self._sprint_lit,
                lambda i: i.values[key][-1] if key in i.values else None,
            )
        if kind in ("epiclink", "parent"):
            if kind == "parent":
                cloud = self.flavor == "cloud"
                get: Callable[[Issue], tuple[Any, ...]] = lambda i: tuple(  # noqa: E731
                    x for x in (i.values.get("parent"), i.values.get("epic_link") if cloud else None) if x is not None
                )
            else:
                get = one
            return Spec(name, "set", get, self._issue_lit(name))
        if kind == "rank":
            return Spec(name, "none", one, self._text_lit, lambda i: i.values.get("rank", ""))
        raise JqlError(f"Field '{name}' does not exist or you do not have permission to view it.")

    # --- conditions --------------------------------------------------------------------------------

    def node(self, node: Node) -> Predicate:
        """A predicate for one node of the condition."""
        if isinstance(node, BoolOp):
            parts = [self.node(n) for n in node.items]
            if node.op == "AND":
                return lambda i: all(p(i) for p in parts)
            return lambda i: any(p(i) for p in parts)
        if isinstance(node, Not):
            inner = self.node(node.item)
            return lambda i: not inner(i)
        return self.clause(node)

    def clause(self, c: Clause) -> Predicate:
        """A predicate for ``field op operand``."""
        spec = self.spec(c.field)
        if c.op not in _OPS.get(spec.cat, ()):
            raise JqlError(f"The operator '{c.op}' is not supported by the '{spec.name}' field.")
        operands = c.operand if isinstance(c.operand, tuple) else (c.operand,)
        lits = [x for o in operands for x in spec.lit(o)]
        empty = EMPTY in lits
        values = [x for x in lits if x is not EMPTY]
        get, op = spec.get, c.op
        if op in ("IS", "IS NOT") or (not values and empty):
            want_empty = op in ("IS", "=", "IN")
            if spec.cat == "set":
                return (lambda i: not get(i)) if want_empty else (lambda i: bool(get(i)))
            return (lambda i: get(i) is None) if want_empty else (lambda i: get(i) is not None)
        if spec.cat == "text":
            needle = values[0]
            if op == "~":
                return lambda i: (v := get(i)) is not None and needle in v
            return lambda i: (v := get(i)) is not None and needle not in v
        if spec.name == "key" and op in _COMPARE:
            target, cmp = values[0], _COMPARE[op]
            return lambda i: i.project == target.project and cmp(i.num, target.num)
        if op in _COMPARE:
            if len(values) != 1:
                raise JqlError(f"The operator '{op}' takes a single value for the '{spec.name}' field.")
            target, cmp = values[0], _COMPARE[op]
            return lambda i: (v := get(i)) is not None and cmp(v, target)
        wanted = frozenset(values)
        positive = op in ("=", "IN")
        if spec.cat == "set":
            if positive:
                return lambda i: (not (v := get(i)) and empty) or not wanted.isdisjoint(v)
            return lambda i: bool(v := get(i)) and wanted.isdisjoint(v)
        if positive:
            return lambda i: ((v := get(i)) is None and empty) or v in wanted
        return lambda i: (v := get(i)) is not None and v not in wanted

    def _narrow(self, node: Node | None) -> list[Issue] | None:
        """Candidate issues for a clause on key or project (None: scan everything)."""
        if isinstance(node, BoolOp):
            subs = [self._narrow(n) for n in node.items]
            if node.op == "AND":
                found = [s for s in subs if s is not None]
                return min(found, key=len) if found else None
            if any(s is None for s in subs):
                return None
            merged = {i.id: i for s in subs for i in s or ()}
            return sorted(merged.values(), key=lambda i: i.id)
        if not isinstance(node, Clause) or node.op not in ("=", "IN"):
            return None
        low = node.field.lower()
        operands = node.operand if isinstance(node.operand, tuple) else (node.operand,)
        if low in ("key", "issuekey", "id", "issue") and all(isinstance(o, Value) for o in operands):
            hits = {i.id: i for i in (self.site.issue(o.text) for o in operands if isinstance(o, Value)) if i}
            return sorted(hits.values(), key=lambda i: i.id)
        if low == "project" and all(isinstance(o, Value) for o in operands):
            index = self.projects()
            keys = {k for o in operands if isinstance(o, Value) for k in self.spec("project").lit(o)}
            return sorted((i for k in keys for i in index.get(k, ())), key=lambda i: i.id)
        return None

    # --- ordering ----------------------------------------------------------------------------------

    def sort_key(self, name: str) -> Callable[[Issue], Any]:
        """The sort key of an ORDER BY field; empty values sort last in ascending order."""
        spec = self.spec(name)
        if spec.sort is None:
            raise JqlError(f"Field '{name}' does not support sorting.")
        inner = spec.sort
        return lambda i: (1, 0) if (v := inner(i)) is None else (0, v)
