"""The figures every review shows the same way: KPI rows, owners, numbers and data quality."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from kpiokr.kpi import KpiResult
from sync.app.results import TeamResult
from sync.app.reviews.periods import Period
from sync.app.web.behind import unestimated


def number(value: float | None, unit: str | None = None) -> str:
    """``12.5 days``, ``0.7``, or ``-`` for no value."""
    if value is None:
        return "-"
    shown = f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{shown} {unit}" if unit else shown


def difference(later: float | None, earlier: float | None) -> float | None:
    """``later`` less ``earlier``, or ``None`` when either is missing."""
    return None if later is None or earlier is None else later - earlier


def signed(value: float | None) -> str:
    """``+1.5``, ``-0.25``, ``0`` or ``-`` for no value."""
    return "-" if value is None else ("+" if value > 0 else "") + number(value)


def owner(name: str | None) -> str:
    """The owner's name, or ``no owner``."""
    return name or "no owner"


def kpi_quality(kpi: KpiResult) -> dict[str, Any]:
    """Sample size, issues without history, changelogs completed and unestimated share of one KPI's value."""
    measurement = kpi.measurement
    missing = unestimated(measurement.details)
    return {
        "sample_size": measurement.sample_size,
        "without_history": measurement.without_history,
        "completed_changelogs": measurement.completed_changelogs,
        "unestimated": None if missing is None else {"issues": missing[0], "of": missing[1]},
    }


def quality_text(name: str, quality: dict[str, Any]) -> str:
    """``Lead time: n = 40, 2 without history, 1 changelog completed, 3 of 20 unestimated``."""
    parts = [f"n = {quality['sample_size']}"]
    if quality["without_history"]:
        parts.append(f"{quality['without_history']} without history")
    if completed := quality.get("completed_changelogs"):
        parts.append(f"{completed} changelog{'s' if completed != 1 else ''} completed")
    if quality["unestimated"]:
        parts.append(f"{quality['unestimated']['issues']} of {quality['unestimated']['of']} unestimated")
    return f"{name}: " + ", ".join(parts)


def kpi_by_key(result: TeamResult) -> dict[str, KpiResult]:
    """The KPIs of ``result`` by key."""
    return {k.definition.key: k for k in result.kpis}


def review_head(kind: str, team: str, period: Period, *, as_of: datetime, tz: tzinfo, cycle: str) -> dict[str, Any]:
    """The keys every review's JSON document starts with; ``as_of`` in the team's time zone ``tz``."""
    return {
        "review": kind,
        "team": team,
        "period": {"label": period.label, "start": period.start.isoformat(), "end": period.end.isoformat()},
        "as_of": as_of.astimezone(tz).isoformat(timespec="seconds"),
        "cycle": cycle,
    }


def moment(as_of: str) -> str:
    """A review's ``as_of`` as people read it: ``2026-11-20 23:59 (UTC+01:00)``."""
    instant = datetime.fromisoformat(as_of)
    offset = instant.strftime("%z")
    zone = f" (UTC{offset[:3]}:{offset[3:]})" if offset else ""
    return f"{instant:%Y-%m-%d %H:%M}{zone}"
