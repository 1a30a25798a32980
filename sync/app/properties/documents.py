"""The documents kpiokr writes into Jira as entity properties, built from a team's report document.

``kpiokr.objective`` (an issue property on each objective epic) holds one objective's whole picture;
``kpiokr.team`` (a project property on each team's project) holds, by team name, each team's KPIs
and objectives in brief. Both follow the JSON Schemas in ``schemas/`` and are cut to 24 KB by
:func:`sync.app.properties.sizing.fit`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from sync.app.properties.sizing import LIMIT_BYTES, fit

SCHEMA_VERSION = 1
OBJECTIVE_PROPERTY = "kpiokr.objective"
TEAM_PROPERTY = "kpiokr.team"
#: Days of a KPI's daily series an objective's guardrail carries, and a team document's KPI.
OBJECTIVE_SERIES_DAYS = 30
TEAM_SERIES_DAYS = 14
_OBJECTIVE_ORDER = {"off track": 0, "at risk": 1, "on track": 2}
_KPI_ORDER = {"breach": 0, "warning": 1, "no data": 2, "healthy": 3}

#: A series name of the daily series (``kpi:KEY``) -> its (day, value) points, oldest first.
DailySeries = Mapping[str, Sequence[tuple[str, float | None]]]


def objective_documents(
    report: Mapping[str, Any],
    daily: DailySeries,
    dashboard_url: str | None = None,
    *,
    forecasts: Mapping[str, Mapping[str, Any]] | None = None,
    limit: int = LIMIT_BYTES,
) -> dict[str, dict[str, Any]]:
    """Each objective of a team's report document (:func:`sync.app.results.team_document`) as its
    ``kpiokr.objective`` document of at most ``limit`` bytes, by epic key. ``dashboard_url`` is the
    dashboard's public base URL; ``forecasts`` the objectives' forecast objects, by epic key, where
    one exists (:func:`sync.app.properties.forecasts.objective_forecasts`)."""
    kpis = {str(k["key"]): k for k in report.get("kpis") or ()}
    documents = {}
    for objective in report.get("objectives") or ():
        guardrails = [
            _kpi(kpis[key], daily, OBJECTIVE_SERIES_DAYS, detail=True)
            for key in objective.get("guardrails") or ()
            if key in kpis
        ]
        document: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "key": objective["key"],
            "title": objective["title"],
            "team": report["team"],
            "cycle": report["cycle"],
            "as_of": report["as_of"],
            "owner": objective.get("owner"),
            "ambition": objective["ambition"],
            "score": objective.get("score"),
            "expected": objective.get("expected"),
            "status": objective["status"],
            "reasons": list(objective.get("reasons") or ()),
            "key_results": [
                {k: kr.get(k) for k in ("key", "title", "owner", "score", "progress")}
                for kr in objective.get("key_results") or ()
            ],
            "guardrails": guardrails,
            "data_quality": _data_quality(objective, guardrails, kpis),
        }
        if forecasts and objective["key"] in forecasts:
            document["forecast"] = dict(forecasts[objective["key"]])
        if dashboard_url:
            document["dashboard_url"] = _link(dashboard_url, "teams", report["team"], "objectives", objective["key"])
        documents[str(objective["key"])] = fit(document, limit)
    return documents


def team_entry(report: Mapping[str, Any], daily: DailySeries, dashboard_url: str | None = None) -> dict[str, Any]:
    """One team's part of the ``kpiokr.team`` document: objectives at risk first, breached KPIs first."""
    objectives = sorted(report.get("objectives") or (), key=lambda o: _OBJECTIVE_ORDER.get(o["status"], 3))
    kpis = sorted(report.get("kpis") or (), key=lambda k: _KPI_ORDER.get(k["status"], 4))
    entry: dict[str, Any] = {
        "team": report["team"],
        "cycle": report["cycle"],
        "as_of": report["as_of"],
        "objectives": [
            {
                "key": o["key"],
                "title": o["title"],
                "score": o.get("score"),
                "expected": o.get("expected"),
                "status": o["status"],
                "reasons": list(o.get("reasons") or ()),
                "guardrails": list(o.get("guardrails") or ()),
            }
            for o in objectives
        ],
        "kpis": [_kpi(k, daily, TEAM_SERIES_DAYS, detail=False) for k in kpis],
    }
    if dashboard_url:
        entry["dashboard_url"] = _link(dashboard_url, "teams", report["team"])
    return entry


def team_document(project: str, entries: Iterable[Mapping[str, Any]], *, limit: int = LIMIT_BYTES) -> dict[str, Any]:
    """The ``kpiokr.team`` document of ``project`` (at most ``limit`` bytes): the entries of the teams
    reading it, by team name."""
    teams = {str(e["team"]): dict(e) for e in sorted(entries, key=lambda e: str(e["team"]))}
    return fit({"schema_version": SCHEMA_VERSION, "project": project, "teams": teams}, limit)


#: The data-quality counts a guardrail KPI carries (absent from reports stored before a count was kept).
_QUALITY_FIGURES = ("sample_size", "without_history", "completed_changelogs")


def _kpi(kpi: Mapping[str, Any], daily: DailySeries, days: int, *, detail: bool) -> dict[str, Any]:
    stored = daily.get(f"kpi:{kpi['key']}") or ()
    if stored:
        series, kind = [[day, value] for day, value in stored][-days:], "daily"
    else:
        series, kind = [list(point) for point in kpi.get("series") or ()], "trend"
    out = {k: kpi.get(k) for k in ("key", "name", "value", "unit", "direction", "target", "threshold")}
    out.update(status=kpi["status"], trend=kpi["trend"], series=series, series_kind=kind)
    if detail:
        out.update({figure: int(kpi.get(figure) or 0) for figure in _QUALITY_FIGURES})
    return out


def _data_quality(
    objective: Mapping[str, Any], guardrails: Sequence[Mapping[str, Any]], kpis: Mapping[str, Any]
) -> dict[str, Any]:
    """What the objective's figures stand on: guardrails with no data, issues without their history,
    and how many of the guardrails' issues had a changelog that had to be completed (complete all the
    same: a changelog is completed or the pass fails)."""
    notes = [str(n) for n in objective.get("notes") or ()]
    if not objective.get("key_results"):
        notes.append("the objective has no key results: its score is 0 until one is mapped")
    for key in objective.get("guardrails") or ():
        if key not in kpis:
            notes.append(f"the guardrail KPI {key} was not evaluated")
    for kpi in guardrails:
        if kpi["status"] == "no data":
            notes.append(f"{kpi['name']} has no data in its window")
        if kpi["without_history"]:
            notes.append(
                f"{kpi['without_history']} of {kpi['sample_size']} issues behind {kpi['name']}"
                " came without their history"
            )
    completed = sum(int(kpi.get("completed_changelogs") or 0) for kpi in guardrails)
    return {"complete": not notes, "notes": notes, "completed_changelogs": completed}


def _link(base: str, *parts: str) -> str:
    return "/".join([base.rstrip("/"), *(quote(str(p), safe="") for p in parts)])
