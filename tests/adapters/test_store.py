"""The store keeps issues, sprints, boards and watermarks; a batch and its watermark land together."""

import json
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sync.store.store import Store
from tests.adapters.store_support import T0, issue, sample_issue

ROOT = Path(__file__).resolve().parents[2]


def test_real_issues_round_trip_exactly(store: Store):
    samples = [sample_issue(name) for name in ("SP-1", "SP-10", "SP-13")]

    assert store.upsert_issues(samples) == 3

    assert store.get_issue("SP-10") == samples[1]
    assert sorted(store.iter_issues(), key=lambda i: i["key"]) == sorted(samples, key=lambda i: i["key"])
    assert store.issue_keys() == ["SP-1", "SP-10", "SP-13"]
    assert set(store.issue_versions(["SP"])) == {s["id"] for s in samples}
    assert store.count_issues(["SP"]) == 3
    assert store.get_issue("SP-999") is None


def test_projects_filter_every_query(store: Store):
    store.upsert_issues([issue(1, project="MOB"), issue(2, project="WEB"), issue(3, project="OPS")])

    assert store.issue_keys(["MOB", "OPS"]) == ["MOB-1", "OPS-3"]
    assert [i["key"] for i in store.iter_issues({"WEB"})] == ["WEB-2"]
    assert store.count_issues(["MOB"]) == 1
    assert store.count_issues() == 3
    assert list(store.iter_issues([])) == []


def test_an_older_copy_never_overwrites_a_newer_one(store: Store):
    newer = issue(1, updated=T0 + timedelta(hours=1), summary="newer")
    older = issue(1, updated=T0, summary="older")
    store.upsert_issues([newer])

    assert store.upsert_issues([older]) == 0
    assert store.get_issue("MOB-1")["fields"]["summary"] == "newer"

    refetched = issue(1, updated=T0 + timedelta(hours=1), summary="re-fetched")
    assert store.upsert_issues([refetched]) == 1
    assert store.get_issue("MOB-1")["fields"]["summary"] == "re-fetched"


def test_within_one_batch_the_newest_copy_wins_in_any_order(store: Store):
    copies = [issue(1, updated=T0 + timedelta(minutes=m), summary=f"v{m}") for m in (5, 9, 1)]

    assert store.upsert_issues(copies) == 1

    assert store.get_issue("MOB-1")["fields"]["summary"] == "v9"


def test_a_moved_issue_keeps_its_id_and_takes_its_new_key(store: Store):
    store.upsert_issues([issue(1, project="MOB")])
    moved = issue(1, project="WEB", updated=T0 + timedelta(days=1))
    moved["id"] = issue(1)["id"]

    store.upsert_issues([moved])

    assert store.issue_keys() == ["WEB-1"]
    assert store.get_issue("MOB-1") is None
    assert store.issue_versions(["MOB"]) == {}


def test_deleted_issues_leave_every_query_until_fetched_again(store: Store):
    store.upsert_issues([issue(1), issue(2)])
    gone = issue(2)["id"]

    assert store.mark_deleted({gone, "no-such-id"}) == 1
    assert store.mark_deleted({gone}) == 0

    assert store.issue_keys() == ["MOB-1"]
    assert store.issue_keys(include_deleted=True) == ["MOB-1", "MOB-2"]
    assert [i["key"] for i in store.iter_issues(include_deleted=True)] == ["MOB-1", "MOB-2"]
    assert store.get_issue("MOB-2") is None
    assert set(store.issue_versions()) == {issue(1)["id"]}
    assert store.upsert_issues([issue(2, updated=T0 - timedelta(days=1))]) == 0
    assert store.get_issue("MOB-2") is None

    store.upsert_issues([issue(2, updated=T0 + timedelta(days=1))])
    assert store.get_issue("MOB-2") is not None


def test_an_issue_without_project_or_updated_is_refused_with_the_fix(store: Store):
    broken = issue(1)
    del broken["fields"]["updated"]

    with pytest.raises(ValueError, match=r"'MOB-1' lacks .*fields=project,updated"):
        store.upsert_issues([broken])


def test_a_failure_mid_transaction_moves_neither_data_nor_watermark(store: Store):
    with store.transaction() as tx:
        tx.upsert_issues([issue(1)])
        tx.set_watermark("MOB", T0)
    broken = issue(99)
    del broken["key"]

    def second_run():
        with store.transaction() as tx:
            tx.upsert_issues([issue(n, updated=T0 + timedelta(hours=1)) for n in range(1, 1500)])
            tx.set_watermark("MOB", T0 + timedelta(hours=1))
            tx.upsert_issues([broken])

    with pytest.raises(ValueError, match="lacks"):
        second_run()

    assert store.issue_keys() == ["MOB-1"]
    assert store.get_issue("MOB-1")["fields"]["updated"] == issue(1)["fields"]["updated"]
    assert store.watermark("MOB") == T0


def test_batch_and_watermark_are_seen_together_by_another_store(store: Store, store_url: str):
    with store.transaction() as tx:
        tx.upsert_issues([issue(n) for n in range(1, 11)])
        tx.set_watermark("MOB", T0)
        tx.set_watermark("WEB", T0 - timedelta(days=1))

    with Store.open(store_url) as other:
        assert other.count_issues() == 10
        assert other.watermark("MOB") == T0
        assert other.watermarks() == {"MOB": T0, "WEB": T0 - timedelta(days=1)}
        assert other.watermark("OPS") is None

    store.set_watermark("MOB", T0 + timedelta(hours=2))
    with store.transaction() as tx:
        tx.clear_watermark("WEB")
    assert store.watermarks() == {"MOB": T0 + timedelta(hours=2)}


def test_naive_datetimes_are_refused(store: Store):
    with pytest.raises(Exception, match="aware datetimes only"):
        store.set_watermark("MOB", datetime(2026, 1, 1))


def test_a_daemon_killed_mid_batch_leaves_the_last_committed_state(store: Store, store_url: str):
    store.upsert_issues([issue(1)])
    store.set_watermark("MOB", T0)
    script = textwrap.dedent(
        f"""
        import os, signal
        from datetime import timedelta
        from sync.store.store import Store
        from tests.adapters.store_support import T0, issue
        store = Store.open({store_url!r})
        with store.transaction() as tx:
            tx.upsert_issues([issue(n, updated=T0 + timedelta(hours=1)) for n in range(1, 2001)])
            tx.set_watermark("MOB", T0 + timedelta(hours=1))
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )

    killed = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, check=False, timeout=60)

    assert killed.returncode == -9, killed.stderr.decode()
    with Store.open(store_url) as after:
        assert after.issue_keys() == ["MOB-1"]
        assert after.watermark("MOB") == T0
        after.upsert_issues([issue(2)])  # and the store is writable again
        assert after.count_issues() == 2


def test_sprints_are_replaced_per_board_and_boards_kept_by_id(store: Store):
    store.set_sprints(1, [{"id": 10, "name": "S10"}, {"id": 11, "name": "S11"}])
    store.set_sprints(2, [{"id": 11, "name": "S11"}])
    store.set_sprints(1, [{"id": 11, "name": "S11 renamed"}, {"id": 12, "name": "S12"}])
    store.set_board(1, {"id": 1, "columnConfig": {"columns": []}})
    store.set_board(2, {"id": 2, "type": "kanban"})
    store.set_board(2, {"id": 2, "type": "scrum"})

    assert store.sprints(1) == [{"id": 11, "name": "S11 renamed"}, {"id": 12, "name": "S12"}]
    assert [s["id"] for s in store.sprints()] == [11, 12, 11]
    assert store.board(2) == {"id": 2, "type": "scrum"}
    assert store.board(3) is None
    assert sorted(store.boards()) == [1, 2]


def test_twenty_thousand_issues_stream_in_bounded_memory(store: Store):
    total, batch = 20_000, 500
    store.upsert_issues(issue(n, changes=1) for n in range(total))
    as_text = total * len(json.dumps(issue(1, changes=1)))

    tracemalloc.start()
    try:
        stream = store.iter_issues(["MOB"], batch_size=batch)
        first = sum(next(stream)["fields"]["project"]["key"] == "MOB" for _ in range(3 * batch))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    store.upsert_issues([issue(total + 1)])  # stored after the stream began: pages are read lazily
    rest = [raw["key"] for raw in stream]

    assert peak < as_text / 5
    assert first + len(rest) == total + 1
    assert rest[-1] == f"MOB-{total + 1}"


def test_a_reader_is_not_blocked_by_an_open_write_transaction(store: Store, store_url: str):
    store.upsert_issues([issue(1)])

    with Store.open(store_url) as report, store.transaction() as tx:
        tx.upsert_issues([issue(2)])
        assert report.issue_keys() == ["MOB-1"]
    assert store.issue_keys() == ["MOB-1", "MOB-2"]


def test_sqlite_runs_in_wal_mode(tmp_path: Path):
    path = tmp_path / "s.sqlite3"
    Store.open(f"sqlite:///{path}").close()

    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_writer_waits_for_another_writer_instead_of_failing(store: Store, store_url: str):
    def hold_then_commit():
        with store.transaction() as tx:
            tx.upsert_issues([issue(1)])
            started.set()
            time.sleep(0.3)

    started = threading.Event()
    holder = threading.Thread(target=hold_then_commit)
    holder.start()
    started.wait(5)
    with Store.open(store_url) as other:
        other.upsert_issues([issue(2)])
    holder.join()

    assert store.issue_keys() == ["MOB-1", "MOB-2"]


def test_an_in_memory_sqlite_store_works_for_one_process():
    with Store.open("sqlite://") as memory:
        memory.upsert_issues([issue(1)])
        assert memory.issue_keys() == ["MOB-1"]


def test_the_default_clock_gives_aware_utc(tmp_path: Path):
    with Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}") as opened:
        run_id = opened.start_run("sync")
        started_at = opened.run(run_id).started_at

    assert started_at.tzinfo is UTC
    assert abs(datetime.now(UTC) - started_at) < timedelta(minutes=1)
