"""``kpiokr report --as-of`` and ``--cycle`` against the sandbox: computed from the store alone (no
request reaches Jira), equal to the sync's own report at the sync's instant, and at an earlier
instant equal to what the trend of the sync's report says the KPIs were then."""

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sync.cli.exit_codes import EXIT_OK, EXIT_USAGE
from sync.cli.main import main
from tests.e2e.conftest import Jira

pytestmark = pytest.mark.e2e


def _report(config_file: str, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["--config", config_file, "report", "--format", "json", *args]) == EXIT_OK
    return {team["team"]: team for team in json.loads(capsys.readouterr().out)["teams"]}


def test_as_of_reports_come_from_the_store_alone(jira: Jira, config, capsys):
    config_file = str(config.base_dir / "config.toml")
    assert main(["--config", config_file, "sync"]) == EXIT_OK
    after_sync = _report(config_file, capsys)
    jira.server.clear_request_log()
    instant = next(iter(after_sync.values()))["as_of"]

    # at the sync's own instant: the very report the sync recorded
    assert _report(config_file, capsys, "--as-of", instant) == after_sync

    # a day means the end of that day in the team's time zone
    today = datetime.fromisoformat(instant).date().isoformat()
    for name, team in _report(config_file, capsys, "--as-of", today).items():
        as_of = datetime.fromisoformat(team["as_of"])
        zone = ZoneInfo(jira.site.time_zone)
        assert as_of.astimezone(zone).isoformat().startswith(f"{today}T23:59:59.999999"), name
        assert [o["key"] for o in team["objectives"]] == [o["key"] for o in after_sync[name]["objectives"]]

    # one window earlier, each day-window KPI is what the sync's trend says it was then
    compared = 0
    for name, team in after_sync.items():
        for kpi in team["kpis"]:
            if not kpi["window"].endswith("days") or len(kpi["series"]) < 2:
                continue
            then, value = kpi["series"][-2]
            earlier = {k["key"]: k for k in _report(config_file, capsys, "--as-of", then, "--team", name)[name]["kpis"]}
            assert earlier[kpi["key"]]["value"] == value, (name, kpi["key"], then)
            compared += 1
    assert compared >= 2
    assert jira.server.request_log == []


def test_a_past_cycle_is_reported_with_its_own_dates(jira: Jira, config, capsys):
    config_file = str(config.base_dir / "config.toml")
    mapping = config.base_dir / "mappings" / "mob.toml"
    mapping.write_text(
        mapping.read_text() + '\n[[past_cycle]]\nname = "2026-Q3"\nstart = 2026-07-01\nend = 2026-09-30\n'
    )
    assert main(["--config", config_file, "sync"]) == EXIT_OK
    jira.server.clear_request_log()

    mob = _report(config_file, capsys, "--cycle", "2026-Q3", "--team", "MOB")["MOB"]

    assert mob["cycle"] == "2026-Q3"
    end = datetime(2026, 10, 1, tzinfo=ZoneInfo(jira.site.time_zone)) - timedelta(microseconds=1)
    assert datetime.fromisoformat(mob["as_of"]) == end
    assert all(o["expected"] == pytest.approx(1.0 if o["ambition"] == "committed" else 0.7) for o in mob["objectives"])
    capsys.readouterr()
    assert main(["--config", config_file, "report", "--cycle", "2025-Q1", "--team", "MOB"]) == EXIT_USAGE
    assert "no cycle named '2025-Q1'" in capsys.readouterr().err
    assert jira.server.request_log == []


def test_bad_as_of_values_and_unknown_teams_say_the_fix(jira: Jira, config, capsys):
    config_file = str(config.base_dir / "config.toml")
    assert main(["--config", config_file, "report", "--as-of", "2026-09-30T18:00"]) == EXIT_USAGE
    assert "has no offset" in capsys.readouterr().err
    assert main(["--config", config_file, "report", "--as-of", "last friday"]) == EXIT_USAGE
    assert "not a date" in capsys.readouterr().err
    assert main(["--config", config_file, "report", "--team", "Mobil"]) == EXIT_USAGE
    assert "there is no team 'Mobil'; --team takes one of: MOB, WEB" in capsys.readouterr().err
