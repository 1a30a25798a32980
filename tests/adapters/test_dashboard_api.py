"""The dashboard's JSON API and its guard over a store filled by passes against the in-memory
Jira: the report exactly as the command line prints it, the OpenAPI document and answers valid
against it, /healthz, escaping of Jira's text, read-only methods, headers and access control."""

import base64
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openapi_schema_validator import OAS31Validator
from starlette.testclient import TestClient

from sync.app import Access, dashboard_app
from sync.store import Store
from tests.adapters.dashboard_support import IMG, SCRIPT, Served, served_world


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from served_world(tmp_path_factory.mktemp("dashboard-api"))


@pytest.mark.parametrize("as_of", [None, "2026-10-15", "2026-11-01T09:00+01:00"])
@pytest.mark.parametrize("team", ["MOB", "WEB"])
def test_the_report_is_exactly_what_kpiokr_report_prints(served, capsys, team, as_of):
    since = ["--as-of", as_of] if as_of else []
    capsys.readouterr()
    assert served.world.main("report", "--format", "json", "--team", team, *since) == 0
    printed = capsys.readouterr().out
    answer = served.client().get(f"/api/teams/{team}/report", params={"as_of": as_of} if as_of else {})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.text == printed
    assert json.loads(answer.text)["teams"][0]["team"] == team


def test_teams_lists_every_team_with_the_address_of_its_report(served):
    answer = served.client().get("/api/teams").json()
    names = [t["name"] for t in answer["teams"]]
    assert set(served.documents()) <= set(names)
    assert {"name": "MOB", "report": "/api/teams/MOB/report"} in answer["teams"]


def test_an_unknown_team_and_a_date_that_is_none_are_refused_with_what_to_do(served):
    unknown = served.client().get("/api/teams/NOPE/report")
    assert unknown.status_code == 404
    assert "known teams: " in unknown.json()["error"]
    assert "MOB" in unknown.json()["error"]
    bad = served.client().get("/api/teams/MOB/report", params={"as_of": "2026-10-15T09:00"})
    assert bad.status_code == 400
    assert "has no offset" in bad.json()["error"]


def documented_only(schema):
    """``schema`` with every object that lists its properties closed to any other: an answer's field the
    document does not name fails validation."""
    if isinstance(schema, list):
        return [documented_only(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: documented_only(value) for key, value in schema.items()}
    if isinstance(schema.get("properties"), dict) and "additionalProperties" not in schema:
        closed["additionalProperties"] = False
    return closed


def test_the_answers_are_valid_against_the_openapi_document(served):
    client = served.client()
    document = client.get("/api/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    schemas = document["components"]["schemas"]
    for schema in schemas.values():
        OAS31Validator.check_schema(schema)

    def validate(instance, name):
        closed = documented_only(schemas)
        OAS31Validator({**closed[name], "components": {"schemas": closed}}).validate(instance)

    validate(client.get("/api/teams").json(), "Teams")
    validate(client.get("/api/teams/MOB/report").json(), "Report")
    validate(client.get("/api/teams/WEB/report?as_of=2026-10-15").json(), "Report")
    validate(client.get("/healthz").json(), "Health")
    validate(client.get("/api/teams/NOPE/report").json(), "Error")
    validate(client.get("/api/teams/MOB/series").json(), "Series")
    validate(client.get("/api/teams/NOPE/series").json(), "Error")
    assert set(document["paths"]) == {
        "/api/teams",
        "/api/teams/{team}/report",
        "/api/teams/{team}/series",
        "/api/teams/{team}/reviews",
        "/api/teams/{team}/reviews/{kind}/{period}",
        "/api/openapi.json",
        "/healthz",
    }


def test_the_series_are_the_stored_points_of_the_team_narrowed_by_cycle_and_series(served):
    client = served.client()
    cycle = served.documents()["MOB"]["cycle"]
    stored = served.app.store.daily_points("MOB", cycle, "kpi:velocity")
    assert len(stored) > 1, "the passes backfilled the cycle"
    answer = client.get("/api/teams/MOB/series", params={"cycle": cycle, "series": "kpi:velocity"})
    assert answer.status_code == 200
    points = answer.json()["points"]
    assert [(p["day"], p["value"], p["status"]) for p in points] == [
        (s.day.isoformat(), s.value, s.status) for s in stored
    ]
    assert {p["series"] for p in points} == {"kpi:velocity"}
    everything = client.get("/api/teams/MOB/series").json()["points"]
    assert {p["series"] for p in everything} >= {"kpi:velocity", f"objective:{served.objective}"}
    assert len(everything) == len(served.app.store.daily_points("MOB"))
    assert client.get("/api/teams/MOB/series", params={"cycle": "1999-Q1"}).json() == {
        "team": "MOB",
        "cycle": cycle,
        "previous_cycle": None,
        "points": [],
    }
    unknown = client.get("/api/teams/NOPE/series")
    assert unknown.status_code == 404
    assert "known teams: MOB, WEB" in unknown.json()["error"]


def test_healthz_gives_the_newest_runs_outcome_and_age(served):
    answer = served.client().get("/healthz")
    assert answer.status_code == 200
    run = served.app.store.runs(limit=1)[0]
    assert answer.json() == {
        "store": "reachable",
        "last_run": {
            "id": run.id,
            "status": "ok",
            "age_seconds": round((served.world.site.clock() - run.finished_at).total_seconds(), 1),
        },
        "histories_kept": 0,
    }


def test_a_served_dashboard_reads_every_mapped_teams_histories_ahead(served):
    projects = {p for t in served.app.mappings.current() for p in t.team.projects}
    issues = served.app.store.count_issues(projects)
    with served.client() as client:
        deadline = time.monotonic() + 30
        while client.get("/healthz").json()["histories_kept"] < issues and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/healthz").json()["histories_kept"] == issues


def test_healthz_tells_the_last_runs_error_only_to_readers_who_signed_in(tmp_path: Path):
    with Store.open(f"sqlite:///{tmp_path / 'kpiokr.sqlite3'}") as store:
        run = store.start_run("sync")
        store.finish_run(run, "failed", error="The Jira account bot@example.com may not POST /rest/api/3/search/jql")
        client = TestClient(dashboard_app(store, [], Access(token="s3cret"), lambda: datetime.now(UTC)))
        anyone = client.get("/healthz").json()
        signed_in = client.get("/healthz", headers={"Authorization": "Bearer s3cret"}).json()
        wrong = client.get("/healthz", headers={"Authorization": "Bearer guess"}).json()
        open_on_loopback = TestClient(dashboard_app(store, [], Access(), lambda: datetime.now(UTC))).get("/healthz")
    assert anyone["last_run"]["status"] == signed_in["last_run"]["status"] == "failed"
    assert "error" not in anyone
    assert "error" not in wrong
    assert signed_in["error"] == "The Jira account bot@example.com may not POST /rest/api/3/search/jql"
    assert open_on_loopback.json()["error"] == signed_in["error"]


def test_healthz_answers_503_when_the_store_does_not(tmp_path: Path):
    path = tmp_path / "kpiokr.sqlite3"
    with Store.open(f"sqlite:///{path}") as broken:
        broken.close()
        path.write_bytes(b"this is no database" * 200)
        client = TestClient(dashboard_app(broken, [], Access(), lambda: None))
        answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.json()["store"] == "unreachable"
    assert answer.json()["last_run"] is None


@pytest.mark.parametrize("url", ["/", "/teams/MOB", "/teams/MOB/objectives/{objective}"])
def test_jira_text_is_escaped_on_every_page(served, url):
    page = served.client().get(url.format(objective=served.objective)).text
    assert SCRIPT not in page
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    if "objectives" in url:
        assert IMG not in page
        assert "<img" not in page
        assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    scripts = [line for line in page.splitlines() if "<script" in line]
    assert all(' src="/static/' in line for line in scripts)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_nothing_writes_every_other_method_is_405(served, method):
    answer = served.client().request(method, "/api/teams/MOB/report")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "GET, HEAD"


def test_every_answer_carries_the_security_headers(served):
    for url in ("/", "/api/teams", "/nowhere", "/static/app.css"):
        headers = served.client().get(url).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "unsafe-inline" not in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"


def test_a_token_is_needed_when_one_is_set(served):
    client = served.client(Access(token="s3cret"))
    refused = client.get("/api/teams")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_basic_auth_and_a_trusted_proxy_header(served):
    basic = served.client(Access(basic=("pm", "pa:ss")))
    good = base64.b64encode(b"pm:pa:ss").decode()
    bad = base64.b64encode(b"pm:nope").decode()
    assert basic.get("/").status_code == 401
    assert basic.get("/").headers["www-authenticate"].startswith("Basic")
    assert basic.get("/", headers={"Authorization": f"Basic {bad}"}).status_code == 401
    assert basic.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
    assert basic.get("/", headers={"Authorization": f"Basic {good}"}).status_code == 200
    proxied = served.client(Access(trusted_header="X-Forwarded-User"))
    assert proxied.get("/").status_code == 401
    assert proxied.get("/", headers={"X-Forwarded-User": "ana"}).status_code == 200
