"""``kpiokr demo`` run whole in memory: the seeded site served in process (``tests.fakes.demo``), the
same setup, syncs, report and PM edit as over HTTP."""

import contextlib
import io
import json
import re
import urllib.error
from dataclasses import dataclass
from pathlib import Path

import pytest

from jira_sandbox import generate_site
from sync.cli.demo import run_demo
from sync.cli.demo_files import BOT, PM, write_demo_files
from sync.cli.main import main
from sync.config import load_config
from tests.fakes.demo import InMemoryHost, InMemorySite
from tests.fakes.jira import FAKE_URL
from tests.fakes.world import NOW
from tests.serving import free_port, get

INCREMENTAL = "$ kpiokr sync   (incremental: only what changed)"


@dataclass
class Demo:
    """One demo run: where its files went, what it printed (``out``, and the commands' own ``stdout``)."""

    directory: Path
    flavor: str
    serve: bool
    port: int
    #: The dashboard's /healthz status and body while the demo held the site (``--serve`` only).
    health: list[tuple[int, str]]
    code: int
    out: str
    stdout: str
    jira: InMemorySite

    @property
    def config_path(self) -> Path:
        return self.directory / "config.toml"

    def section(self, header: str, *, blank_ends: bool = True) -> list[str]:
        """The lines printed after ``header`` up to the next blank line (else the next command)."""
        lines = self.out.splitlines()
        start = lines.index(header) + 1
        ends = [i for i in range(start, len(lines)) if lines[i].startswith("$ ") or (blank_ends and not lines[i])]
        return lines[start : ends[0] if ends else len(lines)]


@pytest.fixture(scope="module", params=[("cloud", True), ("datacenter", False)], ids=["cloud-serve", "datacenter"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    flavor, serve = request.param
    directory = tmp_path_factory.mktemp(f"demo-{flavor}") / "kpiokr-demo"
    port, health = free_port(), []
    host = InMemoryHost(on_hold=lambda: health.append(get(f"http://127.0.0.1:{port}/healthz")[:2]))
    out, stdout = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout):
        code = run_demo(str(directory), issues=600, flavor=flavor, serve=serve, port=port, out=out, host=host)
    assert host.served is not None
    return Demo(directory, flavor, serve, port, health, code, out.getvalue(), stdout.getvalue(), host.served)


def _teams(demo: Demo) -> list[str]:
    boards = sorted(demo.jira.site.boards.values(), key=lambda b: b.id)
    return [b.name.removesuffix(" board") for b in boards if b.type == "scrum"]


def test_the_demo_writes_a_mapping_per_scrum_team_and_a_config_for_the_site(demo):
    assert demo.code == 0
    teams = _teams(demo)
    assert len(teams) >= 2
    assert sorted(p.stem for p in (demo.directory / "mappings").glob("*.toml")) == sorted(t.lower() for t in teams)
    config = load_config(demo.config_path)
    assert config.jira.url == FAKE_URL
    assert config.jira.flavor == demo.flavor
    assert (demo.directory / "kpiokr.sqlite3").exists()


def test_setup_creates_the_score_fields_before_the_first_sync(demo):
    created = [line for line in demo.stdout.splitlines() if line.startswith("created: ")]
    assert {line.split(" (")[0] for line in created} >= {"created: Objective score", "created: Key result progress"}
    if demo.flavor == "datacenter":
        assert "is made a text field: Data Center's REST API cannot add options" in demo.stdout
    first = demo.section("$ kpiokr sync   (first run: full backfill)")
    assert first[0].startswith("run 1 (sync): ")
    assert any(line.startswith("  wrote ") for line in first)


def test_the_first_report_has_every_team(demo):
    report = demo.section("$ kpiokr report", blank_ends=False)
    reported = [m.group(1) for line in report if (m := re.match(r"== (\S+) · ", line))]
    assert len(reported) >= 2
    assert sorted(reported) == sorted(_teams(demo))


def test_the_pm_edit_lands_in_jira_as_the_pms_change(demo):
    [(key, fields, status)] = demo.jira.edits
    assert status == 204
    [(field_id, value)] = fields.items()
    site = demo.jira.site
    field_key = next(f.key for f in site.fields.values() if field_id in (f.key, f.wire_id(demo.flavor)))
    issue = site.by_key[key]
    assert issue.values[field_key] == value
    changed = [h for h in issue.histories if any(item.field == field_key for item in h.items)]
    pm = site.user(PM[0])
    assert pm is not None
    assert changed[-1].author == pm.key
    assert f"$ # pm@example.com edits {key} in Jira: " in demo.out


def test_the_incremental_sync_writes_exactly_the_fields_the_edit_changed(demo):
    [(key, _, _)] = demo.jira.edits
    assert demo.jira.writes_before_edit is not None
    after = demo.jira.writes()[demo.jira.writes_before_edit :]
    printed = demo.section(INCREMENTAL)
    assert printed[0].startswith("run 2 (sync): ")
    field_lines = [line for line in printed[1:] if ": property kpiokr." not in line]
    assert f"{len(field_lines)} field(s) to write" in printed[0]
    written = [(k, field_id) for k, fields in after for field_id in fields]
    assert sorted(written) == sorted(
        (line.split()[1].rstrip(":"), line.split("(")[1].split(")")[0]) for line in field_lines
    )
    epic = demo.jira.site.by_id[demo.jira.site.by_key[key].values["epic_link"]].key
    assert key in {k for k, _ in written}
    assert {k for k, _ in written} <= {key, epic}


def test_after_the_demo_jira_holds_every_score_a_sync_would_write(demo, capsys):
    jira = demo.jira
    assert main(["--config", str(demo.config_path), "sync", "--dry-run"], gateways=jira.gateway) == 0
    assert " 0 field(s) to write" in capsys.readouterr().out


def test_the_demo_prints_its_commands_its_files_and_the_report_after_the_edit(demo):
    commands = [line for line in demo.out.splitlines() if line.startswith("$ ")]
    [(key, _, _)] = demo.jira.edits
    team = key.split("-")[0]
    assert commands == [
        "$ kpiokr setup   (creates the custom fields scores are written to)",
        "$ kpiokr sync   (first run: full backfill)",
        "$ kpiokr report",
        commands[3],
        INCREMENTAL,
        f"$ kpiokr report --team {team}   (after the edit)",
        *([] if demo.serve else [f"$ kpiokr serve   (the dashboard, at http://127.0.0.1:{demo.port}/)"]),
    ]
    assert commands[3].startswith(f"$ # pm@example.com edits {key} in Jira: ")
    assert f"Sandbox at {FAKE_URL}; config and mappings in {demo.directory}" in demo.out
    assert f"  .venv/bin/kpiokr --config {demo.config_path} report --format markdown" in demo.out
    assert f"  .venv/bin/kpiokr --config {demo.config_path} check --offline" in demo.out
    after_edit = demo.section(f"$ kpiokr report --team {team}   (after the edit)", blank_ends=False)
    assert after_edit[0].startswith(f"== {team} · ")


def test_with_serve_the_site_and_the_dashboard_stay_up_until_ctrl_c(demo):
    lines = demo.out.rstrip().splitlines()
    assert demo.jira.held is demo.serve
    dashboard = f"http://127.0.0.1:{demo.port}/"
    if demo.serve:
        assert f"The dashboard is at {dashboard}" in lines
        assert f"The sandbox keeps running at {FAKE_URL} (Ctrl-C stops both); try:" in lines
        assert lines[-2] == f"  .venv/bin/kpiokr --config {demo.config_path} sync --dry-run"
        assert lines[-1] == "stopped"
        ((status, body),) = demo.health
        assert status == 200
        assert json.loads(body)["last_run"]["status"] == "ok"
        with pytest.raises(urllib.error.URLError, match="refused"):
            get(f"{dashboard}healthz")  # gone with the Ctrl-C
    else:
        assert "keeps running" not in demo.out
        assert demo.health == []
        assert lines[-2:] == [
            f"$ kpiokr serve   (the dashboard, at {dashboard})",
            f"  .venv/bin/kpiokr --config {demo.config_path} serve",
        ]


def test_writing_the_demo_files_again_starts_afresh(tmp_path):
    site = generate_site(seed=1, issues=150, now=NOW)
    write_demo_files(tmp_path, site, FAKE_URL, "cloud", NOW)
    mappings = sorted(p.name for p in (tmp_path / "mappings").glob("*.toml"))
    (tmp_path / "mappings" / "retired.toml").write_text("[team]\n")
    for leftover in ("kpiokr.sqlite3", "kpiokr.sqlite3-wal"):
        (tmp_path / leftover).write_bytes(b"a store of the previous demo")
    config = write_demo_files(tmp_path, site, FAKE_URL, "datacenter", NOW)
    assert sorted(p.name for p in (tmp_path / "mappings").glob("*.toml")) == mappings
    assert list(tmp_path.glob("kpiokr.sqlite3*")) == []
    assert load_config(config).jira.flavor == "datacenter"
    assert (tmp_path / "jira-token").read_text() == f"{BOT[2]}\n"
