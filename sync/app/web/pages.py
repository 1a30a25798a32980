"""The dashboard's pages, rendered on the server from the report documents (Jinja2, autoescaped)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from sync.app.as_of import AsOfError
from sync.app.web.source import Reports
from sync.app.web.views import FILTERS, HELPERS, find
from sync.errors import MappingError

TEMPLATES = Path(__file__).parent / "templates"


class Pages:
    """The page handlers over :class:`Reports`; links start at ``base_path``."""

    def __init__(self, reports: Reports, base_path: str) -> None:
        self.reports = reports
        self.base = base_path
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))
        self.env.filters.update(FILTERS)
        self.env.globals.update(HELPERS)

    def _render(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        as_of = request.query_params.get("as_of") or None
        query = "?" + urlencode({"as_of": as_of}) if as_of else ""
        page = self.env.get_template(template).render(base=self.base, as_of=as_of, q=query, **context)
        return HTMLResponse(page, status)

    def _documents(self, request: Request, team: str | None) -> list[dict[str, Any]] | HTMLResponse:
        try:
            documents = self.reports.documents(team, request.query_params.get("as_of") or None)
        except (AsOfError, MappingError) as error:
            return self._render(request, "error.html", 400, message=str(error), teams=self.reports.teams())
        return self._missing(request, f"there is no team {team!r}") if documents is None else documents

    def overview(self, request: Request) -> HTMLResponse:
        """Every team: objectives with score, pace, status and reasons; KPIs with value and status."""
        documents = self._documents(request, None)
        if isinstance(documents, HTMLResponse):
            return documents
        return self._render(request, "overview.html", teams=documents)

    def team(self, request: Request) -> HTMLResponse:
        """One team: objectives with their key results as bars, KPIs with bands, trends and guardrail links."""
        documents = self._documents(request, request.path_params["team"])
        if isinstance(documents, HTMLResponse):
            return documents
        if not documents:
            return self._missing(request, f"team {request.path_params['team']} has no report yet: run kpiokr sync")
        return self._render(request, "team.html", team=documents[0])

    def kpi(self, request: Request) -> HTMLResponse:
        """One KPI: its series over the cycle as a chart and a table, and the objectives it guards."""
        return self._item(request, "kpis", "kpi.html")

    def objective(self, request: Request) -> HTMLResponse:
        """One objective: its key results with owners and progress, and its guardrails' history."""
        return self._item(request, "objectives", "objective.html")

    def _item(self, request: Request, kind: str, template: str) -> HTMLResponse:
        documents = self._documents(request, request.path_params["team"])
        if isinstance(documents, HTMLResponse):
            return documents
        key = request.path_params["key"]
        team: Mapping[str, Any] | None = documents[0] if documents else None
        item = find(team[kind], key) if team is not None else None
        if team is None or item is None:
            return self._missing(request, f"team {request.path_params['team']} has no {kind[:-1]} {key!r}")
        return self._render(request, template, team=team, item=item)

    def _missing(self, request: Request, message: str) -> HTMLResponse:
        return self._render(request, "error.html", 404, message=message, teams=self.reports.teams())
