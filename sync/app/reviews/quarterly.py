"""The quarterly review: final grades read as the OKR convention reads them (success at 0.7 for stretch,
1.0 for committed), KPI trends over the cycle, which guardrail breaches coincided with which
objectives' slow weeks, the measurement-load lint, and the guardrails' predictive power."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sync.app.forecasts import Series
from sync.app.reviews.blocks import Block, Bullets, Heading, Paragraph, Table, section
from sync.app.reviews.figures import (
    difference,
    kpi_by_key,
    kpi_quality,
    moment,
    number,
    owner,
    quality_text,
    review_head,
    signed,
)
from sync.app.reviews.load import load_lint
from sync.app.reviews.model import Review
from sync.app.reviews.monthly import breached_days
from sync.app.reviews.periods import Period
from sync.app.reviews.predictive import guardrail_power
from sync.app.reviews.timeline import TeamTimeline


def grade_reading(score: float, ambition: str, success_at: float) -> str:
    """How the OKR convention reads a final grade."""
    if score >= success_at:
        return "success" if ambition == "stretch" else "delivered in full"
    if ambition == "committed":
        return "missed: a committed objective is expected at 1.0"
    return "progress, short of success" if score >= 0.4 else "failed"


def slow_weeks(series: Series, start: date, success_at: float, weeks: int) -> list[date]:
    """First days of the weeks (from ``start``) in which the grade rose less than the pace to success."""
    by_day = dict(series)
    pace = success_at / max(weeks, 1)
    slow = []
    for week in range(weeks):
        first, last = start + timedelta(days=7 * week - 1), start + timedelta(days=7 * week + 6)
        before, after = by_day.get(first, 0.0 if week == 0 else None), by_day.get(last)
        if before is not None and after is not None and after - before < pace:
            slow.append(first + timedelta(days=1))
    return slow


def quarterly_review(timeline: TeamTimeline, period: Period, as_of: datetime) -> Review:
    """The review of the cycle ``period`` as of ``as_of``: a comment on each objective's epic."""
    cycle = timeline.cycle_of(period.start)
    now = timeline.at(as_of, cycle)
    day = min(as_of.astimezone(timeline.tz).date(), cycle.end)
    kpis = kpi_by_key(now)
    names = [f"kpi:{key}" for key in kpis] + [f"objective:{o.key}" for o, _ in now.objectives]
    series = timeline.series(names, cycle.start, day, cycle)
    weeks = ((cycle.end - cycle.start).days + 1) // 7
    trends = []
    for key, kpi in kpis.items():
        values = [v for _, v in series[f"kpi:{key}"] if v is not None]
        breaches = breached_days(series[f"kpi:{key}"], kpi.definition)
        trends.append(
            {
                "key": key,
                "name": kpi.definition.name,
                "owner": kpi.definition.owner,
                "start": values[0] if values else None,
                "end": kpi.value,
                "low": min(values, default=None),
                "high": max(values, default=None),
                "status": kpi.status.value,
                "breach_days": len(breaches),
                "data_quality": kpi_quality(kpi),
            }
        )
    objectives: list[dict[str, Any]] = []
    interactions: list[dict[str, Any]] = []
    for objective, score in now.objectives:
        success_at = objective.ambition.success_score
        slow = slow_weeks(series[f"objective:{objective.key}"], cycle.start, success_at, weeks)
        objectives.append(
            {
                "key": objective.key,
                "title": objective.title,
                "owner": objective.owner,
                "ambition": objective.ambition.value,
                "success_at": success_at,
                "grade": score.score,
                "reading": grade_reading(score.score, objective.ambition.value, success_at),
                "slow_weeks": [w.isoformat() for w in slow],
            }
        )
        for key in objective.guardrails:
            if key not in kpis:
                continue
            breached = set(breached_days(series[f"kpi:{key}"], kpis[key].definition))
            both = [w for w in slow if any(w + timedelta(days=n) in breached for n in range(7))]
            interactions.append(
                {
                    "objective": objective.key,
                    "kpi": key,
                    "kpi_name": kpis[key].definition.name,
                    "slow_weeks": len(slow),
                    "slow_weeks_with_breach": [w.isoformat() for w in both],
                }
            )
    data: dict[str, Any] = {
        **review_head("quarterly", timeline.team.team.name, period, as_of=as_of, tz=timeline.tz, cycle=cycle.name),
        "cycle_ended": day >= cycle.end,
        "objectives": objectives,
        "kpi_trends": trends,
        "interactions": interactions,
        "measurement_load": load_lint(timeline.team, now),
        "predictive_power": guardrail_power(timeline, now),
    }
    head, shared = _head(data), _shared_blocks(data)
    ended = data["cycle_ended"]
    comments = tuple((o["key"], (*head, *grade_blocks([o], ended), *shared)) for o in objectives)
    return Review(data["team"], period, as_of, data, tuple(quarterly_blocks(data)), comments)


def quarterly_blocks(data: dict[str, Any]) -> list[Block]:
    """The whole quarterly review for people, from its JSON ``data``."""
    return [*_head(data), *grade_blocks(data["objectives"], data.get("cycle_ended", True)), *_shared_blocks(data)]


def _head(data: dict[str, Any]) -> list[Block]:
    return [
        Heading(f"Quarterly review: {data['team']}, {data['period']['label']}", 1),
        Paragraph(f"As of {moment(data['as_of'])}. Written by kpiokr from the issues' history."),
    ]


def grade_blocks(objectives: list[dict[str, Any]], ended: bool) -> list[Block]:
    """The grades; before the cycle's last day, the grades so far, read as they would be were it over."""
    rows = tuple(
        (
            f"{o['key']} {o['title']}",
            owner(o["owner"]),
            o["ambition"],
            number(o["grade"]),
            o["reading"] if ended else f"{o['reading']}, were the cycle over",
            str(len(o["slow_weeks"])),
        )
        for o in objectives
    )
    grade, heading = ("Final grade", "Final grades") if ended else ("Grade so far", "Grades so far (the cycle goes on)")
    table = Table(("Objective", "Owner", "Ambition", grade, "Read as", "Slow weeks"), rows)
    return section(heading, [table] if rows else [], "The team has no objectives.")


def _shared_blocks(data: dict[str, Any]) -> list[Block]:
    trends = Table(
        ("KPI", "Owner", "Start", "End", "Change", "Range", "Days past guardrail"),
        tuple(
            (
                t["name"],
                owner(t["owner"]),
                number(t["start"]),
                number(t["end"]),
                signed(difference(t["end"], t["start"])),
                f"{number(t['low'])} to {number(t['high'])}",
                str(t["breach_days"]),
            )
            for t in data["kpi_trends"]
        ),
    )
    meeting = [
        f"{i['kpi_name']} was past its guardrail in {len(i['slow_weeks_with_breach'])} of {i['objective']}'s "
        f"{i['slow_weeks']} slow week(s)"
        + (f" (weeks of {', '.join(i['slow_weeks_with_breach'])})" if i["slow_weeks_with_breach"] else "")
        for i in data["interactions"]
    ]
    power = [
        f"{p['name']}: {p['verdict']}"
        + (
            ""
            if p["rho"] is None
            else f", Spearman rho {p['rho']:.2f} ({p['low']:.2f} to {p['high']:.2f}, 95 %), n = {p['n']}"
        )
        for p in data["predictive_power"]
    ]
    quality = [quality_text(t["name"], t["data_quality"]) for t in data["kpi_trends"]]
    return [
        *section("KPI trends over the cycle", [trends] if data["kpi_trends"] else [], "The team has no KPIs."),
        *section(
            "Guardrail breaches and slow weeks",
            [Bullets(tuple(meeting))] if meeting else [],
            "No objective names a guardrail KPI.",
        ),
        *section(
            "Measurement load",
            [Bullets(tuple(data["measurement_load"]))] if data["measurement_load"] else [],
            "3-5 objectives, 3-5 key results each, 5-7 KPIs, every one owned.",
        ),
        *section(
            "Do the guardrails predict the grades?",
            [Bullets(tuple(power))] if power else [],
            "No KPI guards an objective.",
        ),
        *section("Data quality", [Bullets(tuple(quality))] if quality else [], "No KPI measured."),
    ]
