"""Every public Store method and transaction is inside the store's error boundary: database and OS
errors leave it as StoreErrors that say the fix; kpiokr's own mistakes keep their own exception."""

from __future__ import annotations

import inspect
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, make_url
from sqlalchemy.exc import IntegrityError

from sync.errors import KpiokrError
from sync.store.errors import StoreError
from sync.store.faults import describe, explain
from sync.store.hints import HintNote
from sync.store.records import KeyResultScoreRecord, LedgerEntry
from sync.store.series import DailyPoint
from sync.store.store import Store, create_store_engine
from tests.adapters.store_support import T0, issue

CLOSED_PORT = "postgresql://kpiokr:s3cret-pw@127.0.0.1:1/kpiokr"
SCORE = KeyResultScoreRecord("MOB-1", "MOB-2", T0, 0.5, "1 of 2")
PG = make_url("postgresql+psycopg://kpiokr:s3cret-pw@db.example:5432/kpiokr")
LEASE_TTL = timedelta(minutes=1)


def _enter(manager: Any) -> None:
    with ExitStack() as stack:
        stack.enter_context(manager)


#: One call of each public Store method (``open`` and ``close`` reach no table; ``dialect`` is a property;
#: ``hint_signals`` falls back to polling when the store does not answer, see its own test).
CALLS: dict[str, Callable[[Store], object]] = {
    "abandon_runs_of_gone": lambda s: s.abandon_runs_of_gone(["host:1"]),
    "acquire_lock": lambda s: s.acquire_lock("host:1"),
    "board": lambda s: s.board(1),
    "boards": lambda s: s.boards(),
    "boards_read_at": lambda s: s.boards_read_at(),
    "count_issues": lambda s: s.count_issues(),
    "daily_days": lambda s: s.daily_days("MOB", "2026-Q4"),
    "daily_points": lambda s: s.daily_points("MOB"),
    "field_ids_written": lambda s: s.field_ids_written(),
    "finish_run": lambda s: s.finish_run(1, "ok"),
    "forget_leases": lambda s: s.forget_leases(["MOB"]),
    "get_issue": lambda s: s.get_issue("MOB-1"),
    "hints_after": lambda s: s.hints_after(0),
    "holds_leases": lambda s: s.holds_leases("host:1", {"MOB": 1}),
    "issue_keys": lambda s: s.issue_keys(),
    "issue_versions": lambda s: s.issue_versions(),
    "iter_issues": lambda s: list(s.iter_issues()),
    "join_members": lambda s: s.join_members("host:1", LEASE_TTL),
    "key_result_series": lambda s: s.key_result_series("MOB-1", "MOB-2"),
    "kpi_series": lambda s: s.kpi_series("MOB", "velocity"),
    "last_written": lambda s: s.last_written(),
    "latest_key_result_scores": lambda s: s.latest_key_result_scores(),
    "latest_kpi_values": lambda s: s.latest_kpi_values(),
    "latest_ledger_entries": lambda s: s.latest_ledger_entries(),
    "latest_objective_scores": lambda s: s.latest_objective_scores(),
    "latest_reports": lambda s: s.latest_reports(),
    "leases": lambda s: s.leases(),
    "leave_members": lambda s: s.leave_members("host:1"),
    "ledger": lambda s: s.ledger(),
    "live_members": lambda s: s.live_members(),
    "lock_holder": lambda s: s.lock_holder(),
    "locked": lambda s: _enter(s.locked("host:1")),
    "mark_deleted": lambda s: s.mark_deleted(["1"], T0),
    "migrate": lambda s: s.migrate(),
    "newest_hint_id": lambda s: s.newest_hint_id(),
    "objective_series": lambda s: s.objective_series("MOB-1"),
    "record_daily_points": lambda s: s.record_daily_points(
        [DailyPoint("MOB", "2026-Q4", "kpi:wip", T0.date(), 1.0, None, T0)]
    ),
    "record_delivery": lambda s: s.record_delivery(
        ["webhook-1"], "jira:issue_updated", T0, LEASE_TTL, (HintNote("jira:issue_updated", "MOB"), "host:1")
    ),
    "record_report": lambda s: s.record_report("MOB", T0, {"team": "MOB"}),
    "record_scores": lambda s: s.record_scores(None, key_results=[SCORE]),
    "record_writes": lambda s: s.record_writes([LedgerEntry(None, "MOB-1", "customfield_1", 1, T0, "written")]),
    "recover_abandoned_runs": lambda s: s.recover_abandoned_runs(),
    "refresh_lock": lambda s: s.refresh_lock("host:1"),
    "release_leases": lambda s: s.release_leases("host:1", ["MOB"]),
    "release_lock": lambda s: s.release_lock("host:1"),
    "renew_leases": lambda s: s.renew_leases("host:1", ["MOB"], LEASE_TTL),
    "report_near": lambda s: s.report_near("MOB", T0),
    "report_series": lambda s: s.report_series("MOB"),
    "run": lambda s: s.run(1),
    "run_report": lambda s: s.run_report("MOB", 1),
    "runs": lambda s: s.runs(),
    "schema_status": lambda s: s.schema_status(),
    "set_board": lambda s: s.set_board(1, {"id": 1}, T0),
    "set_site_fact": lambda s: s.set_site_fact("account", {"accountId": "a"}, T0),
    "set_sprints": lambda s: s.set_sprints(1, [{"id": 7, "state": "active"}]),
    "set_watermark": lambda s: s.set_watermark("MOB", T0),
    "site_facts": lambda s: s.site_facts(),
    "sprints": lambda s: s.sprints(),
    "start_run": lambda s: s.start_run("sync"),
    "take_lease": lambda s: s.take_lease("MOB", ["MOB"], "host:1", LEASE_TTL),
    "transaction": lambda s: _enter(s.transaction()),
    "upsert_issues": lambda s: s.upsert_issues([issue(1)]),
    "watermark": lambda s: s.watermark("MOB"),
    "watermarks": lambda s: s.watermarks(),
}


def test_the_calls_cover_every_public_store_method():
    public = {
        name
        for name, member in inspect.getmembers(Store)
        if not name.startswith("_") and not isinstance(inspect.getattr_static(Store, name), property)
    }
    assert public - {"open", "close", "hint_signals"} == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_store_method_on_an_unreachable_postgresql_says_to_check_the_server(name):
    with Store(create_store_engine(CLOSED_PORT)) as store, pytest.raises(StoreError) as caught:
        CALLS[name](store)
    message = str(caught.value)
    assert message.startswith("cannot reach the PostgreSQL store at postgresql+psycopg://kpiokr:***@127.0.0.1:1/kpiokr")
    assert "check that the server is running" in message
    assert "s3cret-pw" not in message
    assert isinstance(caught.value, KpiokrError)


def test_hint_signals_on_an_unreachable_postgresql_fall_back_to_polling_and_name_no_password(caplog):
    with (
        Store(create_store_engine(CLOSED_PORT)) as store,
        caplog.at_level("WARNING", logger="sync.store.hints"),
        store.hint_signals() as signals,
    ):
        signals.wait(0.01)  # a plain wait: the poll finds hints once the store answers
    [record] = [r for r in caplog.records if r.name == "sync.store.hints"]
    assert "polling only" in record.getMessage()
    assert "s3cret-pw" not in caplog.text


def test_a_store_whose_directory_was_removed_says_to_create_it(tmp_path):
    directory = tmp_path / "var" / "kpiokr"
    directory.mkdir(parents=True)
    store = Store.open(f"sqlite:///{directory / 'kpiokr.sqlite3'}")
    store.close()  # the next call opens a new connection
    shutil.rmtree(directory)
    with pytest.raises(StoreError) as caught:
        store.upsert_issues([issue(1)])
    assert str(caught.value) == (
        f"the directory {directory} of the store kpiokr.sqlite3 does not exist: create it"
        f" (mkdir -p {directory}) or fix store.url in the config"
    )


def _store_waiting(path: Path, milliseconds: int) -> Store:
    """The store at ``path``, waiting ``milliseconds`` (not kpiokr's 30 s) for another writer."""
    engine = create_store_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _short_busy_timeout(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout = {milliseconds}")

    return Store(engine)


def test_a_store_another_program_keeps_locked_says_to_end_its_transaction(tmp_path):
    path = tmp_path / "kpiokr.sqlite3"
    Store.open(f"sqlite:///{path}").close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a second connection holds the write lock
    try:
        with _store_waiting(path, 50) as store:
            assert store.watermarks() == {}  # readers are not blocked (WAL)
            with pytest.raises(StoreError) as caught:
                store.set_watermark("MOB", T0)
            with pytest.raises(StoreError), store.transaction() as tx:
                tx.set_watermark("MOB", T0)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert str(caught.value).startswith(f"the store {path} stayed locked by another program longer than kpiokr waits")
    assert "end that transaction and run again" in str(caught.value)


def test_a_table_dropped_behind_kpiokrs_back_says_how_to_start_over(tmp_path):
    path = tmp_path / "kpiokr.sqlite3"
    with Store.open(f"sqlite:///{path}") as store:
        with sqlite3.connect(path) as other:
            other.execute("DROP TABLE watermarks")
        with pytest.raises(StoreError) as caught:
            store.watermarks()
    assert str(caught.value).startswith(f"{path} lacks part of kpiokr's schema (no such table: watermarks)")
    assert "the next `kpiokr sync` fills a new one with a full sync from Jira" in str(caught.value)


def test_kpiokrs_own_mistakes_keep_their_exception(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'kpiokr.sqlite3'}") as store, pytest.raises(IntegrityError):
        store.record_writes([LedgerEntry(999, "MOB-1", "customfield_1", 1, T0, "written")])


@pytest.mark.parametrize(
    ("text", "lost", "start"),
    [
        ("server closed the connection unexpectedly", False, "lost the connection to the PostgreSQL store at"),
        ("consuming input failed: EOF", True, "lost the connection to the PostgreSQL store at"),
        ("terminating connection due to administrator command", False, "lost the connection to the PostgreSQL"),
        ('relation "watermarks" does not exist', False, "the store lacks part of kpiokr's schema"),
        ("permission denied for table watermarks", False, "the user of the PostgreSQL store at"),
        ("could not extend file: No space left on device", False, "the disk holding the store is full"),
    ],
)
def test_postgresql_faults_say_the_fix_without_the_password(text, lost, start):
    explained = describe(text, url=PG, lost=lost)
    assert explained is not None
    assert str(explained).startswith(start)
    assert "s3cret-pw" not in str(explained)


def test_an_error_kpiokr_knows_no_fix_for_still_names_the_store_and_how_to_see_more(tmp_path):
    explained = explain(OSError(5, "Input/output error"), make_url(f"sqlite:///{tmp_path / 'kpiokr.sqlite3'}"))
    assert str(explained) == (
        f"the store at {tmp_path / 'kpiokr.sqlite3'} failed (OSError: [Errno 5] Input/output error): kpiokr knows"
        " no fix for this fault; run the command again with -v to log its details"
    )


def test_a_full_disk_said_by_the_operating_system_is_the_full_disk_message(tmp_path):
    explained = explain(OSError(28, "No space left on device"), make_url(f"sqlite:///{tmp_path / 'k.sqlite3'}"))
    assert str(explained).startswith(f"the disk holding {tmp_path / 'k.sqlite3'} is full: free some space there")


def test_a_store_locked_by_another_kpiokr_leaves_the_boundary_as_it_is(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'kpiokr.sqlite3'}") as store:
        assert store.acquire_lock("host-a:1", timedelta(minutes=5))
        with pytest.raises(StoreError, match="another `kpiokr daemon` is running"), store.locked("host-b:2"):
            pass


def test_the_fault_in_detail_is_logged_at_debug_for_v(tmp_path, caplog):
    directory = tmp_path / "gone"
    directory.mkdir()
    store = Store.open(f"sqlite:///{directory / 'kpiokr.sqlite3'}")
    store.close()
    shutil.rmtree(directory)
    with caplog.at_level("DEBUG", logger="sync.store.faults"), pytest.raises(StoreError):
        store.watermarks()
    (record,) = [r for r in caplog.records if r.name == "sync.store.faults"]
    assert record.exc_info is not None
    assert "unable to open database file" in str(record.exc_info[1])
