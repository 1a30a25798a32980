"""Three daemons on one PostgreSQL store over real HTTP, one SIGKILLed mid-run: the same result as one.

A sandbox site with six Scrum teams, a key result of each team then moved by a PM, is synced once by
``kpiokr sync`` into a store of its own: the reference. A second site generated the same way is synced
by three ``kpiokr daemon`` processes sharing one store (leases of three seconds). Once each leases two
teams and Jira holds their scores, the PM makes the same edits; the first daemon seen writing them is
SIGKILLed. The two others take its teams over, and when Jira holds the reference's scores they are
stopped with SIGTERM, which frees their leases. Then Jira's score fields, the store's latest scores
and KPIs and the ledger's written values equal the reference run's, every (issue, field, value) is
in the ledger once (no field was written twice), and no issue received more writes than in the reference.
"""

import json
import os
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from jira_sandbox import SandboxServer, Team, generate_site
from sync.cli.demo_files import write_demo_files
from sync.config import load_config
from sync.mapping import load_mappings
from sync.store.store import Store, engine_url
from tests.e2e.cli_process import Cli
from tests.e2e.conftest import Jira
from tests.e2e.resilience_support import FAST_RETRY, field_by_name, toml_section
from tests.e2e.test_resilience_kill import accepted_puts, add_score_fields, snapshot

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

PG_ENV = "KPIOKR_TEST_PG_URL"
TEAMS = tuple(Team(key, f"Team {key}", "scrum", 1 / 6) for key in ("MOB", "WEB", "APP", "API", "OPS", "PAY"))
ISSUES = 360
SEED = 11
LEASE_SECONDS = 3
DEADLINE_SECONDS = 90
WRITING = re.compile(r"run \d+: writing [1-9]\d* issue")
ISSUE_KEY = re.compile(r"[A-Z]+-\d+")


@dataclass
class Box:
    """A generated site served over HTTP, its config and its store (a PostgreSQL schema)."""

    jira: Jira
    config_path: Path
    store_url: str

    def argv(self, *command: str) -> list[str]:
        return ["-v", "--config", str(self.config_path), *command]


@pytest.fixture
def pg_schemas() -> Iterator[list[str]]:
    """Store URLs on fresh PostgreSQL schemas, dropped afterwards (the test skips without a server)."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: set it to a PostgreSQL URL (postgresql://postgres@127.0.0.1:5432/test)")
    admin = create_engine(engine_url(base))
    schemas = [f"kpiokr_multi_{uuid.uuid4().hex[:10]}" for _ in range(2)]
    try:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        urls = [engine_url(base).update_query_dict({"options": f"-csearch_path={s}"}) for s in schemas]
        yield [u.render_as_string(hide_password=False) for u in urls]
    finally:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def served(now: datetime, directory: Path, store_url: str) -> Iterator[Box]:
    """A site of six teams (the same for the same ``now``), served, configured with its score fields."""
    site = generate_site(seed=SEED, issues=ISSUES, now=now, teams=TEAMS)
    add_score_fields(site, "cloud")
    with SandboxServer(site, flavor="cloud") as server:
        jira = Jira(site, server, "cloud")
        path = write_demo_files(directory, site, server.url, "cloud", now)
        config = path.read_text().replace('url = "sqlite:///kpiokr.sqlite3"', f'url = "{store_url}"')
        sync = {"interval_minutes": 0.02, "lease_seconds": LEASE_SECONDS}
        path.write_text(config + toml_section("retry", FAST_RETRY) + toml_section("sync", sync))
        assert load_config(path).store_url == store_url
        yield Box(jira, path, store_url)


def move_key_results(box: Box) -> int:
    """A PM moves each team's first numeric key result to its target; returns how many were moved."""
    moved = 0
    for team in load_mappings(load_config(box.config_path).mapping_paths).teams:
        krs = [k for o in team.objective_overrides for k in o.key_results if hasattr(k, "field")]
        if krs:
            field = field_by_name(box.jira.site, krs[0].field)
            box.jira.site.edit_issue(krs[0].key, {field.wire_id("cloud"): krs[0].target}, author="pm")
            moved += 1
    return moved


def wait_for(what: str, condition, timeout: float = DEADLINE_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        time.sleep(0.2)


def test_three_daemons_one_killed_mid_run_leave_what_one_sync_leaves(tmp_path: Path, pg_schemas: list[str]):
    now = datetime.now(UTC).replace(microsecond=0)
    cli = Cli()
    reference_url, shared_url = pg_schemas
    with served(now, tmp_path / "reference", reference_url) as reference:
        for step in ("before", "after"):
            log = tmp_path / f"reference-{step}.log"
            assert cli.run(reference.argv("sync"), log) == 0, log.read_text()
            if step == "before":
                assert move_key_results(reference) == len(TEAMS)
        expected, expected_puts = snapshot(reference), accepted_puts(reference)
    assert len({key for key, _ in expected["jira"]}) > len(TEAMS)  # objectives and key results of every team

    logs = [tmp_path / f"daemon-{n}.log" for n in range(3)]
    with served(now, tmp_path / "shared", shared_url) as box, Store.open(box.store_url) as store:
        daemons = [cli.start(box.argv("daemon"), log) for log in logs]
        try:
            wait_for("three daemons lease two teams each", lambda: _owners(store) == [2, 2, 2])
            wait_for("every team scored", lambda: len(store.latest_reports()) == len(TEAMS))
            wait_for("the writes settled", lambda: not store.ledger(outcome="pending"))
            seen = [log.read_text() for log in logs]
            move_key_results(box)
            victim = _first_writing(daemons, logs, seen)
            daemons[victim].kill()
            daemons[victim].join()
            survivors = [d for n, d in enumerate(daemons) if n != victim]
            wait_for("the survivors hold every team", lambda: _owners(store) == [3, 3])
            wait_for("Jira holds the reference's scores", lambda: snapshot(box)["jira"] == expected["jira"])
            wait_for("the writes settled", lambda: not store.ledger(outcome="pending"))
            for daemon in survivors:
                daemon.terminate()  # SIGTERM: a graceful stop frees the daemon's leases
            for daemon in survivors:
                daemon.join(30)
                assert daemon.exitcode == 0, [log.read_text()[-2000:] for log in logs]
            assert {lease.owner for lease in store.leases()} == {""}, "a stopped daemon keeps no lease"
            assert store.live_members() == []
            written = [(e.issue_key, e.field_id, json.dumps(e.value)) for e in store.ledger() if e.outcome == "written"]
            # the issue and project properties written beside the scores hold a digest of the instant
            scores = [entry for entry in written if not entry[1].startswith("property:")]
            got = snapshot(box)
            puts = accepted_puts(box)
        finally:
            for daemon in daemons:
                if daemon.exitcode is None:
                    daemon.kill()
                    daemon.join()

    assert got["jira"] == expected["jira"]
    for part in ("objectives", "key_results", "kpis"):
        assert got[part] == expected[part], part
    assert sorted(scores) == [entry for entry in expected["written"] if not entry[1].startswith("property:")]
    assert got["unsettled"] == []
    assert [entry for entry, count in Counter(written).items() if count > 1] == [], "a field was written twice"
    assert _issue_puts(puts) == _issue_puts(expected_puts), "an issue received more writes than one daemon makes"
    assert "abandoned" in got["runs"]  # the killed daemon's run, marked by a survivor


def _issue_puts(puts: Counter[str]) -> Counter[str]:
    """The accepted writes of score fields (PUT /issue/KEY), by issue; properties left out."""
    return Counter({key: n for key, n in puts.items() if ISSUE_KEY.fullmatch(key)})


def _owners(store: Store) -> list[int]:
    """How many groups each daemon holds, sorted."""
    return sorted(Counter(lease.owner for lease in store.leases() if lease.owner).values())


def _first_writing(daemons, logs: list[Path], seen: list[str]) -> int:
    """The index of the first daemon whose log shows it writing to Jira after what was ``seen``."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        for n, log in enumerate(logs):
            if WRITING.search(log.read_text()[len(seen[n]) :]):
                return n
        assert all(d.exitcode is None for d in daemons), [log.read_text()[-2000:] for log in logs]
        time.sleep(0.002)
    raise AssertionError("no daemon started writing")
