"""Every KPI over 100,000 issues and 1,000,000 changes, each through ``evaluate_kpi``.

Builds a seeded team history in memory with the domain types (two years of two-week sprints;
stories, bugs, tasks and sub-tasks; estimates changing, carry-overs, reopenings, due dates, time
logged), then times building it and evaluating every KPI (4 trend instants each), and prints a
table with the peak memory. Run: ``.venv/bin/python benchmarks/core_kpis.py [--issues N]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from kpiokr.calculators import (
    AgeingWip,
    BudgetVariance,
    CycleTime,
    DefectRatio,
    LeadTime,
    ReopenRate,
    ResolutionTime,
    SayDoRatio,
    ScheduleAdherence,
    ScopeChange,
    SlaAdherence,
    Throughput,
    Velocity,
    Wip,
)
from kpiokr.history import FieldChange, IssueHistory, IssueState, Sprint, Status, StatusCategory
from kpiokr.kpi import Calculator, KpiDefinition, TeamData, Window, evaluate_kpi

SITE = timezone(timedelta(hours=5, minutes=30), "IST")
START = datetime(2024, 1, 1, 9, tzinfo=UTC)
AS_OF = START + timedelta(days=730)
SPRINT = timedelta(days=14)
DAY = timedelta(days=1)

TODO = Status("10000", "To Do", StatusCategory.TODO)
IN_PROGRESS = Status("3", "In Progress", StatusCategory.IN_PROGRESS)
IN_REVIEW = Status("10100", "In Review", StatusCategory.IN_PROGRESS)
DONE = Status("10001", "Done", StatusCategory.DONE)

TYPES = ("Story",) * 45 + ("Bug",) * 25 + ("Task",) * 20 + ("Sub-task",) * 10
PRIORITIES = ("Highest", "High", "Medium", "Medium", "Low")
LABELS = ("customer", "ops", "tech-debt", "security", "ux")
RESOLUTIONS = ("Done",) * 17 + ("Won't Do", "Duplicate", "Cannot Reproduce")
POINTS = (None, 1, 2, 3, 3, 5, 5, 8, 13)


def sprints() -> list[Sprint]:
    """Two-week sprints from START; those ended by AS_OF are closed, the next one is active."""
    result = []
    for k in range(1, 54):
        start = START + (k - 1) * SPRINT
        completed = start + SPRINT if start + SPRINT <= AS_OF else None
        state = "closed" if completed else "active"
        result.append(Sprint(k, f"MOB Sprint {k}", state, 1, start, start + SPRINT, completed))
        if completed is None:
            break
    return result


def sprint_at(instant: datetime) -> int:
    """The id of the sprint running at ``instant``."""
    return (instant - START) // SPRINT + 1


class Issue:
    """Records an issue's changes forward in time, then yields the domain history."""

    def __init__(self, key: str, created: datetime, state: IssueState) -> None:
        self.key, self.created, self.state = key, created, state
        self.events: list[tuple[datetime, str, object]] = []

    def at(self, instant: datetime, field: str, value: object) -> None:
        self.events.append((instant, field, value))

    def history(self, subtask: bool) -> IssueHistory:
        values = {name: getattr(self.state, name) for name in ("status", "resolution", "sprint_ids", "estimate")}
        values.update(due=self.state.due, priority=self.state.priority, labels=self.state.labels)
        values.update(time_spent=self.state.time_spent, issue_type=self.state.issue_type)
        changes = []
        for instant, field, value in sorted(self.events, key=lambda event: event[0]):
            if instant > AS_OF:
                break
            changes.append(FieldChange(instant, field, values[field], value))
            values[field] = value
        current = replace(self.state, **values)  # type: ignore[arg-type]
        return IssueHistory(self.key, self.created, current, tuple(changes), is_subtask=subtask)


def generate(count: int, seed: int = 7) -> list[IssueHistory]:
    """``count`` issues with about ten changes each."""
    rng = random.Random(seed)
    histories = []
    # Keys are handed out in creation order, as Jira does.
    for n, offset in enumerate(sorted(rng.uniform(0, 715 * 86400) for _ in range(count))):
        created = START + timedelta(seconds=offset)
        kind = rng.choice(TYPES)
        due = (created + timedelta(days=rng.randint(5, 40))).date() if rng.random() < 0.3 else None
        state = IssueState(
            issue_type="Sub-task" if kind == "Sub-task" else kind,
            status=TODO,
            estimate=rng.choice(POINTS) if kind == "Story" else None,
            due=due,
            priority=rng.choice(PRIORITIES),
            labels=frozenset(rng.sample(LABELS, rng.randint(0, 2))),
            original_estimate=rng.choice((None, 4.0, 8.0, 16.0)) if kind != "Story" else None,
        )
        issue = Issue(f"MOB-{n + 1}", created, state)
        _live(issue, rng, created, state)
        histories.append(issue.history(kind == "Sub-task"))
    return histories


def _live(issue: Issue, rng: random.Random, created: datetime, state: IssueState) -> None:
    planned = created + timedelta(hours=rng.uniform(1, 120))
    sprint = sprint_at(planned) + (0 if rng.random() < 0.2 else 1)
    sprint_start = START + (sprint - 1) * SPRINT
    issue.at(max(planned, created), "sprint_ids", frozenset({sprint}))
    started = max(sprint_start, planned) + timedelta(hours=rng.uniform(1, 200))
    if state.estimate is not None and rng.random() < 0.4:
        issue.at(started - timedelta(hours=rng.uniform(0, 48)), "estimate", rng.choice(POINTS[1:]))
    reviewed = started + timedelta(hours=rng.uniform(4, 120))
    done = reviewed + timedelta(hours=rng.uniform(1, 72))
    issue.at(started, "status", IN_PROGRESS)
    issue.at(reviewed, "status", IN_REVIEW)
    issue.at(done, "status", DONE)
    issue.at(done, "resolution", rng.choice(RESOLUTIONS))
    if done > sprint_start + SPRINT:
        issue.at(sprint_start + SPRINT, "sprint_ids", frozenset({sprint, sprint + 1}))
    if rng.random() < 0.1:
        back = done + timedelta(hours=rng.uniform(2, 200))
        issue.at(back, "status", IN_PROGRESS)
        issue.at(back, "resolution", None)
        redone = back + timedelta(hours=rng.uniform(2, 100))
        issue.at(redone, "status", DONE)
        issue.at(redone, "resolution", "Done")
    spent = 0.0
    for _ in range(rng.randint(2, 5)):
        spent += rng.choice((0.5, 1.0, 2.0, 4.0))
        issue.at(started + timedelta(hours=rng.uniform(0, 100)), "time_spent", spent)
    if rng.random() < 0.35:
        issue.at(created + timedelta(hours=rng.uniform(1, 300)), "priority", rng.choice(PRIORITIES))
    if rng.random() < 0.35:
        issue.at(created + timedelta(hours=rng.uniform(1, 300)), "labels", frozenset(rng.sample(LABELS, 1)))
    if state.due is not None and rng.random() < 0.3:
        issue.at(created + timedelta(hours=rng.uniform(1, 100)), "due", state.due + timedelta(days=rng.randint(1, 9)))


def definitions() -> list[KpiDefinition]:
    """One KPI of every kind, with windows a team would pick."""
    quarter, month, six = Window(days=90), Window(days=28), Window(sprints=6)
    kpis: list[tuple[str, Calculator, float, float, Window]] = [
        ("velocity", Velocity(), 40, 20, six),
        ("say_do_ratio", SayDoRatio(), 90, 70, six),
        ("scope_change", ScopeChange(), 10, 30, six),
        ("resolution_time", ResolutionTime(statistic="p85", ageing_after_hours=720), 72, 240, quarter),
        ("sla_adherence", SlaAdherence(sla_hours=120), 90, 70, quarter),
        ("schedule_adherence", ScheduleAdherence(), 90, 70, quarter),
        ("cycle_time", CycleTime(issue_types=("Story", "Task")), 3, 8, quarter),
        ("lead_time", LeadTime(statistic="p85"), 10, 30, quarter),
        ("throughput", Throughput(), 40, 20, month),
        ("wip", Wip(), 30, 60, month),
        ("ageing_wip", AgeingWip(age_days=10), 2, 10, month),
        ("reopen_rate", ReopenRate(), 5, 15, quarter),
        ("defect_ratio", DefectRatio(priorities=("Highest", "High", "Medium")), 0.3, 1, quarter),
        ("budget_variance", BudgetVariance(labels=("customer", "ops")), 0, 25, quarter),
    ]
    return [
        KpiDefinition(key, key, calculator, target, threshold, window)
        for key, calculator, target, threshold, window in kpis
    ]


def measure_all(histories: list[IssueHistory]) -> list[tuple[str, float, float | None, int]]:
    """Evaluate every KPI over ``histories``: ``(kpi, seconds, value, sample size)`` each."""
    team = TeamData(histories=histories, tz=SITE, sprints=sprints())
    rows = []
    for definition in definitions():
        began = time.perf_counter()
        result = evaluate_kpi(definition, team, AS_OF)
        rows.append((definition.key, time.perf_counter() - began, result.value, result.measurement.sample_size))
    return rows


def max_rss_mib() -> float:
    """The process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="compute runs, each on fresh histories (cold caches)")
    args = parser.parse_args()

    began = time.perf_counter()
    histories = generate(args.issues)
    build = time.perf_counter() - began
    changes = sum(len(h.changes) for h in histories)

    runs = []
    for run in range(args.runs):
        if run:
            histories = [replace(h) for h in histories]  # the same issues, without their cached timelines
        runs.append(measure_all(histories))
        if not run:
            first_peak = max_rss_mib()

    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    print(f"issues {len(histories):,}   changes {changes:,}   build {build:.1f} s")
    print(f"{'KPI':<20}{'value':>10}{'sample':>8}" + "".join(f"{f'run {n + 1} (s)':>11}" for n in range(args.runs)))
    for n, (key, _, value, sample) in enumerate(runs[0]):
        shown = "-" if value is None else f"{value:.2f}"
        print(f"{key:<20}{shown:>10}{sample:>8}" + "".join(f"{rows[n][1]:>11.3f}" for rows in runs))
    totals = [sum(seconds for _, seconds, _, _ in rows) for rows in runs]
    print(f"{'total compute':<38}" + "".join(f"{total:>11.3f}" for total in totals))
    print(f"peak memory (max RSS): {first_peak:,.0f} MiB after the first run, {max_rss_mib():,.0f} MiB after all")


if __name__ == "__main__":
    main()
