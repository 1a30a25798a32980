"""The plan and apply steps of a pass: the writes that bring Jira in line with the scores, then sent.

Planning settles first the ledger's writes a killed run left pending (the fetch has just brought
Jira's copy of their issues), and leaves out a value Jira rejected before (no retry storm) unless
the pass reconciles. Applying enters each write in the ledger before it is sent and ends after the
request in flight when a stop is asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import replace

from kpiokr.forecasting import Forecast
from sync.app.evaluate import ScoreFieldIds, desired_values
from sync.app.ledger import WriteLedger
from sync.app.ports import Ports
from sync.app.run_summary import RunSummary
from sync.app.writeback import DesiredValue, IssueWrite, apply_writes, plan_writes
from sync.errors import JiraNotFound, JiraPermissionError, JiraRequestRejected
from sync.store import Store

log = logging.getLogger(__name__)

#: Jira answers these for one issue only: that write is skipped, the others go on.
REJECTED = (JiraPermissionError, JiraRequestRejected, JiraNotFound)
#: Jira's single-line text fields hold at most 255 characters.
TEXT_LIMIT = 255


def plan_writes_for(
    ports: Ports,
    ledger: WriteLedger,
    summary: RunSummary,
    score_fields: Mapping[str, ScoreFieldIds],
    *,
    reconcile: bool,
    forecasts: Mapping[str, Mapping[str, Forecast]] | None = None,
) -> None:
    """Plan into ``summary.planned`` the writes that bring Jira's copies in line with ``summary.results``;
    ``forecasts`` are the objectives' forecasts of the teams that write them, by team and epic key (the
    other teams' forecast fields are left as they are)."""
    made = forecasts or {}
    desired = [d for r in summary.results for d in desired_values(r, score_fields[r.team], made.get(r.team))]
    ledger.settle_interrupted({d.issue_key for d in desired})
    current = _current_values(ports.store, {d.issue_key for d in desired})
    held_back = set() if reconcile else ledger.rejected_before()
    summary.planned = plan_writes(
        [_clip(d) for d in desired],
        current,
        ports.config.writeback.decimals,
        skip=lambda issue, field_id, value: (issue, field_id, repr(value)) in held_back,
    )


def send_writes(ports: Ports, ledger: WriteLedger, summary: RunSummary, *, dry_run: bool) -> None:
    """Make the planned writes (unless a dry run or write-back is disabled), until a stop is asked for."""
    enabled = ports.config.writeback.enabled
    summary.writeback_disabled = not enabled
    if not dry_run and enabled:
        log.info("run %d: writing %d issue(s)", summary.run_id, len(summary.planned))
        run_id = summary.run_id
        intend = ledger.intender(run_id)

        def checked_intend(write: IssueWrite) -> None:
            ports.hooks.before_write()  # a daemon that lost its lease on the teams raises here
            intend(write)

        summary.outcomes = apply_writes(
            summary.planned, ports.jira, REJECTED, ledger.recorder(run_id), checked_intend, stopped=ports.stop.is_set
        )


def _current_values(store: Store, keys: Collection[str]) -> dict[str, dict[str, object]]:
    """The fields of the stored copies of ``keys``: what Jira held when it was last read."""
    current: dict[str, dict[str, object]] = {}
    for key in keys:
        raw = store.get_issue(key)
        if raw is not None:
            current[key] = dict(raw.get("fields") or {})
    return current


def _clip(desired: DesiredValue) -> DesiredValue:
    """Text values cut to what a single-line Jira text field holds."""
    if not isinstance(desired.value, str) or len(desired.value) <= TEXT_LIMIT:
        return desired
    return replace(desired, value=desired.value[: TEXT_LIMIT - 1] + "…")
