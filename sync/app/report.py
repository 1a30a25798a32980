"""Reports for PMs: objectives, key results and KPIs with status and trend, as text, Markdown or JSON.

A report renders the plain JSON documents of :mod:`sync.app.results` (what the store keeps of each
run), so a report read back from the store looks the same as a fresh one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sync.app.results import strict_json

SPARKS = "▁▂▃▄▅▆▇█"
TREND_ARROWS = {"improving": "↑", "stable": "→", "worsening": "↓", "unknown": "·"}


def sparkline(values: Sequence[float | None]) -> str:
    """A tiny chart of a series; gaps show as spaces."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = (high - low) or 1.0
    return "".join(" " if v is None else SPARKS[round((v - low) / span * (len(SPARKS) - 1))] for v in values)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _kpi_rows(team: Mapping[str, Any]) -> list[list[str]]:
    return [
        [
            k["name"],
            f"{_fmt(k['value'])} {k['unit']}",
            _fmt(k["target"]),
            _fmt(k["threshold"]),
            k["status"],
            f"{TREND_ARROWS.get(k['trend'], '')} {sparkline([v for _, v in k['series']])}",
            k["window"],
            _fmt(k["owner"]),
            _of_sample(k, "without_history"),
            _of_sample(k, "completed_changelogs"),
        ]
        for k in team["kpis"]
    ]


def _of_sample(kpi: Mapping[str, Any], figure: str) -> str:
    """``3 of 40``: a data-quality count of the KPI (absent from older documents) of its sample size."""
    count = kpi.get(figure) or 0
    return f"{count} of {kpi.get('sample_size') or 0}" if count else "-"


#: "no history": how many of the issues measured hold a status or resolution their change log
#: does not explain (imported, migrated), of how many measured. "completed log": how many of them
#: had a change log Jira's search cut short, completed from further reads.
KPI_HEADER = [
    "KPI",
    "value",
    "target",
    "guardrail",
    "status",
    "trend",
    "window",
    "owner",
    "no history",
    "completed log",
]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out.extend("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows)
    return out


def render_text(document: Mapping[str, Any]) -> str:
    """A plain-text report for a terminal."""
    lines: list[str] = []
    for team in document["teams"]:
        lines.append(f"== {team['team']} · {team['cycle']} · as of {team['as_of'][:16].replace('T', ' ')}")
        for o in team["objectives"]:
            lines.append("")
            lines.append(f"{o['key']}  {o['title']}  [{o['ambition']}, owner {_fmt(o['owner'])}]")
            lines.append(f"  score {o['score']:.2f} (expected {o['expected']:.2f})  {o['status'].upper()}")
            lines.extend(f"  ! {reason}" for reason in o["reasons"])
            for kr in o["key_results"]:
                lines.append(f"    {_score(kr['score']):>4}  {kr['key']:<10} {kr['title'][:48]:<48}  {kr['progress']}")
        lines.append("")
        lines.extend(_table(KPI_HEADER, _kpi_rows(team)))
        lines.append("")
    return "\n".join(lines)


def render_markdown(document: Mapping[str, Any]) -> str:
    """A Markdown report, for a wiki page or a review meeting."""
    lines: list[str] = []
    for team in document["teams"]:
        lines.append(f"## {team['team']} · {team['cycle']} (as of {team['as_of'][:10]})")
        lines.append("")
        lines.append("| Objective | Score | Expected | Status | Key results |")
        lines.append("| --- | --- | --- | --- | --- |")
        for o in team["objectives"]:
            krs = "<br>".join(
                f"{kr['key']} {kr['title']}: {_score(kr['score'])} ({kr['progress']})" for kr in o["key_results"]
            )
            status = o["status"] + "".join(f"<br>{r}" for r in o["reasons"])
            lines.append(
                f"| {o['key']} {o['title']} | {o['score']:.2f} | {o['expected']:.2f} | {status} | {krs} |".replace(
                    "\n", " "
                )
            )
        lines.append("")
        lines.append("| " + " | ".join(KPI_HEADER) + " |")
        lines.append("|" + " --- |" * len(KPI_HEADER))
        lines.extend("| " + " | ".join(row) + " |" for row in _kpi_rows(team))
        lines.append("")
    return "\n".join(lines)


def render(document: Mapping[str, Any], fmt: str) -> str:
    """Render a report document as ``table``, ``markdown`` or ``json``."""
    if fmt == "json":
        shown = {**document, "teams": [{k: v for k, v in t.items() if k != "basis"} for t in document["teams"]]}
        return json.dumps(strict_json(shown), indent=2, ensure_ascii=False, allow_nan=False)
    if fmt == "markdown":
        return render_markdown(document)
    return render_text(document)
