"""The sync daemon against the sandbox over real HTTP: full sync, an edit, an incremental sync that
writes exactly what changed, a quiet sync that writes nothing."""

from datetime import timedelta

import pytest

from sync.app.ledger import PROPERTY_PREFIX
from tests.e2e.conftest import NOW, Jira, runner_of

pytestmark = pytest.mark.e2e


def _jira_value(jira: Jira, key: str, field_name: str) -> object:
    field = next(f for f in jira.site.fields.values() if f.name == field_name and not f.deleted)
    value = jira.site.by_key[key].values.get(field.key)
    return jira.site.fields[field.key].options.get(value, value) if field.options else value


def test_full_sync_writes_every_score_into_jira(jira, app):
    summary = runner_of(app, jira).run()
    assert summary.fetched == len([i for i in jira.site.issues if i.project in {"MOB", "WEB", "SUP"}]) - len(
        [i for i in jira.site.issues if i.project == "SUP"]
    )
    assert summary.results, "no team was evaluated"
    objectives = [(o, s) for r in summary.results for o, s in r.objectives]
    assert objectives
    for objective, score in objectives:
        assert _jira_value(jira, objective.key, "Objective score") == pytest.approx(round(score.score, 2))
        assert _jira_value(jira, objective.key, "Objective status") == score.status.value
        assert _jira_value(jira, objective.key, "Objective summary") == score.summary
        for kr in score.key_results:
            if kr.score is not None:
                assert _jira_value(jira, kr.key, "Key result progress") == pytest.approx(round(kr.score, 2))
    # one request per issue written, every one recorded in the ledger (beside the property documents')
    assert len(jira.puts()) == len(summary.planned) == len({w.issue_key for w in summary.planned})
    fields = [e for e in app.store.ledger(run_id=summary.run_id) if not e.field_id.startswith(PROPERTY_PREFIX)]
    assert len(fields) == sum(len(w.fields) for w in summary.planned)
    assert all("notifyUsers=false" in path for _, path, _ in jira.puts())


def test_an_edit_is_picked_up_and_only_the_changed_fields_are_written(jira, app):
    runner = runner_of(app, jira)
    first = runner.run()
    objective = next(o for r in first.results for o, s in r.objectives if s.key_results)
    kr = next(k for k in objective.key_results if hasattr(k.measure, "number"))
    field = next(f for f in jira.site.fields.values() if f.name == kr.measure.number)
    target = kr.measure.target
    jira.site.clock_state.set(NOW + timedelta(minutes=3))
    jira.site.edit_issue(kr.key, {field.wire_id(jira.flavor): target}, author="pm")
    jira.server.clear_request_log()

    second = runner.run()

    assert kr.key in second.changed_keys
    written = {(w.issue_key, f.field_name) for w in second.planned for f in w.fields}
    assert (kr.key, "Key result progress") in written
    assert (objective.key, "Objective score") in written
    assert all(key in {kr.key, objective.key} for key, _ in written), written
    assert _jira_value(jira, kr.key, "Key result progress") == 1.0
    assert len(jira.puts()) == len({key for key, _ in written})


def test_a_sync_after_nothing_changed_writes_nothing(jira, app):
    runner = runner_of(app, jira)
    runner.run()
    runner.run()  # reads back the daemon's own edits: they must not cause writes (no loop)
    jira.server.clear_request_log()

    quiet = runner.run()

    assert quiet.planned == []
    assert jira.puts() == []
    searches = jira.requests(contains="/search")
    assert len(searches) == 1, jira.server.request_log
    assert quiet.requests == len(jira.server.request_log) == 1, jira.server.request_log


def test_the_daemons_own_edits_do_not_feed_any_calculator(jira, app):
    runner = runner_of(app, jira)
    first = runner.run()
    second = runner.run()  # the epics and key results it wrote come back as updated issues
    assert second.changed_keys >= {w.issue_key for w in first.planned}
    assert second.planned == []
    before = {k.definition.key: k.value for r in first.results for k in r.kpis}
    after = {k.definition.key: k.value for r in second.results for k in r.kpis}
    assert before == after


def test_dry_run_plans_and_writes_nothing(jira, app):
    summary = runner_of(app, jira).run(dry_run=True)
    assert summary.planned
    assert jira.puts() == []
    assert app.store.ledger(run_id=summary.run_id) == []


def test_a_full_sync_completes_every_cut_changelog_in_one_call(jira, app):
    runner_of(app, jira).run()

    limit = jira.site.inline_changelog_limit[jira.flavor]
    scope = [i for i in jira.site.issues if i.project in {"MOB", "WEB"}]
    cut = [i for i in scope if limit is not None and len(i.histories) > limit]
    assert len(cut) < 1000
    assert len(jira.requests(contains="changelog")) == (1 if cut else 0)
    assert not jira.requests("GET", "/issue/")  # no issue re-read one by one


def test_the_daemons_own_writes_coming_back_cost_one_search_and_no_changelog(jira, app):
    runner = runner_of(app, jira)
    assert runner.run().planned
    jira.site.clock_state.set(NOW + timedelta(minutes=3))
    jira.server.clear_request_log()

    second = runner.run()

    assert second.changed_keys
    assert second.planned == []
    assert len(jira.requests(contains="/search")) == 1  # no JQL answer asked again
    assert not jira.requests(contains="/rest/agile/")  # nor the boards
    assert not jira.requests(contains="changelog")  # cut changelogs completed from the stored copies
