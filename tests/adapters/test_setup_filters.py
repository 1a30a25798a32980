"""``kpiokr setup`` prints each team's saved filters for Jira's "Filter Results" and "Pie Chart" gadgets:
JQL over the score fields that Jira (the sandbox's JQL evaluator, both flavours) accepts and answers
with the team's objectives by score, those needing attention, those off track, and its key results."""

from pathlib import Path

import pytest

from tests.fakes.world import World, make_world

HEADER = 'Saved filters for Jira\'s "Filter Results" and "Pie Chart" dashboard gadgets'


@pytest.fixture(params=["cloud", "datacenter"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr", flavor=request.param)


def _filters(out: str) -> dict[str, str]:
    """Saved filter name -> JQL, as setup printed them."""
    lines = out.split(HEADER, 1)[1].splitlines()[1:]
    return dict(line.strip().split(": ", 1) for line in lines if line.startswith("  ") and "Pie Chart" not in line)


def _keys(world: World, jql: str) -> list[str]:
    return [raw["key"] for raw in world.gateway().search(jql, ["key"], expand_changelog=False)]


def test_setup_prints_saved_filters_jira_answers_with_each_teams_objectives_and_key_results(world, capsys):
    with world.app() as app:
        summary = world.runner(app).run()
    capsys.readouterr()

    assert world.main("setup") == 0
    out = capsys.readouterr().out
    filters = _filters(out)

    for result in summary.results:
        team = result.team
        scores = {o.key: s for o, s in result.objectives}
        by_score = _keys(world, filters[f"{team} objectives by score"])
        assert sorted(by_score) == sorted(scores)
        held = [round(scores[k].score, 2) for k in by_score]  # Jira holds the scores rounded, and sorts by them
        assert held == sorted(held)
        attention = _keys(world, filters[f"{team} objectives needing attention"])
        assert set(attention) == {k for k, s in scores.items() if s.status.value in ("at risk", "off track")}
        off_track = _keys(world, filters[f"{team} objectives off track"])
        assert set(off_track) == {k for k, s in scores.items() if s.status.value == "off track"}
        graded = {kr.key: round(kr.score, 2) for s in scores.values() for kr in s.key_results if kr.score is not None}
        key_results = _keys(world, filters[f"{team} key results by progress"])
        assert set(graded) <= set(key_results)
        progress = [graded[k] for k in key_results if k in graded]
        assert progress == sorted(progress)
    assert "cf[" in filters[f"{summary.results[0].team} objectives by score"], "fields named by id once they exist"
    pie = [line for line in out.splitlines() if "Pie Chart:" in line]
    assert len(pie) == len(summary.results)
    if world.flavor == "cloud":
        assert all("statistic type Objective status" in line for line in pie)
    else:  # setup made the status a text field there
        assert all("is a text field" in line for line in pie)


def test_setup_dry_run_names_fields_not_created_yet_by_their_names(world, capsys):
    mappings = world.mappings / "mob.toml"
    mappings.write_text(mappings.read_text() + '\n[score_fields]\nobjective_score = "Team score"\n')

    assert world.main("setup", "--dry-run") == 0
    filters = _filters(capsys.readouterr().out)

    assert filters["MOB objectives by score"].endswith('ORDER BY "Team score" ASC')
