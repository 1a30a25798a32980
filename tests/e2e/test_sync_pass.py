"""What a pass costs and what it tells: an idle pass is one request returning one page, a full sync
reads the field list once and forgets deleted issues, a disabled write-back and a missing score field
show in the summary, a stop during the writes ends them after the request in flight. Real HTTP
against the sandbox, on Cloud and Data Center."""

import threading
import time
from datetime import timedelta

import pytest

from jira_sandbox import Fault
from sync.app.fetch import RunAbandoned
from sync.cli.bootstrap import build_app
from tests.e2e.conftest import NOW, Jira, runner_of
from tests.e2e.resilience_support import field_by_name, make_config

pytestmark = pytest.mark.e2e

#: The daemon's default interval between passes.
INTERVAL = timedelta(minutes=10)
#: Issues per search page the sandbox answers with, small enough that a write-back spans pages.
PAGE = 5


def _search_requests(jira: Jira) -> list[tuple[str, str, int]]:
    return jira.requests("POST", "/search")


def _field_list_reads(jira: Jira) -> int:
    return len([r for r in jira.requests("GET") if r[1].split("?")[0].endswith("/field")])


def test_an_idle_daemon_pass_costs_one_request_returning_one_page_after_a_large_write_back(jira, app):
    jira.server.context.limits.update(cloud_search=PAGE, dc_search=PAGE)
    runner = runner_of(app, jira)
    written = runner.run()
    assert len(written.outcomes) > 3 * PAGE  # the write-back spans several pages of the look-back
    jira.site.clock_state.set(NOW + INTERVAL)
    assert runner.run().changed_keys  # the daemon's writes come back once
    jira.site.clock_state.set(NOW + 2 * INTERVAL)
    jira.server.clear_request_log()

    idle = runner.run()

    assert idle.planned == []
    assert idle.changed_keys == set()
    assert len(jira.server.request_log) == idle.requests == 1, jira.server.request_log
    assert idle.fetched <= PAGE

    # an edit after the idle pass is still seen, at the front of the next one
    key = next(i.key for i in jira.site.issues if i.project == "MOB" and not i.values.get("labels"))
    jira.site.clock_state.set(NOW + 3 * INTERVAL)
    jira.site.edit_issue(key, {"labels": ["touched"]}, author="pm")
    assert key in runner.run().changed_keys


def test_the_look_back_reaches_the_overlap_until_jiras_clock_is_past_it(jira, app):
    jira.server.context.limits.update(cloud_search=PAGE, dc_search=PAGE)
    runner = runner_of(app, jira)
    runner.run()
    jira.site.clock_state.set(NOW + timedelta(minutes=1))
    runner.run()  # Jira's clock is within the overlap of the daemon's writes: nothing is settled yet
    jira.server.clear_request_log()

    runner.run()

    assert len(_search_requests(jira)) > 1  # the whole overlap is read again, page by page


def test_a_full_sync_reads_the_field_list_once(jira, app):
    runner_of(app, jira).run(full=True)

    assert _field_list_reads(jira) == 1


def test_a_full_sync_forgets_an_issue_jira_no_longer_has(jira, app):
    runner = runner_of(app, jira)
    runner.run()
    gone = next(i for i in jira.site.issues if i.project == "MOB" and not i.values.get("labels"))
    gone_id = str(gone.id)
    assert gone_id in app.store.issue_versions(["MOB"])
    jira.site.delete_issue(gone.key)
    runner.run()
    assert gone_id in app.store.issue_versions(["MOB"])  # an incremental sync cannot know

    summary = runner.run(full=True)

    assert summary.forgotten == 1
    assert gone_id not in app.store.issue_versions(["MOB"])
    assert gone.key not in app.store.issue_keys(["MOB"])
    checks = [r for r in jira.requests("GET", "/issue/") if f"/issue/{gone_id}" in r[1]]
    assert [status for _, _, status in checks] == [404]


def test_write_back_disabled_is_visible_in_the_summary(jira, tmp_path):
    config = make_config(jira, tmp_path / "kpiokr", sections={"writeback": {"enabled": False}})
    app = build_app(config, {})
    try:
        summary = runner_of(app, jira).run()
    finally:
        app.close()

    assert summary.writeback_disabled
    assert summary.planned
    assert summary.outcomes == []
    assert jira.puts() == []


def test_scores_left_unwritten_for_a_missing_score_field_make_the_pass_not_ok(jira, app):
    jira.site.delete_field(field_by_name(jira.site, "Objective summary").key)
    jira.site.bump()

    summary = runner_of(app, jira).run()

    assert summary.missing_score_fields
    assert "'Objective summary'" in summary.missing_score_fields[0]
    assert not summary.ok
    assert summary.failed_teams == {}


def test_a_stop_during_a_long_write_phase_ends_after_the_request_in_flight(jira, app):
    runner = runner_of(app, jira)
    planned = runner.run(dry_run=True).planned
    assert len(planned) > 5
    jira.server.faults.add(Fault("slow", "/rest/api/2/issue/*", method="PUT", times=None, delay=0.3))
    jira.server.clear_request_log()
    stop = threading.Event()
    runner.stop = stop
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            runner.run()
        except BaseException as error:  # handed to the test thread
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    while not jira.puts() and thread.is_alive():
        time.sleep(0.01)
    stop.set()
    thread.join(timeout=60)

    assert not thread.is_alive()
    assert len(outcome) == 1
    assert isinstance(outcome[0], RunAbandoned)
    sent = len(jira.puts())
    assert 1 <= sent <= 2 < len(planned)
    assert app.store.runs(limit=1)[0].status == "abandoned"
    assert app.store.ledger(outcome="pending") == []  # the request in flight was answered and recorded

    jira.server.faults.clear()
    runner.stop = threading.Event()
    rest = runner.run()
    assert len(rest.outcomes) == len(planned) - sent
    assert all(o.ok for o in rest.outcomes)
