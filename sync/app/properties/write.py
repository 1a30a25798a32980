"""The property phase as a pass runs it: after the scores are recorded and the daily series extended.

A pass in which nothing changed in Jira (no issue newer than the stored copy, nothing forgotten, no score
to write) still finds documents that moved as time passed: a rolling window's sample, an ageing figure,
today's point of a daily series, days a backfill added. Jira holding such a document written less than
:data:`DRIFT_REFRESH` ago keeps it until then, so a quiet pass costs its one search and writes nothing;
any change in Jira, a score written, a reconciliation or a write left unsettled sends it at once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import timedelta

from sync.app.ports import Ports
from sync.app.properties.build import ListedTeam, daily_series, desired_properties
from sync.app.properties.forecasts import TeamOutlook
from sync.app.properties.phase import PropertyOutcomes, PropertyPhase
from sync.app.results import team_document
from sync.app.run_summary import RunSummary
from sync.mapping import TeamMapping
from sync.store import Store

log = logging.getLogger(__name__)

#: How long a document that moved only as time passed may wait in a quiet pass.
DRIFT_REFRESH = timedelta(hours=6)


def write_properties(
    ports: Ports,
    summary: RunSummary,
    teams: Sequence[TeamMapping],
    *,
    dry_run: bool,
    reconcile: bool,
    outlooks: Mapping[str, TeamOutlook],
    quiet: bool = False,
    skipped: Sequence[TeamMapping] = (),
) -> PropertyOutcomes | None:
    """Plan the scored teams' property documents Jira lacks and send them (not on a dry run, nor when
    ``writeback.enabled`` or ``writeback.properties`` is off); ``None`` when properties are off.
    ``outlooks``: each scored team's daily series and objective forecasts, as the pass made them for its
    writes (:func:`sync.app.properties.forecasts.team_outlooks`); ``quiet``: the pass found nothing
    changed in Jira (see the module docstring); ``skipped``: the pass's
    teams it could not score, listed in a shared project's document as their newest stored report has them."""
    writeback = ports.config.writeback
    if not writeback.properties:
        return None
    store = ports.store
    mappings = {t.team.name: t for t in teams}
    projects = {name: list(t.team.projects) for name, t in mappings.items()}
    results = [r for r in summary.results if r.team in mappings and r.team in outlooks]
    reports = [team_document(r) for r in results]
    daily = {r.team: outlooks[r.team].daily for r in results}
    forecasts = {r.team: outlooks[r.team].documents() for r in results}
    kept = _kept_entries(store, skipped, {p for r in results for p in projects[r.team]})
    desired = desired_properties(reports, projects, daily, ports.config.dashboard.public_url, forecasts, listed=kept)
    phase = PropertyPhase(ports.jira, store, ports.clock, summary.run_id, ports.hooks.before_write)
    if not dry_run:
        phase.settle_interrupted({d.key for d in desired})
    kept_since = ports.clock() - DRIFT_REFRESH if quiet and not reconcile and not summary.planned else None
    planned = phase.plan(desired, reconcile=reconcile, kept_since=kept_since)
    summary.planned_properties = list(planned)
    log.info("run %d: %d property document(s) to write", summary.run_id, len(planned))
    if dry_run or not writeback.enabled or not planned:
        return PropertyOutcomes(planned)
    ids = {}
    for p in planned:
        raw = store.get_issue(p.key) if p.entity == "issue" else None
        if raw is not None and str(raw.get("id", "")).isdigit():
            ids[p.key] = int(raw["id"])
    outcomes = phase.send(planned, ids, ports.stop.is_set)
    summary.written_properties, summary.refused_properties = outcomes.written, outcomes.refused
    summary.unconfirmed_properties = outcomes.unconfirmed
    summary.problems.extend(f"property not written: {reason}" for reason in outcomes.rejected)
    return outcomes


def _kept_entries(store: Store, skipped: Sequence[TeamMapping], written: set[str]) -> list[ListedTeam]:
    """Each skipped team reading a project whose document is written: its newest stored report, its
    projects and its daily series, so a shared project's document keeps it."""
    kept: list[ListedTeam] = []
    for team in skipped:
        shared = [p for p in team.team.projects if p in written]
        stored = store.latest_reports(team.team.name) if shared else []
        if stored:
            document = stored[0].document
            kept.append((document, shared, daily_series(store, team.team.name, str(document["cycle"]))))
    return kept
