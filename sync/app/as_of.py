"""Scores as of any date, from the store alone: no request to Jira, nothing written.

Every objective, key result and KPI is computed again from the stored histories at the instant
asked for. What only Jira could say (which epics are objectives, which issues a query selects,
how many issues a query counts) is read from the report recorded at or before that instant
(:mod:`sync.app.evaluation_basis`); a count recorded only after it is not used, so such a key result
says it has no value. The site's vocabulary (statuses, the sprint and estimate fields, the time
zone) is the newest recorded, as the histories are.

A day means the end of that day in the team's time zone; a cycle, the end of its last day with
that cycle's dates (the mapping's ``[cycle]`` or one of its ``[[past_cycle]]`` tables); an instant
with an offset is taken as given. The cycle of a day or an instant is the mapping's cycle holding
it, else the current one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from kpiokr.kpi import TeamData
from sync.app.evaluate import IssueIndex, evaluate_team
from sync.app.evaluation_basis import Basis, JiraAnswers
from sync.app.history_cache import HistoryCache
from sync.app.results import TeamResult
from sync.errors import KpiokrError
from sync.jira import BoardConfig, SiteDictionary, to_sprint
from sync.mapping import TeamMapping, build_cycle, team_timezone
from sync.store import Store

_LAST_INSTANT = timedelta(microseconds=1)


class AsOfError(KpiokrError):
    """An as-of date or cycle that cannot be used; the message says the fix."""


@dataclass(frozen=True)
class When:
    """The instant a report is asked for: ``instant`` as given, the end of ``day``, or the end of
    ``cycle`` (by name); nothing: the newest stored report."""

    instant: datetime | None = None
    day: date | None = None
    cycle: str | None = None

    @classmethod
    def parse(cls, as_of: str | None, cycle: str | None) -> When:
        """Read ``--as-of`` (``2026-09-30`` or ``2026-09-30T18:00+02:00``) and ``--cycle``."""
        if as_of is not None and cycle is not None:
            raise AsOfError("give --as-of or --cycle, not both: --cycle already means the end of that cycle's last day")
        if cycle is not None:
            return cls(cycle=cycle)
        if as_of is None:
            return cls()
        try:
            if len(as_of) == len("2026-09-30"):
                return cls(day=date.fromisoformat(as_of))
            instant = datetime.fromisoformat(as_of)
        except ValueError:
            raise AsOfError(
                f"--as-of {as_of!r} is not a date or a date-time: give a day (2026-09-30, meaning its end in the "
                "team's time zone) or an instant with its offset (2026-09-30T18:00+02:00)"
            ) from None
        if instant.tzinfo is None:
            raise AsOfError(
                f"--as-of {as_of!r} has no offset, so it could be any of 24 instants: add one "
                f"({as_of}+00:00 for UTC) or give only the day"
            )
        return cls(instant=instant)

    @property
    def given(self) -> bool:
        """True when an instant, a day or a cycle was asked for."""
        return self.instant is not None or self.day is not None or self.cycle is not None


def scoped(team: TeamMapping, when: When, tz: tzinfo) -> tuple[datetime, TeamMapping]:
    """The instant ``when`` means for ``team``, and the team with the cycle of that instant."""
    cycles = (team.cycle, *team.past_cycles)
    if when.cycle is not None:
        chosen = next((c for c in cycles if c.name == when.cycle), None)
        if chosen is None:
            names = ", ".join(c.name for c in cycles)
            raise AsOfError(
                f"team {team.team.name} has no cycle named {when.cycle!r} (its mapping names {names}): list earlier "
                f"cycles as [[past_cycle]] tables with name, start and end in {team.source.path}"
            )
        moved = team.model_copy(update={"cycle": chosen})
        return build_cycle(moved, tz).end - _LAST_INSTANT, moved
    if when.day is not None:
        instant = datetime.combine(when.day + timedelta(days=1), time(), tzinfo=tz) - _LAST_INSTANT
    elif when.instant is not None:
        instant = when.instant
    else:
        raise AsOfError("an as-of report needs --as-of or --cycle")
    for cycle in cycles:
        moved = team.model_copy(update={"cycle": cycle})
        built = build_cycle(moved, tz)
        if built.start <= instant < built.end:
            return instant, moved
    return instant, team


def evaluate_as_of(
    store: Store, teams: Sequence[TeamMapping], when: When, load: Loader | None = None
) -> list[TeamResult]:
    """Every team's objectives, key results and KPIs at the instant ``when`` means, from ``store``;
    ``load`` reads a team's histories (:meth:`StoredTeam.load` unless given, e.g. one that keeps them)."""
    return [_team_as_of(store, team, when, load or StoredTeam.load) for team in teams]


def _team_as_of(store: Store, team: TeamMapping, when: When, load: Loader) -> TeamResult:
    latest, site = newest_basis(store, team.team.name)
    tz = team_timezone(team, ZoneInfo(latest.timezone or "UTC"))
    instant, team = scoped(team, when, tz)
    answers = answers_at(store, team.team.name, instant, latest.answers)
    return load(store, team, latest, site, answers).evaluate(instant, answers)


def newest_basis(store: Store, team: str) -> tuple[Basis, SiteDictionary]:
    """What the newest report of ``team`` read besides its histories, and the site's vocabulary in it;
    :class:`AsOfError` when there is none."""
    newest = next(iter(store.latest_reports(team)), None)
    latest = Basis.from_document(newest.document.get("basis")) if newest is not None else None
    if latest is None or latest.site is None:
        raise AsOfError(
            f"team {team} has no report recorded by this version of kpiokr, so its site's vocabulary is not in the "
            "store: run `kpiokr sync` once, then ask again"
        )
    return latest, latest.site


@dataclass(frozen=True)
class StoredTeam:
    """A team's stored histories, board and sprints, read once and evaluated at any instant."""

    team: TeamMapping
    latest: Basis
    site: SiteDictionary
    index: IssueIndex
    data: TeamData
    board: BoardConfig | None

    @classmethod
    def load(
        cls, store: Store, team: TeamMapping, latest: Basis, site: SiteDictionary, answers: JiraAnswers
    ) -> StoredTeam:
        """Read ``team``'s histories (with the issues ``answers`` name), board and sprints from ``store``."""
        return cls.over(store, team, latest, site, HistoryCache().index(store, team, site, answers))

    @classmethod
    def over(
        cls, store: Store, team: TeamMapping, latest: Basis, site: SiteDictionary, index: IssueIndex
    ) -> StoredTeam:
        """``team`` over the histories of ``index`` (read already), with its board and sprints from ``store``."""
        tz = team_timezone(team, ZoneInfo(latest.timezone or "UTC"))
        board_id = latest.board_id if latest.board_id is not None else _board_id(team)
        stored = store.board(board_id) if board_id is not None else None
        board = BoardConfig.from_json(stored) if stored else None
        sprints = tuple(to_sprint(raw) for raw in store.sprints(board_id)) if board_id is not None else ()
        done = board.done_status_ids if board and board.done_status_ids else None
        data = TeamData(index.in_projects(team.team.projects), tz, sprints, done)
        return cls(team, latest, site, index, data, board)

    def evaluate(self, instant: datetime, answers: JiraAnswers) -> TeamResult:
        """The team's objectives, key results and KPIs at ``instant``, with Jira's ``answers`` of then."""
        return evaluate_team(self.team, self.index, self.data, answers, instant, site=self.site, board=self.board)


#: Reads a team's histories, board and sprints: :meth:`StoredTeam.load`'s signature.
Loader = Callable[[Store, TeamMapping, Basis, SiteDictionary, JiraAnswers], StoredTeam]


def answers_at(store: Store, team: str, instant: datetime, latest: JiraAnswers) -> JiraAnswers:
    """Jira's answers as recorded at or before ``instant`` (else first recorded after it, without
    its counts, which are only good for their own instant)."""
    record = store.report_near(team, instant)
    if record is None or "basis" not in record.document:
        return JiraAnswers(latest.objective_keys, latest.key_result_keys, latest.kpi_matches)
    near = Basis.from_document(record.document["basis"]).answers
    counts = near.query_counts if record.as_of <= instant else {}
    return JiraAnswers(near.objective_keys, near.key_result_keys, {**latest.kpi_matches, **near.kpi_matches}, counts)


def _board_id(team: TeamMapping) -> int | None:
    board = team.team.board
    return board if isinstance(board, int) else None
