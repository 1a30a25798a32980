"""How work happens in the generated site: Scrum items through sprints, Kanban tickets, noise.

A mixin of :class:`jira_sandbox.seed._Generator`: each method appends timed events for one issue;
the generator applies them in time order.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jira_sandbox.catalog import DONE, IN_PROGRESS, IN_REVIEW, REOPENED
from jira_sandbox.edits import RANKED_HIGHER, RANKED_LOWER
from jira_sandbox.model import Issue, Item, Sprint
from jira_sandbox.site import Site

HOUR = 3_600_000
DAY = 24 * HOUR
SPRINT_DAYS = 14
POINTS = (1.0, 2.0, 3.0, 5.0, 8.0, 13.0)
TYPE = {"Epic": "10000", "Story": "10001", "Task": "10002", "Sub-task": "10003", "Bug": "10004", "Incident": "10005"}
RES = {"Done": "10000", "Fixed": "1", "Won't Do": "10001", "Duplicate": "3", "Cannot Reproduce": "5"}
OBJECTIVES = (
    ("Grow mobile adoption", "customfield_10030", 12000.0, 1500.0, 0),
    ("Delight our users", "customfield_10031", 3.6, 0.05, 2),
    ("Win the SMB market", "customfield_10032", 8.0, 0.25, 1),
    ("Raise engineering quality", "customfield_10033", 55.0, 0.9, 1),
)
THINGS = (
    "login",
    "checkout",
    "search",
    "push notifications",
    "profile page",
    "onboarding",
    "settings",
    "dark mode",
    "offline sync",
    "payments",
    "dashboard",
    "export",
    "invoice PDF",
    "SSO",
    "password reset",
    "image upload",
)
VERBS = ("Add", "Improve", "Refactor", "Redesign", "Speed up", "Localise", "Instrument", "Simplify", "Support")
PROBLEMS = ("crashes on", "is slow on", "shows wrong totals in", "times out in", "loses data in", "fails on")
Event = tuple[int, str, dict[str, Any], tuple[Item, ...]]
ObjectiveSpec = tuple[str, str, float, float, int]


class Lifecycles:
    """Event generators for one issue at a time; state lives on the generator."""

    site: Site
    rng: random.Random
    now: int
    tz: ZoneInfo
    members: dict[str, list[str]]
    sprints: dict[str, list[Sprint]]
    epics: dict[str, list[Issue]]
    okr: dict[str, list[tuple[Issue, ObjectiveSpec]]]

    def _between(self, lo: int, hi: int | None = None) -> int:
        """Like ``randrange`` (one or two arguments), faster."""
        if hi is None:
            lo, hi = 0, lo
        return lo + int(self.rng.random() * (hi - lo))

    def _pick(self, seq: Sequence[Any]) -> Any:
        """Like ``choice``, faster."""
        return seq[int(self.rng.random() * len(seq))]

    def _date(self, ms: int) -> str:
        return datetime.fromtimestamp(ms / 1000, self.tz).date().isoformat()

    def _scrum(self, issue: Issue, team: str, itype: str, events: list[Event]) -> None:
        rng, v, po = self.rng, issue.values, self.members[team][0]
        created = v["created"][0]
        if itype == "Bug":
            v["priority"] = self._pick("12333344")
        if rng.random() < 0.4:
            v["story_points"] = self._pick(POINTS)
        if rng.random() < 0.3:
            v["timeoriginalestimate"] = v["timeestimate"] = self._pick((2, 4, 8, 16, 24)) * 3600
        if rng.random() < 0.15:
            v["duedate"] = self._date(created + self._between(14 * DAY, 45 * DAY))
        self._epic_link(issue, team, created, events)
        sprints = self.sprints[team]
        plan = created + int(rng.expovariate(1 / (5 * DAY)))
        idx = next((i for i, s in enumerate(sprints) if (s.end_ms or 2**62) > plan), None)
        if idx is None or rng.random() < 0.12:
            if rng.random() < 0.3:
                events.append((plan + 20 * DAY, po, {"status": DONE, "resolution": RES["Won't Do"]}, ()))
            return
        sprint = sprints[idx]
        if sprint.start_ms is not None and plan > sprint.start_ms and rng.random() > 0.25 and idx + 1 < len(sprints):
            idx, sprint = idx + 1, sprints[idx + 1]
        if sprint.start_ms is None:
            events.append((plan, po, {"sprint": (sprint.id,)}, ()))
            return
        plan = max(plan, sprint.start_ms - self._between(2 * DAY)) if plan <= sprint.start_ms else plan
        plan_changes: dict[str, Any] = {"sprint": (sprint.id,)}
        if "story_points" not in v and rng.random() < 0.85:
            plan_changes["story_points"] = self._pick(POINTS)
        events.append((plan, po, plan_changes, ()))
        begin = max(plan, sprint.start_ms)
        if rng.random() < 0.08:
            out = begin + self._between(max(1, (sprint.end_ms or begin + DAY) - begin))
            events.append((out, po, {"sprint": None}, ()))
            return
        self._work(issue, team, itype, (idx, begin, plan_changes), events)

    def _work(
        self, issue: Issue, team: str, itype: str, plan: tuple[int, int, dict[str, Any]], events: list[Event]
    ) -> None:
        """Estimate changes, work, review, done, sprint carry-over and reopening of a planned item."""
        rng, v, members, po, sprints = (
            self.rng,
            issue.values,
            self.members[team],
            self.members[team][0],
            self.sprints[team],
        )
        idx, begin, planned = plan
        sprint = sprints[idx]
        if rng.random() < 0.12:
            points = v.get("story_points") or planned.get("story_points") or 3.0
            change = {"story_points": self._pick([p for p in POINTS if p != points])}
            events.append((begin + self._between(DAY, 8 * DAY), self._pick(members), change, ()))
        dev = self._pick(members[1:])
        work = begin + int(rng.expovariate(1 / (2 * DAY)))
        review = work + int(rng.lognormvariate(0.6, 0.8) * DAY)
        done = review + int(rng.lognormvariate(-0.5, 0.7) * DAY)
        events.append((work, dev, {"status": IN_PROGRESS, "assignee": dev}, ()))
        events.append((review, dev, {"status": IN_REVIEW}, ()))
        if rng.random() < 0.25:
            back = review + self._between(2 * HOUR, DAY)
            events.append((back, self._pick(members), {"status": IN_PROGRESS}, ()))
            events.append((back + self._between(HOUR, DAY), dev, {"status": IN_REVIEW}, ()))
            done += DAY
        resolution = RES["Done"] if itype != "Bug" else RES[self._pick(("Fixed",) * 7 + ("Done",))]
        closing: dict[str, Any] = {"status": DONE, "resolution": resolution}
        if "timeoriginalestimate" in v:
            spent = int(v["timeoriginalestimate"] * rng.uniform(0.5, 1.8)) // 60 * 60
            closing |= {"timespent": spent, "timeestimate": max(0, v["timeoriginalestimate"] - spent)}
        events.append((done, dev, closing, ()))
        carried = [sprint.id]
        while sprint.complete_ms is not None and done > sprint.complete_ms and idx + 1 < len(sprints):
            idx, nxt = idx + 1, sprints[idx + 1]
            carried.append(nxt.id)
            events.append((sprint.complete_ms, po, {"sprint": tuple(carried)}, ()))
            sprint = nxt
        if itype == "Bug" and rng.random() < 0.15:
            self._reopen(done, dev, events)

    def _flow(self, issue: Issue, team: str, itype: str, events: list[Event]) -> None:
        rng, v, members = self.rng, issue.values, self.members[team]
        created = v["created"][0]
        if itype != "Sub-task":
            v["priority"] = self._pick("1222233333333334444455")
            urgency = int(v["priority"])
            if rng.random() < 0.7:
                v["duedate"] = self._date(created + (0, 1, 3, 7, 14, 30)[urgency] * DAY)
        agent = self._pick(members)
        events.append((created + self._between(10 * 60_000, 4 * HOUR), members[0], {"assignee": agent}, ()))
        if rng.random() < 0.15 and itype != "Sub-task":
            why = self._pick(("Duplicate", "Won't Do", "Cannot Reproduce"))
            events.append(
                (created + int(rng.lognormvariate(0, 1) * DAY), agent, {"status": DONE, "resolution": RES[why]}, ())
            )
            return
        urgency = int(v.get("priority", "3"))
        start = created + int((1, 1, 6, 24, 72, 120)[urgency] * HOUR * rng.lognormvariate(0, 0.8))
        done = start + int(rng.lognormvariate(0, 1.3) * DAY)
        events.append((start, agent, {"status": IN_PROGRESS}, ()))
        if itype != "Sub-task" and rng.random() < 0.1:
            events.append((start + self._between(HOUR, DAY), members[0], {"priority": str(max(1, urgency - 1))}, ()))
        events.append((done, agent, {"status": DONE, "resolution": RES["Fixed" if itype != "Task" else "Done"]}, ()))
        if itype in ("Bug", "Incident") and rng.random() < 0.1:
            self._reopen(done, agent, events)

    def _reopen(self, done: int, dev: str, events: list[Event]) -> None:
        rng = self.rng
        back = done + int(rng.expovariate(1 / (4 * DAY))) + HOUR
        events.append((back, "pm", {"status": REOPENED, "resolution": None}, ()))
        again = back + int(rng.lognormvariate(0, 0.8) * DAY)
        events.append((again, dev, {"status": IN_PROGRESS}, ()))
        events.append(
            (again + int(rng.lognormvariate(0, 0.8) * DAY), dev, {"status": DONE, "resolution": RES["Fixed"]}, ())
        )

    def _epic_link(self, issue: Issue, team: str, created: int, events: list[Event]) -> None:
        rng = self.rng
        epics = [e for e in self.epics.get(team, ()) if e.values["created"][0] < created]
        if not epics or rng.random() > 0.35:
            return
        okr = [e for e in epics if "okr" in e.values.get("labels", ()) or e in self._okr_epics(team)]
        epic = self._pick(okr if okr and rng.random() < 0.7 else epics)
        if rng.random() < 0.5:
            issue.values["epic_link"] = epic.id
        else:
            events.append((created + self._between(HOUR, 3 * DAY), self.members[team][0], {"epic_link": epic.id}, ()))

    def _okr_epics(self, team: str) -> list[Issue]:
        return [epic for epic, _ in self.okr.get(team, ())]

    def _noise(self, issue: Issue, team: str, events: list[Event]) -> None:
        rng, members, created = self.rng, self.members[team], issue.values["created"][0]
        life = max(HOUR, max((e[0] for e in events), default=created + 5 * DAY) - created)
        moves = 100 + self._between(60) if rng.random() < 0.01 else int(rng.expovariate(1 / 5.0))
        for _ in range(moves):
            item = RANKED_HIGHER if rng.random() < 0.6 else RANKED_LOWER
            events.append((created + self._between(life), members[0], {}, (item,)))
        if rng.random() < 0.1 and "labels" not in issue.values and issue.values["issuetype"] != TYPE["Epic"]:
            events.append(
                (
                    created + self._between(life),
                    self._pick(members),
                    {"labels": (self._pick(("ios", "android", "backend", "ux", "customer")),)},
                    (),
                )
            )
        if rng.random() < 0.08:
            events.append(
                (created + self._between(life), self._pick(members), {"summary": issue.values["summary"] + " (v2)"}, ())
            )
