"""The dashboard as an ASGI application: pages, the JSON API and static files, behind the guard."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from sync.app.metrics import Metrics, metrics_routes
from sync.app.web.access import Access, Guard
from sync.app.web.api import Api
from sync.app.web.kept import Warmer
from sync.app.web.pages import Pages
from sync.app.web.reviews import ReviewViews
from sync.app.web.source import Reports
from sync.app.webhooks import WebhookReceiver, with_webhooks
from sync.store import Store

if TYPE_CHECKING:  # the reviews read KPI details through this package: imported for typing only
    from sync.app.reviews import ReviewShelf

STATIC = Path(__file__).parent / "static"
#: Seconds between two looks for a run whose issues the kept histories must catch up with.
WARM_EVERY = 15.0


def dashboard_app(
    store: Store,
    mapping_paths: Sequence[Path],
    access: Access,
    clock: Callable[[], datetime],
    base_path: str = "",
    *,
    jira_url: str = "",
    metrics: Metrics | None = None,
    warm_every: float = WARM_EVERY,
    webhooks: WebhookReceiver | None = None,
    reviews: ReviewShelf | None = None,
) -> ASGIApp:
    """The read-only dashboard over ``store`` (and, for past dates, the mapping files), at ``base_path``;
    issues link to ``jira_url``; ``metrics`` are served as ``GET /metrics``. While it is served, a
    thread reads every mapped team's histories ahead and catches up with each run, looking every
    ``warm_every`` seconds. ``webhooks`` receives Jira's webhooks at ``POST /webhooks/jira``. The
    reviews on the ``reviews`` shelf (none without it) are listed and shown at ``/teams/{team}/reviews``."""
    reports = Reports(store, mapping_paths, clock)
    pages, api = Pages(reports, base_path, jira_url), Api(reports, base_path)
    routes: list[BaseRoute] = [
        Route("/", pages.overview),
        Route("/teams/{team}", pages.team),
        Route("/teams/{team}/kpis/{key}", pages.kpi),
        Route("/teams/{team}/objectives/{key}", pages.objective),
        Route("/api/teams", api.teams),
        Route("/api/teams/{team}/report", api.report),
        Route("/api/teams/{team}/series", api.series),
        *ReviewViews(reports, reviews, base_path).routes(),
        Route("/api/openapi.json", api.openapi),
        Route("/healthz", api.healthz),
        *metrics_routes(metrics),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        warmer = Warmer(reports.warm, warm_every)
        warmer.start()
        try:
            yield
        finally:
            warmer.stop()

    app = Starlette(routes=[Mount(base_path, routes=routes)] if base_path else routes, lifespan=lifespan)
    return with_webhooks(Guard(app, access, base_path), webhooks, base_path)
