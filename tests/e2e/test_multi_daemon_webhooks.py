"""Webhooks on a store shared by two daemons, over real HTTP on the real PostgreSQL.

Two ``kpiokr daemon --serve`` processes share one PostgreSQL store and a sandbox of six teams (three
teams leased by each), with webhooks on and the safety-net sync set to 60 minutes. Jira's webhook is
registered to the daemon that does NOT lease the team whose key result a PM then edits: that daemon
answers the webhook and leaves its hint in the store, and the daemon leasing the team runs its live
pass, so the edit's score is in Jira within seconds, long before any scheduled sync.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sync.app.webhooks import PATH
from sync.cli.demo_files import DASHBOARD_PORT
from sync.cli.webhook_setup import setup_webhook
from sync.config import load_config
from sync.mapping import load_mappings
from sync.store.store import Store
from tests.e2e.cli_process import Cli
from tests.e2e.resilience_support import field_by_name, toml_section
from tests.e2e.test_multi_daemon import DEADLINE_SECONDS, TEAMS, Box, pg_schemas, served, wait_for
from tests.serving import free_port, wait_until_healthy

__all__ = ["pg_schemas"]  # the fixture, used by name

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

#: The safety-net sync's interval: no scheduled pass can bring the edit within the test.
POLL_INTERVAL_MINUTES = 60
#: How long the edit's score may take to reach Jira: seconds expected, far below the safety net.
WITHIN_SECONDS = 60.0


def _with_webhooks(box: Box) -> tuple[Path, Path, int, int]:
    """The box's config with webhooks on, and a second config beside it differing only in its
    dashboard's port (one per daemon); returns both and their ports."""
    ports = free_port(), free_port()
    webhooks = {
        "enabled": True,
        "secret_file": "webhook-secret",
        "quiet_seconds": 0.2,
        "poll_interval_minutes": POLL_INTERVAL_MINUTES,
    }
    text = box.config_path.read_text() + toml_section("webhooks", webhooks)
    first, second = box.config_path, box.config_path.with_name("config-b.toml")
    for path, port in zip((first, second), ports, strict=True):
        path.write_text(text.replace(f"\nport = {DASHBOARD_PORT}\n", f"\nport = {port}\n"))
        assert load_config(path).dashboard.port == port
    return first, second, *ports


def _holder_pid(store: Store, team: str) -> int:
    """The process id of the daemon leasing ``team``."""
    owner = next(lease.owner for lease in store.leases() if team in lease.teams and lease.owner)
    return int(owner.rsplit(":", 1)[1])


def test_a_webhook_received_by_the_other_daemon_is_scored_by_the_daemon_leasing_the_team(
    tmp_path: Path, pg_schemas: list[str]
):
    now = datetime.now(UTC).replace(microsecond=0)
    cli = Cli()
    with served(now, tmp_path / "shared", pg_schemas[0]) as box, Store.open(box.store_url) as store:
        box.jira.site.unfreeze()  # each edit, kpiokr's writes included, gets an `updated` of its own
        configs = _with_webhooks(box)
        paths, ports = configs[:2], configs[2:]
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        assert setup_webhook(load_config(paths[0]), bases[0] + PATH, dry_run=False) == 0  # the secret, made now
        logs = [tmp_path / f"daemon-{n}.log" for n in range(2)]
        daemons = [
            cli.start(["-v", "--config", str(p), "daemon", "--serve"], log) for p, log in zip(paths, logs, strict=True)
        ]
        try:
            for base in bases:
                wait_until_healthy(base, patience=DEADLINE_SECONDS)
            wait_for("two daemons lease three teams each", lambda: _owners(store) == [3, 3])
            wait_for("every team scored", lambda: len(store.latest_reports()) == len(TEAMS))
            wait_for("the writes settled", lambda: not store.ledger(outcome="pending"))

            team, key, field, halfway, expected = _numeric_key_result(paths[0])
            holder = next(n for n, d in enumerate(daemons) if d.pid == _holder_pid(store, team))
            receiver = 1 - holder
            assert setup_webhook(load_config(paths[0]), bases[receiver] + PATH, dry_run=False) == 0
            registered = list(box.jira.server.context.webhooks.registrations.values())
            assert [r.url for r in registered] == [bases[receiver] + PATH]
            seen = [log.read_text() for log in logs]

            site = box.jira.site
            progress = field_by_name(site, "Key result progress").key
            wait_for(f"{key}'s progress written", lambda: site.by_key[key].values.get(progress) is not None)
            wait_for("the writes settled", lambda: not store.ledger(outcome="pending"))
            before = site.by_key[key].values.get(progress)
            hub = box.jira.server.context.webhooks
            delivered_before = len(hub.deliveries)
            site.edit_issue(key, {field_by_name(site, field).wire_id("cloud"): halfway}, author="pm")
            wait_for(
                f"{key}'s new progress in Jira",
                lambda: site.by_key[key].values.get(progress) != before,
                timeout=WITHIN_SECONDS,  # the safety net is an hour away: only the webhook's pass can do it
            )
            after = site.by_key[key].values.get(progress)
            new = [log.read_text()[len(seen[n]) :] for n, log in enumerate(logs)]
            edit = next(d for d in list(hub.deliveries)[delivered_before:] if f'"{key}"' in d.body.decode())
            wait_for("the edit's webhook answered", lambda: bool(edit.statuses))
            for daemon in daemons:
                daemon.terminate()
            for daemon in daemons:
                daemon.join(30)
                assert daemon.exitcode == 0, [log.read_text()[-2000:] for log in logs]
        finally:
            for daemon in daemons:
                if daemon.exitcode is None:
                    daemon.kill()
                    daemon.join()

    assert after == pytest.approx(expected), (before, after)
    assert edit.statuses == [202]  # answered by the daemon not leasing the team
    assert re.search(rf"live update: run \d+ for [^\n]*{re.escape(team)}", new[holder]), new[holder][-3000:]
    assert "live update: run" not in new[receiver]  # it leases none of the teams the edit touches


def _owners(store: Store) -> list[int]:
    """How many teams each daemon leases, sorted."""
    counts: dict[str, int] = {}
    for lease in store.leases():
        if lease.owner:
            counts[lease.owner] = counts.get(lease.owner, 0) + len(lease.teams)
    return sorted(counts.values())


def _numeric_key_result(config_path: Path) -> tuple[str, str, str, float, float]:
    """A team's first key result read from a number field: the team, the issue, the field, the value
    halfway between baseline and target, and the progress that value makes (0.5 but for rounding)."""
    for team in load_mappings(load_config(config_path).mapping_paths).teams:
        for objective in team.objective_overrides:
            for kr in objective.key_results:
                if hasattr(kr, "field"):
                    halfway = round((kr.baseline + kr.target) / 2, 2)
                    progress = round((halfway - kr.baseline) / (kr.target - kr.baseline), 2)
                    return team.team.name, kr.key, kr.field, halfway, progress
    raise AssertionError("the mappings have no key result read from a number field")
