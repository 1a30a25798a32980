"""What the daemon did, kept in the store: scores over time, the write ledger, runs."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from sync.store.records import KeyResultScoreRecord, KpiValueRecord, LedgerEntry, ObjectiveScoreRecord
from sync.store.store import Store
from tests.adapters.store_support import T0, FakeClock

DAY = timedelta(days=1)


def objective(key: str, day: int, score: float, cycle: str = "2026-Q1") -> ObjectiveScoreRecord:
    return ObjectiveScoreRecord(
        objective_key=key,
        cycle=cycle,
        as_of=T0 + day * DAY,
        score=score,
        expected=0.1 * day,
        status="on track",
        summary=f"{score:.2f} · on track",
        reasons=("crash-free rate improving", "2 of 3 key results measured"),
    )


def kpi(team: str, key: str, day: int, value: float | None) -> KpiValueRecord:
    return KpiValueRecord(team, key, T0 + day * DAY, value, "healthy", "stable", {"window_days": 14, "n": day})


def test_one_run_s_scores_come_back_as_latest_and_as_series(store: Store):
    for day in range(3):
        run = store.start_run("sync")
        store.record_scores(
            run,
            objectives=[objective("MOB-O1", day, 0.2 * day), objective("WEB-O1", day, 0.25 * day)],
            key_results=[
                KeyResultScoreRecord("MOB-O1", "KR1", T0 + day * DAY, 0.3 * day, f"{day} of 3 done"),
                KeyResultScoreRecord("MOB-O1", "KR2", T0 + day * DAY, None, "no data yet"),
            ],
            kpis=[kpi("mobile", "cycle_time", day, 4.0 - day), kpi("web", "cycle_time", day, None)],
        )
        store.finish_run(run, "ok")

    latest = store.latest_objective_scores()
    assert [(o.objective_key, o.score, o.as_of) for o in latest] == [
        ("MOB-O1", 0.4, T0 + 2 * DAY),
        ("WEB-O1", 0.5, T0 + 2 * DAY),
    ]
    assert latest[0] == replace(objective("MOB-O1", 2, 0.4), run_id=store.runs(limit=1)[0].id)
    assert [o.score for o in store.objective_series("MOB-O1")] == [0.0, 0.2, 0.4]
    assert [o.score for o in store.objective_series("MOB-O1", since=T0 + DAY)] == [0.2, 0.4]
    assert [(k.kr_key, k.score, k.progress) for k in store.latest_key_result_scores("MOB-O1")] == [
        ("KR1", 0.6, "2 of 3 done"),
        ("KR2", None, "no data yet"),
    ]
    assert [k.score for k in store.key_result_series("MOB-O1", "KR1")] == [0.0, 0.3, 0.6]
    assert store.latest_key_result_scores("WEB-O1") == []
    assert [(k.team, k.value) for k in store.latest_kpi_values()] == [("mobile", 2.0), ("web", None)]
    assert store.latest_kpi_values("mobile")[0].details == {"window_days": 14, "n": 2}
    assert [k.value for k in store.kpi_series("mobile", "cycle_time")] == [4.0, 3.0, 2.0]


def test_scores_are_kept_per_cycle_and_replaced_at_the_same_instant(store: Store):
    store.record_scores(None, objectives=[objective("O1", 1, 0.5, cycle="2026-Q1")])
    store.record_scores(None, objectives=[objective("O1", 1, 0.6, cycle="2026-Q1"), objective("O1", 0, 0.1, "2026-Q2")])

    assert [(o.cycle, o.score) for o in store.latest_objective_scores()] == [("2026-Q1", 0.6), ("2026-Q2", 0.1)]
    assert [o.score for o in store.latest_objective_scores(cycle="2026-Q2")] == [0.1]
    assert [o.score for o in store.objective_series("O1", cycle="2026-Q1")] == [0.6]


def test_team_reports_are_kept_per_instant(store: Store):
    run = store.start_run("sync")
    for day in range(3):
        with store.transaction() as tx:
            tx.record_report("mobile", T0 + day * DAY, {"team": "mobile", "objectives": [{"score": day / 4}]})
    store.record_report("web", T0, {"team": "web", "objectives": []}, run_id=run)
    store.record_report("web", T0, {"team": "web", "objectives": [], "again": True}, run_id=run)

    latest = store.latest_reports()
    assert [(r.team, r.as_of) for r in latest] == [("mobile", T0 + 2 * DAY), ("web", T0)]
    assert latest[0].document == {"team": "mobile", "objectives": [{"score": 0.5}]}
    assert (latest[1].run_id, latest[1].document["again"]) == (run, True)
    assert [r.document["objectives"][0]["score"] for r in store.report_series("mobile", since=T0 + DAY)] == [
        0.25,
        0.5,
    ]
    assert store.latest_reports("ops") == []


def test_the_ledger_shows_what_was_written_skipped_and_failed(store: Store, store_clock: FakeClock):
    first = store.start_run("sync")
    store.record_writes(
        [
            LedgerEntry(first, "MOB-1", "customfield_10100", 0.4, T0, "written"),
            LedgerEntry(first, "MOB-1", "customfield_10101", "0.40 · on track", T0, "written"),
            LedgerEntry(first, "MOB-2", "customfield_10100", 0.7, T0, "failed", "403: no Edit Issues permission"),
        ]
    )
    second = store.start_run("sync")
    store.record_writes(
        [
            LedgerEntry(second, "MOB-1", "customfield_10100", 0.5, T0 + DAY, "written"),
            LedgerEntry(
                second, "MOB-1", "customfield_10101", None, T0 + DAY, "skipped", "field not on the edit screen"
            ),
            LedgerEntry(second, "MOB-2", "customfield_10100", {"value": "x"}, T0 + DAY, "written"),
        ]
    )

    last = store.last_written()
    assert {k: e.value for k, e in last.items()} == {
        ("MOB-1", "customfield_10100"): 0.5,
        ("MOB-1", "customfield_10101"): "0.40 · on track",
        ("MOB-2", "customfield_10100"): {"value": "x"},
    }
    assert last["MOB-1", "customfield_10100"].run_id == second
    assert set(store.last_written(["MOB-2"])) == {("MOB-2", "customfield_10100")}
    assert [e.text for e in store.ledger(run_id=second)] == [
        "written",
        "skipped: field not on the edit screen",
        "written",
    ]
    assert [e.text for e in store.ledger(outcome="failed")] == ["failed: 403: no Edit Issues permission"]
    assert [e.value for e in store.ledger(issue_key="MOB-1", limit=2)] == [0.5, None]
    assert len(store.ledger()) == 6
    assert [(e.issue_key, e.field_id, e.outcome) for e in store.latest_ledger_entries()] == [
        ("MOB-1", "customfield_10100", "written"),
        ("MOB-1", "customfield_10101", "skipped"),
        ("MOB-2", "customfield_10100", "written"),
    ]
    assert [e.value for e in store.latest_ledger_entries(["MOB-2"])] == [{"value": "x"}]


def test_ledger_outcomes_are_checked_and_runs_must_exist(store: Store):
    with pytest.raises(ValueError, match="outcome must be one of"):
        LedgerEntry(None, "MOB-1", "customfield_1", 1, T0, "maybe")  # type: ignore[arg-type]
    with pytest.raises(IntegrityError):
        store.record_writes([LedgerEntry(999, "MOB-1", "customfield_1", 1, T0, "written")])


def test_runs_record_kind_status_counts_and_errors(store: Store, store_clock: FakeClock):
    run = store.start_run("full", owner="host-a:42")
    store_clock.advance(minutes=3)
    store.finish_run(run, "ok", counts={"issues_fetched": 120, "issues_stored": 118, "writes_made": 7})
    failed = store.start_run("sync")
    store.finish_run(failed, "failed", error="Jira answered 401: check jira.token")

    done = store.run(run)
    assert (done.kind, done.status, done.owner) == ("full", "ok", "host-a:42")
    assert done.finished_at - done.started_at == timedelta(minutes=3)
    assert done.counts == {"issues_fetched": 120, "issues_stored": 118, "writes_made": 7}
    assert store.run(failed).error == "Jira answered 401: check jira.token"
    assert [r.id for r in store.runs()] == [failed, run]
    assert [r.id for r in store.runs(kind="full")] == [run]
    assert [r.id for r in store.runs(status="failed")] == [failed]
    assert store.run(12345) is None
    with pytest.raises(ValueError, match="run kind must be one of"):
        store.start_run("weekly")
    with pytest.raises(ValueError, match="ends ok, partial, failed or abandoned"):
        store.finish_run(run, "running")
    with pytest.raises(Exception, match="no run 12345"):
        store.finish_run(12345, "ok")


def test_runs_left_running_by_a_killed_daemon_are_marked_abandoned(store: Store, store_url: str):
    killed = store.start_run("sync")
    finished = store.start_run("dry-run")
    store.finish_run(finished, "ok")

    with Store.open(store_url) as restarted:
        assert restarted.recover_abandoned_runs() == [killed]
        assert restarted.recover_abandoned_runs() == []

    abandoned = store.run(killed)
    assert abandoned.status == "abandoned"
    assert "killed" in abandoned.error
    assert abandoned.finished_at is not None
    assert store.run(finished).status == "ok"
