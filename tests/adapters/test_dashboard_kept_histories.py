"""The histories the dashboard keeps for past dates: read ahead for every mapped team, brought up to
date after a run by reading again only the issues it stored, changed or deleted, and evaluated into
exactly what ``kpiokr report --as-of`` prints."""

import threading
import time
from datetime import timedelta

import pytest

from sync.app.as_of import StoredTeam, newest_basis
from sync.app.report import render
from sync.app.web.kept import KeptHistories, Warmer
from sync.app.web.source import Reports
from tests.fakes.world import NOW, make_world

AFTER = (NOW + timedelta(hours=1)).isoformat()


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path)


def _reports(world, app) -> Reports:
    return Reports(app.store, world.config.mapping_paths, world.site.clock)


def _live_mob_issues(world) -> list[str]:
    return sorted((i.key for i in world.site.issues if i.key.startswith("MOB-")), key=lambda k: int(k[4:]))


def test_warming_reads_every_mapped_teams_histories_once(world):
    with world.app() as app:
        assert world.runner(app).run().ok
        reports = _reports(world, app)
        reports.warm(threading.Event())
        mapped = {p for t in reports.mappings() for p in t.team.projects}
        assert reports.histories_kept() == app.store.count_issues(mapped)
        assert reports.histories_kept() > 0


def test_a_run_is_caught_up_with_by_reading_only_what_it_changed(world):
    with world.app() as app:
        assert world.runner(app).run().ok
        [team] = [t for t in app.mappings.current() if t.team.name == "MOB"]
        latest, site = newest_basis(app.store, "MOB")
        kept = KeptHistories()
        before = kept.at("first run")(app.store, team, latest, site, latest.answers)
        versions = app.store.issue_versions(["MOB"])
        edited, deleted = _live_mob_issues(world)[1:3]
        world.site.advance(timedelta(minutes=5))
        world.site.edit_issue(edited, {"summary": "Edited after the first run"})
        world.site.delete_issue(deleted)
        created = world.site.create_issue("MOB", "Created after the first run").key
        world.site.advance(timedelta(minutes=5))
        assert world.runner(app).run(reconcile=True).ok

        latest, site = newest_basis(app.store, "MOB")
        after = kept.at("second run")(app.store, team, latest, site, latest.answers)
        now = app.store.issue_versions(["MOB"])
        ids = {key: str(world.site.by_key[key].id) for key in before.index.by_key if key in world.site.by_key}
        untouched = [key for key, i in ids.items() if i in versions and now.get(i) == versions[i]]
        assert len(untouched) > len(ids) / 2
        assert all(after.index.by_key[key] is before.index.by_key[key] for key in untouched)
        assert after.index.by_key[edited].summary == "Edited after the first run"
        assert deleted not in after.index.by_key
        assert created in after.index.by_key
        fresh = StoredTeam.load(app.store, team, latest, site, latest.answers)
        assert list(after.index.by_key) == list(fresh.index.by_key)
        instant = NOW + timedelta(hours=1)
        assert after.evaluate(instant, latest.answers) == fresh.evaluate(instant, latest.answers)


def test_past_dates_after_a_run_are_what_kpiokr_report_prints(world, capsys):
    with world.app() as app:
        assert world.runner(app).run().ok
        reports = _reports(world, app)
        reports.warm(threading.Event())
        world.site.advance(timedelta(minutes=5))
        world.site.transition_issue(_live_mob_issues(world)[5], "Done", resolution="Done")
        world.site.create_issue("MOB", "Created after the first run")
        world.site.advance(timedelta(minutes=5))
        assert world.runner(app).run().ok
        for as_of in ("2026-10-15", AFTER):
            capsys.readouterr()
            assert world.main("report", "--format", "json", "--team", "MOB", "--as-of", as_of) == 0
            printed = capsys.readouterr().out
            assert render({"teams": reports.documents("MOB", as_of)}, "json") + "\n" == printed


def test_the_warmer_calls_again_after_a_failure_and_ends_when_stopped():
    calls: list[float] = []

    def warm(stop: threading.Event) -> None:
        calls.append(time.monotonic())
        if len(calls) == 1:
            raise RuntimeError("the store went away")

    warmer = Warmer(warm, interval=0.01)
    warmer.start()
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    warmer.stop()
    assert len(calls) >= 3
    assert not warmer.alive()
