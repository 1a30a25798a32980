"""The command line never writes when it should not, and says so: ``kpiokr`` run as a process against the
sandbox, with the requests counted where Jira receives them."""

import itertools
from pathlib import Path

import pytest

from jira_sandbox import Fault
from jira_sandbox.catalog import Named
from sync.cli.demo_files import write_demo_files
from sync.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from sync.cli.main import main
from sync.store.store import Store
from tests.e2e.cli_process import Cli
from tests.e2e.conftest import NOW, Jira

pytestmark = pytest.mark.e2e

#: POSTs that only read: searches, changelogs, counts, JQL parsing.
READING_POSTS = ("/search", "/changelog/bulkfetch", "/jql/parse")


def writes(jira: Jira) -> list[tuple[str, str, int]]:
    """Every request the sandbox served that changes something in Jira."""
    return [
        r
        for r in jira.server.request_log
        if r[0] in {"PUT", "DELETE", "PATCH"} or (r[0] == "POST" and not any(p in r[1] for p in READING_POSTS))
    ]


@pytest.fixture(scope="module")
def cli() -> Cli:
    return Cli()


@pytest.fixture
def fresh(jira: Jira, tmp_path: Path) -> Path:
    """The demo's config and mappings on a site where ``kpiokr setup`` has not run: no score field exists."""
    return write_demo_files(tmp_path / "kpiokr", jira.site, jira.server.url, jira.flavor, NOW)


FLAGS = ("--once", "--full", "--reconcile")


def test_a_dry_run_never_writes_whatever_the_flags(jira: Jira, config, cli, tmp_path):
    path = str(config.base_dir / "config.toml")
    for n in range(len(FLAGS) + 1):
        for flags in itertools.combinations(FLAGS, n):
            output = tmp_path / f"sync{''.join(flags)}.log"
            code = cli.run(["--config", path, "sync", "--dry-run", *flags], output, timeout=90)
            said = output.read_text()
            assert code == EXIT_OK, said
            assert "would write" in said, said
            assert writes(jira) == [], (flags, writes(jira))
    kinds = [r.kind for r in _runs(config)]
    assert kinds == ["dry-run"] * 8  # one pass per command: none of them looped


def _runs(config):
    with Store.open(config.store_url) as store:
        return store.runs(limit=None)


def test_sync_makes_one_pass_and_honours_full_and_reconcile(jira: Jira, config, cli, tmp_path):
    path = str(config.base_dir / "config.toml")
    assert cli.run(["--config", path, "sync"], tmp_path / "first.log", timeout=90) == EXIT_OK
    assert writes(jira), "the first sync wrote nothing"
    jira.server.clear_request_log()
    assert cli.run(["--config", path, "sync", "--full"], tmp_path / "full.log", timeout=90) == EXIT_OK
    assert cli.run(["--config", path, "sync", "--reconcile"], tmp_path / "rec.log", timeout=90) == EXIT_OK
    assert writes(jira) == []  # nothing changed: nothing to write again
    assert [r.kind for r in _runs(config)] == ["reconcile", "full", "sync"]


def test_write_back_disabled_says_would_write_and_writes_nothing(jira: Jira, config, capsys):
    path = config.base_dir / "config.toml"
    path.write_text(path.read_text() + "\n[writeback]\nenabled = false\n")
    assert main(["--config", str(path), "sync"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "(write-back is disabled)" in out
    assert "  would write " in out
    assert "wrote" not in out
    assert writes(jira) == []


def test_sync_fails_when_a_score_field_is_missing(jira: Jira, fresh: Path, capsys):
    assert main(["--config", str(fresh), "sync"]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "no field named 'Objective score' on the site" in out
    assert "Run `kpiokr setup` to create it" in out
    assert ".." not in out.replace("...", "")


def test_check_before_setup_says_setup_creates_the_score_fields(jira: Jira, fresh: Path, capsys):
    assert main(["--config", str(fresh), "check"]) == EXIT_OK
    out = capsys.readouterr().out
    assert "note: " in out
    assert "'Objective score' is to be created by `kpiokr setup`" in out
    assert ", 0 error(s)" in out
    assert writes(jira) == []


@pytest.mark.parametrize("jira", ["cloud"], indirect=True)
@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (Fault("status", "/rest/api/*", times=None, status=401), "Jira rejected the credentials"),
        (Fault("garbage", "/rest/api/*", times=None), "not valid JSON"),
    ],
    ids=["401", "html"],
)
def test_an_online_check_that_could_not_ask_jira_fails_and_says_why(jira: Jira, config, fault, said, capsys):
    jira.server.faults.add(fault)
    assert main(["--config", str(config.base_dir / "config.toml"), "check"]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "error: Jira not checked: " in out
    assert said in out
    assert "`kpiokr check --offline` checks the files alone" in out
    assert ".." not in out.replace("...", "")  # no doubled full stops
    assert main(["--config", str(config.base_dir / "config.toml"), "check", "--offline"]) == EXIT_OK


@pytest.mark.parametrize("jira", ["cloud"], indirect=True)
def test_an_online_check_of_an_unreachable_jira_fails(config, capsys):
    path = config.base_dir / "config.toml"
    text = path.read_text()
    url = next(line for line in text.splitlines() if line.startswith("url = "))
    path.write_text(text.replace(url, 'url = "http://127.0.0.1:9"'))
    assert main(["--config", str(path), "check"]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "error: Jira not checked: " in out
    assert "127.0.0.1:9" in out


def test_check_lists_the_sites_resolutions_no_kpi_has_decided_on(jira: Jira, config, capsys):
    jira.site.resolutions["10100"] = Named("10100", "Deferred", "Put off to a later release.")
    assert main(["--config", str(config.base_dir / "config.toml"), "check"]) == EXIT_OK
    out = capsys.readouterr().out
    notes = [line for line in out.splitlines() if "'Deferred'" in line]
    assert notes, out
    assert all("excluded_resolutions" in n for n in notes)
    assert not any("'Fixed'" in n or "'Done'" in n or "'Duplicate'" in n for n in notes)


def test_fields_lists_id_type_and_the_name_a_mapping_uses(jira: Jira, config, capsys):
    assert main(["--config", str(config.base_dir / "config.toml"), "fields"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["id", "type", "name", "in", "a", "mapping"]
    score = next(line for line in lines if line.endswith("Objective score"))
    field_id = next(f.wire_id(jira.flavor) for f in jira.site.fields.values() if f.name == "Objective score")
    assert score.split()[0] == field_id
    assert "number" in score
    assert lines[-1] == f"{len(lines) - 2} field(s)"


def test_report_for_an_unknown_team_names_the_known_ones(jira: Jira, config, capsys):
    path = str(config.base_dir / "config.toml")
    assert main(["--config", path, "sync"]) == EXIT_OK
    capsys.readouterr()
    assert main(["--config", path, "report", "--team", "NOPE"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "there is no team 'NOPE'; --team takes one of: MOB, WEB" in err


def test_no_library_info_lines_at_the_default_level(jira: Jira, config, capsys):
    assert main(["--config", str(config.base_dir / "config.toml"), "sync"]) == EXIT_OK
    err = capsys.readouterr().err
    assert " INFO kpiokr" in err or " INFO sync" in err
    assert " alembic" not in err
    assert " apscheduler" not in err


def test_an_os_error_is_one_line_without_a_traceback(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert main(["demo", "--issues", "30", "--dir", str(blocker / "demo")]) == EXIT_FAILED
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.startswith("kpiokr: Not a directory")
    assert str(blocker) in err
    assert err.count("\n") == 1
