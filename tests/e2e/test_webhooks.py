"""Live updates over real HTTP, both flavours: ``kpiokr daemon --serve`` with webhooks on, the sandbox
sending signed webhooks for edits. An edit's score follows without waiting for the scheduled sync; an
unsigned, a wrongly signed, an oversized and a replayed webhook change nothing and are answered
401/401/413/200-duplicate; a forged but correctly signed body claiming another value writes nothing. A
sprint closed and a board reconfigured in Jira are read again through their webhooks, long before the
safety-net sync. The webhooks of kpiokr's own score writes coming back lead to no pass."""

from __future__ import annotations

import contextlib
import http.client
import json
import logging
import threading
import time
import tomllib
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from jira_sandbox import Site
from sync.app.webhooks import PATH, signature_of
from sync.cli import commands
from sync.cli.bootstrap import open_store
from sync.cli.demo_files import write_demo_files
from sync.cli.webhook_setup import setup_webhook
from sync.config import Config, load_config
from tests.e2e.conftest import NOW, Jira
from tests.serving import free_port, wait_until_healthy

pytestmark = pytest.mark.e2e

#: Generous: arriving is asserted, not how fast (benchmarks/webhook_latency.py measures that).
PATIENCE = 90.0


@dataclass
class Live:
    """A daemon serving webhooks against the sandbox."""

    jira: Jira
    base: str
    directory: Path
    config: Config

    @property
    def secret(self) -> str:
        return (self.directory / "webhook-secret").read_text().strip()

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        connection = http.client.HTTPConnection(urlsplit(self.base).netloc, timeout=30)
        try:
            # Answered before the whole body was read (413): the answer is still there to read.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                connection.request("POST", PATH, body, {"content-type": "application/json", **headers})
            answer = connection.getresponse()
            return answer.status, json.loads(answer.read())
        finally:
            connection.close()

    def control(self, path: str, body: dict[str, Any]) -> None:
        """Change the sandbox as a Jira admin would, through its control endpoint ``path``."""
        request = urllib.request.Request(
            self.jira.server.url + path, json.dumps(body).encode(), {"content-type": "application/json"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 204

    def answers(self, event: str) -> list[list[int]]:
        """How each delivery of ``event`` was answered (empty until answered)."""
        deliveries = self.jira.server.context.webhooks.deliveries
        return [list(d.statuses) for d in deliveries if json.loads(d.body)["webhookEvent"] == event]

    def last_run(self) -> int:
        with urllib.request.urlopen(self.base + "/healthz", timeout=30) as answer:
            run = json.loads(answer.read())["last_run"]
        return 0 if run is None or run["status"] == "running" else int(run["id"])


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen"
        time.sleep(0.1)


@pytest.fixture
def live(jira: Jira, tmp_path: Path) -> Iterator[Live]:
    port = free_port()
    jira.site.unfreeze()  # Jira's clock runs: each edit, kpiokr's writes included, gets an `updated` of its own
    directory = tmp_path / "kpiokr"
    path = write_demo_files(directory, jira.site, jira.server.url, jira.flavor, NOW, dashboard_port=port)
    with path.open("a") as config_file:
        config_file.write(
            '\n[webhooks]\nenabled = true\nsecret_file = "webhook-secret"\n'
            "quiet_seconds = 0.2\nmax_body_bytes = 262144\n"
        )
    config = load_config(path)
    commands.setup(config, dry_run=False)
    for _ in range(2):  # the second time updates the same webhook
        assert setup_webhook(config, f"http://127.0.0.1:{port}{PATH}", dry_run=False) == 0
    stop = threading.Event()
    daemon = threading.Thread(target=commands.daemon, args=(config,), kwargs={"stop": stop, "serve": True})
    daemon.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base)
        served = Live(jira, base, directory, config)
        _wait(lambda: served.last_run() > 0, "the daemon's first pass")
        yield served
    finally:
        stop.set()
        daemon.join(60)


def _key_result(directory: Path, site: Site) -> tuple[str, str, float]:
    """A numeric key result of the demo's mappings: its issue, its field's key, the value halfway to its target."""
    for mapping in sorted((directory / "mappings").glob("*.toml")):
        for objective in tomllib.loads(mapping.read_text()).get("objective", []):
            for kr in objective.get("key_result", []):
                field = next(f for f in site.fields.values() if f.name == kr["field"])
                return kr["key"], field.key, round((kr["baseline"] + kr["target"]) / 2, 2)
    raise AssertionError("the demo's mappings have no numeric key result")


def _progress(site: Site, key: str) -> object:
    field = next(f for f in site.fields.values() if f.name == "Key result progress")
    return site.by_key[key].values.get(field.key)


def test_setup_registers_one_webhook_for_the_mapped_projects_with_a_secret_kept_0600(
    live: Live, capsys: pytest.CaptureFixture[str]
) -> None:
    registered = list(live.jira.server.context.webhooks.registrations.values())
    assert len(registered) == 1
    assert registered[0].url == live.base + PATH
    assert registered[0].jql == 'project in ("MOB", "WEB")'
    assert registered[0].secret == live.secret
    assert (live.directory / "webhook-secret").stat().st_mode & 0o777 == 0o600
    assert live.secret not in capsys.readouterr().out


def test_an_edit_is_scored_through_its_webhook_and_refused_webhooks_change_nothing(live: Live) -> None:
    site = live.jira.site
    key, field, halfway = _key_result(live.directory, site)
    site.edit_issue(key, {field: halfway}, author="pm")
    _wait(lambda: _progress(site, key) == 0.5, f"{key}'s progress 0.5")
    hub = live.jira.server.context.webhooks
    delivered = next(d for d in hub.deliveries if json.loads(d.body)["issue"]["key"] == key)
    assert delivered.headers["X-Hub-Signature"] == signature_of(live.secret, delivered.body)
    _wait(lambda: bool(delivered.statuses), "the delivery's answer")
    assert delivered.statuses == [202]

    status, answer = live.post(delivered.body, delivered.headers)
    assert (status, answer["status"]) == (200, "duplicate")
    unsigned = {k: v for k, v in delivered.headers.items() if k != "X-Hub-Signature"}
    assert live.post(delivered.body, unsigned)[0] == 401
    wrong = signature_of("not the secret", delivered.body)
    assert live.post(delivered.body, {**unsigned, "X-Hub-Signature": wrong})[0] == 401
    huge = delivered.body + b" " * 300_000
    assert live.post(huge, {**unsigned, "X-Hub-Signature": signature_of(live.secret, huge)})[0] == 413

    puts_before, runs_before = len(live.jira.puts()), live.last_run()  # the epic's write may still follow
    forged = json.loads(delivered.body)
    forged["timestamp"] += 1
    forged["changelog"] = {"id": "999999", "items": [{"field": field, "fromString": str(halfway), "toString": "0"}]}
    forged["issue"]["fields"][field] = 0
    body = json.dumps(forged).encode()
    status, answer = live.post(body, {"X-Hub-Signature": signature_of(live.secret, body)})
    assert (status, answer["status"]) == (202, "accepted")
    _wait(lambda: live.last_run() > runs_before, "the pass the forged webhook asked for")
    assert _progress(site, key) == 0.5
    assert [p for p in live.jira.puts()[puts_before:] if f"/issue/{key}?" in p[1]] == []


def test_a_closed_sprint_and_a_reconfigured_board_are_read_again_through_their_webhooks(live: Live) -> None:
    site = live.jira.site
    board = next(b for b in site.boards.values() if b.project_key == "MOB")
    sprint = next(s for s in site.sprints.values() if s.board_id == board.id and s.state == "active")
    store = open_store(live.config)
    try:

        def stored_sprint_state() -> object:
            return next((s.get("state") for s in store.sprints(board.id) if s.get("id") == sprint.id), None)

        def stored_columns() -> list[object]:
            configuration = store.board(board.id) or {}
            return [c.get("name") for c in configuration.get("columnConfig", {}).get("columns", [])]

        assert stored_sprint_state() == "active"
        live.control(f"/_sandbox/sprints/{sprint.id}", {"state": "closed"})
        _wait(lambda: stored_sprint_state() == "closed", "the closed sprint read again")

        renamed = [{"name": f"{name} (renamed)", "statuses": list(ids)} for name, ids in board.columns]
        live.control(f"/_sandbox/boards/{board.id}/columns", {"columns": renamed})
        _wait(lambda: stored_columns() == [c["name"] for c in renamed], "the board's new columns read again")
    finally:
        store.close()
    _wait(lambda: all(live.answers("board_configuration_changed")), "the board event's answer")
    assert live.answers("sprint_closed") == [[202]]
    assert live.answers("board_configuration_changed") == [[202]]


def test_kpiokrs_own_writes_coming_back_as_webhooks_lead_to_no_pass(
    live: Live, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="sync.app.webhooks.live")
    site = live.jira.site
    key, field, halfway = _key_result(live.directory, site)
    site.edit_issue(key, {field: halfway}, author="pm")
    _wait(lambda: _progress(site, key) == 0.5, f"{key}'s progress 0.5")
    _wait(lambda: live.last_run() > 0, "the end of the pass writing it")
    run = live.last_run()
    written = next(h for h in reversed(site.by_key[key].histories) if h.author != "pm")
    hub = live.jira.server.context.webhooks

    def echoes() -> list[Any]:
        return [d for d in list(hub.deliveries) if json.loads(d.body).get("changelog", {}).get("id") == str(written.id)]

    _wait(lambda: bool(echoes()) and all(d.statuses for d in echoes()), "the webhook of kpiokr's own write answered")
    assert [d.statuses for d in echoes()] == [[202]]
    _wait(lambda: "kpiokr's own writes coming back" in caplog.text, "the own write dropped")
    time.sleep(1.0)  # five quiet periods: a pass it led to would have started
    assert live.last_run() == run
