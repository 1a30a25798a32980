"""Sync passes against an in-memory Jira (no HTTP): full and incremental passes, dry runs, write-back
disabled, one team's fault, Jira down, reconciliation and a deleted issue."""

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from sync.errors import JiraUnavailable
from sync.store import Store
from tests.fakes.world import World, make_world


@pytest.fixture(params=["cloud", "datacenter"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr", flavor=request.param)


def held_by_jira(world: World, key: str, field_ids: list[str]) -> dict[str, object]:
    return world.jira.get_issue(key, field_ids)["fields"]


def test_a_full_pass_writes_every_planned_value_once_and_jira_holds_them(world):
    with world.app() as app:
        summary = world.runner(app).run()

    assert summary.status == "ok"
    assert summary.ok
    assert summary.fetched == sum(1 for i in world.site.issues if i.project in {"MOB", "WEB"})  # the mapped teams
    assert summary.planned, "a first pass writes scores"
    assert [w.issue_key for w in summary.planned] == [k for k, _ in world.writes()]
    for write in summary.planned:
        held = held_by_jira(world, write.issue_key, [f.field_id for f in write.fields])
        for planned in write.fields:
            value = held[planned.field_id]
            value = value.get("value") if isinstance(value, dict) else value
            expected = planned.after.get("value") if isinstance(planned.after, dict) else planned.after
            assert value == expected, (write.issue_key, planned.field_name)


def test_the_scores_written_are_the_scores_recorded(world):
    with world.app() as app:
        summary = world.runner(app).run()
        reports = {r.team: r.document for r in app.store.latest_reports()}
    score_field = next(f for f in world.jira.fields() if f.name == "Objective score")

    assert set(reports) == {r.team for r in summary.results}
    for document in reports.values():
        for objective in document["objectives"]:
            held = held_by_jira(world, objective["key"], [score_field.id])[score_field.id]
            assert held == pytest.approx(objective["score"], abs=0.005)


def test_a_second_pass_without_changes_writes_nothing_and_costs_one_search(world):
    with world.app() as app:
        runner = world.runner(app)
        runner.run()
        first = len(world.writes())
        world.site.advance(timedelta(minutes=10))  # Jira's clock past the overlap: the look-back settles
        runner.run()
        again = runner.run()

    assert len(world.writes()) == first
    assert again.planned == []
    assert again.requests == 1


def test_an_incremental_pass_writes_only_what_a_persons_edit_moved(world):
    with world.app() as app:
        runner = world.runner(app)
        first = runner.run()
        written_before = len(world.writes())
        key_result = next(w for w in first.planned if any(f.field_name == "Key result progress" for f in w.fields))
        team = key_result.issue_key.split("-")[0]
        issue = world.site.by_key[key_result.issue_key]
        numbers = (f for f in world.site.fields.values() if f.custom and f.kind == "number")
        number = next(f for f in numbers if f.key in issue.values)
        world.site.advance(timedelta(minutes=1))
        world.site.edit_issue(issue.key, {number.wire_id(world.flavor): float(issue.values[number.key]) + 1000}, "pm")
        second = runner.run()

    new_writes = world.writes()[written_before:]
    assert second.changed_keys >= {issue.key}
    assert new_writes, "the edit moved a score"
    assert {k.split("-")[0] for k, _ in new_writes} == {team}
    assert len({k for k, _ in new_writes}) == len(new_writes), "no issue written twice in a pass"
    assert all(k in {w.issue_key for w in second.planned} for k, _ in new_writes)


def test_no_issue_receives_the_same_value_twice_over_several_passes(world):
    with world.app() as app:
        runner = world.runner(app)
        for _ in range(3):
            runner.run()
            world.site.advance(timedelta(minutes=7))
    sent = Counter((key, field, repr(value)) for key, fields in world.writes() for field, value in fields.items())
    assert sent, "the passes wrote scores"
    assert max(sent.values()) == 1


def test_a_dry_run_plans_the_writes_and_sends_none(world):
    with world.app() as app:
        summary = world.runner(app).run(dry_run=True)
        ledger = app.store.ledger()
    assert summary.kind == "dry-run"
    assert summary.planned
    assert summary.outcomes == []
    assert world.jira.requests_to("PUT") == []
    assert ledger == []


def test_with_write_back_disabled_the_plan_is_kept_and_nothing_sent(world):
    text = world.config_path.read_text()
    world.config_path.write_text(text + "\n[writeback]\nenabled = false\n")
    with world.app() as app:
        summary = world.runner(app).run()
    assert summary.writeback_disabled
    assert summary.planned
    assert world.writes() == []


def test_a_team_whose_jql_jira_rejects_is_skipped_and_the_others_are_written(world):
    web = world.mappings / "web.toml"
    web.write_text(web.read_text().replace("labels = okr'", "labels = okr AND nosuchfield = 1'"))
    with world.app() as app:
        summary = world.runner(app).run()
        run = app.store.run(summary.run_id)

    assert summary.status == "partial"
    assert not summary.ok
    assert set(summary.failed_teams) == {"WEB"}
    assert "web.toml" in summary.failed_teams["WEB"]
    assert {r.team for r in summary.results} == {"MOB"}
    assert world.writes()
    assert all(key.startswith("MOB-") for key, _ in world.writes())
    assert run is not None
    assert run.status == "partial"


def test_jira_down_fails_the_run_keeps_the_watermark_and_writes_nothing(world):
    with world.app() as app:
        runner = world.runner(app)
        runner.run()
        marks = app.store.watermarks()
        written = len(world.writes())
        world.site.advance(timedelta(minutes=3))
        world.jira.fail("/rest/api/*/search*", 503)
        with pytest.raises(JiraUnavailable, match="gave up after 6 attempts"):
            runner.run()
        failed = app.store.runs(limit=1)[0]
        world.jira.heal()
        assert app.store.watermarks() == marks
        recovered = runner.run()

    assert failed.status == "failed"
    assert "503" in (failed.error or "")
    assert len(world.writes()) == written
    assert recovered.status == "ok"


def test_a_rate_limit_is_waited_out_and_the_pass_completes(world):
    with world.app() as app:
        world.jira.fail("/rest/api/*/search*", 429, times=2, retry_after=1)
        summary = world.runner(app).run()
    assert summary.status == "ok"
    searches = [s.status for s in world.jira.served if "/search" in s.path]
    assert searches[:3] == [429, 429, 200]


def test_a_stop_asked_for_before_the_pass_abandons_it_and_writes_nothing(world):
    stop = threading.Event()
    stop.set()
    with world.app() as app:
        with pytest.raises(Exception, match="stopped on request"):
            world.runner(app, stop).run()
        status = app.store.runs(limit=1)[0].status
    assert status == "abandoned"
    assert world.writes() == []


def test_reconciliation_forgets_an_issue_deleted_in_jira(world):
    with world.app() as app:
        runner = world.runner(app)
        runner.run()
        gone = next(i for i in world.site.issues if "okr" not in i.values.get("labels", ()) and i.project == "MOB")
        world.site.delete_issue(gone.key)
        summary = runner.run(reconcile=True)
        held = app.store.issue_keys(["MOB"])

    assert summary.kind == "reconcile"
    assert summary.forgotten == 1
    assert gone.key not in held


def test_a_full_pass_forgets_an_issue_moved_out_of_the_projects(world):
    with world.app() as app:
        runner = world.runner(app)
        runner.run()
        gone = next(i for i in world.site.issues if "okr" not in i.values.get("labels", ()) and i.project == "WEB")
        world.site.delete_issue(gone.key)
        summary = runner.run(full=True)
        held = app.store.issue_keys(["WEB"])
    assert summary.forgotten == 1
    assert gone.key not in held


def test_a_fresh_process_starts_incremental_from_the_store(world):
    with world.app() as app:
        world.runner(app).run()
    world.site.advance(timedelta(minutes=10))
    with world.app() as app:
        world.runner(app).run()
    with world.app() as app:
        summary = world.runner(app).run()
        assert isinstance(app.store, Store)
    assert summary.planned == []
    assert summary.requests == 1
