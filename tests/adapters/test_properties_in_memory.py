"""Property writes against an in-memory Jira, both flavours: the forecast an objective's document carries,
and a kill after a property request left, settled on restart without writing the property twice."""

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from sync.app.forecasts import outlooks
from sync.app.properties.forecasts import forecast_document
from sync.app.reviews.timeline import TeamTimeline
from sync.mapping import load_mappings
from sync.store import LeaseLost, Store
from tests.fakes.jira import Served
from tests.fakes.world import World, make_world
from tests.properties_support import validator


@pytest.fixture(params=["cloud", "datacenter"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr", flavor=request.param)


def _objective_property(world: World, key: str) -> dict | None:
    issue = world.site.by_key[key]
    return world.site.properties.get(("issue", str(issue.id)), {}).get("kpiokr.objective")


def _property_writes(world: World) -> list[Served]:
    """Every property write Jira accepted through any gateway: bulk POSTs and PUTs."""
    return [
        s
        for fake in world.gateways
        for s in fake.served
        if s.method in ("PUT", "POST") and "/properties" in s.path and s.status < 400
    ]


def _issues_written(writes: list[Served], world: World) -> Counter[str]:
    """How many times each issue's (or project's) property was sent, bulk requests counted per issue."""
    sent: Counter[str] = Counter()
    for write in writes:
        if write.path.endswith("/properties/multi"):
            sent.update(world.site.by_id[item["issueID"]].key for item in write.body["issues"])
        else:
            sent[write.path.split("/")[5]] += 1
    return sent


def test_an_objective_document_carries_the_forecast_the_monthly_check_in_makes(world):
    with world.app() as app:
        summary = world.runner(app).run()
        teams = {t.team.name: t for t in load_mappings(world.config.mapping_paths).teams}
        expected = {}
        for result in summary.results:
            team = teams[result.team]
            for outlook in outlooks(TeamTimeline(app.store, team), result, team.cycle):
                expected[outlook.objective.key] = forecast_document(outlook.forecast)

    with_forecast = {key: f for key, f in expected.items() if f is not None}
    assert with_forecast, "the seeded site's objectives have enough history for a forecast"
    for key, forecast in expected.items():
        document = _objective_property(world, key)
        assert document is not None
        validator("kpiokr.objective").validate(document)
        assert document.get("forecast") == forecast
        if forecast is not None:
            assert forecast["low"] <= forecast["projected"] <= forecast["high"]


def _kill_at_objective_property(world: World, key: str, *, landed: bool) -> None:
    """Stop the process at the request sending ``key``'s ``kpiokr.objective``: Cloud's bulk POST, else its PUT."""
    if world.flavor == "cloud":
        world.jira.kill_at("POST", "/rest/api/3/issue/properties/multi", landed=landed)
    else:
        world.jira.kill_at("PUT", f"/rest/api/2/issue/{key}/properties/kpiokr.objective", landed=landed)


@pytest.mark.parametrize("landed", [True, False])
def test_a_property_write_cut_by_a_kill_is_settled_on_restart_and_never_sent_twice(world, landed):
    with world.app() as app:
        _kill_at_objective_property(world, "MOB-1", landed=landed)
        with pytest.raises(KeyboardInterrupt):
            world.runner(app).run()
        pending = [e for e in app.store.ledger(outcome="pending") if e.issue_key == "MOB-1"]
        assert [e.field_id for e in pending] == ["property:kpiokr.objective"]
    assert (_objective_property(world, "MOB-1") is not None) == landed
    with world.app() as app:  # the restart: a new process on the same store
        app.store.recover_abandoned_runs()
        summary = world.runner(app).run()
        settled = [e for e in app.store.ledger(issue_key="MOB-1") if e.run_id == pending[0].run_id]

    assert summary.status == "ok"
    assert [e.outcome for e in settled if e.field_id == "property:kpiokr.objective"] == [
        "written" if landed else "skipped"
    ]
    sent = _issues_written(_property_writes(world), world)
    assert sent["MOB-1"] == 1, "Jira got MOB-1's property once: by the killed run when it landed, else by the restart"
    assert max(sent.values()) == 1, "no issue or project received its property twice"
    document = _objective_property(world, "MOB-1")
    assert document is not None
    validator("kpiokr.objective").validate(document)
    with Store.open(world.config.store_url) as store:
        assert store.ledger(outcome="pending") == []


def test_a_dry_run_lists_the_property_documents_it_would_write_and_sends_none(world, capsys):
    assert world.main("sync", "--dry-run") == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if ": property kpiokr." in line]

    assert _property_writes(world) == []
    assert world.main("sync") == 0
    sent = _issues_written(_property_writes(world), world)
    with Store.open(world.config.store_url) as store:
        counts = store.runs(limit=1)[0].counts
        objectives = {o["key"] for r in store.latest_reports() for o in r.document["objectives"]}
    projects = {key for key in sent if key not in objectives}
    expected = [f"  would write issue {key}: property kpiokr.objective" for key in objectives]
    expected += [f"  would write project {key}: property kpiokr.team" for key in projects]
    assert sorted(listed) == sorted(expected)
    assert projects, "each team's project gets its kpiokr.team"
    assert counts["properties_planned"] == counts["properties_written"] == len(expected)
    capsys.readouterr()

    assert world.main("sync", "--dry-run") == 0
    out = capsys.readouterr().out
    assert ", 0 property document(s) to write" in out.splitlines()[0]
    assert ": property kpiokr." not in out


def test_property_writes_jira_refuses_are_counted_in_the_run_record(world):
    with world.app() as app:
        api = "3" if world.flavor == "cloud" else "2"
        world.jira.fail(f"/rest/api/{api}/project/*/properties/*", 403, method="PUT")
        summary = world.runner(app).run()
        recorded = app.store.runs(limit=1)[0].counts

    refused = [p for p in summary.planned_properties if p.entity == "project"]
    assert refused
    assert recorded["properties_rejected"] == len(refused)
    assert recorded["properties_written"] == recorded["properties_planned"] - len(refused)
    assert any(problem.startswith("property not written: ") for problem in summary.problems)


def test_a_daemon_that_lost_its_lease_sends_no_property(world):
    properties_off = world.config.writeback.model_copy(update={"properties": False})
    with world.app(world.config.model_copy(update={"writeback": properties_off})) as app:
        world.runner(app).run()  # every score field written: the next pass has only properties to write
    assert _property_writes(world) == []

    def lost() -> None:
        raise LeaseLost("daemon@elsewhere:1", ["MOB"])

    with world.app() as app:
        runner = world.runner(app)
        runner.hooks = replace(runner.hooks, before_write=lost)
        with pytest.raises(LeaseLost):
            runner.run()
        assert _property_writes(world) == []
        world.runner(app).run()
    assert _property_writes(world), "with its lease, the daemon writes them"


def test_sync_lists_the_documents_it_wrote_and_exits_1_when_jira_refuses_one(world, capsys):
    """An account without 'Administer Projects' may write the epics' properties but not the projects':
    the refusal is said with the fix and ``kpiokr sync`` fails, as for a refused field write."""
    world.site.users["bot"].admin = False
    with world.config_path.open("a") as config:
        config.write("\n[writeback]\nnotify_users = true\n")  # Data Center: a silent edit needs admin rights

    assert world.main("sync") == 1

    lines = capsys.readouterr().out.splitlines()
    wrote = [line for line in lines if line.startswith("  wrote issue ") and ": property kpiokr.objective" in line]
    refused = [line for line in lines if line.startswith("  REJECTED project ") and ": property kpiokr.team" in line]
    assert wrote
    assert refused
    assert any("Administer Projects" in line and "writeback.properties = false" in line for line in lines)
    assert ", 0 property document(s) to write" not in lines[0]
    assert f"{len(wrote)} property document(s) written, {len(refused)} refused" in lines[0]


def _team_property(world: World, project: str) -> dict:
    return world.site.properties[("project", world.site.projects[project].id)]["kpiokr.team"]


def test_a_team_skipped_by_a_pass_stays_in_the_document_of_a_project_it_shares(world):
    web = world.mappings / "web.toml"
    web.write_text(web.read_text().replace('projects = ["WEB"]', 'projects = ["WEB", "MOB"]'))
    with world.app() as app:
        runner = world.runner(app)
        first = runner.run()
        assert sorted(_team_property(world, "MOB")["teams"]) == ["MOB", "WEB"]
        web.write_text(web.read_text().replace("labels = okr'", "labels = okr AND nosuchfield = 1'"))
        edited = next(
            w.issue_key
            for w in first.planned
            if w.issue_key.startswith("MOB-") and any(f.field_name == "Key result progress" for f in w.fields)
        )
        issue = world.site.by_key[edited]
        number = next(
            f for f in world.site.fields.values() if f.custom and f.kind == "number" and f.key in issue.values
        )
        world.site.advance(timedelta(minutes=1))
        world.site.edit_issue(edited, {number.wire_id(world.flavor): float(issue.values[number.key]) + 1000}, "pm")
        writes_before = len(_property_writes(world))
        second = runner.run()
    assert set(second.failed_teams) == {"WEB"}
    assert edited in {w.issue_key for w in second.planned}, "MOB's scores moved: its documents are written"
    assert len(_property_writes(world)) > writes_before
    assert sorted(_team_property(world, "MOB")["teams"]) == ["MOB", "WEB"], "WEB kept as its stored report has it"
    validator("kpiokr.team").validate(_team_property(world, "MOB"))
