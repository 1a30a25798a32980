"""Comparing the store with Jira: issues deleted or moved away are forgotten, issues missed fetched.

A full read knows every issue of its projects, so the ones held that it did not return are checked
one by one (:func:`forget_missing`); the nightly reconciliation compares every issue's id and update
time with Jira (:func:`reconcile`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sync.app.fetch import FetchResult, check_stop, fetch_keys, updated_at
from sync.errors import JiraNotFound, JiraPermissionError
from sync.jira import JiraGateway, project_clause
from sync.store import Store

log = logging.getLogger(__name__)


def forget_missing(
    jira: JiraGateway,
    store: Store,
    complete: Sequence[tuple[Sequence[str], Collection[str]]],
    fields: Sequence[str],
    result: FetchResult,
) -> set[str]:
    """Mark deleted the issues held in the projects of ``complete`` (full reads: projects, ids
    returned) that they did not return and that Jira confirms are gone or moved to a project
    outside them; returns their ids.

    An issue a full read missed although it is still there (a result set that shifted while paging)
    is fetched again instead.
    """
    gone: set[str] = set()
    missed: list[str] = []
    for projects, returned in complete:
        scope = set(projects)
        for issue_id in store.issue_versions(projects).keys() - set(returned):
            try:
                raw = jira.get_issue(issue_id, ("project",))
            except (JiraNotFound, JiraPermissionError):
                gone.add(issue_id)
                continue
            project = str(((raw.get("fields") or {}).get("project") or {}).get("key", ""))
            if project in scope:
                missed.append(issue_id)
            else:
                gone.add(issue_id)
    if missed:
        result.keys.update(fetch_keys(jira, store, missed, fields, by="id"))
    if gone:
        store.mark_deleted(gone)
        log.info("full sync: %d issue(s) held that Jira no longer has in these projects forgotten", len(gone))
    return gone


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
        in_jira[str(raw["id"])] = updated_at(raw)
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
