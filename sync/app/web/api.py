"""The JSON API behind the pages: teams, each team's report as ``kpiokr report --format json``
prints it, its stored daily series, the OpenAPI document, and ``/healthz`` for monitors."""

from __future__ import annotations

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sync.app.as_of import AsOfError
from sync.app.report import render
from sync.app.web.access import signed_in
from sync.app.web.source import Reports
from sync.errors import KpiokrError, MappingError

OPENAPI = Path(__file__).parent / "openapi.json"


class Api:
    """The API handlers over :class:`Reports`; links start at ``base_path``."""

    def __init__(self, reports: Reports, base_path: str) -> None:
        self.reports = reports
        self.base = base_path

    def teams(self, _request: Request) -> JSONResponse:
        """Every team's name and the address of its report."""
        names = self.reports.teams()
        return JSONResponse({"teams": [{"name": n, "report": f"{self.base}/api/teams/{n}/report"} for n in names]})

    def report(self, request: Request) -> Response:
        """One team's report, exactly as ``kpiokr report --format json --team TEAM [--as-of DATE]`` prints it."""
        team = request.path_params["team"]
        try:
            documents = self.reports.documents(team, request.query_params.get("as_of") or None)
        except (AsOfError, MappingError) as error:
            return JSONResponse({"error": str(error)}, 400)
        if documents is None:
            return JSONResponse({"error": self.reports.no_team(team)}, 404)
        if not documents:
            return JSONResponse({"error": f"team {team} has no report yet: run kpiokr sync"}, 404)
        return Response(render({"teams": documents}, "json") + "\n", media_type="application/json")

    def series(self, request: Request) -> JSONResponse:
        """A team's stored daily series (of ``cycle`` and ``series`` when given), by cycle, series and
        day: its current cycle's and the previous cycle's, whose names it gives."""
        team = request.path_params["team"]
        if team not in self.reports.teams():
            return JSONResponse({"error": self.reports.no_team(team)}, 404)
        cycle = request.query_params.get("cycle") or None
        name = request.query_params.get("series") or None
        points = self.reports.store.daily_points(team, cycle, name)
        current, previous = self.reports.cycle_names(team)
        return JSONResponse(
            {
                "team": team,
                "cycle": current,
                "previous_cycle": previous,
                "points": [
                    {
                        "cycle": p.cycle,
                        "series": p.series,
                        "day": p.day.isoformat(),
                        "value": p.value,
                        "status": p.status,
                        "as_of": p.as_of.isoformat(),
                    }
                    for p in points
                ],
            }
        )

    def openapi(self, _request: Request) -> JSONResponse:
        """The OpenAPI document of this API."""
        document = json.loads(OPENAPI.read_text(encoding="utf-8"))
        document["servers"] = [{"url": self.base or "/"}]
        return JSONResponse(document)

    def healthz(self, request: Request) -> JSONResponse:
        """200 when the store answers, with the newest run's age and outcome and how many histories are
        kept for past dates; 503 when it does not. Open to monitors without credentials: the error
        (the store's, or the newest run's) only to readers who passed the access control."""
        health = self.reports.health()
        body: dict[str, object] = {
            "store": "reachable" if health.store else "unreachable",
            "last_run": None
            if health.run_id is None
            else {"id": health.run_id, "status": health.status, "age_seconds": health.age_seconds},
            "histories_kept": self.reports.histories_kept(),
        }
        if health.error is not None and signed_in(request.scope):
            body["error"] = health.error
        leases = self._leases() if health.store else None
        if leases is not None:
            body["leases"] = leases
        return JSONResponse(body, 200 if health.store else 503)

    def _leases(self) -> dict[str, int] | None:
        """On a store shared by several daemons: the live daemons, and the teams leased by one and left free
        (free teams are taken within a heartbeat, or once a gone daemon's lease expires); None otherwise."""
        store, now = self.reports.store, self.reports.clock()
        try:
            leases = store.leases()
            daemons = len(store.live_members()) if leases else 0
        except KpiokrError:
            return None
        if not leases:
            return None
        free = sum(len(lease.teams) for lease in leases if lease.free_at(now))
        return {
            "daemons": daemons,
            "teams_leased": sum(len(lease.teams) for lease in leases) - free,
            "teams_free": free,
        }
