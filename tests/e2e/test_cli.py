"""The command line against the sandbox: what each command prints and the exit codes it picks."""

import json
from pathlib import Path

import pytest

from sync.cli.exit_codes import EXIT_OK, EXIT_USAGE
from sync.cli.main import main
from tests.e2e.conftest import Jira

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _config_file(config) -> str:
    return str(config.base_dir / "config.toml")


def test_sync_dry_run_prints_the_plan_and_writes_nothing(jira: Jira, config, capsys):
    assert main(["--config", _config_file(config), "sync", "--dry-run"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "would write" in out
    assert "Objective score" in out
    assert jira.puts() == []


def test_report_after_a_sync_in_every_format(jira: Jira, config, capsys):
    assert main(["--config", _config_file(config), "sync"]) == EXIT_OK
    capsys.readouterr()
    assert main(["--config", _config_file(config), "report", "--format", "json"]) == EXIT_OK
    document = json.loads(capsys.readouterr().out)
    teams = {t["team"] for t in document["teams"]}
    assert teams == {"MOB", "WEB"}
    kpis = {k["key"]: k for t in document["teams"] for k in t["kpis"]}
    assert {"velocity", "critical_bugs", "cycle_time"} <= kpis.keys()
    assert all(k["status"] in {"healthy", "warning", "breach", "no data"} for k in kpis.values())
    assert main(["--config", _config_file(config), "report", "--format", "markdown", "--team", "MOB"]) == EXIT_OK
    markdown = capsys.readouterr().out
    assert markdown.startswith("## MOB")
    assert "| KPI | value | target | guardrail | status | trend | window | owner | no history |" in markdown
    assert main(["--config", _config_file(config), "report"]) == EXIT_OK
    assert "Velocity" in capsys.readouterr().out


def test_report_before_any_sync_says_what_to_run(config, capsys):
    assert main(["--config", _config_file(config), "report"]) == 1
    assert "run `kpiokr sync` first" in capsys.readouterr().err


def test_check_validates_against_jira(jira: Jira, config, capsys):
    assert main(["--config", _config_file(config), "check"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "2 mapping(s), 0 error(s)" in out
    assert "notifyUsers=false" in out


def test_check_reports_a_field_missing_from_jira_with_its_place(jira: Jira, config, capsys):
    mapping = config.base_dir / "mappings" / "mob.toml"
    mapping.write_text(mapping.read_text() + '\n[jira_fields]\nestimate = "Story Pointz"\n')
    assert main(["--config", _config_file(config), "check"]) == 1
    out = capsys.readouterr().out
    line = next(n for n, text in enumerate(mapping.read_text().splitlines(), 1) if "Story Pointz" in text)
    assert f"mob.toml:{line}:" in out
    assert "Story Pointz" in out


def test_the_shipped_example_mappings_check_clean_offline(tmp_path, capsys):
    config = tmp_path / "config.toml"
    examples = ROOT / "mappings" / "examples"
    config.write_text(f'[jira]\nurl = "https://example.atlassian.net"\n[mappings]\npaths = ["{examples}"]\n')
    assert main(["--config", str(config), "check", "--offline"]) == EXIT_OK
    assert "3 mapping(s), 0 error(s), 0 warning(s)" in capsys.readouterr().out


def test_a_bad_config_exits_with_usage_error(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[jira]\n")
    assert main(["--config", str(config), "report"]) == EXIT_USAGE
    assert "jira.url: Field required" in capsys.readouterr().err
