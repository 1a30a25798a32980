"""The sync pass keeps each team's daily series: backfilled over the cycle by the first pass, extended
as days pass, today's point equal to the pass's own scores; a dry run stores none."""

from datetime import timedelta
from pathlib import Path

import pytest

from tests.fakes.world import NOW, World, make_world


@pytest.fixture(params=["cloud", "datacenter"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr", flavor=request.param)


def test_the_first_pass_backfills_the_cycle_and_today_is_the_pass_s_own_scores(world):
    with world.app() as app:
        summary = world.runner(app).run()
        reports = {r.team: r.document for r in app.store.latest_reports()}
        points = {team: app.store.daily_points(team) for team in reports}

    assert set(reports) == {r.team for r in summary.results}
    for team, document in reports.items():
        cycle = document["cycle"]
        days = {p.day for p in points[team]}
        start = min(days)
        assert max(days) == NOW.date()
        assert days == {start + timedelta(days=n) for n in range((NOW.date() - start).days + 1)}
        assert start < NOW.date() - timedelta(days=14), "backfilled from the cycle's start, not from today"
        today = {p.series: p for p in points[team] if p.day == NOW.date()}
        for kpi in document["kpis"]:
            point = today[f"kpi:{kpi['key']}"]
            assert (point.cycle, point.status) == (cycle, kpi["status"])
            expected = None if kpi["value"] is None else pytest.approx(kpi["value"], abs=0.005)
            assert point.value == expected
        for objective in document["objectives"]:
            assert today[f"objective:{objective['key']}"].value == pytest.approx(objective["score"], abs=0.005)
            for kr in objective["key_results"]:
                assert f"key_result:{kr['key']}" in today
        series = {p.series for p in points[team]}
        assert all(sum(p.series == s for p in points[team]) == len(days) for s in series)


def test_a_pass_on_a_later_day_extends_the_series_by_the_days_that_passed(world):
    with world.app() as app:
        runner = world.runner(app)
        runner.run()
        team = runner.run().results[0].team
        before = app.store.daily_days(team, app.store.daily_points(team)[0].cycle)
        world.site.advance(timedelta(days=2))
        runner.run()
        after = app.store.daily_days(team, app.store.daily_points(team)[0].cycle)

    today = NOW.date()
    assert set(after) - set(before) == {today + timedelta(days=1), today + timedelta(days=2)}
    assert before[today] < after[today], "the day the first pass saw unfinished is taken again once over"
    assert {d: at for d, at in after.items() if d < today} == {d: at for d, at in before.items() if d < today}


def test_a_dry_run_stores_no_series(world):
    with world.app() as app:
        summary = world.runner(app).run(dry_run=True)
        stored = [app.store.daily_points(r.team) for r in summary.results]

    assert summary.results
    assert stored == [[] for _ in summary.results]
