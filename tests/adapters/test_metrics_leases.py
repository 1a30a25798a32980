"""Several daemons on one store, as monitors see them: /healthz counts the live daemons and the teams
leased and left free (a killed daemon's until its leases expire), and each daemon's
``kpiokr_teams_leased`` is its own share. SQLite and, with ``KPIOKR_TEST_PG_URL``, PostgreSQL."""

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from openapi_schema_validator import OAS31Validator
from starlette.testclient import TestClient

from sync.app import Access, Metrics, dashboard_app
from sync.app.leases import LeaseKeeper
from sync.mapping import TeamMapping
from sync.store.store import Store
from tests.adapters.store_support import FakeClock

OPENAPI = Path(__file__).resolve().parents[2] / "sync" / "app" / "web" / "openapi.json"
TTL = timedelta(seconds=60)
CYCLE = {"name": "2026-Q4", "start": date(2026, 10, 1), "end": date(2026, 12, 31)}
#: Six teams of a project each: six groups, three a daemon when two share the store.
TEAMS = [
    TeamMapping.model_validate(
        {"team": {"name": f"Team {n}", "projects": [f"P{n}"]}, "cycle": CYCLE, "objectives": {"keys": [f"P{n}-1"]}}
    )
    for n in range(6)
]


@pytest.fixture
def second(store_url: str, store_clock: FakeClock):
    with Store.open(store_url, clock=store_clock) as opened:
        yield opened


def health(store: Store, clock: FakeClock) -> dict:
    answer = TestClient(dashboard_app(store, [], Access(), clock)).get("/healthz")
    assert answer.status_code == 200
    body = answer.json()
    schemas = json.loads(OPENAPI.read_text())["components"]["schemas"]
    OAS31Validator({**schemas["Health"], "components": {"schemas": schemas}}).validate(body)
    return body


def keeper(store: Store, owner: str, clock: FakeClock) -> LeaseKeeper:
    kept = LeaseKeeper(store, owner, TTL, clock)
    kept.use(TEAMS)
    return kept


def test_health_and_metrics_count_the_daemons_and_their_leased_teams(store: Store, second: Store, store_clock):
    assert "leases" not in health(store, store_clock), "a store no daemon shares says nothing of leases"
    a, b = keeper(store, "daemon@host-a:1", store_clock), keeper(second, "daemon@host-b:2", store_clock)
    metrics_a, metrics_b = Metrics(), Metrics()
    metrics_a.count_teams_leased(lambda: len(a.leased_teams()))
    metrics_b.count_teams_leased(lambda: len(b.leased_teams()))
    a.balance()
    b.balance()
    a.balance()
    b.balance()
    assert health(store, store_clock)["leases"] == {"daemons": 2, "teams_leased": len(TEAMS), "teams_free": 0}
    leased = [m.registry.get_sample_value("kpiokr_teams_leased") for m in (metrics_a, metrics_b)]
    assert leased == [len(TEAMS) / 2, len(TEAMS) / 2]

    store_clock.advance(seconds=TTL.total_seconds() / 2)
    a.balance()  # B is killed: its leases run out a lease time after its last beat
    store_clock.advance(seconds=TTL.total_seconds() / 2 + 1)
    assert health(store, store_clock)["leases"] == {"daemons": 1, "teams_leased": 3, "teams_free": 3}
    a.balance()
    assert health(store, store_clock)["leases"] == {"daemons": 1, "teams_leased": len(TEAMS), "teams_free": 0}
    assert metrics_a.registry.get_sample_value("kpiokr_teams_leased") == len(TEAMS)
    a.leave()
    assert health(store, store_clock)["leases"] == {"daemons": 0, "teams_leased": 0, "teams_free": len(TEAMS)}
