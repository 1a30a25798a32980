"""``kpiokr daemon --serve``: the dashboard in a thread beside the scheduler, against the in-memory
Jira, showing what the daemon's passes store, and gone when the daemon stops."""

import json
import socket
import threading
import time
import urllib.error
import urllib.request

from sync.cli.commands import daemon
from tests.fakes.world import make_world
from tests.serving import free_port


def fetch(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return json.loads(answer.read())
    except (urllib.error.URLError, ConnectionError):
        return None


def test_the_daemon_serves_the_dashboard_beside_its_passes_until_stopped(tmp_path):
    world = make_world(tmp_path / "kpiokr")
    port = free_port()
    world.serve_dashboard_on(port)
    stop = threading.Event()
    kwargs = {"stop": stop, "gateways": world.gateway, "serve": True}
    worker = threading.Thread(target=daemon, args=(world.config,), kwargs=kwargs)
    worker.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        health = fetch(f"{base}/healthz")
        while not (health and health["last_run"] and health["last_run"]["status"] != "running"):
            assert time.monotonic() < deadline, health
            time.sleep(0.05)
            health = fetch(f"{base}/healthz")
        assert health is not None
        assert health["store"] == "reachable"
        assert health["last_run"]["status"] == "ok"
        teams = fetch(f"{base}/api/teams")
        assert teams is not None
        assert {t["name"] for t in teams["teams"]} >= {"MOB", "WEB"}
    finally:
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()
    assert fetch(f"{base}/healthz") is None


def test_a_daemon_whose_dashboard_port_is_taken_stops_at_start_saying_so(tmp_path, capsys):
    world = make_world(tmp_path / "kpiokr")
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        world.serve_dashboard_on(port)
        assert world.main("daemon", "--serve") == 1
    message = capsys.readouterr().err
    assert f"kpiokr: the dashboard cannot listen on 127.0.0.1:{port}: " in message
    assert "set another `port`" in message
    assert "Traceback" not in message
    assert world.writes() == [], "no pass ran"
    with world.app() as app:
        assert app.store.runs() == [], "no run was started"
