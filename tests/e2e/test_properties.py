"""Entity properties over real HTTP, Cloud and Data Center: a full sync writes a valid ``kpiokr.objective``
on every objective epic (equal in score and status to the score fields) and ``kpiokr.team`` on each
team's project; an edit rewrites exactly the properties it changes; a pass with nothing changed writes none."""

from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.conftest import NOW, Jira, runner_of
from tests.e2e.resilience_support import field_by_name, score_values
from tests.properties_support import validator

pytestmark = pytest.mark.e2e


def _objectives(jira: Jira) -> dict[str, dict[str, Any]]:
    return {
        issue.key: jira.site.properties[("issue", str(issue.id))]["kpiokr.objective"]
        for issue in jira.site.issues
        if "kpiokr.objective" in jira.site.properties.get(("issue", str(issue.id)), {})
    }


def _teams(jira: Jira) -> dict[str, dict[str, Any]]:
    return {
        project.key: jira.site.properties[("project", project.id)]["kpiokr.team"]
        for project in jira.site.projects.values()
        if "kpiokr.team" in jira.site.properties.get(("project", project.id), {})
    }


def test_a_full_sync_writes_a_valid_objective_property_on_every_objective_epic(jira, app):
    summary = runner_of(app, jira).run()

    objectives = {o.key for r in summary.results for o, _ in r.objectives}
    written = _objectives(jira)
    assert set(written) == objectives
    scores = score_values(jira.site)
    for key, document in written.items():
        validator("kpiokr.objective").validate(document)
        assert document["score"] == pytest.approx(scores[key, "Objective score"])
        assert document["status"].casefold() == str(scores[key, "Objective status"]).casefold()
    teams = _teams(jira)
    for document in teams.values():
        validator("kpiokr.team").validate(document)
    assert {team for document in teams.values() for team in document["teams"]} == {r.team for r in summary.results}
    bulk = [r for r in jira.property_writes() if r[1].startswith("/rest/api/3/issue/properties/multi")]
    if jira.flavor == "cloud":
        assert len(bulk) == 1  # every objective in one request
    else:
        assert not bulk


def test_an_edit_rewrites_exactly_the_properties_it_changes_and_a_quiet_pass_writes_none(jira, app):
    runner = runner_of(app, jira)
    first = runner.run()
    jira.site.clock_state.set(NOW + timedelta(minutes=7))
    runner.run()  # the daemon's own field writes come back once
    jira.server.clear_request_log()
    jira.site.clock_state.set(NOW + timedelta(minutes=14))

    quiet = runner.run()

    assert quiet.planned == []
    assert jira.property_writes() == []

    before_objectives, before_teams = _objectives(jira), _teams(jira)
    objective, score = next((o, s) for r in first.results for o, s in r.objectives if s.key_results)
    kr = next(k for k in objective.key_results if hasattr(k.measure, "number"))
    field = field_by_name(jira.site, kr.measure.number)
    jira.site.clock_state.set(NOW + timedelta(minutes=21))
    jira.site.edit_issue(kr.key, {field.wire_id(jira.flavor): kr.measure.target}, author="pm")
    jira.server.clear_request_log()

    runner.run()

    after_objectives, after_teams = _objectives(jira), _teams(jira)
    changed = {k for k in after_objectives if _content(after_objectives[k]) != _content(before_objectives[k])}
    assert changed == {objective.key}
    assert after_objectives[objective.key]["score"] > score.score - 0.005
    changed_teams = {k for k in after_teams if _content(after_teams[k]) != _content(before_teams[k])}
    assert changed_teams == {objective.key.split("-", 1)[0]}
    writes = jira.property_writes()
    if jira.flavor == "cloud":
        assert len(writes) == 2  # one bulk request for the objective, one PUT for its project
    else:
        assert sorted(w[1].split("/")[5] for w in writes) == sorted([objective.key, *changed_teams])


def _content(document: Any) -> Any:
    """A document without its ``as_of`` stamps: what a write changes."""
    if isinstance(document, dict):
        return {k: _content(v) for k, v in document.items() if k != "as_of"}
    if isinstance(document, list):
        return [_content(v) for v in document]
    return document
