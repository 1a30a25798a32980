"""The daemon's Prometheus metrics, one registry per application, served as ``GET /metrics``.

:class:`Metrics` holds every metric in a :class:`prometheus_client.CollectorRegistry` of its own
(built by the composition root and passed in, so two apps in one process, or two tests, never
share counts). What it counts arrives through small seams: the Jira HTTP layer's request observer
(:meth:`Metrics.jira_request`), the runner's end of each pass (:meth:`Metrics.pass_ended`), the
webhook handler (:meth:`Metrics.webhook_handled`); what the store knows is read at each scrape
(:meth:`Metrics.read_store`, :meth:`Metrics.count_teams_leased`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import choose_encoder
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from sync.app.run_summary import RunSummary
from sync.errors import KpiokrError
from sync.jira import REQUEST_KINDS
from sync.store import Store

log = logging.getLogger(__name__)

#: What a pass can end as: the statuses its run is recorded with.
OUTCOMES = ("ok", "partial", "failed", "abandoned")
#: Seconds a pass takes: an idle pass well under a second, a first sync at 100,000 issues minutes.
PASS_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, math.inf)
#: Seconds from a webhook's arrival to the last changed field written (the target is 3 s at p95).
WEBHOOK_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, math.inf)
RATE_LIMITED = 429
DRY_RUN = "dry-run"
#: How many of the newest ``ok`` runs are searched for one that was no dry run.
RUNS_SEARCHED = 50


class Metrics:
    """Every metric of one kpiokr process, in the registry :attr:`registry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self._runs = Counter(
            "kpiokr_runs",
            "Sync passes ended, by outcome (ok, partial, failed, abandoned).",
            ["outcome"],
            registry=registry,
        )
        self._pass_seconds = Histogram(
            "kpiokr_pass_duration_seconds",
            "Seconds each sync pass took, however it ended.",
            buckets=PASS_BUCKETS,
            registry=registry,
        )
        self._requests = Counter(
            "kpiokr_jira_requests",
            "HTTP requests sent to Jira (retries included), by kind.",
            ["kind"],
            registry=registry,
        )
        self._rate_limited = Counter(
            "kpiokr_jira_rate_limited",
            "Jira requests answered 429 (rate limited), by kind.",
            ["kind"],
            registry=registry,
        )
        self._writes = Counter(
            "kpiokr_jira_writes",
            "Issue writes of scores, by outcome (ok: Jira took it, failed: rejected).",
            ["outcome"],
            registry=registry,
        )
        self._webhook_seconds = Histogram(
            "kpiokr_webhook_latency_seconds",
            "Seconds from a Jira webhook arriving to the last changed field written.",
            buckets=WEBHOOK_BUCKETS,
            registry=registry,
        )
        for outcome in OUTCOMES:
            self._runs.labels(outcome)
        for outcome in ("ok", "failed"):
            self._writes.labels(outcome)
        for kind in REQUEST_KINDS:  # served as 0 before the first: a query or an alert on them reads 0, not "no data"
            self._requests.labels(kind)
            self._rate_limited.labels(kind)

    def jira_request(self, kind: str, status: int | None) -> None:
        """One exchange with Jira, as the Jira HTTP layer's request observer hears it."""
        self._requests.labels(kind).inc()
        if status == RATE_LIMITED:
            self._rate_limited.labels(kind).inc()

    def pass_ended(self, outcome: str, seconds: float, summary: RunSummary | None) -> None:
        """A pass ended as ``outcome`` after ``seconds``; its ``summary`` (``None`` when it raised) has its writes."""
        self._runs.labels(outcome).inc()
        self._pass_seconds.observe(seconds)
        if summary is not None:
            counts = summary.counts  # the run record's figures: the metrics agree with it
            self._writes.labels("ok").inc(counts["issues_written"])
            self._writes.labels("failed").inc(counts["issues_rejected"])

    def webhook_handled(self, seconds: float) -> None:
        """A webhook's changes are in Jira ``seconds`` after it arrived (or it changed nothing by then)."""
        self._webhook_seconds.observe(seconds)

    def read_store(self, store: Store) -> None:
        """At each scrape, the end of the newest pass recorded ``ok`` in ``store`` (by any daemon sharing it)."""

        def last_success() -> float:
            try:
                runs = store.runs(status="ok", limit=RUNS_SEARCHED)
            except KpiokrError as error:
                log.warning("metrics: cannot read the last successful pass: %s", error)
                return math.nan
            ended = [r.finished_at for r in runs if r.kind != DRY_RUN and r.finished_at is not None]
            return ended[0].timestamp() if ended else math.nan

        gauge = Gauge(
            "kpiokr_last_success_timestamp_seconds",
            "When the newest sync pass recorded ok ended (Unix time; NaN before the first, or when the store"
            " does not answer).",
            registry=self.registry,
        )
        gauge.set_function(last_success)

    def count_teams_leased(self, count: Callable[[], int]) -> None:
        """At each scrape, how many teams this daemon holds a lease on (``count``; NaN when it raises)."""

        def leased() -> float:
            try:
                return float(count())
            except KpiokrError as error:
                log.warning("metrics: cannot count the teams leased: %s", error)
                return math.nan

        gauge = Gauge("kpiokr_teams_leased", "Teams this daemon holds a lease on.", registry=self.registry)
        gauge.set_function(leased)

    def endpoint(self, request: Request) -> Response:
        """``GET /metrics``: the registry in the format the scraper accepts (Prometheus text by default)."""
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(self.registry), headers={"Content-Type": content_type})


def metrics_routes(metrics: Metrics | None) -> list[BaseRoute]:
    """``GET /metrics`` over ``metrics``, or no route when the server has none."""
    return [] if metrics is None else [Route("/metrics", metrics.endpoint)]
