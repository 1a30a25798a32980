"""The pages over the stored daily series and the calculators' details: each KPI's chart and table
by day (the report's trend points, said so, where no series is stored), each key result's progress
over the cycle, the issues behind a KPI's value linked to Jira, the data quality beside each figure,
and the mapping files read again only when one changes."""

import json
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from sync.app import Access, dashboard_app
from sync.app.web.source import Reports
from sync.app.web.views import number as shown
from tests.adapters.dashboard_support import Served, served_world
from tests.fakes.world import make_world

JIRA = "https://jira.example.test"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from served_world(tmp_path_factory.mktemp("dashboard-series"))


def charts(page: str) -> list[dict]:
    return [json.loads(data) for data in re.findall(r"data-chart='([^']*)'", page)]


def test_each_kpi_of_the_team_page_is_charted_and_tabled_by_day(served):
    team = served.documents()["MOB"]
    page = served.client().get("/teams/MOB").text
    for kpi in team["kpis"]:
        section = page.split(f'id="kpi-{kpi["key"]}"')[1].split("</section>")[0]
        points = served.app.store.daily_points("MOB", team["cycle"], f"kpi:{kpi['key']}")
        assert charts(section)[0]["labels"] == [p.day.isoformat() for p in points]
        rows = re.findall(r"<tr><td>([\d-]+)</td><td class=\"num\">([^<]*)</td></tr>", section)
        assert rows == [(p.day.isoformat(), shown(p.value, kpi["unit"])) for p in points]


def test_a_date_before_the_stored_series_shows_the_reports_trend_points_and_says_so(served):
    report = served.client().get("/api/teams/MOB/report", params={"as_of": "2026-09-10"}).json()["teams"][0]
    kpi = next(k for k in report["kpis"] if k["key"] == "velocity")
    page = served.client().get("/teams/MOB/kpis/velocity", params={"as_of": "2026-09-10"}).text
    assert "No daily series stored yet: these are the report's trend points." in page
    rows = re.findall(r"<tr><td>([\d-]+)</td><td class=\"num\">([^<]*)</td></tr>", page)
    assert rows == [(day[:10], shown(value, kpi["unit"])) for day, value in kpi["series"]]


def test_a_past_date_in_the_cycle_shows_the_series_up_to_that_day(served):
    page = served.client().get("/teams/MOB/kpis/velocity", params={"as_of": "2026-10-15"}).text
    days = [day for day, _ in re.findall(r"<tr><td>([\d-]+)</td><td class=\"num\">([^<]*)</td></tr>", page)]
    assert days
    assert days[-1] == "2026-10-15"
    assert "No daily series stored yet" not in page


def test_the_objective_page_shows_each_key_results_progress_by_day_and_the_guardrails_history(served):
    team = served.documents()["MOB"]
    objective = next(o for o in team["objectives"] if o["key_results"] and o["guardrails"])
    page = served.client().get(f"/teams/MOB/objectives/{objective['key']}").text
    table = page.split('<table class="progress-series">')[1].split("</table>")[0]
    header = re.findall(r"<th>([^<]*)</th>", table)
    assert header == ["Day", "objective score", *(kr["key"] for kr in objective["key_results"])]
    grades = {kr["key"]: served.app.store.daily_points("MOB", team["cycle"], f"key_result:{kr['key']}")
              for kr in objective["key_results"]}  # fmt: skip
    rows = re.findall(r"<tr><td>([\d-]+)</td>((?:<td class=\"num\">[^<]*</td>)+)</tr>", table)
    assert [day for day, _ in rows] == [p.day.isoformat() for p in next(iter(grades.values()))]
    for day, cells in rows:
        values = re.findall(r'<td class="num">([^<]*)</td>', cells)
        expected = [shown(next(p.value for p in grades[kr["key"]] if p.day.isoformat() == day))
                    for kr in objective["key_results"]]  # fmt: skip
        assert values[1:] == expected
    progress = charts(page)[0]
    assert [line["label"] for line in progress["lines"]][1:] == [kr["key"] for kr in objective["key_results"]]
    for guard in objective["guardrails"]:
        section = page.split(f'href="/teams/MOB/kpis/{guard}"')[1].split("</section>")[0]
        points = served.app.store.daily_points("MOB", team["cycle"], f"kpi:{guard}")
        assert charts(section)[0]["lines"][0]["values"] == [p.value for p in points]


def test_the_velocity_page_lists_each_sprints_committed_and_completed_issues_linked_to_jira(served):
    details = {r.kpi_key: r.details for r in served.app.store.latest_kpi_values("MOB")}["velocity"]
    page = served.client().get("/teams/MOB/kpis/velocity").text
    for sprint in details["sprints"]:
        for part in ("committed", "completed"):
            keys = details["sprint_issues"][str(sprint["id"])][part]
            assert keys
            section = page.split(f"<h3>{sprint['name']}: {part} <small>({len(keys)})</small></h3>")[1]
            section = section.split("</section>")[0]
            links = re.findall(r'<a class="issue" href="([^"]+)">([^<]+)</a>', section)
            assert links == [(f"{JIRA}/browse/{key}", key) for key in keys]
    u, counted = details["unestimated"], details["counted"]
    assert u > 0
    assert f"{u} of {counted} unestimated ({round(100 * u / counted)}%)" in page


UNESTIMATED = r"\d+ of \d+ unestimated \(\d+%\)"


@pytest.mark.parametrize("as_of", [None, "2026-11-01"])
def test_the_overview_shows_the_unestimated_share_beside_velocity_as_its_page_does(served, as_of):
    client, query = served.client(), {"as_of": as_of} if as_of else {}
    share = re.search(UNESTIMATED, client.get("/teams/MOB/kpis/velocity", params=query).text)
    assert share is not None, "the KPI page says the share"
    overview = client.get("/", params=query).text
    row = re.search(r'href="/teams/MOB/kpis/velocity[^"]*".*?</tr>', overview, re.S)
    assert row is not None
    assert share.group(0) in row.group(0)


def test_the_objective_page_shows_the_unestimated_share_beside_a_velocity_guardrail(tmp_path):
    world = make_world(tmp_path)
    mob = world.mappings / "mob.toml"
    velocity = 'threshold = 25\nowner = "pm@example.com"\n'
    mob.write_text(mob.read_text().replace(velocity, velocity + 'guards = ["*"]\n', 1))
    with world.app() as app:
        assert world.runner(app).run().ok
        team = next(r.document for r in app.store.latest_reports("MOB"))
        objective = next(o["key"] for o in team["objectives"] if "velocity" in o["guardrails"])
        web = dashboard_app(app.store, world.config.mapping_paths, Access(), world.site.clock)
        client = TestClient(web)
        share = re.search(UNESTIMATED, client.get("/teams/MOB/kpis/velocity").text)
        page = client.get(f"/teams/MOB/objectives/{objective}").text
    assert share is not None
    section = page.split('href="/teams/MOB/kpis/velocity')[1].split("</section>", maxsplit=1)[0]
    assert share.group(0) in section


def test_the_cycle_time_page_lists_the_longest_items_with_their_days(served):
    details = {r.kpi_key: r.details for r in served.app.store.latest_kpi_values("MOB")}["cycle_time"]
    page = served.client().get("/teams/MOB/kpis/cycle_time").text
    section = page.split("<h3>Took longest")[1].split("</section>")[0]
    rows = re.findall(r'<a class="issue" href="([^"]+)">([^<]+)</a></td><td class="num">([^<]*)</td>', section)
    assert rows == [(f"{JIRA}/browse/{key}", key, f"{round(days, 1):g} days") for key, days in details["longest"]]
    assert f"n = {details['sample_size']}" in page


def test_a_past_dates_kpi_page_names_the_issues_behind_the_value_then(served):
    page = served.client().get("/teams/MOB/kpis/velocity", params={"as_of": "2026-10-15"}).text
    assert re.search(r'<a class="issue" href="https://jira.example.test/browse/MOB-\d+">', page)


def test_the_mapping_files_are_read_again_only_when_one_changes(served):
    reports = Reports(served.app.store, served.world.config.mapping_paths, served.world.site.clock)
    first = reports.mappings()
    assert reports.mappings() is first
    assert reports.teams() == ["MOB", "WEB"]
    mob = next(p for p in served.world.config.mapping_paths[0].parent.rglob("mob.toml"))
    mob.write_text(mob.read_text().replace('name = "MOB"', 'name = "MOBILE"', 1))
    try:
        changed = reports.mappings()
        assert changed is not first
        assert "MOBILE" in {t.team.name for t in changed}
        assert "MOBILE" in reports.teams()
    finally:
        mob.write_text(mob.read_text().replace('name = "MOBILE"', 'name = "MOB"', 1))
