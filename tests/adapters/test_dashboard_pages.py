"""The dashboard's pages over a store filled by passes against the in-memory Jira: every team,
objective and KPI the report holds with its figures, links between KPIs and the objectives they
guard, as-of dates, and the base path behind a reverse proxy."""

import json
import re
from collections.abc import Iterator

import pytest

from sync.app.web.views import number as shown
from tests.adapters.dashboard_support import Served, served_world


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from served_world(tmp_path_factory.mktemp("dashboard"))


def test_the_overview_shows_every_team_objective_and_kpi_with_its_figures(served):
    page = served.client().get("/")
    assert page.status_code == 200
    for name, team in served.documents().items():
        assert f'href="/teams/{name}"' in page.text
        for o in team["objectives"]:
            row = re.search(rf'/teams/{name}/objectives/{o["key"]}".*?</tr>', page.text, re.S)
            assert row is not None, o["key"]
            cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(0))
            assert cells == [shown(o["score"]), shown(o["expected"])]
            assert f"</span> {o['status']}</span>" in row.group(0)
        for k in team["kpis"]:
            row = re.search(rf'/teams/{name}/kpis/{k["key"]}".*?</tr>', page.text, re.S)
            assert row is not None, k["key"]
            assert f'<td class="num">{shown(k["value"], k["unit"])}</td>' in row.group(0)
            assert f"n = {k['sample_size']}" in row.group(0)


def test_breached_kpis_and_the_objectives_they_guard_come_first(served):
    page = served.client().get("/teams/MOB").text
    team = served.documents()["MOB"]
    statuses = [k["status"] for k in team["kpis"]]
    assert "breach" in statuses, "the seeded site has a KPI in breach"
    shown_kpis = re.findall(r'<section class="kpi" id="kpi-([^"]+)"', page)
    order = {"breach": 0, "warning": 1, "healthy": 2, "no data": 3}
    ranks = [order[next(k["status"] for k in team["kpis"] if k["key"] == key)] for key in shown_kpis]
    assert ranks == sorted(ranks)
    assert sorted(shown_kpis) == sorted(k["key"] for k in team["kpis"])
    breached = {k["key"] for k in team["kpis"] if k["status"] == "breach"}
    shown_objectives = re.findall(r'<section class="objective" id="objective-([^"]+)"', page)
    guards = {o["key"]: set(o["guardrails"]) for o in team["objectives"]}
    guarded = [bool(breached & guards[key]) for key in shown_objectives]
    assert guarded == sorted(guarded, reverse=True)


def test_the_team_page_draws_key_results_as_bars_with_the_pace_mark_and_links_guardrails(served):
    page = served.client().get("/teams/MOB").text
    team = served.documents()["MOB"]
    objective = next(o for o in team["objectives"] if o["key_results"] and o["guardrails"])
    section = page.split(f'id="objective-{objective["key"]}"')[1].split("</section>")[0]
    for kr in objective["key_results"]:
        width = max(0, min(100, round((kr["score"] or 0) * 100)))
        assert f'<div class="fill w-{width}"></div>' in section
    assert f'class="pace at-{round(objective["expected"] * 100)}"' in section
    for guard in objective["guardrails"]:
        assert f'href="/teams/MOB/kpis/{guard}"' in section
        kpi_section = page.split(f'id="kpi-{guard}"')[1].split("</section>")[0]
        assert f'href="#objective-{objective["key"]}"' in kpi_section
    assert page.count('<canvas class="trend"') == len(team["kpis"])


def test_the_kpi_page_lists_its_daily_series_as_numbers_beside_the_chart(served):
    team = served.documents()["MOB"]
    kpi = next(k for k in team["kpis"] if k["series"])
    points = served.app.store.daily_points("MOB", team["cycle"], f"kpi:{kpi['key']}")
    assert len(points) > len(kpi["series"]), "a day per day of the cycle, more than the trend points"
    page = served.client().get(f"/teams/MOB/kpis/{kpi['key']}").text
    rows = re.findall(r"<tr><td>([\d-]+)</td><td class=\"num\">([^<]*)</td></tr>", page)
    assert rows == [(p.day.isoformat(), shown(p.value, kpi["unit"])) for p in points]
    chart = json.loads(re.search(r"data-chart='([^']*)'", page).group(1))
    assert chart["labels"] == [p.day.isoformat() for p in points]
    assert chart["lines"][0]["values"] == [p.value for p in points]
    assert (chart["target"], chart["threshold"]) == (kpi["target"], kpi["threshold"])
    assert "No daily series stored yet" not in page


def test_the_objective_page_shows_each_key_result_with_owner_and_the_guardrails(served):
    team = served.documents()["MOB"]
    objective = next(o for o in team["objectives"] if o["key_results"] and o["guardrails"])
    page = served.client().get(f"/teams/MOB/objectives/{objective['key']}").text
    for kr in objective["key_results"]:
        assert f'<td>{kr["owner"] or "-"}</td><td class="num">{shown(kr["score"])}</td>' in page
    for guard in objective["guardrails"]:
        assert f'href="/teams/MOB/kpis/{guard}"' in page


def test_a_past_date_shows_the_scores_as_of_then(served):
    page = served.client().get("/teams/MOB?as_of=2026-10-15").text
    assert "as of 2026-10-15 23:59" in page
    assert 'href="/teams/MOB/kpis/velocity?as_of=2026-10-15"' in page
    assert 'value="2026-10-15"' in page


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/teams/NOPE", 404, "there is no team &#39;NOPE&#39;"),
        ("/teams/MOB/kpis/nope", 404, "has no kpi &#39;nope&#39;"),
        ("/teams/MOB/objectives/MOB-999", 404, "has no objective &#39;MOB-999&#39;"),
        ("/?as_of=yesterday", 400, "is not a date or a date-time"),
    ],
)
def test_what_is_not_there_is_said_with_the_known_teams(served, url, status, says):
    answer = served.client().get(url)
    assert answer.status_code == status
    assert says in answer.text
    assert 'href="/teams/MOB"' in answer.text


def test_behind_a_reverse_proxy_every_link_starts_at_the_base_path(served):
    client = served.client(base_path="/kpiokr")
    page = client.get("/kpiokr/")
    assert page.status_code == 200
    links = [link for link in re.findall(r'(?:href|src)="([^"#?]+)', page.text) if not link.startswith("data:")]
    assert links
    assert all(link.startswith("/kpiokr/") for link in links)
    assert client.get("/kpiokr/static/vendor/chart.umd.min.js").status_code == 200
    assert client.get("/").status_code == 404
