"""``sync.cli.main`` against an in-memory Jira: ``python -m``, the log options, each command's failure
ending in one line and its exit code, and the daemon stopped by a signal or outliving a Jira fault."""

import json
import logging
import os
import runpy
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from importlib.metadata import version
from pathlib import Path

import pytest

import sync.cli
from sync.cli.commands import daemon
from sync.cli.log_setup import QUIET_LIBRARIES
from sync.cli.main import main
from sync.jira import JiraSettings
from sync.store import Store
from tests.fakes.jira import FakeJira
from tests.fakes.world import World, make_world

CLI = Path(sync.cli.__file__).parent


@pytest.fixture(autouse=True)
def keep_signals_and_logging() -> Iterator[None]:
    """``sync`` and ``daemon`` install signal handlers and every command configures logging: put both back."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    root = logging.getLogger()
    root_handlers, root_level = list(root.handlers), root.level
    libraries = {name: logging.getLogger(name).level for name in QUIET_LIBRARIES}
    yield
    for number, handler in handlers.items():
        signal.signal(number, handler)
    root.handlers[:] = root_handlers
    root.setLevel(root_level)
    for name, level in libraries.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr")


def _down(world: World) -> Callable[[JiraSettings], FakeJira]:
    """A gateway factory whose Jira answers 503 to everything."""

    def build(settings: JiraSettings) -> FakeJira:
        fake = world.gateway(settings)
        fake.fail("*", 503)
        return fake

    return build


def _wait_for_run(store_url: str, status: str) -> None:
    deadline = time.monotonic() + 30
    with Store.open(store_url) as store:
        while not any(r.status == status for r in store.runs()):
            assert time.monotonic() < deadline, f"no {status} run within 30s"
            time.sleep(0.05)


@pytest.mark.parametrize("script", ["__main__.py", "main.py"])
def test_python_dash_m_prints_the_version(script, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["kpiokr", "--version"])
    with pytest.raises(SystemExit) as done:
        runpy.run_path(str(CLI / script), run_name="__main__")
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"kpiokr {version('kpiokr')}"


def test_json_log_format_makes_every_log_line_one_object(world, capsys):
    assert world.main("--log-format", "json", "sync") == 0
    lines = capsys.readouterr().err.strip().splitlines()
    records = [json.loads(line) for line in lines]
    assert {"INFO", "WARNING"} <= {r["level"] for r in records}
    assert any(r["logger"] == "sync.app.sync_pass" and r["message"] == "run 1 (sync) started" for r in records)
    assert all(set(r) >= {"time", "level", "logger", "message"} for r in records)


def test_verbose_adds_debug_lines_that_are_hidden_otherwise(world, capsys):
    assert world.main("sync") == 0
    assert " DEBUG " not in capsys.readouterr().err
    assert world.main("-v", "sync") == 0
    err = capsys.readouterr().err
    assert " DEBUG sync.cli.bootstrap: store at sqlite:///" in err


def test_fields_and_setup_exit_1_with_one_line_when_jira_is_down(world, capsys):
    config = ["--config", str(world.config_path)]
    for command in ("fields", "setup"):
        assert main([*config, command], gateways=_down(world)) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        last = captured.err.strip().splitlines()[-1]
        assert last.startswith("kpiokr: Jira answered GET ")
        assert "gave up after 6 attempts" in last


def test_migrate_refuses_a_file_that_is_not_a_store(world, capsys):
    store = world.config_path.parent / "kpiokr.sqlite3"
    store.write_bytes(b"not a database, just some bytes" * 100)
    assert world.main("migrate") == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"kpiokr: {store} is not a kpiokr store (")
    assert len(err.splitlines()) == 1
    assert store.read_bytes() == b"not a database, just some bytes" * 100


def test_daemon_exits_3_while_another_kpiokr_holds_the_store(world, capsys):
    with Store.open(world.config.store_url) as store, store.locked("sync@elsewhere:1"):
        assert world.main("daemon") == 3
        assert store.runs() == []
    assert "the store is locked" in capsys.readouterr().err


def test_report_as_of_exits_2_while_a_mapping_has_errors(world, capsys):
    assert world.main("sync") == 0
    mob = world.mappings / "mob.toml"
    mob.write_text(mob.read_text().replace("target = 40", "target = inf"))
    capsys.readouterr()
    assert world.main("report", "--as-of", "2026-11-01") == 2
    err = capsys.readouterr().err
    assert err.startswith("kpiokr: ")
    assert f"{mob}:" in err


def test_the_daemon_stops_after_its_run_on_sigterm(world, caplog):
    def terminate_after_a_run() -> None:
        _wait_for_run(world.config.store_url, "ok")
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_after_a_run)
    killer.start()
    with caplog.at_level(logging.INFO, logger="kpiokr"):
        assert world.main("daemon") == 0
    killer.join(timeout=30)
    assert "received SIGTERM: stopping after the current step" in caplog.text
    with Store.open(world.config.store_url) as store:
        assert [r.status for r in store.runs()] == ["ok"]


def test_a_daemon_run_that_fails_is_recorded_and_the_daemon_goes_on(world):
    stop = threading.Event()
    worker = threading.Thread(target=daemon, args=(world.config,), kwargs={"stop": stop, "gateways": _down(world)})
    worker.start()
    _wait_for_run(world.config.store_url, "failed")
    assert worker.is_alive()
    stop.set()
    worker.join(timeout=30)
    assert not worker.is_alive()
    with Store.open(world.config.store_url) as store:
        [run] = store.runs()
    assert run.status == "failed"
    assert world.writes() == []


def test_a_daemon_that_lost_its_lock_stops_before_its_next_run(world, caplog):
    world.config_path.write_text(world.config_path.read_text() + "\n[sync]\ninterval_minutes = 0.03\n")
    stop = threading.Event()
    worker = threading.Thread(target=daemon, args=(world.config,), kwargs={"stop": stop, "gateways": world.gateway})
    with caplog.at_level(logging.INFO, logger="kpiokr"):
        worker.start()
        _wait_for_run(world.config.store_url, "ok")
        with Store.open(world.config.store_url) as store:
            holder = store.lock_holder()
            assert holder is not None
            assert store.release_lock(holder.owner)
            assert store.acquire_lock("daemon@elsewhere:1")
        worker.join(timeout=30)
        assert not worker.is_alive()
    assert "lost the store lock to another process: stopping" in caplog.text
    with Store.open(world.config.store_url) as store:
        assert [r.status for r in store.runs()] == ["ok"]
        holder = store.lock_holder()
    assert holder is not None
    assert holder.owner == "daemon@elsewhere:1"
