"""A pass takes its warm state and hands it back: passes over one team each, with states of their own,
score as a pass over every team from a cold state; what the composition root does around a pass (the
garbage collector's tuning) are hooks it passes in, and a pass without them leaves the collector
alone. Real HTTP against the sandbox, on Cloud and Data Center."""

import gc
import threading
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from jira_sandbox import Fault
from sync.app.fetch import RunAbandoned
from sync.app.ports import PassHooks, Ports
from sync.app.results import TeamResult, team_document
from sync.app.sync_pass import sync_pass
from sync.app.warm_state import WarmState
from sync.cli.bootstrap import App
from sync.errors import KpiokrError
from tests.e2e.conftest import NOW, Jira, runner_of
from tests.e2e.resilience_support import jira_value

pytestmark = pytest.mark.e2e


def _ports(app: App, jira: Jira, **kwargs: Any) -> Ports:
    return Ports(app.jira, app.store, app.config, jira.site.clock, **kwargs)


def _documents(results: Sequence[TeamResult]) -> dict[str, dict[str, Any]]:
    return {r.team: team_document(r) for r in results}


def test_passes_over_one_team_each_score_as_a_cold_pass_over_every_team(jira, app):
    teams = app.mappings.current()
    assert len(teams) > 1
    states: dict[str, WarmState] = {}
    apart: dict[str, dict[str, Any]] = {}
    for team in teams:
        done = sync_pass(_ports(app, jira), [team], WarmState(), dry_run=True)
        states[team.team.name] = done.state
        apart.update(_documents(done.summary.results))
    first = teams[0]
    together = sync_pass(_ports(app, jira), teams, WarmState(), dry_run=True)

    assert {name: state.teams for name, state in states.items()} == {t.team.name: {t.team.name} for t in teams}
    assert apart == _documents(together.summary.results)

    key = next(i.key for i in jira.site.issues if i.project == first.team.projects[0] and not i.values.get("labels"))
    jira.site.clock_state.set(NOW + timedelta(minutes=3))
    jira.site.edit_issue(key, {"labels": ["touched"]}, author="pm")
    warm = sync_pass(_ports(app, jira), [first], states[first.team.name], dry_run=True)
    cold = sync_pass(_ports(app, jira), [first], WarmState(), dry_run=True)

    assert key in warm.summary.changed_keys
    assert warm.state is states[first.team.name]  # a state already covering the teams is handed back
    assert _documents(warm.summary.results) == _documents(cold.summary.results)


def test_a_warm_state_narrowed_to_fewer_teams_keeps_what_it_holds_for_them(jira, app):
    teams = app.mappings.current()
    done = sync_pass(_ports(app, jira), teams, WarmState(), dry_run=True)
    first = teams[0].team.name

    narrowed = done.state.covering([first])

    assert narrowed.teams == {first}
    assert narrowed.site is done.state.site
    assert set(narrowed.answers) == set(narrowed.team_datas) == set(narrowed.dictionaries.by_team) == {first}
    assert narrowed.answers[first] is done.state.answers[first]
    jira.server.clear_request_log()
    again = sync_pass(_ports(app, jira), teams[:1], narrowed, dry_run=True)
    assert again.summary.requests == 1  # the search; the team's answers and facts came from the state


def _number_key_result(results: Sequence[TeamResult]) -> tuple[str, Any]:
    """A team with a key result read from a number field, and that key result."""
    for result in results:
        for objective, score in result.objectives:
            for kr in objective.key_results:
                if score.key_results and hasattr(kr.measure, "number"):
                    return result.team, kr
    raise AssertionError("no key result reads a number field")


def test_a_daemon_state_catches_up_with_a_pass_over_one_of_its_teams(jira, app):
    runner = runner_of(app, jira)
    name, kr = _number_key_result(runner.run().results)
    team = next(t for t in app.mappings.current() if t.team.name == name)
    field = next(f for f in jira.site.fields.values() if f.name == kr.measure.number)
    jira.site.clock_state.set(NOW + timedelta(minutes=10))
    jira.site.edit_issue(kr.key, {field.wire_id(jira.flavor): kr.measure.target}, author="pm")
    webhook = sync_pass(_ports(app, jira), [team], WarmState())
    assert kr.key in webhook.summary.changed_keys
    assert jira_value(jira.site, kr.key, "Key result progress") == 1.0

    daemon = runner.run()

    assert kr.key not in daemon.changed_keys  # the other pass fetched it
    assert _documents(daemon.results)[name] == _documents(webhook.summary.results)[name]


def test_an_issue_fetched_by_a_pass_that_then_failed_is_scored_by_the_next(jira, app):
    runner = runner_of(app, jira)
    _, kr = _number_key_result(runner.run().results)
    field = next(f for f in jira.site.fields.values() if f.name == kr.measure.number)
    jira.site.clock_state.set(NOW + timedelta(minutes=10))
    runner.run()  # the daemon's writes come back
    jira.site.clock_state.set(NOW + timedelta(minutes=20))
    jira.site.edit_issue(kr.key, {field.wire_id(jira.flavor): kr.measure.target}, author="pm")
    boards_refused = jira.server.faults.add(Fault("status", "*/board/*/configuration", times=None, status=403))
    with pytest.raises(KpiokrError):
        runner.run()  # the edit is fetched and stored; then every team's board is refused
    assert app.store.runs(limit=1)[0].status == "failed"
    jira.server.faults.remove(boards_refused.id)

    after = runner.run()

    assert kr.key not in after.changed_keys  # the failed pass stored it
    assert jira_value(jira.site, kr.key, "Key result progress") == 1.0


def test_the_pass_calls_its_hooks_and_leaves_the_garbage_collector_alone(jira, app):
    heard: list[tuple[str, int]] = []
    hooks = PassHooks(
        batch_stored=lambda: heard.append(("batch", gc.get_freeze_count())),
        pass_ended=lambda: heard.append(("end", gc.get_freeze_count())),
    )
    sync_pass(_ports(app, jira, hooks=hooks), app.mappings.current(), WarmState())

    assert [what for what, _ in heard].count("end") == 1
    assert heard[-1][0] == "end"
    assert "batch" in [what for what, _ in heard]
    assert all(frozen == 0 for _, frozen in heard)

    stop = threading.Event()
    stop.set()
    with pytest.raises(RunAbandoned):
        sync_pass(_ports(app, jira, hooks=hooks, stop=stop), app.mappings.current(), WarmState(), full=True)
    assert [what for what, _ in heard].count("end") == 2  # a pass that fails ends too


def test_the_daemon_keeps_fetched_histories_out_of_the_collector_until_the_pass_ends(jira, app):
    frozen_while_fetching: list[int] = []
    runner = app.runner(
        progress=lambda done, total: frozen_while_fetching.append(gc.get_freeze_count()), clock=jira.site.clock
    )

    runner.run(full=True)

    assert frozen_while_fetching
    assert all(frozen > 0 for frozen in frozen_while_fetching)
    assert gc.get_freeze_count() == 0
