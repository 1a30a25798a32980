"""The README's "Install against your Jira", followed step by step against the sandbox with a mapping
file written fresh, as a new admin would: check, setup, sync --dry-run, sync, report."""

import json
import re
import shutil
from pathlib import Path

import pytest

from sync.cli.demo_files import BOT
from sync.cli.exit_codes import EXIT_OK
from sync.cli.main import main
from tests.e2e.conftest import Jira

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]

MAPPING = """\
[team]
name = "Mobile"
projects = ["MOB"]
board = {board}

[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31

[objectives]
jql = "project = MOB AND issuetype = Epic AND labels = okr"

[key_results]
source = "children"
measure = "milestone"

[[kpi]]
key = "velocity"
name = "Velocity"
kind = "velocity"
window = {{ sprints = 3 }}
target = 40
threshold = 25
"""


def _readme_commands() -> list[str]:
    """The ``kpiokr`` commands of the README's install steps, in order."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Install against your Jira", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"`\.venv/bin/(kpiokr [^`]*)`", section)


def _field_value(jira: Jira, key: str, name: str) -> object:
    field = next(f for f in jira.site.fields.values() if f.name == name and not f.deleted)
    return jira.site.by_key[key].values.get(field.key)


def test_the_install_steps_work_as_written(jira: Jira, tmp_path, monkeypatch, capsys):
    assert _readme_commands() == [
        "kpiokr fields",
        "kpiokr check",
        "kpiokr setup",
        "kpiokr sync --dry-run",
        "kpiokr sync",
        "kpiokr report",
        "kpiokr daemon",
    ]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KPIOKR_CONFIG", raising=False)
    # 2. copy the example config; set jira.url, jira.email (Cloud) and the token's environment variable
    shutil.copy(ROOT / "config.example.toml", "config.toml")
    config = Path("config.toml").read_text()
    config = config.replace('url = "https://example.atlassian.net"', f'url = "{jira.server.url}"')
    if jira.flavor == "cloud":
        config = config.replace('# email = "kpiokr-bot@example.com"', f'email = "{BOT[0]}"')
    Path("config.toml").write_text(config)
    monkeypatch.setenv("KPIOKR_JIRA_TOKEN", BOT[1] if jira.flavor == "cloud" else BOT[2])
    # 3. a mapping file per team in mappings/
    board = next(b.id for b in jira.site.boards.values() if b.project_key == "MOB")
    Path("mappings").mkdir()
    assert main(["fields"]) == EXIT_OK
    assert "Sprint" in capsys.readouterr().out
    Path("mappings/mobile.toml").write_text(MAPPING.format(board=board))

    # 4. check: valid, Jira reached; the score fields are for setup to create
    assert main(["check"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "1 mapping(s), 0 error(s)" in out, out
    assert "is to be created by `kpiokr setup`" in out
    # 5. setup
    assert main(["setup"]) == EXIT_OK
    assert "created: Objective score" in capsys.readouterr().out
    # 6. sync --dry-run, sync, report
    jira.server.clear_request_log()
    assert main(["sync", "--dry-run"]) == EXIT_OK
    assert "would write" in capsys.readouterr().out
    assert jira.puts() == []
    assert main(["sync"]) == EXIT_OK
    synced = capsys.readouterr()
    assert "  wrote " in synced.out
    assert " ERROR " not in synced.err
    assert jira.puts()
    assert main(["report", "--format", "json"]) == EXIT_OK
    (team,) = json.loads(capsys.readouterr().out)["teams"]
    assert team["team"] == "Mobile"
    objectives = team["objectives"]
    assert objectives
    for objective in objectives:
        assert 0.0 <= objective["score"] <= 1.0
        assert _field_value(jira, objective["key"], "Objective score") == pytest.approx(round(objective["score"], 2))
    assert main(["report"]) == EXIT_OK
    assert "Velocity" in capsys.readouterr().out
