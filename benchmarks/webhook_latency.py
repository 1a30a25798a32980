"""Live updates at scale: from an edit's webhook to the changed score in Jira, at 100,000 issues.

    .venv/bin/python benchmarks/webhook_latency.py [--issues 100000] [--edits 20] [--flavor cloud|datacenter]

Generates a sandbox site of N issues (as ``sync_scale.py`` does: the demo's mappings plus a Kanban
team for SUP, so every issue is in the store), serves it over real HTTP, makes the first full sync,
registers the webhook with ``kpiokr setup --webhook`` and runs ``kpiokr daemon --serve`` with webhooks
on in this process (a thread, as the e2e tests do). Jira's clock runs. Then, one at a time, a PM edits
the number a key result is measured by; the sandbox sends the signed webhook at once, and the time
is taken from the edit to the moment the key result's new progress is in Jira (polled every 5 ms):
an upper bound of "from the webhook arriving to the last changed field written" (the objective's
fields are written in the same pass). The first edit after the full sync is reported apart: its
team's histories are read from the store then, and kept warm for the next ones.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import statistics
import sys
import tempfile
import threading
import time
import tomllib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jira_sandbox import SandboxServer, Site, generate_site
from sync.cli import commands
from sync.cli.bootstrap import opened_app
from sync.cli.demo_files import quarter, write_demo_files
from sync.cli.webhook_setup import setup_webhook
from sync.config import Config, load_config
from tests.serving import free_port, wait_until_healthy

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SUPPORT_MAPPING = Path(__file__).parent / "sync_scale_sup.toml.in"
TARGET_P95 = 3.0


def _config(site: Site, url: str, flavor: str, directory: Path, port: int) -> Config:
    path = write_demo_files(directory, site, url, flavor, NOW, dashboard_port=port)
    name, start, end = quarter(NOW.date())
    text = SUPPORT_MAPPING.read_text()
    for token, value in (("{cycle}", f'"{name}"'), ("{start}", start.isoformat()), ("{end}", end.isoformat())):
        text = text.replace(token, value)
    (directory / "mappings" / "sup.toml").write_text(text)
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
                field = next(f for f in site.fields.values() if f.name == kr["field"])
                found.append((kr["key"], field.key, float(kr["baseline"]), float(kr["target"])))
    return found


def _progress(site: Site, key: str) -> Any:
    field = next(f for f in site.fields.values() if f.name == "Key result progress")
    with site.lock:
        return site.by_key[key].values.get(field.key)


def _edit_and_wait(site: Site, kr: tuple[str, str, float, float], share: float) -> float:
    """Move ``kr`` to ``share`` of the way to its target; seconds until its progress is in Jira."""
    key, field, baseline, target = kr
    value = round(baseline + (target - baseline) * share, 4)
    expected = round(share, 2)
    started = time.perf_counter()
    site.edit_issue(key, {field: value}, author="pm")
    deadline = started + 120
    while _progress(site, key) != expected:
        if time.perf_counter() > deadline:
            raise SystemExit(f"{key}: progress {expected} not written within 120 s")
        time.sleep(0.005)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--flavor", choices=("cloud", "datacenter"), default="cloud")
    args = parser.parse_args(argv)

    began = time.perf_counter()
    site = generate_site(seed=1, issues=args.issues, now=NOW)
    site.clock_state.set(NOW)
    gc.freeze()
    print(f"site of {args.issues:,} issues generated in {time.perf_counter() - began:.1f} s", flush=True)
    with SandboxServer(site, flavor=args.flavor) as server, tempfile.TemporaryDirectory() as tmp:
        directory, port = Path(tmp), free_port()
        config = _config(site, server.url, args.flavor, directory, port)
        site.unfreeze()
        began = time.perf_counter()
        with opened_app(config, {}) as app:
            summary = app.runner(threading.Event()).run()
        print(f"first sync: {summary.fetched:,} issues in {time.perf_counter() - began:.1f} s", flush=True)
        with contextlib.redirect_stdout(io.StringIO()):
            setup_webhook(config, f"http://127.0.0.1:{port}/webhooks/jira", dry_run=False)
        stop = threading.Event()
        daemon = threading.Thread(target=commands.daemon, args=(config,), kwargs={"stop": stop, "serve": True})
        daemon.start()
        try:
            wait_until_healthy(f"http://127.0.0.1:{port}")
            time.sleep(5)  # the daemon's own first pass (nothing changed) is over
            krs = _key_results(directory, site)
            first = _edit_and_wait(site, krs[0], 0.5)
            times = []
            for n in range(args.edits):
                time.sleep(1.0)  # separate bursts: each edit its own pass
                times.append(_edit_and_wait(site, krs[0], 0.55 + 0.02 * (n % 10) + (0.01 if n >= 10 else 0)))
        finally:
            stop.set()
            daemon.join(120)
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"\n## {args.flavor}, {args.issues:,} issues in the store, team of {krs[0][0].split('-')[0]}")
    print(f"first edit after the full sync (team histories read from the store): {first:.2f} s")
    print(
        f"next {len(times)} edits: median {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {max(times):.2f} s"
        f" (target p95 < {TARGET_P95:.0f} s: {'met' if p95 < TARGET_P95 else 'NOT met'})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
