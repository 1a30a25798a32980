"""The previous cycle beside the current one: its daily series backfilled by a pass from the
histories, drawn and tabulated on the KPI page, given by the series API, and the past cycles
offered by the date control."""

from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from starlette.testclient import TestClient

from sync.app import Access, dashboard_app
from sync.app.web.views import number
from tests.fakes.world import make_world

PREVIOUS = ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30))
OLDER = ("2026-Q2", date(2026, 4, 1), date(2026, 6, 30))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[object, TestClient]]:
    world = make_world(tmp_path_factory.mktemp("previous-cycle"))
    mob = world.mappings / "mob.toml"
    tables = "".join(f'\n[[past_cycle]]\nname = "{n}"\nstart = {s}\nend = {e}\n' for n, s, e in (OLDER, PREVIOUS))
    mob.write_text(mob.read_text() + tables)
    with world.app() as app:
        assert world.runner(app).run().ok
        paths = world.config.mapping_paths
        web = dashboard_app(app.store, paths, Access(), world.site.clock, jira_url=world.config.jira.url)
        yield app, TestClient(web)


def test_a_pass_backfills_every_day_of_the_previous_cycle_only(served):
    app, _ = served
    name, start, end = PREVIOUS
    days = {p.day for p in app.store.daily_points("MOB", name, "kpi:velocity")}
    assert days == {start + timedelta(days=n) for n in range((end - start).days + 1)}
    assert app.store.daily_points("MOB", OLDER[0]) == []
    assert {p.cycle for p in app.store.daily_points("WEB")} == {"2026-Q4"}, "WEB's mapping lists no past cycle"


def test_the_kpi_page_shows_the_previous_cycle_day_by_day_beside_the_current(served):
    app, client = served
    current = next(iter(app.store.latest_reports("MOB"))).document["cycle"]
    page = client.get("/teams/MOB/kpis/velocity")
    assert page.status_code == 200
    assert "Previous cycle (2026-Q3)</th>" in page.text
    assert "previous cycle (2026-Q3)" in page.text, "the chart's data names the line"
    first = app.store.daily_points("MOB", current, "kpi:velocity")[0]
    same = next(p for p in app.store.daily_points("MOB", "2026-Q3", "kpi:velocity") if p.day == PREVIOUS[1])
    assert first.day == date(2026, 10, 1)
    shown = f'<tr><td>{first.day.isoformat()}</td><td class="num">'
    row = page.text[page.text.index(shown) :].split("</tr>")[0]
    kpi = next(k for k in client.get("/api/teams/MOB/report").json()["teams"][0]["kpis"] if k["key"] == "velocity")
    assert row.split('<td class="num">')[1:] == [
        f"{number(first.value, kpi['unit'])}</td>",
        f"{number(same.value, kpi['unit'])}</td>",
    ]


def test_the_date_control_offers_the_past_cycles_and_shows_one_as_of_its_end(served):
    _, client = served
    page = client.get("/teams/MOB").text
    assert '<option value="2026-09-30">2026-Q3 (to 2026-09-30)</option>' in page
    assert '<option value="2026-06-30">2026-Q2 (to 2026-06-30)</option>' in page
    assert page.index("2026-Q3 (to") < page.index("2026-Q2 (to"), "latest first"
    past = client.get("/api/teams/MOB/report", params={"as_of": "2026-09-30"}).json()["teams"][0]
    assert past["cycle"] == "2026-Q3"
    assert "2026-Q2" in client.get("/teams/MOB/kpis/velocity", params={"as_of": "2026-09-30"}).text


def test_the_series_api_names_the_previous_cycle_and_gives_its_points(served):
    app, client = served
    answer = client.get("/api/teams/MOB/series", params={"series": "kpi:velocity"}).json()
    assert answer["cycle"] == "2026-Q4"
    assert answer["previous_cycle"] == "2026-Q3"
    assert {p["cycle"] for p in answer["points"]} == {"2026-Q3", "2026-Q4"}
    assert len(answer["points"]) == len(app.store.daily_points("MOB", series="kpi:velocity"))
    assert client.get("/api/teams/WEB/series").json()["previous_cycle"] is None
