"""A reproducible site: three teams, six months of sprints, support tickets, OKR epics and KRs.

Every issue is simulated from its creation to the site's ``now`` as a list of timed events; the
events go through :func:`jira_sandbox.edits.apply_changes`, so current values always equal the
changelog replayed. The same ``seed``, ``issues`` and ``now`` give the same site, byte for byte.
"""

from __future__ import annotations

import gc
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from jira_sandbox.catalog import DONE, IN_PROGRESS, IN_REVIEW, REOPENED, TODO
from jira_sandbox.edits import apply_changes
from jira_sandbox.lifecycle import (
    DAY,
    HOUR,
    OBJECTIVES,
    PROBLEMS,
    RES,
    SPRINT_DAYS,
    THINGS,
    TYPE,
    VERBS,
    Event,
    Lifecycles,
)
from jira_sandbox.model import Board, Issue, Sprint
from jira_sandbox.site import Site


@dataclass(frozen=True)
class Team:
    """One team: a project and its board ("scrum" or "kanban"); ``share`` of the issues."""

    key: str
    name: str
    board: str
    share: float


DEFAULT_TEAMS = (
    Team("MOB", "Mobile App", "scrum", 0.4),
    Team("SUP", "Customer Support", "kanban", 0.25),
    Team("WEB", "Web Platform", "scrum", 0.35),
)


def generate_site(
    seed: int = 1,
    issues: int = 600,
    now: datetime | None = None,
    teams: Sequence[Team] = DEFAULT_TEAMS,
    *,
    time_zone: str = "Europe/Berlin",
    bot_time_zone: str = "America/New_York",
    days: int = 182,
) -> Site:
    """Build a site with about ``issues`` issues created over ``days`` days before ``now``."""
    now = now or datetime.now(UTC)
    site = Site(time_zone=time_zone, now=now, bot_time_zone=bot_time_zone)
    enabled = gc.isenabled()
    gc.disable()  # millions of small objects, no cycles: collecting while building only costs time
    try:
        _Generator(site, random.Random(seed), int(now.timestamp() * 1000), days).run(teams, issues)
    finally:
        if enabled:
            gc.enable()
    return site


#: Bug and incident priorities, Highest to Lowest, by cumulative share in percent.
PRIORITY_SHARES = (("1", 5), ("2", 25), ("3", 75), ("4", 95), ("5", 100))


def _priority(issue_id: int) -> str:
    """A bug's priority, drawn from its id (a stream of its own, so the rest of the site is unchanged)."""
    bucket = ((issue_id * 2654435761) >> 8) % 100
    return next(priority for priority, share in PRIORITY_SHARES if bucket < share)


class _Generator(Lifecycles):
    def __init__(self, site: Site, rng: random.Random, now_ms: int, days: int) -> None:
        self.site, self.rng, self.now, self.start = site, rng, now_ms, now_ms - days * DAY
        self.tz = ZoneInfo(site.time_zone)
        self.members: dict[str, list[str]] = {}
        self.sprints: dict[str, list[Sprint]] = {}
        self.epics: dict[str, list[Issue]] = {}
        self.okr: dict[str, list[tuple[Issue, tuple[str, str, float, float, int]]]] = {}
        self.recent: dict[str, list[Issue]] = {}

    # --- structure ----------------------------------------------------------------------------

    def run(self, teams: Sequence[Team], total: int) -> None:
        people = [u.key for u in self.site.users.values() if u.token is None]
        specs: list[tuple[int, str, str]] = []
        for n, team in enumerate(teams):
            self.members[team.key] = [people[(5 * n + i) % len(people)] for i in range(5)]
            self.site.add_project(team.key, team.name, self.members[team.key][0])
            self._board(n + 1, team)
            specs.extend(self._specs(team, round(total * team.share / sum(t.share for t in teams))))
        specs.sort()
        counters = dict.fromkeys(self.members, 0)
        for ms, team_key, kind in specs:
            counters[team_key] += 1
            self._issue(ms, team_key, kind, counters[team_key])
        self._number_histories()

    def _board(self, board_id: int, team: Team) -> None:
        scrum = team.board == "scrum"
        columns: tuple[tuple[str, tuple[str, ...]], ...] = (
            ("To Do", (TODO, REOPENED)),
            ("In Progress", (IN_PROGRESS,)),
            ("In Review", (IN_REVIEW,)),
            ("Done", (DONE,)),
        )
        if not scrum:
            columns = (columns[0], ("In Progress", (IN_PROGRESS, IN_REVIEW)), columns[3])
        self.site.boards[board_id] = Board(board_id, f"{team.key} board", team.board, team.key, columns)
        self.sprints[team.key] = []
        if not scrum:
            return
        local = datetime.fromtimestamp(self.start / 1000, self.tz).replace(hour=9, minute=0, second=0, microsecond=0)
        begin = int((local - timedelta(days=local.weekday())).timestamp() * 1000)
        number, future = 1, 0
        while future < 2:
            start, end = begin + (number - 1) * SPRINT_DAYS * DAY, begin + number * SPRINT_DAYS * DAY
            done = end + self._between(HOUR, 5 * HOUR)
            state = "closed" if done <= self.now else "active" if start <= self.now else "future"
            future += state == "future"
            sid = len(self.site.sprints) + 1
            sprint = Sprint(
                sid,
                board_id,
                f"{team.key} Sprint {number}",
                state,
                start if state != "future" else None,
                end if state != "future" else None,
                done if state == "closed" else None,
                start - 3 * DAY,
                self._pick(("", "", f"Ship {self._pick(THINGS)}")),
            )
            self.site.sprints[sid] = sprint
            self.sprints[team.key].append(sprint)
            number += 1

    def _specs(self, team: Team, count: int) -> list[tuple[int, str, str]]:
        out: list[tuple[int, str, str]] = []
        if team.board == "scrum":
            for i in range(self._pick((3, 4))):
                out.append((self.start + self._between(12 * DAY), team.key, f"okr:{i}"))
                for _ in range(self._pick((1, 2, 3))):
                    out.append((self.start + self._between(14 * DAY, 30 * DAY), team.key, "kr"))
            out += [(self.start + self._between(40 * DAY), team.key, "epic") for _ in range(self._pick((1, 2)))]
            kinds = ("Story",) * 50 + ("Task",) * 15 + ("Bug",) * 17 + ("Sub-task",) * 18
        else:
            kinds = ("Bug",) * 50 + ("Incident",) * 30 + ("Task",) * 20
        span = self.now - self.start - HOUR
        out += [(self.start + self._between(span), team.key, self._pick(kinds)) for _ in range(count - len(out))]
        return out

    # --- one issue ---------------------------------------------------------------------------

    def _issue(self, ms: int, team: str, kind: str, num: int) -> None:
        rng, site, members = self.rng, self.site, self.members[team]
        reporter = members[0] if kind.startswith(("okr", "epic", "kr")) else self._pick([*members, "pm"])
        itype = "Epic" if kind.startswith(("okr", "epic")) else "Task" if kind == "kr" else kind
        parent = None
        if itype == "Sub-task":
            pool = [i for i in self.recent.get(team, ())[-40:] if i.values["status"] != DONE]
            parent = self._pick(pool) if pool else None
            itype = "Sub-task" if parent else "Task"
        issue_id = site.next_issue_id
        site.next_issue_id += 1
        values: dict[str, Any] = {
            "summary": self._summary(itype, kind),
            "issuetype": TYPE[itype],
            "project": team,
            "status": TODO,
            "priority": "3",
            "reporter": reporter,
            "creator": reporter,
            "rank": f"0|i{issue_id:05x}:",
            "created": (ms, site.users[reporter].time_zone),
        }
        values["updated"] = values["statuscategorychangedate"] = values["created"]
        if itype in ("Bug", "Incident"):
            values["priority"] = _priority(issue_id)
        if rng.random() < 0.3:
            values["description"] = f"As a user I want {self._pick(THINGS)} to work reliably.\nSee the spec."
        if parent is not None:
            values["parent"] = parent.id
            parent.subtasks.append(issue_id)
        issue = site.add_issue(Issue(issue_id, f"{team}-{num}", team, values))
        events: list[Event] = []
        if itype == "Epic":
            self._epic(issue, kind, events)
        elif kind == "kr":
            self._key_result(issue, team, events)
        elif self.sprints[team] and itype != "Sub-task":
            self._scrum(issue, team, itype, events)
        else:
            self._flow(issue, team, itype, events)
        self._noise(issue, team, events)
        events.sort(key=lambda e: e[0])
        for when, author, changes, extra in events:
            if when <= self.now:
                apply_changes(site, issue, changes, author, when, extra=extra)
        if itype in ("Story", "Task", "Bug") and self.sprints[team]:
            self.recent.setdefault(team, []).append(issue)

    def _summary(self, itype: str, kind: str) -> str:
        if kind.startswith("okr"):
            return OBJECTIVES[int(kind[4:]) % len(OBJECTIVES)][0]
        if itype == "Epic":
            return f"{self._pick(VERBS)} {self._pick(THINGS)} platform"
        if itype in ("Bug", "Incident"):
            return f"App {self._pick(PROBLEMS)} {self._pick(THINGS)}"
        return f"{self._pick(VERBS)} {self._pick(THINGS)}"

    def _epic(self, issue: Issue, kind: str, events: list[Event]) -> None:
        rng, v, owner = self.rng, issue.values, issue.values["reporter"]
        v["epic_name"] = v["summary"]
        created = v["created"][0]
        if kind.startswith("okr"):
            self.okr.setdefault(issue.project, []).append((issue, OBJECTIVES[int(kind[4:]) % len(OBJECTIVES)]))
            if rng.random() < 0.7:
                v["labels"] = ("okr",)
            else:
                events.append((created + self._between(DAY, 10 * DAY), owner, {"labels": ("okr",)}, ()))
        self.epics.setdefault(issue.project, []).append(issue)
        events.append((created + self._between(2 * DAY, 9 * DAY), owner, {"status": IN_PROGRESS}, ()))
        if not kind.startswith("okr") and rng.random() < 0.5:
            events.append(
                (self.now - self._between(DAY, 40 * DAY), owner, {"status": DONE, "resolution": RES["Done"]}, ())
            )

    def _key_result(self, issue: Issue, team: str, events: list[Event]) -> None:
        rng, v = self.rng, issue.values
        epic, objective = self._pick(self.okr[team])
        name, metric, base, step, decimals = objective
        title = self.site.fields[metric].name
        v["summary"], v["epic_link"], v["labels"] = f"KR: raise {title.lower()} ({name})", epic.id, ("kr",)
        value = round(base * rng.uniform(0.9, 1.1), decimals)
        v[metric] = value
        t = v["created"][0] + self._between(DAY, 6 * DAY)
        events.append((t, self.members[team][0], {"status": IN_PROGRESS}, ()))
        while t < self.now:
            t += 7 * DAY + self._between(-DAY, DAY)
            value = round(value + rng.gauss(step, step * 0.8), decimals)
            events.append((t, "pm" if rng.random() < 0.7 else self.members[team][0], {metric: value}, ()))

    def _number_histories(self) -> None:
        """Give histories ids that grow with time across the whole site, as Jira's do."""
        flat = [h for issue in self.site.issues for h in issue.histories]
        flat.sort(key=lambda h: h.ms)
        for n, h in enumerate(flat):
            h.id = 10000 + n
        self.site.next_history_id = 10000 + len(flat)
