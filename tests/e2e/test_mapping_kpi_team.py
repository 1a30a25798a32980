"""A support team that only watches KPIs, without objectives and without a board, synced against the sandbox."""

import pytest

from sync.cli.bootstrap import build_app
from sync.cli.main import main
from sync.config import Config
from tests.e2e.conftest import Jira, runner_of

pytestmark = pytest.mark.e2e

SUPPORT = """\
[team]
name = "Customer Support"
projects = ["SUP"]

[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31

[[kpi]]
key = "resolution_time"
name = "Resolution time"
kind = "resolution_time"
issue_types = ["Bug", "Incident"]
target = 48
threshold = 96
owner = "Grace Okafor"

[[kpi]]
key = "throughput"
name = "Throughput"
kind = "throughput"
target = 10
owner = "Grace Okafor"

[[kpi]]
key = "wip"
name = "Work in progress"
kind = "wip"
target = 15
owner = "Grace Okafor"
"""


def test_a_team_of_kpis_only_without_a_board_is_synced_and_writes_nothing_of_its_own(jira: Jira, config: Config):
    (config.base_dir / "mappings" / "sup.toml").write_text(SUPPORT, encoding="utf-8")
    app = build_app(config, {})
    try:
        summary = runner_of(app, jira).run()
    finally:
        app.close()
    [support] = [r for r in summary.results if r.team == "Customer Support"]
    assert support.objectives == ()
    values = {k.definition.key: k.value for k in support.kpis}
    assert set(values) == {"resolution_time", "throughput", "wip"}
    assert all(value is not None for value in values.values()), values
    assert not [w for w in summary.planned if w.issue_key.startswith("SUP-")]
    assert not [p for p in summary.problems if "Customer Support" in p]
    assert not jira.requests(contains="/board/None")


def test_check_asks_jira_only_about_what_the_kpi_team_uses(jira: Jira, config: Config, capsys):
    for other in (config.base_dir / "mappings").glob("*.toml"):
        other.unlink()
    (config.base_dir / "mappings" / "sup.toml").write_text(SUPPORT, encoding="utf-8")
    assert main(["--config", str(config.base_dir / "config.toml"), "check"]) == 0
    out = capsys.readouterr().out
    assert "error" not in out.replace("0 error(s)", "")
    assert not jira.requests(contains="/board")
