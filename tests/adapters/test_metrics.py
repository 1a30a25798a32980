"""``GET /metrics`` over the metrics of an app wired as the composition root wires it, after passes
against the in-memory Jira: runs by outcome, requests to Jira by kind, 429s, writes, the pass and
webhook latency histograms, the last success read from the store, and the guard in front of it."""

import base64
import math
from collections import Counter

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from sync.app import Access, Metrics, dashboard_app
from sync.cli.bootstrap import App, utc_now
from sync.errors import KpiokrError
from sync.jira import REQUEST_KINDS
from tests.fakes.world import make_world


def scrape(app: App, access: Access | None = None, headers: dict[str, str] | None = None) -> dict[tuple, float]:
    """Every sample ``GET /metrics`` answers, parsed as Prometheus parses it: (name, labels) -> value."""
    answer = client(app, access).get("/metrics", headers=headers or {})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    return samples(answer.text)


def client(app: App, access: Access | None = None) -> TestClient:
    paths, jira = app.config.mapping_paths, app.config.jira.url
    web = dashboard_app(app.store, paths, access or Access(), utc_now, jira_url=jira, metrics=app.metrics)
    return TestClient(web)


def samples(text: str) -> dict[tuple, float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict[tuple, float], name: str, **labels: str) -> float:
    return found[(name, tuple(sorted(labels.items())))]


def test_a_pass_is_counted_with_its_requests_by_kind_its_writes_and_its_time(tmp_path):
    world = make_world(tmp_path / "kpiokr")
    with world.app() as app:
        summary = world.runner(app).run()
        assert summary.ok
        found = scrape(app)
        served = world.jira.served
        by_kind = {k[1][0][1]: v for k, v in found.items() if k[0] == "kpiokr_jira_requests_total"}
        assert sum(by_kind.values()) == len(served) == summary.requests
        assert by_kind["search"] == sum(1 for s in served if "/search" in s.path)
        edits = [s for s in served if s.method == "PUT" and "/issue/" in s.path and "/properties" not in s.path]
        assert by_kind["write"] == len(edits)
        assert by_kind.get("property", 0) == sum(1 for s in served if "/properties" in s.path)
        assert by_kind["site"] >= 1
        rate_limited = {k[1][0][1]: v for k, v in found.items() if k[0] == "kpiokr_jira_rate_limited_total"}
        assert rate_limited == dict.fromkeys(REQUEST_KINDS, 0), "every kind is served, at 0 before the first 429"
        assert set(by_kind) == set(REQUEST_KINDS)
        written = len(world.writes())
        assert written > 0
        assert value(found, "kpiokr_jira_writes_total", outcome="ok") == written
        assert value(found, "kpiokr_jira_writes_total", outcome="failed") == 0
        assert value(found, "kpiokr_runs_total", outcome="ok") == 1
        assert value(found, "kpiokr_runs_total", outcome="failed") == 0
        assert value(found, "kpiokr_pass_duration_seconds_count") == 1
        assert value(found, "kpiokr_pass_duration_seconds_sum") == pytest.approx(summary.seconds)
        run = app.store.runs(limit=1)[0]
        assert run.finished_at is not None
        assert value(found, "kpiokr_last_success_timestamp_seconds") == run.finished_at.timestamp()


def test_rate_limits_rejected_writes_and_a_failed_pass_are_counted(tmp_path):
    world = make_world(tmp_path / "kpiokr")
    with world.app() as app:
        runner = world.runner(app)
        assert math.isnan(value(scrape(app), "kpiokr_last_success_timestamp_seconds")), "no pass yet"
        world.gateways[-1].fail("/rest/api/3/search/jql*", 429, times=2, retry_after=0)
        world.gateways[-1].fail("/rest/api/2/issue/*", 400, method="PUT")
        summary = runner.run()
        rejected = sum(1 for o in summary.outcomes if not o.ok)
        assert rejected > 0
        world.gateways[-1].heal()
        world.gateways[-1].fail("*", 503)
        with pytest.raises(KpiokrError):
            runner.run()
        found = scrape(app)
        assert value(found, "kpiokr_jira_rate_limited_total", kind="search") == 2
        assert value(found, "kpiokr_jira_writes_total", outcome="failed") == rejected
        assert value(found, "kpiokr_jira_writes_total", outcome="ok") == len(summary.outcomes) - rejected
        assert value(found, "kpiokr_runs_total", outcome=summary.status) == 1
        assert value(found, "kpiokr_runs_total", outcome="failed") == 1
        assert value(found, "kpiokr_pass_duration_seconds_count") == 2
        statuses = Counter(s.status for s in world.jira.served)
        assert statuses[503] > 0
        assert sum(v for k, v in found.items() if k[0] == "kpiokr_jira_requests_total") == len(world.jira.served)


def test_metrics_need_the_dashboards_credentials_and_healthz_does_not(tmp_path):
    world = make_world(tmp_path / "kpiokr")
    access = Access(token="s3cret-reader")
    with world.app() as app:
        web = client(app, access)
        assert web.get("/metrics").status_code == 401
        assert web.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert web.get("/healthz").status_code == 200
        found = scrape(app, access, {"Authorization": "Bearer s3cret-reader"})
        assert value(found, "kpiokr_runs_total", outcome="ok") == 0
        basic = Access(basic=("prometheus", "pw"))
        credentials = base64.b64encode(b"prometheus:pw").decode()
        assert scrape(app, basic, {"Authorization": f"Basic {credentials}"})


def test_each_app_counts_in_a_registry_of_its_own():
    first, second = Metrics(), Metrics()
    first.jira_request("search", 200)
    first.jira_request("search", 429)
    second.jira_request("issue", None)
    assert first.registry.get_sample_value("kpiokr_jira_requests_total", {"kind": "search"}) == 2
    assert first.registry.get_sample_value("kpiokr_jira_rate_limited_total", {"kind": "search"}) == 1
    assert first.registry.get_sample_value("kpiokr_jira_requests_total", {"kind": "issue"}) == 0
    assert second.registry.get_sample_value("kpiokr_jira_requests_total", {"kind": "issue"}) == 1


def test_webhook_latency_falls_into_buckets_around_the_three_second_target():
    metrics = Metrics()
    for seconds in (0.2, 2.5, 4.0):
        metrics.webhook_handled(seconds)
    sample = metrics.registry.get_sample_value
    assert sample("kpiokr_webhook_latency_seconds_bucket", {"le": "3.0"}) == 2
    assert sample("kpiokr_webhook_latency_seconds_bucket", {"le": "+Inf"}) == 3
    assert sample("kpiokr_webhook_latency_seconds_sum") == pytest.approx(6.7)


def test_teams_leased_is_read_at_each_scrape_and_nan_when_it_cannot_be():
    metrics, leased = Metrics(), [3]

    def count() -> int:
        if not leased:
            raise KpiokrError("the store does not answer")
        return leased[0]

    metrics.count_teams_leased(count)
    assert metrics.registry.get_sample_value("kpiokr_teams_leased") == 3
    leased[0] = 5
    assert metrics.registry.get_sample_value("kpiokr_teams_leased") == 5
    leased.clear()
    assert math.isnan(metrics.registry.get_sample_value("kpiokr_teams_leased") or 0.0)
