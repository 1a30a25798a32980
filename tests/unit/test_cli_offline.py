"""The command line without Jira: checking mapping files alone, the version, log lines, lock messages."""

import json
import logging
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import pytest

from sync.cli.exit_codes import EXIT_OK, EXIT_USAGE
from sync.cli.log_setup import configure_logging
from sync.cli.main import main
from sync.store.errors import StoreLocked
from sync.store.lock import default_owner, owner_is_gone

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "mappings" / "examples"
BROKEN = ROOT / "tests" / "fixtures" / "mappings" / "broken"


@pytest.fixture(autouse=True)
def _no_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no ./config.toml
    monkeypatch.delenv("KPIOKR_CONFIG", raising=False)
    yield
    logging.getLogger().setLevel(logging.WARNING)


def test_check_paths_validates_mapping_files_without_a_config(capsys):
    assert main(["check", str(EXAMPLES)]) == EXIT_OK
    assert "3 mapping(s), 0 error(s)" in capsys.readouterr().out
    assert main(["check", str(EXAMPLES / "mobile.toml"), str(EXAMPLES / "support.toml")]) == EXIT_OK
    assert "2 mapping(s), 0 error(s)" in capsys.readouterr().out


def test_check_paths_with_errors_exits_2_naming_file_and_line(capsys):
    assert main(["check", str(BROKEN)]) == EXIT_USAGE
    out = capsys.readouterr().out
    assert "error: " in out
    assert f"{BROKEN}/" in out
    assert main(["check", "no-such-dir"]) == EXIT_USAGE
    assert "no such file or directory" in capsys.readouterr().out


def test_without_paths_check_needs_the_config(capsys):
    assert main(["check", "--offline"]) == EXIT_USAGE
    assert "no such config file" in capsys.readouterr().err


def test_version_comes_from_the_package_metadata(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"kpiokr {version('kpiokr')}"


def test_json_log_lines_are_one_object_each_with_the_exception(capsys):
    configure_logging("INFO", fmt="json")
    logging.getLogger("kpiokr").info("run %d started", 7)
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("sync.app.runner").exception("run failed")
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "run 7 started"
    assert (first["level"], first["logger"]) == ("INFO", "kpiokr")
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert "exception" not in first
    assert second["level"] == "ERROR"
    assert "ValueError: boom" in second["exception"]


def test_library_info_lines_are_hidden_unless_verbose(capsys):
    configure_logging("INFO")
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    logging.getLogger("apscheduler.scheduler").info("Scheduler started")
    logging.getLogger("alembic.runtime.migration").warning("a warning is shown")
    logging.getLogger("kpiokr").info("kpiokr's own line")
    err = capsys.readouterr().err
    assert "Context impl" not in err
    assert "Scheduler started" not in err
    assert "a warning is shown" in err
    assert "kpiokr's own line" in err
    configure_logging("INFO", verbose=True)
    logging.getLogger("alembic.runtime.migration").info("Context impl SQLiteImpl.")
    assert "Context impl" in capsys.readouterr().err


def test_a_lock_held_by_a_one_pass_sync_is_named_so():
    owner = default_owner("sync")
    assert owner.startswith("sync@")
    assert not owner_is_gone(owner)  # this very process
    at = datetime(2026, 11, 20, 12, tzinfo=UTC)
    said = str(StoreLocked("daemon", "sync@host:4242", at, at))
    assert "by sync@host:4242" in said
    assert "another `kpiokr sync` is running on this store. Wait for it to end" in said
    assert "daemon is running" not in said
    assert "another `kpiokr daemon` is running on this store. Stop it first" in str(
        StoreLocked("daemon", default_owner(), at, at)
    )


URL = '[jira]\nurl = "https://x.atlassian.net"\n'


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (URL + '[sync]\nreconcile_at = "25:99"\n', "sync.reconcile_at: Value error, '25:99' is not a time of day"),
        ((URL + "# caf\xe9\n").encode("latin-1"), "not UTF-8 text"),
        (None, "is a directory, not a config file"),
        (URL + 'ca_bundle = "missing.pem"\n', "jira.ca_bundle: no such file"),
        ('[jira]\nurl = "https://me:tok3n@x.atlassian.net"\n', "jira.url: Value error, must not hold credentials"),
    ],
    ids=["reconcile_at", "not-utf8", "directory", "ca_bundle", "url-credentials"],
)
def test_a_bad_config_is_one_message_exit_2_no_traceback(tmp_path, capsys, content, said):
    path = tmp_path / "config.toml"
    if content is None:
        path.mkdir()
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    for command in (["check", "--offline"], ["sync", "--dry-run"], ["daemon"]):
        assert main(["--config", str(path), *command]) == EXIT_USAGE
        captured = capsys.readouterr()
        assert captured.err.startswith("kpiokr: ")
        assert said in captured.err
        assert "Traceback" not in captured.err
        assert "tok3n" not in captured.err
        assert captured.out == ""
