"""The report documents the dashboard shows: each team's newest from the store, or, for a date,
computed from the stored histories by the as-of evaluation; Jira is never asked."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sync.app.as_of import When, evaluate_as_of
from sync.app.results import team_document
from sync.errors import KpiokrError
from sync.mapping import MappingError, load_mappings
from sync.store import Store


@dataclass(frozen=True)
class Health:
    """Whether the store answers, and its newest run's outcome and age in seconds."""

    store: bool
    run_id: int | None = None
    status: str | None = None
    age_seconds: float | None = None
    error: str | None = None


@dataclass
class Reports:
    """The store and the mapping files, read for each request."""

    store: Store
    mapping_paths: Sequence[Path]
    clock: Callable[[], datetime]

    def teams(self) -> list[str]:
        """Every team with a mapping file or a stored report, by name."""
        mapped = {t.team.name for t in load_mappings(self.mapping_paths).teams}
        return sorted(mapped | {r.team for r in self.store.latest_reports()})

    def documents(self, team: str | None, as_of: str | None) -> list[dict[str, Any]] | None:
        """The report documents of ``team`` (else of every team): the newest stored, or as of the
        end of the day ``as_of`` names (or the instant, with its offset), as ``kpiokr report`` gives
        them; None when no mapping file or stored report knows ``team``."""
        if team is not None and team not in self.teams():
            return None
        when = When.parse(as_of, None)
        if not when.given:
            return [dict(r.document) for r in self.store.latest_reports(team)]
        loaded = load_mappings(self.mapping_paths)
        if loaded.errors:
            raise MappingError(loaded.errors)
        teams = [t for t in loaded.teams if team is None or t.team.name == team]
        return [team_document(r) for r in evaluate_as_of(self.store, teams, when)]

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
