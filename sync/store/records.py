"""The plain, frozen records the store takes and returns (never ORM rows)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

RunKind = Literal["sync", "full", "reconcile", "dry-run"]
RunStatus = Literal["running", "ok", "failed", "abandoned"]
Outcome = Literal["pending", "written", "skipped", "failed"]

RUN_KINDS: frozenset[str] = frozenset({"sync", "full", "reconcile", "dry-run", "review"})
RUN_STATUSES: frozenset[str] = frozenset({"running", "ok", "partial", "failed", "abandoned"})
OUTCOMES: frozenset[str] = frozenset({"pending", "written", "skipped", "failed"})


@dataclass(frozen=True, slots=True)
class ObjectiveScoreRecord:
    """An objective's score at ``as_of``; ``run_id`` is filled in on the way out."""

    objective_key: str
    cycle: str
    as_of: datetime
    score: float
    expected: float
    status: str
    summary: str
    reasons: tuple[str, ...] = ()
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class KeyResultScoreRecord:
    """A key result's score (``None``: not measurable yet) at ``as_of``."""

    objective_key: str
    kr_key: str
    as_of: datetime
    score: float | None
    progress: str
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class KpiValueRecord:
    """A team's KPI value at ``as_of``, its status and trend, and free-form JSON details."""

    team: str
    kpi_key: str
    as_of: datetime
    value: float | None
    status: str
    trend: str
    details: Mapping[str, object] = field(default_factory=dict, hash=False)
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class SiteFact:
    """A fact the Jira site stated about itself (plain JSON), and when it was read (Jira's clock)."""

    name: str
    value: object = field(hash=False)
    read_at: datetime


@dataclass(frozen=True, slots=True)
class TeamReportRecord:
    """A team's report document (plain JSON) as computed at ``as_of``."""

    team: str
    as_of: datetime
    document: Mapping[str, object] = field(hash=False)
    run_id: int | None = None


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One value written (or skipped, or failed) into one Jira field, with the reason when not written.

    ``pending``: the write was about to be sent and its answer is not recorded yet; a pass settles
    pending entries left by a killed process against what Jira holds. ``field_name`` is the name
    the field had when kpiokr wrote it (``None`` in entries from before the store kept it).
    """

    run_id: int | None
    issue_key: str
    field_id: str
    value: object
    written_at: datetime
    outcome: Outcome
    reason: str | None = None
    field_name: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"ledger outcome must be one of {sorted(OUTCOMES)}, got {self.outcome!r}")

    @property
    def text(self) -> str:
        """``written``, ``pending``, ``skipped: <reason>`` or ``failed: <reason>``."""
        return f"{self.outcome}: {self.reason}" if self.reason else self.outcome


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One daemon pass, as recorded."""

    id: int
    kind: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    owner: str | None
    counts: Mapping[str, int] = field(default_factory=dict, hash=False)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class LockInfo:
    """Who holds a store lock, since when, and until when unless refreshed."""

    name: str
    owner: str
    acquired_at: datetime
    expires_at: datetime
