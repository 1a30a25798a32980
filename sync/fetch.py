"""The fetch phase: issues updated since the watermark, stored in batches, the watermark moved last.

Every batch is committed as it arrives (upserts keep the newer copy, so a replay is harmless) and
the watermarks move in the transaction of the last batch: a run killed at any instant leaves the
watermark where it was, and the next run fetches the same issues again. Nothing is lost; writes to
Jira are never repeated because write-back compares against what Jira holds.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from itertools import islice
from typing import Any

from sync.errors import KpiokrError
from sync.jira_gateway import JiraGateway
from sync.jira_search import KnownHistories
from sync.jql import keys_in, project_clause, updated_since
from sync.site import author_ids
from sync.store import Store
from sync.translate import parse_datetime

log = logging.getLogger(__name__)

#: Issues per store transaction.
BATCH = 500
#: Fields the store itself needs on every issue.
STORE_FIELDS = ("project", "updated")

Progress = Callable[[int, int | None], None]


class RunAbandoned(KpiokrError):  # noqa: N818 - reads as what happened
    """The run was stopped on request at a safe point; nothing half-done was committed."""


@dataclass
class FetchResult:
    """What one fetch brought: the keys of the issues that changed, and how many issues came."""

    keys: set[str] = field(default_factory=set)
    fetched: int = 0
    #: Of ``keys``: the issues that are new, or that someone other than kpiokr's account changed.
    by_others: set[str] = field(default_factory=set)

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
    return _store_batch(store, batch, frozenset())[0]


def _store_batch(
    store: Store, batch: Sequence[dict[str, Any]], own: frozenset[str]
) -> tuple[list[dict[str, Any]], set[str]]:
    """:func:`store_changed`, and the keys of the issues stored that are new or that someone other
    than ``own`` (the ids of kpiokr's account) changed since the stored copy."""
    held = store.issue_versions(ids=[str(raw["id"]) for raw in batch])
    changed = [raw for raw in batch if (at := held.get(str(raw["id"]))) is None or at < _updated(raw)]
    if changed:
        log.debug("storing %d issue(s)", len(changed))
        with store.transaction() as tx:
            tx.upsert_issues(changed)
    others = {str(raw["key"]) for raw in changed if not _own_changes_only(raw, held.get(str(raw["id"])), own)}
    return changed, others


def _own_changes_only(raw: dict[str, Any], held_at: datetime | None, own: frozenset[str]) -> bool:
    """True when the stored copy is older only by histories ``own`` wrote (kpiokr's write-back)."""
    if held_at is None or not own:
        return False
    newer = [h for h in (raw.get("changelog") or {}).get("histories") or () if parse_datetime(h["created"]) > held_at]
    return bool(newer) and all(not own.isdisjoint(author_ids(h.get("author"))) for h in newer)


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


def _updated(raw: dict[str, Any]) -> datetime:
    return parse_datetime(str(raw["fields"]["updated"]))


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
    own: frozenset[str] = frozenset(),
) -> FetchResult:
    """Fetch and store the issues of ``projects`` updated since their watermarks (all when ``full``).

    ``on_batch`` sees every batch read (complete changelogs) and the issues of it that were new or
    newer than the stored copies, once they are stored. ``own`` are the
    ids of kpiokr's account, to tell its own write-back from other changes (:attr:`FetchResult.by_others`).

    Projects without a watermark (new to kpiokr) are read in full; the others share one
    incremental query from the oldest of their watermarks.
    """
    marks = store.watermarks()
    fresh = sorted(p for p in projects if full or p not in marks)
    known = sorted(p for p in projects if p not in fresh)
    queries: list[tuple[list[str], datetime | None]] = []
    if fresh:
        queries.append((fresh, None))
    if known:
        queries.append((known, min(marks[p] for p in known)))
    wanted = tuple(dict.fromkeys([*STORE_FIELDS, *fields]))
    result = FetchResult()
    newest: datetime | None = None
    pending_marks: list[tuple[list[str], datetime | None]] = []
    for scope, since in queries:
        jql = updated_since(scope, since, overlap, account_tz)
        total = jira.count(jql) if since is None and progress is not None else None
        log.info("fetching %s", jql)
        issues = jira.search(jql, wanted, expand_changelog=True, known=held_histories(store))
        for batch in _batches(issues, BATCH):
            check_stop(stop)
            result.fetched += len(batch)
            changed, others = _store_batch(store, batch, own)
            result.keys.update(str(raw["key"]) for raw in changed)
            result.by_others.update(others)
            if on_batch is not None:
                on_batch(batch, changed)
            batch_newest = max(_updated(raw) for raw in batch)
            newest = batch_newest if newest is None else max(newest, batch_newest)
            if progress is not None:
                progress(result.fetched, total)
        pending_marks.append((scope, since))
    check_stop(stop)
    with store.transaction() as tx:
        for scope, since in pending_marks:
            mark = newest if newest is not None else since
            for project in scope:
                if mark is not None and (project not in marks or mark > marks[project]):
                    tx.set_watermark(project, mark)
    return result


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


@dataclass(frozen=True)
class Reconciliation:
    """What the nightly comparison with Jira found."""

    deleted: frozenset[str]
    refetched: frozenset[str]


def reconcile(
    jira: JiraGateway, store: Store, projects: Collection[str], fields: Sequence[str], *, stop: threading.Event
) -> Reconciliation:
    """Compare every issue of ``projects`` in Jira (id and update time only) with the store.

    Issues Jira no longer has there (deleted, or moved to a project outside kpiokr's) are marked
    deleted; issues the store lacks or holds an older copy of (an incremental sync can miss an
    issue when the result set shifts while it pages) are fetched again.
    """
    in_jira: dict[str, datetime] = {}
    for raw in jira.search(project_clause(projects), ("updated",), expand_changelog=False):
        in_jira[str(raw["id"])] = _updated(raw)
        check_stop(stop)
    stored = store.issue_versions(projects)
    gone = frozenset(stored.keys() - in_jira.keys())
    stale = [i for i, updated in in_jira.items() if i not in stored or stored[i] < updated]
    refetched = fetch_keys(jira, store, stale, fields, by="id") if stale else set()
    if gone:
        store.mark_deleted(gone)
        log.info("reconciliation: %d issue(s) deleted or moved away", len(gone))
    if refetched:
        log.info("reconciliation: %d issue(s) fetched that the incremental syncs had missed", len(refetched))
    return Reconciliation(gone, frozenset(refetched))
