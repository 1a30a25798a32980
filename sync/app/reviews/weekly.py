"""The weekly KPI digest: each KPI against target and guardrail, its change since last week, breaches,
and early warnings of a KPI heading for its guardrail (by trend line or XmR control limits), each
named with its owner."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kpiokr.forecasting import guardrail_warning
from kpiokr.kpi import KpiResult, KpiStatus
from sync.app.forecasts import Series
from sync.app.reviews.blocks import Block, Bullets, Heading, Paragraph, Table, section
from sync.app.reviews.figures import difference, kpi_quality, moment, number, owner, quality_text, review_head, signed
from sync.app.reviews.model import Review
from sync.app.reviews.periods import Period
from sync.app.reviews.timeline import TeamTimeline

#: Days of daily values an early warning looks at.
WARNING_DAYS = 42


def _row(kpi: KpiResult, series: Series, previous: float | None, horizon: int, as_of: datetime) -> dict[str, Any]:
    definition = kpi.definition
    day = series[-1][0] if series else as_of.date()
    warning = guardrail_warning(series, definition.threshold, definition.direction, as_of=day, horizon_weeks=horizon)
    return {
        "key": definition.key,
        "name": definition.name,
        "owner": definition.owner,
        "value": kpi.value,
        "unit": definition.display_unit,
        "target": definition.target,
        "guardrail": definition.threshold,
        "direction": definition.direction.value,
        "status": kpi.status.value,
        "trend": kpi.trend.value,
        "last_week": previous,
        "change": difference(kpi.value, previous),
        "breach": kpi.status is KpiStatus.BREACH,
        "early_warning": None
        if warning is None
        else {
            "method": warning.method,
            "signal": warning.signal,
            "weeks_to_guardrail": warning.weeks_to_threshold,
            "message": warning.message,
        },
        "data_quality": kpi_quality(kpi),
    }


def weekly_digest(
    timeline: TeamTimeline, period: Period, as_of: datetime, review_issue: str | None, horizon_weeks: int
) -> Review:
    """The digest of ``period`` as of ``as_of``; posted on ``review_issue`` when the mapping names one."""
    day = as_of.astimezone(timeline.tz).date()
    cycle = timeline.cycle_of(day)
    now = timeline.at(as_of)
    names = [f"kpi:{k.definition.key}" for k in now.kpis]
    series = timeline.series(names, day - timedelta(days=WARNING_DAYS - 1), day, cycle)
    week_ago = day - timedelta(days=7)
    earlier = None
    rows = []
    for kpi, name in zip(now.kpis, names, strict=True):
        previous = dict(series[name]).get(week_ago)
        if previous is None and week_ago < cycle.start:
            earlier = earlier or timeline.at(as_of - timedelta(days=7))
            previous = next((k.value for k in earlier.kpis if k.definition.key == kpi.definition.key), None)
        rows.append(_row(kpi, series[name], previous, horizon_weeks, as_of))
    data: dict[str, Any] = {
        **review_head("weekly", timeline.team.team.name, period, as_of=as_of, tz=timeline.tz, cycle=cycle.name),
        "kpis": rows,
    }
    blocks = tuple(digest_blocks(data))
    return Review(data["team"], period, as_of, data, blocks, ((review_issue, blocks),) if review_issue else ())


def digest_blocks(data: dict[str, Any]) -> list[Block]:
    """The digest for people, from its JSON ``data``."""
    rows = data["kpis"]
    table = Table(
        ("KPI", "Owner", "Value", "Target", "Guardrail", "Status", "Change since last week"),
        tuple(
            (
                r["name"],
                owner(r["owner"]),
                number(r["value"], r["unit"]),
                number(r["target"]),
                number(r["guardrail"]),
                r["status"],
                signed(r["change"]),
            )
            for r in rows
        ),
    )
    breaches = [
        f"{r['name']} ({owner(r['owner'])}): {number(r['value'], r['unit'])} is past the guardrail "
        f"{number(r['guardrail'])}"
        for r in rows
        if r["breach"]
    ]
    warnings = [
        f"{r['name']} ({owner(r['owner'])}): {r['early_warning']['message']} [method: {r['early_warning']['method']}]"
        for r in rows
        if r["early_warning"]
    ]
    return [
        Heading(f"Weekly KPI digest: {data['team']}, {data['period']['label']}", 1),
        Paragraph(
            f"As of {moment(data['as_of'])} (cycle {data['cycle']}). Written by kpiokr from the issues' history."
        ),
        *section("KPIs", [table] if rows else [], "The team has no KPIs."),
        *section("Breaches", [Bullets(tuple(breaches))] if breaches else [], "No KPI is past its guardrail."),
        *section(
            "Early warnings", [Bullets(tuple(warnings))] if warnings else [], "No KPI is heading for its guardrail."
        ),
        *section(
            "Data quality",
            [Bullets(tuple(quality_text(r["name"], r["data_quality"]) for r in rows))] if rows else [],
            "Nothing measured.",
        ),
    ]
