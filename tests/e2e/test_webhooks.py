"""Live updates over real HTTP, both flavours: ``kpiokr daemon --serve`` with webhooks on, the sandbox
sending signed webhooks for edits. An edit's score follows without waiting for the scheduled sync; an
unsigned, a wrongly signed, an oversized and a replayed webhook change nothing and are answered
401/401/413/200-duplicate; a forged but correctly signed body claiming another value writes nothing."""

from __future__ import annotations

import json
import threading
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jira_sandbox import Site
from sync.app.webhooks import PATH, signature_of
from sync.cli import commands
from sync.cli.demo_files import write_demo_files
from sync.config import load_config
from tests.e2e.conftest import NOW, Jira
from tests.serving import free_port, wait_until_healthy

pytestmark = pytest.mark.e2e

SECRET = "e2e-webhook-secret"
#: Generous: arriving is asserted, not how fast (benchmarks/webhook_latency.py measures that).
PATIENCE = 90.0


@dataclass
class Live:
    """A daemon serving webhooks against the sandbox."""

    jira: Jira
    base: str
    directory: Path

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
        request = urllib.request.Request(self.base + PATH, body, {"content-type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

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
    directory = tmp_path / "kpiokr"
    path = write_demo_files(directory, jira.site, jira.server.url, jira.flavor, NOW, dashboard_port=port)
    (directory / "webhook-secret").write_text(SECRET + "\n")
    with path.open("a") as config_file:
        config_file.write('\n[webhooks]\nenabled = true\nsecret_file = "webhook-secret"\nquiet_seconds = 0.2\n')
    config = load_config(path)
    commands.setup(config, dry_run=False)
    jira.server.context.webhooks.register(
        {"name": "kpiokr", "url": f"http://127.0.0.1:{port}{PATH}", "events": [], "secret": SECRET}
    )
    stop = threading.Event()
    daemon = threading.Thread(target=commands.daemon, args=(config,), kwargs={"stop": stop, "serve": True})
    daemon.start()
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base)
        served = Live(jira, base, directory)
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


def test_an_edit_is_scored_through_its_webhook_and_refused_webhooks_change_nothing(live: Live) -> None:
    site = live.jira.site
    key, field, halfway = _key_result(live.directory, site)
    site.advance(timedelta(minutes=1))  # the clock stands still otherwise: the edit gets a new `updated`
    site.edit_issue(key, {field: halfway}, author="pm")
    _wait(lambda: _progress(site, key) == 0.5, f"{key}'s progress 0.5")
    hub = live.jira.server.context.webhooks
    delivered = next(d for d in hub.deliveries if json.loads(d.body)["issue"]["key"] == key)
    assert delivered.headers["X-Hub-Signature"] == signature_of(SECRET, delivered.body)
    _wait(lambda: bool(delivered.statuses), "the delivery's answer")
    assert delivered.statuses == [202]

    status, answer = live.post(delivered.body, delivered.headers)
    assert (status, answer["status"]) == (200, "duplicate")
    unsigned = {k: v for k, v in delivered.headers.items() if k != "X-Hub-Signature"}
    assert live.post(delivered.body, unsigned)[0] == 401
    wrong = signature_of("not the secret", delivered.body)
    assert live.post(delivered.body, {**unsigned, "X-Hub-Signature": wrong})[0] == 401
    huge = delivered.body + b" " * 1_000_001
    assert live.post(huge, {**unsigned, "X-Hub-Signature": signature_of(SECRET, huge)})[0] == 413

    puts_before, runs_before = len(live.jira.puts()), live.last_run()
    forged = json.loads(delivered.body)
    forged["timestamp"] += 1
    forged["changelog"] = {"id": "999999", "items": [{"field": field, "fromString": str(halfway), "toString": "0"}]}
    forged["issue"]["fields"][field] = 0
    body = json.dumps(forged).encode()
    status, answer = live.post(body, {"X-Hub-Signature": signature_of(SECRET, body)})
    assert (status, answer["status"]) == (202, "accepted")
    _wait(lambda: live.last_run() > runs_before, "the pass the forged webhook asked for")
    assert _progress(site, key) == 0.5
    assert len(live.jira.puts()) == puts_before
