"""A webhook's pass writes an edit's scores without filling days of the daily series never stored
(the scheduled passes fill them), against an in-memory Jira."""

from pathlib import Path

from tests.fakes.world import make_world


def test_a_live_pass_fills_no_day_never_stored_and_the_scheduled_pass_fills_them(tmp_path: Path):
    world = make_world(tmp_path / "kpiokr")
    with world.app() as app:
        runner = world.runner(app)
        teams = list(runner.mappings.current())
        with runner.turn:
            live = runner.pass_for(teams)
        assert live.summary.planned, "the live pass wrote the scores"
        after_live = {t.team.name: app.store.daily_days(t.team.name, t.cycle.name) for t in teams}

        runner.run()
        after_scheduled = {t.team.name: app.store.daily_days(t.team.name, t.cycle.name) for t in teams}

    for team in teams:
        name = team.team.name
        assert len(after_live[name]) == 1, "today's point alone"
        assert len(after_scheduled[name]) > 1
