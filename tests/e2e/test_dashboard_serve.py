"""``kpiokr serve`` as a process of its own over real HTTP, against the store ``kpiokr demo`` leaves:
the overview, team, objective and KPI pages show every team, objective and KPI of ``kpiokr report
--format json`` with its numbers, and the API answers what it prints, for today and for a past date."""

import html
import json
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync.app.web.views import number as shown
from tests.serving import free_port, get, wait_until_healthy

pytestmark = pytest.mark.e2e

KPIOKR = [sys.executable, "-m", "sync.cli"]
PAST = "2026-10-15"


@pytest.fixture(scope="module")
def port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, port: int) -> Path:
    directory = tmp_path_factory.mktemp("demo") / "kpiokr-demo"
    command = [*KPIOKR, "demo", "--dir", str(directory), "--issues", "200", "--port", str(port)]
    done = subprocess.run(command, check=False, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return directory / "config.toml"


@pytest.fixture(scope="module")
def served(demo: Path, port: int) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    with subprocess.Popen([*KPIOKR, "--config", str(demo), "serve"], stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            assert process.stdout.readline().strip() == f"kpiokr dashboard at {base}/ (Ctrl-C stops it)"
            wait_until_healthy(base)
            yield base
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0, "SIGTERM ends kpiokr serve cleanly"


def report(config: Path, *args: str) -> str:
    command = [*KPIOKR, "--config", str(config), "report", "--format", "json", *args]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_overview_shows_every_team_the_report_shows(demo, served):
    status, page, headers = get(f"{served}/")
    assert status == 200
    assert "script-src 'self'" in headers["content-security-policy"]
    for team in json.loads(report(demo))["teams"]:
        assert f'href="/teams/{team["team"]}"' in page
        for objective in team["objectives"]:
            assert f'/teams/{team["team"]}/objectives/{objective["key"]}"' in page


@pytest.mark.parametrize("as_of", [None, PAST])
def test_the_api_answers_what_kpiokr_report_prints(demo, served, as_of):
    teams = json.loads(get(f"{served}/api/teams")[1])["teams"]
    assert teams
    for team in teams:
        since = ["--as-of", as_of] if as_of else []
        status, body, _ = get(f"{served}{team['report']}" + (f"?as_of={as_of}" if as_of else ""))
        assert status == 200
        assert body == report(demo, "--team", team["name"], *since)


def _row(page: str, href: str) -> str:
    """The overview's table row that links to ``href``."""
    found = re.search(rf'href="{re.escape(href)}".*?</tr>', page, re.S)
    assert found is not None, f"no row links to {href}"
    return found.group(0)


def _section(page: str, anchor: str) -> str:
    """The team page's section with the id ``anchor``."""
    assert f'id="{anchor}"' in page, f"no section {anchor}"
    return page.split(f'id="{anchor}"')[1].split("</section>", maxsplit=1)[0]


@pytest.mark.parametrize("as_of", [None, PAST])
def test_the_pages_show_every_team_objective_and_kpi_with_the_reports_numbers(demo, served, as_of):
    query = f"?as_of={as_of}" if as_of else ""
    teams = json.loads(report(demo, *(["--as-of", as_of] if as_of else [])))["teams"]
    status, overview, _ = get(f"{served}/{query}")
    assert status == 200
    assert re.findall(r'<section class="team">\s*<h2><a href="/teams/([^"?]+)', overview) == [t["team"] for t in teams]
    for team in teams:
        name, when = team["team"], team["as_of"][:16].replace("T", " ")
        status, page, _ = get(f"{served}/teams/{name}{query}")
        assert status == 200
        assert f"as of {when}</small></h1>" in page
        for o in team["objectives"]:
            row = _row(overview, f"/teams/{name}/objectives/{o['key']}{query}")
            assert re.findall(r'<td class="num">([^<]*)</td>', row) == [shown(o["score"]), shown(o["expected"])]
            assert f"</span> {o['status']}</span>" in row
            assert all(html.escape(reason) in row for reason in o["reasons"])
            section = _section(page, f"objective-{o['key']}")
            assert f"Score <strong>{shown(o['score'])}</strong>, the pace expects {shown(o['expected'])}" in section
            shown_krs = re.findall(r'<span class="kr-title">(\S+) .*?</span> <span class="num">([^<]*)</span>', section)
            assert shown_krs == [(kr["key"], shown(kr["score"])) for kr in o["key_results"]]
            objective_page = get(f"{served}/teams/{name}/objectives/{o['key']}{query}")[1]
            assert f"Score <strong>{shown(o['score'])}</strong>" in objective_page
        for k in team["kpis"]:
            value = shown(k["value"], k["unit"])
            row = _row(overview, f"/teams/{name}/kpis/{k['key']}{query}")
            assert f'<td class="num">{value}</td>' in row
            assert f"</span> {k['status']}</span>" in row
            assert f"n = {k['sample_size']}" in row
            assert f"Value <strong>{value}</strong>" in _section(page, f"kpi-{k['key']}")
            kpi_page = get(f"{served}/teams/{name}/kpis/{k['key']}{query}")[1]
            assert f"Value <strong>{value}</strong> · target {shown(k['target'], k['unit'])}" in kpi_page
            assert f"as of {when})" in kpi_page
