"""The fetch phase: issues updated since the watermark, stored in batches, the watermark moved last.

Every batch is committed as it arrives (upserts keep the newer copy, so a replay is harmless) and
the watermarks move in the transaction of the last batch: a run killed at any instant leaves the
watermark where it was, and the next run fetches the same issues again. Nothing is lost; writes to
Jira are never repeated because write-back compares against what Jira holds.

How far back a search reaches: the watermark minus the overlap, as an update may become visible up
to the overlap after its stamp. Every answer carries Jira's clock (``Date``); once a search was
answered with Jira's clock past an instant plus the overlap, every issue stamped up to that instant
is held as Jira has it. The store keeps that instant per project (watermark scope
``settled:<project>``), and the next search reaches back only to it (never past the watermark, so
the newest issue held always comes back), newest first, stopping at the first page that reaches
it: an idle pass is one request and one page, however much kpiokr wrote before.

A search Jira rejects for a project (deleted, renamed, out of sight) is asked again project by
project, so only that project's teams are failed. A full read knows every issue of its projects:
the ones held that it did not return are checked one by one and forgotten when gone or moved away.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from itertools import chain, islice
from typing import Any

from sync.errors import JiraNotFound, JiraRequestRejected, RunAbandoned
from sync.jira import (
    JiraGateway,
    KnownHistories,
    OwnWrites,
    date_literal,
    keys_in,
    parse_datetime,
    project_clause,
    updated_since,
)
from sync.store import Store

log = logging.getLogger(__name__)

#: Issues per store transaction.
BATCH = 500
#: Scope prefix, in the store's watermarks, of the instant up to which a project's issues are all held.
SETTLED = "settled:"
#: No score writes of kpiokr's to tell apart (every change counts).
NOT_OWN = OwnWrites()
#: Answers to a search that concern its projects (gone, renamed, out of sight), not Jira as a whole.
PROJECT_FAULTS = (JiraRequestRejected, JiraNotFound)
#: Fields the store itself needs on every issue.
STORE_FIELDS = ("project", "updated")

Progress = Callable[[int, int | None], None]


@dataclass
class FetchResult:
    """What one fetch brought: the keys of the issues that changed, and how many issues came."""

    keys: set[str] = field(default_factory=set)
    fetched: int = 0
    #: Of ``keys``: the issues that are new, or that someone other than kpiokr's account changed.
    by_others: set[str] = field(default_factory=set)
    #: Projects Jira refused to search (deleted, renamed, out of sight), with its answer.
    failed: dict[str, Exception] = field(default_factory=dict)
    #: Full reads: their projects and the ids they returned (see :func:`sync.app.reconcile.forget_missing`).
    complete: list[tuple[tuple[str, ...], set[str]]] = field(default_factory=list)
    #: Ids of the issues found gone from their projects, now forgotten.
    forgotten: set[str] = field(default_factory=set)

    @property
    def changed(self) -> bool:
        """True when any issue is new or newer than the stored copy."""
        return bool(self.keys)

    @property
    def changed_by_others(self) -> bool:
        """True unless every change is kpiokr's own write-back coming back (or there is none)."""
        return bool(self.by_others)


def store_changed(store: Store, batch: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Store the issues of ``batch`` that are new or newer than the stored copy; returns them.

    The incremental query overlaps the previous one, so copies already held (same id, same update
    time) come back on every pass: they are skipped here, not counted as changes.
    """
    return _store_batch(store, batch, OwnWrites())[0]


def _store_batch(
    store: Store, batch: Sequence[dict[str, Any]], own: OwnWrites
) -> tuple[list[dict[str, Any]], set[str]]:
    """:func:`store_changed`, and the keys of the issues stored that are new or that changed since
    the stored copy by more than ``own`` (kpiokr's score writes)."""
    held = store.issue_versions(ids=[str(raw["id"]) for raw in batch])
    changed = [raw for raw in batch if (at := held.get(str(raw["id"]))) is None or at < updated_at(raw)]
    if changed:
        log.debug("storing %d issue(s)", len(changed))
        with store.transaction() as tx:
            tx.upsert_issues(changed)
    others = {str(raw["key"]) for raw in changed if not _own_changes_only(raw, held.get(str(raw["id"])), own)}
    return changed, others


def _own_changes_only(raw: dict[str, Any], held_at: datetime | None, own: OwnWrites) -> bool:
    """True when the stored copy is older only by ``own`` score writes (kpiokr's write-back)."""
    if held_at is None or not own.account_ids:
        return False
    newer = [h for h in (raw.get("changelog") or {}).get("histories") or () if parse_datetime(h["created"]) > held_at]
    return bool(newer) and all(own.is_own_write(h) for h in newer)


def held_histories(store: Store) -> KnownHistories:
    """The changelogs the store holds for issues (by id): what an incremental search completes a
    cut changelog from, instead of asking Jira for histories kpiokr already has."""

    def known(issues: Sequence[dict[str, Any]]) -> dict[str, Sequence[Mapping[str, Any]]]:
        found: dict[str, Sequence[Mapping[str, Any]]] = {}
        for issue in issues:
            raw = store.get_issue(str(issue.get("key")))
            if raw is not None and str(raw.get("id")) == str(issue.get("id")):
                found[str(issue["id"])] = (raw.get("changelog") or {}).get("histories") or ()
        return found

    return known


def check_stop(stop: threading.Event) -> None:
    """Raise :class:`RunAbandoned` when a stop was asked for."""
    if stop.is_set():
        raise RunAbandoned("stopped on request; the watermark did not move, the next run resumes")


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def updated_at(raw: dict[str, Any]) -> datetime:
    """An issue's ``updated`` instant."""
    return parse_datetime(str(raw["fields"]["updated"]))


def project_watermarks(store: Store) -> dict[str, datetime]:
    """Each project's watermark: the newest ``updated`` Jira returned for it."""
    return {scope: at for scope, at in store.watermarks().items() if not scope.startswith(SETTLED)}


def _settled_marks(store: Store) -> dict[str, datetime]:
    return {scope.removeprefix(SETTLED): at for scope, at in store.watermarks().items() if scope.startswith(SETTLED)}


@dataclass(frozen=True)
class _Query:
    """One search: the issues of ``projects`` updated since ``since`` (all when None), newest first.

    ``settled``: issues updated at or before it are held as Jira has them, so the paging stops at
    the first page that reaches back to it.
    """

    projects: tuple[str, ...]
    since: datetime | None
    settled: datetime | None

    @classmethod
    def of(
        cls,
        projects: Sequence[str],
        marks: Mapping[str, datetime],
        settled: Mapping[str, datetime],
        overlap: timedelta,
        *,
        full: bool,
    ) -> _Query:
        """The query for ``projects``: from their oldest look-back, or everything when new or ``full``."""
        if full or any(p not in marks for p in projects):
            return cls(tuple(projects), None, None)
        bounds = [look_back(marks[p], settled.get(p), overlap) for p in projects]
        since = min(low for low, _ in bounds)
        ends = [end for _, end in bounds]
        return cls(tuple(projects), since, None if None in ends else min(e for e in ends if e is not None))

    def jql(self, account_tz: tzinfo) -> str:
        """The JQL of this query, written in the account's time zone."""
        if self.since is None:
            return updated_since(self.projects, None, timedelta(0), account_tz)
        since = date_literal(self.since, account_tz)
        return f"{project_clause(self.projects)} AND updated >= {since} ORDER BY updated DESC, key DESC"

    def enough(self, page: Sequence[dict[str, Any]]) -> bool:
        """True once a page reaches back to issues already held as Jira has them."""
        return self.settled is not None and bool(page) and min(updated_at(raw) for raw in page) <= self.settled


def look_back(watermark: datetime, settled: datetime | None, overlap: timedelta) -> tuple[datetime, datetime | None]:
    """How far back a project's search reaches, and up to when it holds every issue.

    The watermark is the newest ``updated`` returned; the query reaches ``overlap`` before it, as an
    update stamped earlier may become visible later. Once Jira's own clock was seen past an instant
    plus the overlap, nothing stamped before that instant can still appear: the look-back stops there
    (but never after the watermark, so the newest issue held always comes back).
    """
    if settled is None or settled < watermark - overlap:
        return watermark - overlap, None
    end = min(watermark, settled)
    return end, end


@dataclass
class _Answered:
    """What a search that completed brought for its projects."""

    query: _Query
    newest: datetime | None
    settled: datetime | None
    ids: set[str]


def fetch_updates(
    jira: JiraGateway,
    store: Store,
    projects: Collection[str],
    fields: Sequence[str],
    *,
    account_tz: tzinfo,
    overlap: timedelta,
    full: bool,
    stop: threading.Event,
    progress: Progress | None = None,
    on_batch: Callable[[Sequence[dict[str, Any]], Sequence[dict[str, Any]]], None] | None = None,
    own: OwnWrites = NOT_OWN,
) -> FetchResult:
    """Fetch and store the issues of ``projects`` updated since their watermarks (all when ``full``).

    ``on_batch`` sees every batch read (complete changelogs) and the issues of it that were new or
    newer than the stored copies, once they are stored. ``own`` are
    kpiokr's score writes, to tell its own write-back from other changes (:attr:`FetchResult.by_others`).

    Projects without a watermark (new to kpiokr) are read in full; the others share one
    incremental query from the oldest of their look-backs. A query Jira rejects (a project
    deleted, renamed or out of the account's sight) is asked again project by project, so only
    the projects it fails for are left out (:attr:`FetchResult.failed`). A full read forgets the
    issues held that it did not return once Jira confirms they are gone or moved away
    (:func:`sync.app.reconcile.forget_missing`, given :attr:`FetchResult.complete`).
    """
    marks, settled = project_watermarks(store), _settled_marks(store)
    fresh = sorted(p for p in projects if full or p not in marks)
    known = sorted(p for p in projects if p not in fresh)
    result = FetchResult()
    answered: list[_Answered] = []
    fetch = _Fetcher(jira, store, fields, account_tz, overlap, stop, progress, on_batch, own, result)
    for scope in (fresh, known):
        if scope:
            query = _Query.of(scope, marks, settled, overlap, full=full)
            answered.extend(fetch.isolated(query, lambda ps: _Query.of(ps, marks, settled, overlap, full=full)))
    check_stop(stop)
    result.complete = [(a.query.projects, a.ids) for a in answered if a.query.since is None]
    with store.transaction() as tx:
        for done in answered:
            for project in done.query.projects:
                if done.newest is not None and (project not in marks or done.newest > marks[project]):
                    tx.set_watermark(project, done.newest)
                if done.settled is not None and (project not in settled or done.settled > settled[project]):
                    tx.set_watermark(SETTLED + project, done.settled)
    return result


@dataclass
class _Fetcher:
    """Runs the searches of one fetch, storing what they bring into ``result``."""

    jira: JiraGateway
    store: Store
    fields: Sequence[str]
    account_tz: tzinfo
    overlap: timedelta
    stop: threading.Event
    progress: Progress | None
    on_batch: Callable[[Sequence[dict[str, Any]], Sequence[dict[str, Any]]], None] | None
    own: OwnWrites
    result: FetchResult

    def isolated(self, query: _Query, single: Callable[[list[str]], _Query]) -> list[_Answered]:
        """Run ``query``; when Jira rejects it, each of its projects alone (``single``), keeping the failures."""
        try:
            return [self.run(query)]
        except PROJECT_FAULTS as error:
            if len(query.projects) == 1:
                log.warning("fetching project %s failed: %s", query.projects[0], error)
                self.result.failed[query.projects[0]] = error
                return []
        answered: list[_Answered] = []
        for project in query.projects:
            answered.extend(self.isolated(single([project]), single))
        return answered

    def run(self, query: _Query) -> _Answered:
        """One search to its end (or to the page that reaches back to what is held), stored batch by batch."""
        jql = query.jql(self.account_tz)
        total = self.jira.count(jql) if query.since is None and self.progress is not None else None
        log.info("fetching %s", jql)
        wanted = tuple(dict.fromkeys([*STORE_FIELDS, *self.fields]))
        issues = iter(
            self.jira.search(jql, wanted, expand_changelog=True, known=held_histories(self.store), enough=query.enough)
        )
        first = next(issues, None)
        answered_at = self.jira.server_time  # Jira's clock at the answer to the first page
        done = _Answered(query, None, None, set())
        for batch in _batches(issues if first is None else chain([first], issues), BATCH):
            check_stop(self.stop)
            self.result.fetched += len(batch)
            changed, others = _store_batch(self.store, batch, self.own)
            self.result.keys.update(str(raw["key"]) for raw in changed)
            self.result.by_others.update(others)
            done.ids.update(str(raw["id"]) for raw in batch)
            if self.on_batch is not None:
                self.on_batch(batch, changed)
            newest = max(updated_at(raw) for raw in batch)
            done.newest = newest if done.newest is None else max(done.newest, newest)
            if self.progress is not None:
                self.progress(self.result.fetched, total)
        done.settled = None if answered_at is None else answered_at - self.overlap
        return done


def fetch_keys(
    jira: JiraGateway, store: Store, keys: Collection[str], fields: Sequence[str], *, by: str = "key"
) -> set[str]:
    """Fetch and store specific issues by key (or by Jira id with ``by="id"``); returns their keys."""
    wanted = tuple(dict.fromkeys([*STORE_FIELDS, *fields]))
    stored: set[str] = set()
    for jql in keys_in(keys, by):
        for batch in _batches(jira.search(jql, wanted, expand_changelog=True, known=held_histories(store)), BATCH):
            stored.update(str(raw["key"]) for raw in store_changed(store, batch))
    return stored
