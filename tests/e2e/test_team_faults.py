"""One team's fault stays its own: a JQL Jira rejects, a board that is gone, a project Jira will not
search, a field the site lacks. The faulty team is skipped with its mapping file and line named; the
other team is fetched, scored and written; the run is recorded partial. Real HTTP against the sandbox."""

import re
from pathlib import Path

import pytest

from sync.cli.bootstrap import build_app
from tests.e2e.conftest import Jira, runner_of
from tests.e2e.resilience_support import jira_value, make_config

pytestmark = pytest.mark.e2e


def _edit_mapping(config, project: str, old: str, new: str) -> Path:
    path = config.mapping_paths[0] / f"{project.lower()}.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def _line_of(path: Path, fragment: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def _sync_with_one_team_broken(jira: Jira, config):
    app = build_app(config, {})
    try:
        summary = runner_of(app, jira).run()
        run = app.store.runs(limit=1)[0]
    finally:
        app.close()
    return summary, run


def _assert_mob_synced_and_web_skipped(jira: Jira, summary, run, path: Path, *, line: int, setting: str) -> str:
    assert list(summary.failed_teams) == ["WEB"], summary.failed_teams
    message = summary.failed_teams["WEB"]
    assert re.search(rf"{re.escape(str(path))}:{line}:\d+: {re.escape(setting)}: ", message), message
    assert [r.team for r in summary.results] == ["MOB"]
    objectives = [(o, s) for r in summary.results for o, s in r.objectives]
    assert objectives
    assert all(o.key.startswith("MOB-") for o, _ in objectives)
    for objective, score in objectives:
        assert jira_value(jira.site, objective.key, "Objective score") == pytest.approx(round(score.score, 2))
    assert jira.puts()
    assert not [p for _, p, _ in jira.puts() if "/issue/WEB-" in p]
    assert summary.status == "partial"
    assert not summary.ok
    assert run.status == "partial"
    assert "WEB" in (run.error or "")
    return message


def test_a_jql_jira_rejects_skips_that_team_only(jira, tmp_path):
    config = make_config(jira, tmp_path / "kpiokr")
    path = _edit_mapping(config, "WEB", "AND labels = okr'", "AND nosuchfield = okr'")

    summary, run = _sync_with_one_team_broken(jira, config)

    message = _assert_mob_synced_and_web_skipped(
        jira, summary, run, path, line=_line_of(path, "nosuchfield"), setting="objectives.jql"
    )
    assert "nosuchfield" in message  # Jira's own reason


def test_a_board_that_is_gone_skips_that_team_only(jira, tmp_path):
    config = make_config(jira, tmp_path / "kpiokr")
    board = next(b for b in jira.site.boards.values() if b.project_key == "WEB")
    del jira.site.boards[board.id]
    path = config.mapping_paths[0] / "web.toml"

    summary, run = _sync_with_one_team_broken(jira, config)

    message = _assert_mob_synced_and_web_skipped(
        jira, summary, run, path, line=_line_of(path, "board ="), setting="team.board"
    )
    assert "(404)" in message


def test_a_project_jira_will_not_search_fails_only_the_team_that_reads_it(jira, tmp_path):
    config = make_config(jira, tmp_path / "kpiokr")
    path = _edit_mapping(config, "WEB", 'projects = ["WEB"]', 'projects = ["WEB", "GONE"]')

    summary, run = _sync_with_one_team_broken(jira, config)

    _assert_mob_synced_and_web_skipped(
        jira, summary, run, path, line=_line_of(path, "projects ="), setting="team.projects[1]"
    )
    assert "GONE" in summary.failed_teams["WEB"]
    assert summary.changed_keys >= {i.key for i in jira.site.issues if i.project == "MOB"}


def test_a_field_missing_for_one_team_skips_that_team_only(jira, tmp_path):
    config = make_config(jira, tmp_path / "kpiokr")
    path = _edit_mapping(config, "WEB", "[key_results]", '[jira_fields]\nestimate = "Effort units"\n\n[key_results]')

    summary, run = _sync_with_one_team_broken(jira, config)

    message = _assert_mob_synced_and_web_skipped(
        jira, summary, run, path, line=_line_of(path, "Effort units"), setting="jira_fields.estimate"
    )
    assert "Effort units" in message


def test_when_every_team_fails_the_run_fails(jira, tmp_path):
    config = make_config(jira, tmp_path / "kpiokr")
    for project in ("MOB", "WEB"):
        _edit_mapping(config, project, "AND labels = okr'", "AND nosuchfield = okr'")
    app = build_app(config, {})
    try:
        with pytest.raises(Exception, match="no team could be synced") as error:
            runner_of(app, jira).run()
        assert "mob.toml" in str(error.value)
        assert "web.toml" in str(error.value)
        assert app.store.runs(limit=1)[0].status == "failed"
        assert jira.puts() == []
    finally:
        app.close()
