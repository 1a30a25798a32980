"""The command line against an in-memory Jira (no HTTP): ``sync.cli.main(argv)`` with the gateway
injected at the composition root; the daemon's schedule; mapping files edited while it runs."""

import json
import logging
import threading
import time
from pathlib import Path

import pytest

from sync.cli.commands import daemon
from sync.cli.main import main
from sync.store import Store
from tests.fakes.world import World, make_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr")


def test_sync_writes_the_scores_prints_the_summary_and_exits_0(world, capsys):
    assert world.main("sync") == 0
    out = capsys.readouterr().out
    assert out.startswith("run 1 (sync): ")
    assert "  wrote MOB-" in out
    wrote = [line for line in out.splitlines() if line.startswith("  wrote ")]
    documents = [line for line in wrote if line.startswith(("  wrote issue ", "  wrote project "))]
    assert len(wrote) - len(documents) == sum(len(fields) for _, fields in world.writes())
    assert f", {len(documents)} property document(s) written, " in out.splitlines()[0]


def test_sync_dry_run_prints_what_it_would_write_and_writes_nothing(world, capsys):
    assert world.main("sync", "--dry-run", "--full", "--reconcile") == 0
    out = capsys.readouterr().out
    assert "(dry-run)" in out
    assert "  would write " in out
    assert world.writes() == []


def test_sync_exits_1_when_a_team_is_skipped(world, capsys):
    web = world.mappings / "web.toml"
    web.write_text(web.read_text().replace("labels = okr'", "labels = okr AND nosuchfield = 1'"))
    assert world.main("sync") == 1
    assert "  ! WEB skipped: team 'WEB' skipped: " in capsys.readouterr().out


def test_sync_exits_1_with_one_message_when_jira_is_down(world, capsys):
    def down(settings):
        fake = world.gateway(settings)
        fake.fail("*", 503)
        return fake

    assert main(["--config", str(world.config_path), "sync"], gateways=down) == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("kpiokr: Jira answered GET ")
    assert "with 503" in last
    assert "gave up after 6 attempts" in last


def test_report_prints_every_format_and_refuses_an_unknown_team(world, capsys):
    assert world.main("report") == 1
    assert "no report yet" in capsys.readouterr().err
    assert world.main("sync") == 0
    capsys.readouterr()

    assert world.main("report", "--format", "json") == 0
    teams = [t["team"] for t in json.loads(capsys.readouterr().out)["teams"]]
    assert teams == ["MOB", "WEB"]
    assert world.main("report", "--format", "markdown", "--team", "WEB") == 0
    assert "WEB" in capsys.readouterr().out
    assert world.main("report", "--team", "NOPE") == 2
    assert "--team takes one of: MOB, WEB" in capsys.readouterr().err
    assert world.main("report", "--as-of", "2026-11-01") == 0
    assert "MOB" in capsys.readouterr().out
    assert world.main("report", "--as-of", "yesterday") == 2


def test_check_finds_every_field_board_and_jql_and_names_a_bad_one(world, capsys):
    assert world.main("check") == 0
    out = capsys.readouterr().out
    assert "0 error(s)" in out
    web = world.mappings / "web.toml"
    web.write_text(web.read_text().replace("labels = okr'", "labels = okr AND nosuchfield = 1'"))
    assert world.main("check") == 1
    assert "web.toml:" in capsys.readouterr().out
    assert world.main("check", "--offline") == 0


def test_fields_lists_the_sites_fields_with_their_mapping_names(world, capsys):
    assert world.main("fields") == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["id", "type", "name", "in", "a", "mapping"]
    assert "Objective score" in out
    assert out.rstrip().endswith(f"{len(world.jira.fields())} field(s)")


def test_setup_says_the_score_fields_exist_and_creates_none_again(world, capsys):
    before = len(world.site.fields)
    assert world.main("setup", "--dry-run") == 0
    assert world.main("setup") == 0
    out = capsys.readouterr().out
    assert "exists: Objective score" in out
    assert "would create" not in out
    assert len(world.site.fields) == before


def test_setup_creates_the_missing_score_fields(tmp_path, capsys):
    world = make_world(tmp_path / "kpiokr")
    for mapping in world.mappings.glob("*.toml"):
        mapping.write_text(mapping.read_text() + '\n[score_fields]\nobjective_score = "OKR grade"\n')
    assert world.main("setup", "--dry-run") == 0
    assert "would create: OKR grade (number)" in capsys.readouterr().out
    assert world.main("setup") == 0
    assert "created: OKR grade" in capsys.readouterr().out
    assert any(f.name == "OKR grade" for f in world.jira.fields())


def test_migrate_reports_the_schema(world, capsys):
    assert world.main("migrate") == 0
    assert capsys.readouterr().out.startswith("store schema at ")


def test_the_daemon_syncs_at_once_then_stops_on_request(world):
    stop = threading.Event()
    worker = threading.Thread(target=daemon, args=(world.config,), kwargs={"stop": stop, "gateways": world.gateway})
    worker.start()
    with Store.open(world.config.store_url) as store:
        deadline = time.monotonic() + 30
        while not any(r.status == "ok" for r in store.runs()) and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        worker.join(timeout=30)
        runs = store.runs()
    assert not worker.is_alive()
    assert [r.status for r in runs] == ["ok"]
    assert world.writes()


def test_an_invalid_mapping_edit_keeps_the_last_valid_mappings_until_fixed(world, caplog):
    mob = world.mappings / "mob.toml"
    valid = mob.read_text()
    with world.app() as app:
        runner = world.runner(app)
        runner.run()
        mob.write_text(valid.replace("target = 40", "target = inf"))
        with caplog.at_level(logging.INFO):
            broken = runner.run()
        assert {r.team for r in broken.results} == {"MOB", "WEB"}
        assert "keeping the last valid mappings" in caplog.text
        assert "mob.toml:" in caplog.text
        caplog.clear()
        mob.write_text(valid.replace('name = "MOB"', 'name = "Mobile"'))
        with caplog.at_level(logging.INFO):
            fixed = runner.run()
    assert {r.team for r in fixed.results} == {"Mobile", "WEB"}
    assert "mapping files changed: 2 team(s) loaded" in caplog.text


def test_sync_exits_3_without_a_run_while_another_kpiokr_holds_the_store(world, capsys):
    with Store.open(world.config.store_url) as store, store.locked("daemon@elsewhere:1"):
        assert world.main("sync") == 3
        assert store.runs() == []
    assert "the store is locked" in capsys.readouterr().err
    assert world.writes() == []


def test_a_config_that_does_not_load_exits_2_with_one_line(world, capsys):
    world.config_path.write_text("[jira]\nurl = 3\n")
    assert world.main("sync") == 2
    err = capsys.readouterr().err
    assert err.startswith("kpiokr: ")
    assert len(err.strip().splitlines()) == 1


def test_check_of_paths_needs_no_config_and_exits_2_on_errors(world, capsys):
    mob = world.mappings / "mob.toml"
    assert main(["check", str(mob)]) == 0
    mob.write_text(mob.read_text().replace("target = 40", "target = inf"))
    assert main(["check", str(world.mappings)]) == 2
    assert "mob.toml:" in capsys.readouterr().out
