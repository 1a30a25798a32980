"""What the pages show of a report document: statuses as words and symbols, the order that puts
breached guardrails first, and the figures each page lays out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sync.app.report import TREND_ARROWS
from sync.app.web.behind import issues_behind, unestimated
from sync.store import DailyPoint

#: Each status as a symbol beside its words, so no status is told by colour alone.
SYMBOLS = {
    "on track": "✓",
    "at risk": "!",
    "off track": "✗",
    "healthy": "✓",
    "warning": "!",
    "breach": "✗",
    "no data": "-",
}
_KPI_ORDER = {"breach": 0, "warning": 1, "healthy": 2, "no data": 3}
_OBJECTIVE_ORDER = {"off track": 0, "at risk": 1, "on track": 2}


def symbol(status: str) -> str:
    """The symbol shown before a status."""
    return SYMBOLS.get(status, "·")


def css(status: str) -> str:
    """The CSS class of a status (``at risk`` -> ``at-risk``)."""
    return status.replace(" ", "-")


def trend(value: str) -> str:
    """A trend as an arrow and its word."""
    return f"{TREND_ARROWS.get(value, '·')} {value}"


def number(value: object, unit: str = "") -> str:
    """A figure as people read it, to two decimals at most and never in exponent notation: ``-`` when
    there is none."""
    if value is None:
        return "-"
    shown = f"{round(value, 2) + 0.0:.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return f"{shown} {unit}".strip()


def percent(value: float | None) -> int:
    """A 0-1 score as a whole percentage, clamped (for bar widths and marks)."""
    return 0 if value is None else max(0, min(100, round(value * 100)))


def breached(team: Mapping[str, Any]) -> set[str]:
    """The keys of the team's KPIs in breach."""
    return {k["key"] for k in team["kpis"] if k["status"] == "breach"}


def objectives_in_order(team: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Objectives guarded by a breached KPI first, then by status (off track first), as stored otherwise."""
    breach = breached(team)
    return sorted(
        team["objectives"],
        key=lambda o: (not breach.intersection(o["guardrails"]), _OBJECTIVE_ORDER.get(o["status"], 3)),
    )


def kpis_in_order(team: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """KPIs in breach first, then in warning, then healthy, then those without data."""
    return sorted(team["kpis"], key=lambda k: _KPI_ORDER.get(k["status"], 3))


def guarded(team: Mapping[str, Any], kpi_key: str) -> list[Mapping[str, Any]]:
    """The objectives that name the KPI ``kpi_key`` as a guardrail."""
    return [o for o in team["objectives"] if kpi_key in o["guardrails"]]


def guardrails(team: Mapping[str, Any], objective: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The KPIs an objective names as guardrails, those the team measures."""
    by_key = {k["key"]: k for k in team["kpis"]}
    return [by_key[key] for key in objective["guardrails"] if key in by_key]


def find(items: Sequence[Mapping[str, Any]], key: str) -> Mapping[str, Any] | None:
    """The item whose ``key`` is ``key``."""
    return next((item for item in items if item["key"] == key), None)


@dataclass(frozen=True)
class Earlier:
    """The cycle before the one a page shows: its name, how far its first day lies before the shown
    cycle's first day, and its stored daily series by series."""

    name: str
    shift: timedelta
    daily: Mapping[str, Sequence[DailyPoint]]


@dataclass(frozen=True)
class Line:
    """Values by day to draw and tabulate, and whether they are the stored daily series (else the
    report's own trend points, shown until a daily series is stored); with ``earlier_name``, the
    previous cycle's value on the same day of its cycle (``earlier``)."""

    days: list[str]
    values: list[float | None]
    daily: bool
    earlier_name: str | None = None
    earlier: list[float | None] = field(default_factory=list)


def kpi_line(kpi: Mapping[str, Any], daily: Mapping[str, Sequence[DailyPoint]], before: Earlier | None = None) -> Line:
    """The KPI's daily series over the cycle, else the trend points of its report; with ``before``,
    the previous cycle's series day by day beside it (when one is stored)."""
    series = f"kpi:{kpi['key']}"
    points = daily.get(series)
    if not points:
        return Line([day[:10] for day, _ in kpi["series"]], [value for _, value in kpi["series"]], False)
    days = [p.day for p in points]
    line = Line([d.isoformat() for d in days], [p.value for p in points], True)
    earlier = {p.day: p.value for p in before.daily.get(series, ())} if before is not None else {}
    if before is None or not earlier:
        return line
    return Line(line.days, line.values, True, before.name, [earlier.get(_same_day(d, before)) for d in days])


def _same_day(day: date, before: Earlier) -> date:
    """The day of the previous cycle as far into it as ``day`` is into the shown cycle."""
    return day + before.shift


def chart(kpi: Mapping[str, Any], line: Line) -> dict[str, Any]:
    """The data of a KPI's chart: days, values (and the previous cycle's), target and guardrail threshold."""
    label = "value" + (f" ({kpi['unit']})" if kpi["unit"] else "")
    lines = [{"label": label, "values": line.values}]
    if line.earlier_name is not None:
        lines.append({"label": f"previous cycle ({line.earlier_name})", "values": line.earlier})
    return {"labels": line.days, "lines": lines, "target": kpi["target"], "threshold": kpi["threshold"]}


@dataclass(frozen=True)
class Progress:
    """An objective's score and each key result's grade by day over the cycle."""

    days: list[str]
    lines: list[tuple[str, list[float | None]]]

    def chart(self) -> dict[str, Any]:
        """The data of the progress chart: one line per series, graded 0-1."""
        lines = [{"label": label, "values": values} for label, values in self.lines]
        return {"labels": self.days, "lines": lines, "target": None, "threshold": None}


def progress(objective: Mapping[str, Any], daily: Mapping[str, Sequence[DailyPoint]]) -> Progress:
    """The daily series of ``objective``'s score and its key results' grades, aligned by day."""
    names = [(f"objective:{objective['key']}", "objective score")]
    names += [(f"key_result:{kr['key']}", kr["key"]) for kr in objective["key_results"]]
    by_series = {label: {p.day: p.value for p in daily.get(series, ())} for series, label in names}
    days = sorted({day for values in by_series.values() for day in values})
    lines = [(label, [values.get(day) for day in days]) for label, values in by_series.items()]
    return Progress([day.isoformat() for day in days], lines)


FILTERS = {"symbol": symbol, "css": css, "trend": trend, "number": number, "percent": percent}
HELPERS = {
    "objectives_in_order": objectives_in_order,
    "kpis_in_order": kpis_in_order,
    "guarded": guarded,
    "guardrails": guardrails,
    "chart": chart,
    "kpi_line": kpi_line,
    "progress": progress,
    "breached": breached,
    "issues_behind": issues_behind,
    "unestimated": unestimated,
}
