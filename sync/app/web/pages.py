"""The dashboard's pages, rendered on the server from the report documents and the stored daily
series (Jinja2, autoescaped)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sync.app.as_of import AsOfError
from sync.app.web.source import Reports, Shown
from sync.app.web.views import FILTERS, HELPERS, find
from sync.errors import MappingError

TEMPLATES = Path(__file__).parent / "templates"


class Pages:
    """The page handlers over :class:`Reports`; links start at ``base_path``, issue links at
    ``jira_url`` (``{jira_url}/browse/KEY``; none when it is empty)."""

    def __init__(self, reports: Reports, base_path: str, jira_url: str = "") -> None:
        self.reports = reports
        self.base = base_path
        self.jira = jira_url.rstrip("/")
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
        self.env.filters.update(FILTERS)
        self.env.globals.update(HELPERS, jira=self.jira)

    def _render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        as_of = request.query_params.get("as_of") or None
        query = "?" + urlencode({"as_of": as_of}) if as_of else ""
        cycles = self.reports.past_cycles()
        page = self.env.get_template(template).render(base=self.base, as_of=as_of, q=query, cycles=cycles, **context)
        return HTMLResponse(page, status)

    def _shown(self, request: Request, team: str | None, details: bool = False) -> list[Shown] | HTMLResponse:
        try:
            shown = self.reports.shown(team, request.query_params.get("as_of") or None, details=details)
        except (AsOfError, MappingError) as error:
            return self._render(request, "error.html", 400, message=str(error), teams=self.reports.teams())
        return self._missing(request, f"there is no team {team!r}") if shown is None else shown

    def overview(self, request: Request) -> HTMLResponse:
        """Every team: objectives with score, pace, status and reasons; KPIs with value, status and data quality."""
        shown = self._shown(request, None, details=True)
        if isinstance(shown, HTMLResponse):
            return shown
        details = {s.document["team"]: s.details for s in shown}
        return self._render(request, "overview.html", teams=[s.document for s in shown], details=details)

    def team(self, request: Request) -> HTMLResponse:
        """One team: objectives with their key results as bars, KPIs with bands, daily charts and
        guardrail links."""
        shown = self._shown(request, request.path_params["team"], details=True)
        if isinstance(shown, HTMLResponse):
            return shown
        if not shown:
            return self._missing(request, f"team {request.path_params['team']} has no report yet: run kpiokr sync")
        return self._render(request, "team.html", **self._context(shown[0]))

    def kpi(self, request: Request) -> HTMLResponse:
        """One KPI: its daily series over the cycle as a chart and a table, the issues behind its
        value, its data quality and the objectives it guards."""
        return self._item(request, "kpis", "kpi.html")

    def objective(self, request: Request) -> HTMLResponse:
        """One objective: its key results with owners and their progress over the cycle, and its
        guardrails' history."""
        return self._item(request, "objectives", "objective.html")

    def _item(self, request: Request, kind: str, template: str) -> HTMLResponse:
        shown = self._shown(request, request.path_params["team"], details=True)
        if isinstance(shown, HTMLResponse):
            return shown
        key = request.path_params["key"]
        item = find(shown[0].document[kind], key) if shown else None
        if item is None:
            return self._missing(request, f"team {request.path_params['team']} has no {kind[:-1]} {key!r}")
        return self._render(request, template, item=item, **self._context(shown[0]))

    def _context(self, shown: Shown) -> dict[str, Any]:
        """The team's document, its KPIs' details, its daily series up to the document's day and those
        of the cycle before."""
        team = shown.document
        until = date.fromisoformat(team["as_of"][:10])
        daily = self.reports.daily(team["team"], team["cycle"], until)
        previous = self.reports.previous(team["team"], team["cycle"])
        return {"team": team, "details": shown.details, "daily": daily, "previous": previous}

    def _missing(self, request: Request, message: str) -> HTMLResponse:
        return self._render(request, "error.html", 404, message=message, teams=self.reports.teams())
