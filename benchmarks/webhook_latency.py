"""Live updates at scale: from an edit's webhook to the last changed field written in Jira, at 100,000 issues.

    .venv/bin/python benchmarks/webhook_latency.py [--issues 100000] [--edits 20] [--flavor cloud|datacenter]

Generates a sandbox site of N issues (as ``sync_scale.py`` does: the demo's mappings plus a Kanban
team for SUP, so every issue is in the store), serves it over real HTTP from this process, makes the
first full sync, registers the webhook with ``kpiokr setup --webhook`` and starts ``kpiokr daemon
--serve`` with webhooks on as a process of its own, as it is deployed (its log, JSON lines, in the
temporary directory; its process id is printed, for a profiler to attach to). The site is generated
up to the present and Jira's clock runs from there, so Jira stamps an edit with the daemon's time.
Then, one at a time, a PM edits the number a key result is measured by, a MOB one and a WEB one in
turn (the first edit: MOB's); the sandbox sends the signed webhook at once. Each edit is timed from
the edit to the last field kpiokr wrote in Jira for it (the key result's progress and its
objective's score, status and summary: every write by kpiokr's account is noted as the sandbox
applies it), once the daemon's log says the live pass that wrote them ended; the end of that pass
(property documents included) is printed beside it. The first edit after the daemon's start-up pass
is reported apart.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sync_scale import support_mapping
from jira_sandbox import SandboxServer, Site, generate_site
from jira_sandbox.model import History, Issue
from sync.cli import commands
from sync.cli.bootstrap import opened_app
from sync.cli.demo_files import quarter, write_demo_files
from sync.cli.webhook_setup import setup_webhook
from sync.config import Config, load_config
from sync.score_fields import KEY_RESULT_PROGRESS
from tests.serving import free_port, get

ROOT = Path(__file__).resolve().parents[1]
TARGET_P95 = 3.0
PM = "pm"
WAIT = 180.0


def _config(site: Site, url: str, flavor: str, directory: Path, *, port: int, now: datetime) -> Config:
    path = write_demo_files(directory, site, url, flavor, now, dashboard_port=port)
    (directory / "mappings" / "sup.toml").write_text(support_mapping(*quarter(now.date())))
    with path.open("a") as config_file:
        config_file.write('\n[webhooks]\nenabled = true\nsecret_file = "webhook-secret"\n')
    config = load_config(path)
    with contextlib.redirect_stdout(io.StringIO()):
        commands.setup(config, dry_run=False)
    return config


def _key_results(directory: Path, site: Site) -> list[tuple[str, str, float, float]]:
    """Every numeric key result of the mappings: issue key, field key, baseline, target."""
    found = []
    for mapping in sorted((directory / "mappings").glob("*.toml")):
        for objective in tomllib.loads(mapping.read_text()).get("objective", []):
            for kr in objective.get("key_result", []):
                field_ = next(f for f in site.fields.values() if f.name == kr["field"])
                found.append((kr["key"], field_.key, float(kr["baseline"]), float(kr["target"])))
    return found


def _progress(site: Site, key: str) -> Any:
    field_ = next(f for f in site.fields.values() if f.name == KEY_RESULT_PROGRESS.default_name)
    with site.lock:
        return site.by_key[key].values.get(field_.key)


@dataclass
class KpiokrWrites:
    """Every field kpiokr's account changes, with the moment the sandbox applied it (a site listener)."""

    names: dict[str, str]
    seen: list[tuple[float, str, str]] = field(default_factory=list)

    def __call__(self, event: str, issue: Issue, history: History | None) -> None:
        if event == "jira:issue_updated" and history is not None and history.author != PM:
            now = time.perf_counter()
            self.seen.extend((now, issue.key, self.names.get(i.field, i.field)) for i in history.items)

    def since(self, started: float) -> list[tuple[float, str, str]]:
        return [w for w in list(self.seen) if w[0] >= started]


class Sent:
    """When the sandbox posts each webhook (its delivery thread, timed as each POST leaves), by issue key."""

    def __init__(self, hub: Any) -> None:
        self.seen: list[tuple[float, str]] = []
        deliver = hub._deliver

        def timed(delivery: Any) -> None:
            issue = json.loads(delivery.body).get("issue") or {}
            self.seen.append((time.perf_counter(), str(issue.get("key", ""))))
            deliver(delivery)

        hub._deliver = timed

    def first(self, key: str, since: float) -> float:
        return min(t for t, k in list(self.seen) if k == key and t >= since)


class DaemonLog:
    """The daemon's JSON log lines, read as they come: the live passes that ended, and when."""

    def __init__(self, path: Path) -> None:
        self.path, self._offset = path, 0
        self.passes: list[tuple[float, str]] = []
        self.runs: list[str] = []

    def read(self) -> None:
        with self.path.open("rb") as log:
            log.seek(self._offset)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self._offset += len(complete)
        now = time.perf_counter()
        for line in complete.splitlines():
            with contextlib.suppress(ValueError):
                message = str(json.loads(line).get("message", ""))
                if message.startswith("live update: run"):
                    self.passes.append((now, message))
                elif message.startswith("run ") and " fetched, " in message:
                    self.runs.append(message)


@dataclass(frozen=True)
class Timing:
    """One edit: seconds from the edit to its webhook leaving the sandbox, to the key result's progress, to the
    last field written, to the pass's end."""

    sent: float
    progress: float
    last_field: float
    pass_end: float
    fields: int

    @property
    def from_webhook(self) -> float:
        """Seconds from the webhook's delivery to the last field written."""
        return self.last_field - self.sent


def _edit_and_wait(
    site: Site, kr: tuple[str, str, float, float], share: float, *, writes: KpiokrWrites, log: DaemonLog, sent: Sent
) -> Timing:
    """Move ``kr`` to ``share`` of the way to its target; time until its progress, and every field the pass
    writing it changed, are in Jira."""
    key, field_id, baseline, target = kr
    value = round(baseline + (target - baseline) * share, 4)
    expected = round(share, 2)
    log.read()
    passes_before = len(log.passes)
    started = time.perf_counter()
    site.edit_issue(key, {field_id: value}, author=PM)
    deadline = started + WAIT
    while _progress(site, key) != expected:
        if time.perf_counter() > deadline:
            raise SystemExit(f"{key}: progress {expected} not written within {WAIT:.0f} s")
        time.sleep(0.005)
    progress = time.perf_counter() - started
    while True:  # the live pass that wrote the progress ends: every field it changed is written
        log.read()
        ended = [p for p in log.passes[passes_before:] if " 0 field(s) written" not in p[1]]
        if ended:
            break
        if time.perf_counter() > deadline:
            raise SystemExit(f"{key}: the live pass writing it did not end within {WAIT:.0f} s")
        time.sleep(0.02)
    written = [w for w in writes.since(started) if w[0] <= ended[0][0]]
    last = max(w[0] for w in written)
    return Timing(sent.first(key, started) - started, progress, last - started, ended[0][0] - started, len(written))


def _start_daemon(config: Config, directory: Path, port: int) -> tuple[subprocess.Popen[bytes], DaemonLog]:
    """``kpiokr daemon --serve`` in a process of its own, once its start-up pass ended."""
    path = directory / "daemon.log"
    path.touch()
    config_path = str(config.base_dir / "config.toml")
    command = [sys.executable, "-m", "sync.cli", "--config", config_path, "--log-format", "json"]
    with path.open("ab") as out:
        process = subprocess.Popen([*command, "daemon", "--serve"], cwd=ROOT, stdout=out, stderr=out)
    log = DaemonLog(path)
    deadline = time.monotonic() + 600
    while not log.runs:
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit(f"the daemon did not start:\n{path.read_text()[-3000:]}")
        time.sleep(0.2)
        log.read()
    with contextlib.suppress(OSError):
        if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
            return process, log
    process.kill()
    raise SystemExit(f"the daemon's server does not answer:\n{path.read_text()[-3000:]}")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--flavor", choices=("cloud", "datacenter"), default="cloud")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)  # Jira's clock and the daemon's agree, as in a deployment
    site = generate_site(seed=1, issues=args.issues, now=now)
    site.clock_state.set(now)
    gc.freeze()
    print(f"site of {args.issues:,} issues generated in {time.perf_counter() - began:.1f} s", flush=True)
    writes = KpiokrWrites({f.key: f.name for f in site.fields.values()})
    site.listeners.append(writes)
    with SandboxServer(site, flavor=args.flavor) as server, tempfile.TemporaryDirectory() as tmp:
        sent = Sent(server.context.webhooks)
        directory, port = Path(tmp), free_port()
        config = _config(site, server.url, args.flavor, directory, port=port, now=now)
        site.unfreeze()
        began = time.perf_counter()
        with opened_app(config, {}) as app:
            summary = app.runner(threading.Event()).run()
        print(f"first sync: {summary.fetched:,} issues in {time.perf_counter() - began:.1f} s", flush=True)
        with contextlib.redirect_stdout(io.StringIO()):
            setup_webhook(config, f"http://127.0.0.1:{port}/webhooks/jira", dry_run=False)
        began = time.perf_counter()
        daemon, log = _start_daemon(config, directory, port)
        print(f"daemon (pid {daemon.pid}) up, its first pass over in {time.perf_counter() - began:.1f} s", flush=True)
        try:
            krs = _key_results(directory, site)
            edited = [next(kr for kr in krs if kr[0].startswith(f"{p}-")) for p in ("MOB", "WEB")]
            first = _edit_and_wait(site, edited[0], 0.5, writes=writes, log=log, sent=sent)
            times = []
            for n in range(args.edits):
                time.sleep(1.0)  # separate bursts: each edit its own pass
                share = 0.55 + 0.02 * (n % 10) + (0.01 if n >= 10 else 0)
                times.append(_edit_and_wait(site, edited[n % 2], share, writes=writes, log=log, sent=sent))
                print(f"  edit {n + 1}: {times[-1]}", flush=True)
        except SystemExit:
            print((directory / "daemon.log").read_text()[-4000:], file=sys.stderr)  # what the daemon said
            raise
        finally:
            daemon.terminate()
            daemon.wait(120)
    print(f"\n## {args.flavor}, {args.issues:,} issues in the store, edits alternating {edited[0][0]}, {edited[1][0]}")
    print(
        f"first edit after the daemon's start-up pass: webhook to last field {first.from_webhook:.2f} s"
        f" ({first.fields} field(s)), edit to pass over {first.pass_end:.2f} s"
    )
    hooked = [t.from_webhook for t in times]
    print(
        f"next {len(times)} edits, from the webhook's delivery to the last changed field written: median"
        f" {statistics.median(hooked):.2f} s, p95 {_p95(hooked):.2f} s, max {max(hooked):.2f} s"
        f" (target p95 < {TARGET_P95:.0f} s: {'met' if _p95(hooked) < TARGET_P95 else 'NOT met'})"
    )
    for what, values in (
        ("the sandbox sending the webhook", [t.sent for t in times]),
        ("the last changed field written", [t.last_field for t in times]),
        ("the pass's end (property documents too)", [t.pass_end for t in times]),
    ):
        print(f"  from the edit to {what}: median {statistics.median(values):.2f} s, p95 {_p95(values):.2f} s")
    print(f"  fields written per edit: {sorted({t.fields for t in times})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
