"""What the dashboard shows, read from the store: each team's newest report document, or, for a
date, one computed from the stored histories by the as-of evaluation; the calculators' details
behind each KPI; the stored daily series. Jira is never asked.

The mapping files are read once per server and again only when one changes
(:class:`sync.mapping.MappingWatcher`); the last as-of evaluations are kept until the next run or a
change of the mappings, so the pages of one past date evaluate it once. Every mapped team's
histories are kept (:mod:`sync.app.web.kept`): read ahead by :meth:`Reports.warm` when the server
starts and brought up to date after each run, so no past date waits for them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sync.app.as_of import AsOfError, StoredTeam, When, evaluate_as_of, newest_basis
from sync.app.daily_series import previous_cycle
from sync.app.evaluation_basis import Basis, JiraAnswers
from sync.app.results import TeamResult, team_document
from sync.app.score_records import score_records
from sync.app.web.kept import KeptHistories
from sync.app.web.views import Earlier
from sync.errors import KpiokrError
from sync.jira import SiteDictionary
from sync.mapping import MappingError, MappingWatcher, TeamMapping
from sync.store import DailyPoint, Store

#: How many as-of evaluations (one team or all, one date) are kept.
KEPT_EVALUATIONS = 32


@dataclass(frozen=True)
class Health:
    """Whether the store answers, and its newest run's outcome and age in seconds."""

    store: bool
    run_id: int | None = None
    status: str | None = None
    age_seconds: float | None = None
    error: str | None = None


@dataclass(frozen=True)
class Shown:
    """A team's report document and, by KPI key, its calculator's details (issue keys, sprints, ...)."""

    document: dict[str, Any]
    details: Mapping[str, Mapping[str, object]]


@dataclass
class Reports:
    """The store and the mapping files (read again only when one changes)."""

    store: Store
    mapping_paths: Sequence[Path]
    clock: Callable[[], datetime]
    _watcher: MappingWatcher = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _evaluated: OrderedDict[tuple[object, ...], tuple[tuple[TeamMapping, ...], list[TeamResult]]] = field(
        init=False, default_factory=OrderedDict
    )
    _teams: tuple[tuple[TeamMapping, ...], tuple[object, ...], list[str]] | None = field(init=False, default=None)
    _kept: KeptHistories = field(init=False, default_factory=KeptHistories)
    _warmed: tuple[object, ...] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._watcher = MappingWatcher(self.mapping_paths)

    def mappings(self) -> tuple[TeamMapping, ...]:
        """The valid mappings in force; :class:`MappingError` when the files never held a valid set."""
        with self._lock:
            return self._watcher.current()

    def teams(self) -> list[str]:
        """Every team with a mapping file or a stored report, by name (read again after each run)."""
        mappings = self._valid_mappings()
        key = self._newest_run()
        with self._lock:
            if self._teams is not None and self._teams[0] is mappings and self._teams[1] == key:
                return self._teams[2]
        names = sorted({t.team.name for t in mappings} | {r.team for r in self.store.latest_reports()})
        with self._lock:
            self._teams = (mappings, key, names)
        return names

    def no_team(self, team: str) -> str:
        """What to answer for a team no mapping file or stored report knows: the teams known."""
        return f"there is no team {team!r}; known teams: {', '.join(self.teams())}"

    def _newest_run(self) -> tuple[object, ...]:
        """What changes when a run starts or ends: the newest run's id, status and end."""
        newest = self.store.runs(limit=1)
        return (newest[0].id, newest[0].status, newest[0].finished_at) if newest else (None, None, None)

    def documents(self, team: str | None, as_of: str | None) -> list[dict[str, Any]] | None:
        """The report documents of ``team`` (else of every team): the newest stored, or as of the
        end of the day ``as_of`` names (or the instant, with its offset), as ``kpiokr report`` gives
        them; None when no mapping file or stored report knows ``team``."""
        shown = self.shown(team, as_of, details=False)
        return None if shown is None else [s.document for s in shown]

    def shown(self, team: str | None, as_of: str | None, *, details: bool = True) -> list[Shown] | None:
        """:meth:`documents` with each KPI's details (when ``details``); None for an unknown team."""
        if team is not None and team not in self.teams():
            return None
        when = When.parse(as_of, None)
        if not when.given:
            reports = self.store.latest_reports(team)
            found = {(r.team, r.kpi_key): r.details for r in self.store.latest_kpi_values(team)} if details else {}
            documents: list[dict[str, Any]] = [dict(r.document) for r in reports]
            return [Shown(d, {k["key"]: found.get((d["team"], k["key"]), {}) for k in d["kpis"]}) for d in documents]
        return [
            Shown(team_document(r), {k.kpi_key: k.details for k in score_records(r)[2]})
            for r in self._as_of(team, as_of or "", when)
        ]

    def _as_of(self, team: str | None, as_of: str, when: When) -> list[TeamResult]:
        mappings = self.mappings()
        key = (team, as_of, id(mappings), *self._newest_run())
        with self._lock:
            kept = self._evaluated.get(key)
            if kept is not None and kept[0] is mappings:
                self._evaluated.move_to_end(key)
                return kept[1]
        teams = [t for t in mappings if team is None or t.team.name == team]
        results = evaluate_as_of(self.store, teams, when, self._load)
        with self._lock:
            self._evaluated[key] = (mappings, results)
            while len(self._evaluated) > KEPT_EVALUATIONS:
                self._evaluated.popitem(last=False)
        return results

    def _load(
        self, store: Store, team: TeamMapping, latest: Basis, site: SiteDictionary, answers: JiraAnswers
    ) -> StoredTeam:
        """:meth:`StoredTeam.load` from the kept histories, brought up to date after each run."""
        return self._kept.at(self._newest_run())(store, team, latest, site, answers)

    def warm(self, stop: threading.Event) -> None:
        """Read every mapped team's histories (after a run, only the issues it changed) and evaluate
        the team once, so the calculators' indexes are built before a past date is asked for; the
        teams not read yet when ``stop`` is set are left to the pages."""
        generation = self._newest_run()
        if generation == self._warmed:
            return
        try:
            mappings = self.mappings()
        except MappingError:
            return
        self._kept.forget({t.team.name for t in mappings})
        for team in mappings:
            if stop.is_set():
                return
            try:
                latest, site = newest_basis(self.store, team.team.name)
            except AsOfError:
                continue
            self._load(self.store, team, latest, site, latest.answers).evaluate(self.clock(), latest.answers)
        self._warmed = generation

    def previous(self, team: str, cycle: str) -> Earlier | None:
        """The cycle before ``cycle`` in ``team``'s mapping (the one that ended last before it began,
        :func:`previous_cycle`) with its stored daily series; None when the mapping names none."""
        mapping = self._mapping(team)
        cycles = (mapping.cycle, *mapping.past_cycles) if mapping is not None else ()
        shown = next((c for c in cycles if c.name == cycle), None)
        before = previous_cycle(mapping.model_copy(update={"cycle": shown})) if mapping and shown else None
        if shown is None or before is None:
            return None
        start = before.cycle.start
        return Earlier(before.cycle.name, start - shown.start, self.daily(team, before.cycle.name))

    def cycle_names(self, team: str) -> tuple[str | None, str | None]:
        """The names of ``team``'s current cycle and of the one before it (None where its mapping has none)."""
        mapping = self._mapping(team)
        before = previous_cycle(mapping) if mapping is not None else None
        return (mapping.cycle.name if mapping else None), (before.cycle.name if before else None)

    def _mapping(self, team: str) -> TeamMapping | None:
        return next((t for t in self._valid_mappings() if t.team.name == team), None)

    def past_cycles(self) -> list[tuple[str, date]]:
        """Every mapped team's ``[[past_cycle]]`` as (name, last day), latest first, each name once."""
        ends = {c.name: c.end for t in self._valid_mappings() for c in t.past_cycles}
        return sorted(ends.items(), key=lambda item: (item[1], item[0]), reverse=True)

    def _valid_mappings(self) -> tuple[TeamMapping, ...]:
        try:
            return self.mappings()
        except MappingError:
            return ()

    def histories_kept(self) -> int:
        """How many issues' histories are kept for past dates, over every team."""
        return self._kept.issues()

    def daily(self, team: str, cycle: str, until: date | None = None) -> dict[str, list[DailyPoint]]:
        """``team``'s stored daily series of ``cycle`` up to ``until`` (else every day), by series."""
        by_series: dict[str, list[DailyPoint]] = {}
        for point in self.store.daily_points(team, cycle):
            if until is None or point.day <= until:
                by_series.setdefault(point.series, []).append(point)
        return by_series

    def health(self) -> Health:
        """The store's answer to one query: the newest run."""
        try:
            runs = self.store.runs(limit=1)
        except KpiokrError as error:
            return Health(store=False, error=str(error))
        if not runs:
            return Health(store=True)
        run = runs[0]
        age = (self.clock() - (run.finished_at or run.started_at)).total_seconds()
        return Health(True, run.id, run.status, round(age, 1), run.error)
