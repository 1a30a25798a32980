"""Running searches with a result cache, and choosing which fields an answer carries.

A query's ordered result is cached by (JQL, caller, site revision[, minute for relative dates]),
so walking 1,000 pages evaluates the JQL once. Cloud page tokens carry the revision and minute
the first page used, so a paging client sees one consistent snapshot of the result order.
"""

from __future__ import annotations

import base64
import binascii
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from jira_sandbox.catalog import Field, User
from jira_sandbox.jql import JqlError, Query, parse
from jira_sandbox.model import Issue
from jira_sandbox.query import Compiler
from jira_sandbox.site import Site

Snapshot = tuple[int, int]  # (site revision, minute of the clock used for relative dates)
_NOT_RENDERED = {"issuekey"}


@dataclass(slots=True)
class Selection:
    """Fields to render; ``id_only`` for Cloud's default ``fields=id`` answers."""

    fields: list[Field]
    id_only: bool = False

    @property
    def light(self) -> bool:
        """Only ids/keys were asked for (Cloud then allows 5,000 issues a page)."""
        return not self.fields


def select_fields(site: Site, flavor: str, requested: Iterable[str] | None, default: str) -> Selection:
    """Resolve a ``fields`` parameter: ids, ``*all``, ``*navigable``, ``-id`` exclusions."""
    if isinstance(requested, str):
        requested = [requested]
    names = [n.strip() for part in (requested or ()) for n in str(part).split(",") if n.strip()]
    if not names:
        names = [default]
    live = [f for f in site.live_fields(flavor) if f.key not in _NOT_RENDERED]
    chosen: dict[str, Field] = {}
    excluded: set[str] = set()
    for name in names:
        if name in ("*all", "*navigable"):
            chosen.update((f.key, f) for f in live if name == "*all" or f.navigable)
        elif name.startswith("-"):
            excluded.add(name[1:])
        elif name in ("id", "key"):
            continue
        else:
            f = site.field(name, flavor)
            if f is not None and f.key not in _NOT_RENDERED:
                chosen[f.key] = f
    fields = [f for f in live if f.key in chosen and f.wire_id(flavor) not in excluded]
    return Selection(fields, id_only=not fields and "key" not in names)


def encode_token(prefix: str, *numbers: int) -> str:
    """An opaque page token."""
    return base64.urlsafe_b64encode(":".join([prefix, *map(str, numbers)]).encode()).decode().rstrip("=")


def decode_token(prefix: str, token: str, count: int) -> list[int]:
    """The numbers inside a page token; ValueError when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(token) from None
    parts = text.split(":")
    if parts[0] != prefix or len(parts) != count + 1 or not all(p.lstrip("-").isdigit() for p in parts[1:]):
        raise ValueError(token)
    return [int(p) for p in parts[1:]]


class SearchEngine:
    """JQL searches over one site for one flavour, with parse and result caches."""

    def __init__(self, site: Site, flavor: str, cache_size: int = 32) -> None:
        self.site, self.flavor, self.cache_size = site, flavor, cache_size
        self._parsed: OrderedDict[str, Query] = OrderedDict()
        self._results: OrderedDict[tuple[object, ...], list[Issue]] = OrderedDict()
        self._projects: tuple[int, dict[str, list[Issue]]] = (-1, {})
        self.evaluations = 0

    def parse(self, jql: str) -> Query:
        """Parse with a small cache."""
        query = self._parsed.get(jql)
        if query is None:
            query = parse(jql)
            self._parsed[jql] = query
            if len(self._parsed) > 256:
                self._parsed.popitem(last=False)
        return query

    def project_index(self) -> dict[str, list[Issue]]:
        """Issues per project key, rebuilt when the site changes."""
        revision, index = self._projects
        if revision != self.site.revision:
            index = {}
            for issue in self.site.issues:
                index.setdefault(issue.project, []).append(issue)
            self._projects = (self.site.revision, index)
        return index

    def search(
        self,
        jql: str,
        user: User,
        *,
        scope: str = "",
        within: Callable[[Issue], bool] | None = None,
        default_order: Iterable[tuple[str, bool]] = (("id", True),),
        snapshot: Snapshot | None = None,
        bounded: bool = False,
    ) -> tuple[list[Issue], Snapshot]:
        """Ordered issues matching ``jql`` (and ``within``), and the snapshot they were taken at.

        ``bounded`` rejects queries without a condition, as Cloud's enhanced search does.
        """
        site = self.site
        with site.lock:
            query = self.parse(jql)
            if bounded and query.where is None:
                raise JqlError(
                    "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
                )
            now_ms = site.clock_state.now_ms()
            compiler = Compiler(site, self.flavor, user, now_ms, self.project_index)
            compiled = compiler.compile(query, default_order)
            base = (jql, scope, user.key, user.time_zone)
            if snapshot is not None:
                hit = self._results.get((*base, *snapshot))
                if hit is not None:
                    return hit, snapshot
            current = (site.revision, now_ms // 60_000 if compiled.relative else 0)
            key = (*base, *current)
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
                return hit, current
            self.evaluations += 1
            candidates = compiled.narrow()
            issues = list(site.issues if candidates is None else candidates)
            if within is not None:
                issues = [i for i in issues if within(i)]
            if compiled.predicate is not None:
                issues = [i for i in issues if compiled.predicate(i)]
            for sort_key, desc in reversed(compiled.order):
                issues.sort(key=sort_key, reverse=desc)
            self._results[key] = issues
            if len(self._results) > self.cache_size:
                self._results.popitem(last=False)
            return issues, current
