"""What one pass did, for the command line and the run record."""

from __future__ import annotations

from dataclasses import dataclass, field

from sync.app.properties.build import DesiredProperty
from sync.app.results import TeamResult
from sync.app.writeback import IssueWrite, WriteOutcome


@dataclass
class RunSummary:
    """What one pass did, for the CLI and the run record.

    ``failed_teams`` maps each team skipped for a fault of its own (a JQL Jira rejects, a board
    that is gone, a field the site lacks) to the message naming its mapping file and line; the
    run is then ``partial``. ``missing_score_fields`` holds one message per score field a team
    writes that the site lacks: those scores were not written. ``writeback_disabled`` says the
    planned writes were not sent because ``writeback.enabled`` is false. ``planned_properties`` are the
    property documents Jira lacks (sent unless a dry run or write-back is disabled); of those sent,
    ``written_properties`` Jira took, ``refused_properties`` it refused and ``unconfirmed_properties``
    it was still setting when the pass ended (the next pass checks them).
    """

    run_id: int
    kind: str
    fetched: int = 0
    changed_keys: set[str] = field(default_factory=set)
    planned: list[IssueWrite] = field(default_factory=list)
    outcomes: list[WriteOutcome] = field(default_factory=list)
    planned_properties: list[DesiredProperty] = field(default_factory=list)
    written_properties: list[DesiredProperty] = field(default_factory=list)
    refused_properties: list[DesiredProperty] = field(default_factory=list)
    unconfirmed_properties: list[DesiredProperty] = field(default_factory=list)
    results: list[TeamResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    failed_teams: dict[str, str] = field(default_factory=dict)
    missing_score_fields: list[str] = field(default_factory=list)
    writeback_disabled: bool = False
    forgotten: int = 0
    requests: int = 0
    seconds: float = 0.0

    @property
    def fields_written(self) -> int:
        """How many score-field values Jira took."""
        return sum(len(o.write.fields) for o in self.outcomes if o.ok)

    @property
    def properties_written(self) -> int:
        """How many property documents Jira took."""
        return len(self.written_properties)

    @property
    def properties_rejected(self) -> int:
        """How many property documents Jira refused."""
        return len(self.refused_properties)

    @property
    def status(self) -> str:
        """``partial`` when a team was skipped, else ``ok``."""
        return "partial" if self.failed_teams else "ok"

    @property
    def ok(self) -> bool:
        """True when every team was synced and every score and property document it computed could be written."""
        return (
            not self.failed_teams
            and not self.missing_score_fields
            and not self.properties_rejected
            and all(o.ok for o in self.outcomes)
        )

    @property
    def counts(self) -> dict[str, int]:
        """The figures kept in the run record."""
        return {
            "fetched": self.fetched,
            "writes_planned": sum(len(w.fields) for w in self.planned),
            "issues_written": sum(1 for o in self.outcomes if o.ok),
            "issues_rejected": sum(1 for o in self.outcomes if not o.ok),
            "properties_planned": len(self.planned_properties),
            "properties_written": self.properties_written,
            "properties_rejected": self.properties_rejected,
            "requests": self.requests,
            "teams": len(self.results),
            "teams_failed": len(self.failed_teams),
            "issues_forgotten": self.forgotten,
        }

    def log_fields(self, outcome: str | None = None) -> dict[str, object]:
        """The fields of the pass's log line (JSON logs): its run, kind, ``outcome`` (else :attr:`status`),
        duration and counts."""
        return {
            "event": "pass",
            "run_id": self.run_id,
            "kind": self.kind,
            "outcome": outcome or self.status,
            "duration_seconds": round(self.seconds, 3),
            **self.counts,
        }

    def fail_team(self, team: str, message: str) -> None:
        """Record that ``team`` was skipped, and why."""
        self.failed_teams.setdefault(team, message)
