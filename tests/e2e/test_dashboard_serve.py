"""``kpiokr serve`` as a process of its own over real HTTP, against the store ``kpiokr demo`` leaves:
the overview shows every team, and the API answers what ``kpiokr report --format json`` prints,
for today and for a past date."""

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.serving import free_port, get, wait_until_healthy

pytestmark = pytest.mark.e2e

KPIOKR = [sys.executable, "-m", "sync.cli"]


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


@pytest.mark.parametrize("as_of", [None, "2026-10-15"])
def test_the_api_answers_what_kpiokr_report_prints(demo, served, as_of):
    teams = json.loads(get(f"{served}/api/teams")[1])["teams"]
    assert teams
    for team in teams:
        since = ["--as-of", as_of] if as_of else []
        status, body, _ = get(f"{served}{team['report']}" + (f"?as_of={as_of}" if as_of else ""))
        assert status == 200
        assert body == report(demo, "--team", team["name"], *since)
