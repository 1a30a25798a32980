"""The monthly OKR check-in: each objective's score against pace, each key result's movement over the
month, the forecast at cycle end with its interval and chance of success, the guardrails breached
during the month, and an early warning where the forecast falls short while the pace says on track."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from kpiokr.kpi import KpiDefinition, KpiStatus, kpi_status
from sync.app.forecasts import Outlook, Series, outlooks
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
from sync.app.reviews.forecasts import forecast_json, forecast_line
from sync.app.reviews.model import Review
from sync.app.reviews.periods import Period
from sync.app.reviews.timeline import TeamTimeline


def _first(series: Series) -> float | None:
    return next((v for _, v in series if v is not None), None)


def breached_days(series: Series, definition: KpiDefinition) -> list[date]:
    """The days of ``series`` whose value is past the KPI's guardrail."""
    return [day for day, value in series if kpi_status(value, definition) is KpiStatus.BREACH]


def _objective(outlook: Outlook, series: dict[str, Series]) -> dict[str, Any]:
    objective, score = outlook.objective, outlook.score
    grades = {s.key: s for s in score.key_results}
    start = _first(series[f"objective:{objective.key}"])
    key_results = []
    for kr, forecast in outlook.key_results:
        graded = grades.get(kr.key)
        begun = _first(series.get(f"key_result:{kr.key}", []))
        now = graded.score if graded else None
        key_results.append(
            {
                "key": kr.key,
                "title": kr.title,
                "owner": kr.owner,
                "score": now,
                "month_start": begun,
                "movement": difference(now, begun),
                "progress": graded.progress if graded else "",
                "forecast": forecast_json(forecast),
            }
        )
    return {
        "key": objective.key,
        "title": objective.title,
        "owner": objective.owner,
        "ambition": objective.ambition.value,
        "success_at": objective.ambition.success_score,
        "score": score.score,
        "expected": score.expected,
        "status": score.status.value,
        "month_start": start,
        "forecast": forecast_json(outlook.forecast),
        "early_warning": outlook.warning.message if outlook.warning else None,
        "guardrails": list(objective.guardrails),
        "key_results": key_results,
    }


def monthly_check_in(timeline: TeamTimeline, period: Period, as_of: datetime) -> Review:
    """The check-in of ``period`` (a month) as of ``as_of``: a comment on each objective's epic."""
    day = as_of.astimezone(timeline.tz).date()
    cycle = timeline.cycle_of(day)
    now = timeline.at(as_of, cycle)
    found = outlooks(timeline, now, cycle)
    kpis = kpi_by_key(now)
    names = [f"objective:{o.objective.key}" for o in found]
    names += [f"key_result:{kr.key}" for o in found for kr, _ in o.key_results]
    names += [f"kpi:{key}" for key in kpis]
    series = timeline.series(names, max(period.start - timedelta(days=1), cycle.start), day, cycle)
    guardrails = []
    for key, kpi in kpis.items():
        days = breached_days([(d, v) for d, v in series[f"kpi:{key}"] if d >= period.start], kpi.definition)
        guarded = [o.objective.key for o in found if key in o.objective.guardrails]
        if days:
            guardrails.append(
                {
                    "key": key,
                    "name": kpi.definition.name,
                    "owner": kpi.definition.owner,
                    "days": len(days),
                    "first": days[0].isoformat(),
                    "last": days[-1].isoformat(),
                    "objectives": guarded,
                }
            )
    data: dict[str, Any] = {
        **review_head("monthly", timeline.team.team.name, period, as_of=as_of, tz=timeline.tz, cycle=cycle.name),
        "objectives": [_objective(o, series) for o in found],
        "guardrails_breached": guardrails,
        "data_quality": {k: {"name": v.definition.name, **kpi_quality(v)} for k, v in kpis.items()},
    }
    comments = tuple((o["key"], tuple(comment_blocks(data, o))) for o in data["objectives"])
    return Review(data["team"], period, as_of, data, tuple(check_in_blocks(data)), comments)


def check_in_blocks(data: dict[str, Any]) -> list[Block]:
    """The whole check-in for people, from its JSON ``data``."""
    objectives = [b for o in data["objectives"] for b in objective_blocks(o)]
    return [*_head(data), *objectives, *_guardrail_blocks(data, None), *_quality_blocks(data)]


def comment_blocks(data: dict[str, Any], objective: dict[str, Any]) -> list[Block]:
    """The check-in's comment on ``objective``'s epic: the objective, its guardrails breached this month
    and the data quality of its guardrail KPIs."""
    guards = set(objective["guardrails"])
    return [
        *_head(data),
        *objective_blocks(objective),
        *_guardrail_blocks(data, objective["key"]),
        *_quality_blocks(data, guards, "No KPI guards this objective."),
    ]


def _head(data: dict[str, Any]) -> list[Block]:
    return [
        Heading(f"Monthly OKR check-in: {data['team']}, {data['period']['label']}", 1),
        Paragraph(
            f"As of {moment(data['as_of'])} (cycle {data['cycle']}). Written by kpiokr from the issues' history."
        ),
    ]


def objective_blocks(o: dict[str, Any]) -> list[Block]:
    """One objective's part of the check-in."""
    f = o["forecast"]
    lines = [
        f"Score {number(o['score'])} against an expected pace of {number(o['expected'])}: {o['status']} "
        f"({o['ambition']}, success at {number(o['success_at'])}); {signed(difference(o['score'], o['month_start']))} "
        "over the month",
        f"Forecast at cycle end: {forecast_line(f)}",
    ]
    if o["early_warning"]:
        lines.append(f"Early warning: {o['early_warning']}")
    table = Table(
        ("Key result", "Owner", "Score", "Over the month", "Forecast at cycle end"),
        tuple(
            (
                f"{kr['key']} {kr['title']}",
                owner(kr["owner"]),
                number(kr["score"]),
                signed(kr["movement"]),
                forecast_line(kr["forecast"]),
            )
            for kr in o["key_results"]
        ),
    )
    return [Heading(f"{o['key']} {o['title']} ({owner(o['owner'])})"), Bullets(tuple(lines)), table]


def _guarding(g: dict[str, Any]) -> str:
    return f"guards {', '.join(g['objectives'])}" if g["objectives"] else "guards no objective"


def _guardrail_blocks(data: dict[str, Any], objective: str | None) -> list[Block]:
    """The KPIs past their guardrail this month: all of them (saying what each guards), or ``objective``'s."""
    items = [
        f"{g['name']} ({owner(g['owner'])}): past its guardrail on {g['days']} day(s), {g['first']} to {g['last']}"
        + ("" if objective else f" ({_guarding(g)})")
        for g in data["guardrails_breached"]
        if objective is None or objective in g["objectives"]
    ]
    return section("Guardrails breached this month", [Bullets(tuple(items))] if items else [], "None.")


def _quality_blocks(data: dict[str, Any], keys: set[str] | None = None, empty: str = "No KPI measured.") -> list[Block]:
    """The data quality of the KPIs (of ``keys`` only, when given)."""
    items = [quality_text(q.get("name", k), q) for k, q in data["data_quality"].items() if keys is None or k in keys]
    return section("Data quality", [Bullets(tuple(items))] if items else [], empty)
