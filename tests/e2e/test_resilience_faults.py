"""What the daemon does when Jira misbehaves: rate limits, 5xx, outages, broken JSON, bad credentials,
rejected writes, score fields deleted or renamed. Real HTTP against the sandbox and its injected faults;
each test runs on Cloud and on Data Center."""

import contextlib
import io
import logging
import re
import time
from datetime import timedelta

import pytest

from jira_sandbox import Fault
from sync.app.ledger import PROPERTY_PREFIX
from sync.cli.bootstrap import build_app
from sync.cli.check import check
from sync.cli.commands import setup
from sync.errors import JiraBadResponse, JiraPermissionError, JiraUnavailable
from sync.store import LedgerEntry
from tests.e2e.conftest import NOW, Jira, runner_of
from tests.e2e.resilience_support import (
    config_file,
    field_by_name,
    jira_value,
    make_config,
    run_cli,
)

pytestmark = pytest.mark.e2e

RETRY_LINE = re.compile(r"Jira (\w+) (\S+) failed \((\w+)\); retrying in ([\d.]+)s")


@pytest.fixture
def config(jira: Jira, tmp_path):
    return make_config(jira, tmp_path / "kpiokr")


@pytest.fixture
def app(config):
    built = build_app(config, {})
    yield built
    built.close()


def search_path(jira: Jira) -> str:
    return "/rest/api/3/search/jql" if jira.flavor == "cloud" else "/rest/api/2/search"


def issues_in_scope(jira: Jira) -> int:
    """How many issues the demo mappings' projects hold."""
    return len([i for i in jira.site.issues if i.project in {"MOB", "WEB"}])


def score_entries(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """The ledger entries of score-field writes, leaving the property documents' entries aside."""
    return [e for e in entries if not e.field_id.startswith(PROPERTY_PREFIX)]


def retries(caplog) -> list[tuple[str, str, str, float]]:
    """(method, path, status, seconds) of every retry the policy logged."""
    found = []
    for record in caplog.records:
        match = RETRY_LINE.search(record.getMessage())
        if match:
            found.append((match[1], match[2], match[3], float(match[4])))
    return found


def test_a_429_mid_pagination_waits_as_told_and_resumes_the_same_page(jira, app, tmp_path, caplog):
    jira.server.context.limits["dc_search"] = 50  # Data Center answers 1000 a page by default: page it
    path = search_path(jira)
    clean_app = build_app(make_config(jira, tmp_path / "clean"), {})
    try:
        clean = runner_of(clean_app, jira).run(dry_run=True)
    finally:
        clean_app.close()
    clean_searches = len(jira.requests("POST", path))
    assert clean_searches >= 3, "the fetch must span several pages"
    jira.server.clear_request_log()
    jira.server.faults.add(Fault("status", path, after=1, status=429, retry_after=1))  # the second page
    jira.server.faults.add(Fault("status", "/rest/agile/1.0/board/*", status=429, retry_after=0))
    jira.server.faults.add(Fault("status", "/rest/api/2/issue/*", method="PUT", after=1, status=429, retry_after=0))

    started = time.monotonic()
    with caplog.at_level(logging.WARNING):
        summary = runner_of(app, jira).run()

    assert time.monotonic() - started >= 1.0
    waits = retries(caplog)
    assert ("POST", path, "429", 1.0) in waits
    assert len(waits) == 3
    assert {method for method, _, status, _ in waits if status == "429"} == {"GET", "POST", "PUT"}
    searches = jira.requests("POST", path)
    assert [status for _, _, status in searches][:3] == [200, 429, 200]
    assert [status for _, _, status in jira.puts()].count(429) == 1
    assert len(searches) == clean_searches + 1  # only the rate-limited page was asked again
    assert summary.fetched == clean.fetched
    assert app.store.count_issues() == issues_in_scope(jira)
    assert summary.planned
    assert all(o.ok for o in summary.outcomes)
    assert app.store.watermarks()


def test_5xx_and_connection_resets_are_retried_with_bounded_jittered_backoff(jira, app, caplog):
    path = search_path(jira)
    api = "/rest/api/3" if jira.flavor == "cloud" else "/rest/api/2"
    jira.server.faults.add(Fault("status", path, after=1, times=2, status=503))
    jira.server.faults.add(Fault("status", path, after=3, times=1, status=502))
    jira.server.faults.add(Fault("reset", f"{api}/field", times=1))
    jira.server.faults.add(Fault("status", "/rest/api/2/issue/*", method="PUT", after=2, times=2, status=504))

    with caplog.at_level(logging.WARNING):
        summary = runner_of(app, jira).run()

    waits = retries(caplog)
    assert sorted(status for _, _, status, _ in waits) == ["502", "503", "503", "504", "504", "JiraUnavailable"]
    assert all(0 <= seconds <= 0.2 for *_, seconds in waits)  # max_backoff_seconds bounds every wait
    assert len({seconds for *_, seconds in waits}) > 1  # full jitter: random within the window
    assert summary.planned
    assert all(o.ok for o in summary.outcomes)
    for write in summary.planned:
        for field in write.fields:
            assert jira_value(jira.site, write.issue_key, field.field_name) is not None
    assert len(score_entries(app.store.ledger(outcome="written"))) == sum(len(w.fields) for w in summary.planned)
    assert app.store.runs(limit=1)[0].status == "ok"


def test_jira_down_beyond_the_retry_budget_fails_cleanly_and_the_next_run_catches_up(jira, app, caplog):
    runner = runner_of(app, jira)
    first = runner.run()
    watermarks = app.store.watermarks()
    objective, _score = next((o, s) for r in first.results for o, s in r.objectives if s.key_results)
    kr = next(k for k in objective.key_results if hasattr(k.measure, "number"))
    field = field_by_name(jira.site, kr.measure.number)
    jira.site.clock_state.set(NOW + timedelta(minutes=7))
    jira.site.edit_issue(kr.key, {field.wire_id(jira.flavor): kr.measure.target}, author="pm")
    outage = jira.server.faults.add(Fault("status", "*", times=None, status=503))
    jira.server.clear_request_log()

    with caplog.at_level(logging.ERROR), pytest.raises(JiraUnavailable, match=r"gave up after 4 attempts"):
        runner.run()

    assert {status for _, _, status in jira.server.request_log} == {503}
    assert len(jira.server.request_log) == 4  # bounded: the first request's budget, then the run stops
    assert app.store.watermarks() == watermarks
    failed = app.store.runs(limit=1)[0]
    assert failed.status == "failed"
    assert "503" in (failed.error or "")
    assert any(f"run {failed.id} (sync) failed" in r.getMessage() for r in caplog.records)
    assert jira.puts() == []

    jira.server.faults.remove(outage.id)
    caught_up = runner.run()

    assert kr.key in caught_up.changed_keys
    assert jira_value(jira.site, kr.key, "Key result progress") == 1.0
    assert app.store.watermarks()["MOB"] > watermarks["MOB"]


@pytest.mark.parametrize("kind", ["truncated", "garbage"])
def test_malformed_json_fails_the_run_naming_the_request_and_commits_nothing(jira, app, kind, caplog):
    jira.server.context.limits["dc_search"] = 50
    path = search_path(jira)
    jira.server.faults.add(Fault(kind, path, after=1))  # the second page of the fetch

    with caplog.at_level(logging.ERROR), pytest.raises(JiraBadResponse) as error:
        runner_of(app, jira).run()

    message = str(error.value)
    assert f"POST {path} answered 200 with a body that is not valid JSON" in message
    assert len(jira.requests("POST", path)) == 2  # not retried: a broken body is not transient
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"POST {path}" in line and "not valid JSON" in line for line in logged), logged
    assert app.store.watermarks() == {}
    assert app.store.latest_objective_scores() == []
    assert app.store.latest_reports() == []
    assert app.store.runs(limit=1)[0].status == "failed"
    assert jira.puts() == []
    for raw in app.store.iter_issues():  # whatever was stored is whole: complete changelogs
        changelog = raw.get("changelog") or {}
        assert len(changelog.get("histories") or ()) == changelog.get("total", 0)

    jira.server.faults.clear()
    assert all(o.ok for o in runner_of(app, jira).run().outcomes)


def test_a_401_fails_fast_and_names_the_credential_to_check(jira, config):
    jira.server.faults.add(Fault("status", "*", times=None, status=401))

    result = run_cli("--config", str(config_file(config)), "sync", "--once")

    assert result.returncode == 1
    assert len(jira.server.request_log) == 1, jira.server.request_log  # no retry storm
    token_file = config.base_dir / "jira-token"
    assert f"Jira rejected the credentials for GET /rest/api/{3 if jira.flavor == 'cloud' else 2}/myself (401)" in (
        result.stderr
    )
    assert f"in the file {token_file}" in result.stderr
    assert ("kpiokr-bot@example.com" in result.stderr) == (jira.flavor == "cloud")


def test_a_403_fails_fast_and_names_the_permission(jira, app):
    path = search_path(jira)
    jira.server.faults.add(Fault("status", path, times=None, status=403))

    with pytest.raises(JiraPermissionError) as error:
        runner_of(app, jira).run()

    assert len(jira.requests("POST", path)) == 1
    assert "It needs 'Browse projects' on the projects concerned" in str(error.value)
    account = "kpiokr-bot@example.com" if jira.flavor == "cloud" else "personal access token in the file"
    assert account in str(error.value)
    assert app.store.watermarks() == {}


def test_a_write_rejected_for_one_issue_is_skipped_the_others_proceed_and_the_ledger_shows_it(jira, app, caplog):
    runner = runner_of(app, jira)
    planned = [w.issue_key for w in runner.run(dry_run=True).planned]
    not_on_screen, deleted, forbidden = planned[0], planned[2], planned[-1]
    body = '{"errorMessages":[],"errors":{"customfield_10100":"Field \'customfield_10100\' cannot be set."}}'
    for key, status, text in ((not_on_screen, 400, body), (deleted, 404, None), (forbidden, 403, None)):
        jira.server.faults.add(Fault("status", f"/rest/api/2/issue/{key}", method="PUT", status=status, body=text))
    jira.server.clear_request_log()

    with caplog.at_level(logging.WARNING):
        summary = runner.run()

    rejected = {o.write.issue_key: o.reason for o in summary.outcomes if not o.ok}
    assert set(rejected) == {not_on_screen, deleted, forbidden}
    assert "cannot be set" in rejected[not_on_screen]
    assert "add customfield_10100" in rejected[not_on_screen]
    assert "(404)" in rejected[deleted]
    assert "'Edit Issues'" in rejected[forbidden]
    assert all(f"write to {key} rejected, skipped" in caplog.text for key in rejected)
    assert len(jira.puts()) == len(planned)  # one attempt each: a rejection is not retried
    for outcome in summary.outcomes:
        for field in outcome.write.fields:
            shown = jira_value(jira.site, outcome.write.issue_key, field.field_name)
            assert (shown is not None) == outcome.ok
    failed = app.store.ledger(outcome="failed")
    assert {e.issue_key for e in failed} == set(rejected)
    assert all(e.reason for e in failed)
    written = score_entries(app.store.ledger(outcome="written"))
    assert {e.issue_key for e in written} == set(planned) - set(rejected)

    jira.server.faults.clear()
    jira.server.clear_request_log()
    again = runner.run()
    assert again.planned == []
    assert jira.puts() == []


def test_a_score_field_deleted_or_renamed_is_reported_reads_go_on_and_check_explains_the_fix(jira, app, capsys):
    runner = runner_of(app, jira)
    first = runner.run()
    objective, kr = next(
        (o, k) for r in first.results for o, _ in r.objectives for k in o.key_results if hasattr(k.measure, "number")
    )
    summary_field = field_by_name(jira.site, "Objective summary")
    status_field = field_by_name(jira.site, "Objective status")
    summary_id, status_id = summary_field.wire_id(jira.flavor), status_field.wire_id(jira.flavor)
    jira.site.delete_field(summary_field.key)
    status_field.name = "OKR status"  # another admin renames it (the sandbox has no rename endpoint)
    jira.site.bump()
    jira.site.clock_state.set(NOW + timedelta(minutes=3))
    metric = field_by_name(jira.site, kr.measure.number)
    jira.site.edit_issue(kr.key, {metric.wire_id(jira.flavor): kr.measure.target}, author="pm")

    summary = runner.run()

    deleted = next(p for p in summary.problems if "'Objective summary'" in p)
    assert f"last wrote these scores to {summary_id}" in deleted
    assert "(the field was deleted)" in deleted
    assert "Run `kpiokr setup` to create 'Objective summary' again" in deleted
    renamed = next(p for p in summary.problems if "'Objective status'" in p)
    assert f"to {status_id} on 2026-11-20, which Jira now calls 'OKR status' (the field was renamed)" in renamed
    assert "Set objective_status = 'OKR status' in [score_fields]" in renamed
    assert kr.key in summary.changed_keys  # reads go on
    assert jira_value(jira.site, kr.key, "Key result progress") == 1.0  # and the other fields are written
    written = {f.field_name for w in summary.planned for f in w.fields}
    assert written
    assert written <= {"Objective score", "Objective forecast", "Key result progress"}  # all but the two broken
    assert app.store.runs(limit=1)[0].status == "ok"

    capsys.readouterr()
    assert check(app.config, offline=False) == 1
    out = capsys.readouterr().out
    assert re.search(r"mob\.toml:\d+:\d+: score_fields\.objective_summary: no field named 'Objective summary'", out)
    assert "which no longer exists (the field was deleted). Run `kpiokr setup`" in out
    assert "which Jira now calls 'OKR status' (the field was renamed). Set objective_status = 'OKR status'" in out

    # the fixes check suggests: recreate the deleted field, name the renamed one in [score_fields]
    with contextlib.redirect_stdout(io.StringIO()):
        setup(app.config, dry_run=False)
    for mapping in app.config.mapping_paths[0].glob("*.toml"):
        mapping.write_text(mapping.read_text() + '\n[score_fields]\nobjective_status = "OKR status"\n')
    capsys.readouterr()
    assert check(app.config, offline=False) == 0, capsys.readouterr().out
    fixed = runner.run()
    assert fixed.problems == []
    assert {f.field_name for w in fixed.planned for f in w.fields} >= {"Objective summary"}
    assert jira_value(jira.site, objective.key, "Objective summary")
