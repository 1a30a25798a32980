"""Nothing served writes but Jira's webhooks: with the webhook endpoint mounted beside the dashboard,
every page, API answer and static file refuses every method but GET and HEAD, and a signed delivery
at ``POST /webhooks/jira`` (``kpiokr serve``: no daemon in the process) adds its delivery record and
its hint for the daemons, and changes nothing else in the store."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy
from starlette.testclient import TestClient

from sync.app import Access, dashboard_app
from sync.app.webhooks import PATH, WebhookReceiver, signature_of
from sync.config import WebhookSettings
from sync.store.engine import engine_url
from tests.adapters.dashboard_support import Served, served_world

SECRET = "s3cret-for-tests"
BODY = (
    b'{"timestamp": 1796472000000, "webhookEvent": "jira:issue_updated", "changelog": {"id": "10500", "items": []},'
    b' "issue": {"id": "10042", "key": "MOB-7", "fields": {"project": {"key": "MOB"}}}}'
)
WRITES = ("POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from served_world(tmp_path_factory.mktemp("dashboard-read-only"))


@pytest.fixture
def client(served: Served) -> TestClient:
    """The dashboard with the webhook endpoint of ``kpiokr serve`` mounted, open as on loopback."""
    store, clock = served.app.store, served.world.site.clock
    receiver = WebhookReceiver(SECRET, WebhookSettings(enabled=True), store, lambda: datetime.now(UTC))
    paths, jira = served.world.config.mapping_paths, served.world.config.jira.url
    return TestClient(dashboard_app(store, paths, Access(), clock, jira_url=jira, webhooks=receiver))


def tables(served: Served) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table of the store, by table."""
    engine = sqlalchemy.create_engine(engine_url(served.world.config.store_url))
    try:
        with engine.connect() as connection:
            names = sqlalchemy.inspect(connection).get_table_names()
            return {n: sorted(map(tuple, connection.execute(sqlalchemy.text(f'SELECT * FROM "{n}"')))) for n in names}
    finally:
        engine.dispose()


def test_every_read_address_refuses_every_write_method(served: Served, client: TestClient):
    team = served.documents()["MOB"]
    urls = [
        "/",
        "/teams/MOB",
        f"/teams/MOB/kpis/{team['kpis'][0]['key']}",
        f"/teams/MOB/objectives/{served.objective}",
        "/teams/MOB/reviews",
        "/api/teams",
        "/api/teams/MOB/report",
        "/api/teams/MOB/series",
        "/api/teams/MOB/reviews",
        "/api/openapi.json",
        "/healthz",
        "/static/app.css",
        "/nowhere",
    ]
    before = tables(served)
    for url in urls:
        assert client.get(url).status_code in (200, 404), url
        for method in WRITES:
            answer = client.request(method, url, content=BODY, headers={"x-hub-signature": signature_of(SECRET, BODY)})
            assert (answer.status_code, answer.headers["allow"]) == (405, "GET, HEAD"), (method, url)
    for method in ("GET", "PUT", "DELETE"):
        assert client.request(method, PATH).status_code == 405, method
    assert tables(served) == before


def test_a_signed_webhook_adds_its_delivery_record_and_hint_and_changes_nothing_else(
    served: Served, client: TestClient
):
    before = tables(served)
    unsigned = client.post(PATH, content=BODY)
    assert unsigned.status_code == 401
    assert tables(served) == before
    answer = client.post(PATH, content=BODY, headers={"x-hub-signature": signature_of(SECRET, BODY)})
    assert (answer.status_code, answer.json()["status"]) == (202, "recorded")
    after = tables(served)
    assert len(after["webhook_deliveries"]) > len(before["webhook_deliveries"])
    assert len(after["webhook_hints"]) == len(before["webhook_hints"]) + 1
    written = {"webhook_deliveries", "webhook_hints"}
    assert {n: rows for n, rows in after.items() if n not in written} == {
        n: rows for n, rows in before.items() if n not in written
    }
