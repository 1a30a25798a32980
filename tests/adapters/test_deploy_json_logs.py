"""What a deployment's log collector reads from ``kpiokr --log-format json daemon``: one JSON object a
line, and the daemon's start, each pass and its stop as lines with fields of their own (settings,
run, outcome, duration, team and write counts), no secret among them."""

import json
import logging
import threading
import time

import pytest

from sync.cli.bootstrap import GatewayFactory
from sync.cli.commands import daemon
from sync.cli.log_setup import configure_logging
from sync.jira import JiraSettings
from tests.fakes.jira import BOT, FakeJira
from tests.fakes.world import World, make_world


@pytest.fixture
def json_logs():
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    configure_logging("INFO", fmt="json")
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


def daemon_lines(world: World, gateways: GatewayFactory, capsys: pytest.CaptureFixture[str]) -> list[dict]:
    """The JSON log lines of ``kpiokr daemon`` over ``gateways`` from its start, through its first pass's
    line, to its stop."""
    stop = threading.Event()
    worker = threading.Thread(target=daemon, args=(world.config,), kwargs={"stop": stop, "gateways": gateways})
    lines: list[dict] = []
    worker.start()
    try:
        deadline = time.monotonic() + 60
        while not any(line.get("event") == "pass" for line in lines):
            assert time.monotonic() < deadline, lines
            time.sleep(0.05)
            lines += [json.loads(text) for text in capsys.readouterr().err.splitlines() if text.strip()]
    finally:
        stop.set()
        worker.join(timeout=60)
    assert not worker.is_alive()
    return lines + [json.loads(text) for text in capsys.readouterr().err.splitlines() if text.strip()]


def test_the_daemon_logs_its_start_each_pass_and_its_stop_as_json_lines_with_fields(tmp_path, capsys, json_logs):
    world = make_world(tmp_path / "kpiokr")
    lines = daemon_lines(world, world.gateway, capsys)
    events = {line["event"]: line for line in lines if "event" in line}
    started, passed, stopped = events["daemon_started"], events["pass"], events["daemon_stopped"]
    assert started["interval_minutes"] == world.config.sync.interval_minutes
    assert started["next_sync"]
    assert stopped["interval_minutes"] == started["interval_minutes"]
    with world.app() as app:
        recorded = app.store.runs(limit=1)[0]
    assert passed["run_id"] == recorded.id
    assert passed["outcome"] == recorded.status == "ok"
    assert passed["teams"] == recorded.counts["teams"] == 2
    assert passed["teams_failed"] == 0
    assert passed["issues_written"] == len({key for key, _ in world.writes()}) > 0
    assert passed["requests"] == recorded.counts["requests"] > 0
    assert passed["duration_seconds"] > 0
    assert {line["level"] for line in lines} <= {"DEBUG", "INFO", "WARNING", "ERROR"}
    text = json.dumps(lines)
    assert BOT[1] not in text
    assert BOT[2] not in text


def test_a_failed_pass_is_a_json_line_with_its_run_outcome_and_error(tmp_path, capsys, json_logs):
    world = make_world(tmp_path / "kpiokr")

    def refusing(settings: JiraSettings | None = None) -> FakeJira:
        fake = world.gateway(settings)
        fake.fail("*/myself", 401)  # the first thing a pass asks: the credentials' test
        return fake

    lines = daemon_lines(world, refusing, capsys)
    failed = next(line for line in lines if line.get("event") == "pass")
    with world.app() as app:
        recorded = app.store.runs(limit=1)[0]
    assert failed["level"] == "ERROR"
    assert failed["run_id"] == recorded.id
    assert failed["outcome"] == recorded.status == "failed"
    assert failed["kind"] == "sync"
    assert failed["error"] == recorded.error
    assert "401" in failed["error"] or "credential" in failed["error"].lower()
    assert failed["requests"] == recorded.counts["requests"] > 0
    assert failed["duration_seconds"] > 0
    text = json.dumps(lines)
    assert BOT[1] not in text
    assert BOT[2] not in text
