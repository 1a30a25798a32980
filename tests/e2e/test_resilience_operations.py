"""What a daemon left running for months meets besides faults: a second daemon on its store, a store
made by an older kpiokr, mapping files edited under it, clocks and time zones that disagree, and
issues and epics far bigger than usual. Real HTTP against the sandbox."""

import contextlib
import logging
import math
import time
from datetime import timedelta

import pytest
from alembic import command

from jira_sandbox import Fault, Site
from sync.app.fetch import project_watermarks
from sync.app.ledger import PROPERTY_PREFIX
from sync.cli.bootstrap import build_app, open_store
from sync.cli.commands import migrate
from sync.store.migrations import alembic_config, head_revision
from sync.store.store import Store, StoreOutdated
from tests.e2e.cli_process import Cli, growth_mb, hold_every_issue
from tests.e2e.conftest import NOW, Jira, runner_of
from tests.e2e.resilience_support import config_file, field_by_name, jira_value, make_config

pytestmark = pytest.mark.e2e


@pytest.fixture
def config(jira: Jira, tmp_path):
    return make_config(jira, tmp_path / "kpiokr")


@pytest.fixture
def app(config):
    built = build_app(config, {})
    yield built
    built.close()


def numeric_key_results(summary):
    return [k for r in summary.results for o, _ in r.objectives for k in o.key_results if hasattr(k.measure, "number")]


# -- two daemons ------------------------------------------------------------------------------------


def wait_for(condition, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def cli() -> Cli:
    return Cli()


@pytest.mark.parametrize("jira", ["cloud"], indirect=True)
def test_a_second_daemon_on_the_same_store_refuses_to_run_with_a_clear_message(jira, config, cli, tmp_path):
    path = str(config_file(config))
    first = cli.start(["--config", path, "daemon"], tmp_path / "first.log")
    try:
        with Store.open(config.store_url) as store:
            wait_for(lambda: any(r.status == "ok" for r in store.runs()), what="the first daemon's first run")
            holder = store.lock_holder()
            assert holder is not None
            assert holder.owner.endswith(f":{first.pid}")

            commands = {"daemon": ["daemon"], "sync": ["sync"], "sync-once": ["sync", "--once"]}
            fixes = {
                # a second daemon on SQLite learns both ways out: stop the first, or share a PostgreSQL store
                "daemon": "A SQLite store serves one daemon at a time: stop that one first, or, to run several "
                'daemons side by side, keep the store on PostgreSQL (store.url = "postgresql://...", see '
                '"Several daemons" in the README)',
                "sync": "Stop it first",
                "sync-once": "Stop it first",
            }
            others = {name: cli.start(["--config", path, *a], tmp_path / f"{name}.log") for name, a in commands.items()}
            for name, other in others.items():
                other.join(60)
                said = (tmp_path / f"{name}.log").read_text()
                assert other.exitcode == 3, said
                assert f"the store is locked ('daemon') by {holder.owner}" in said
                assert f"another `kpiokr daemon` is running on this store. {fixes[name]};" in said
            assert len(store.runs(limit=None)) == 1  # the refused ones never started a run

            first.terminate()  # SIGTERM, as systemd stops it
            first.join(30)
            assert first.exitcode == 0
            assert store.lock_holder() is None
    finally:
        if first.exitcode is None:
            first.kill()
            first.join()
    assert "daemon stopped" in (tmp_path / "first.log").read_text()


# -- a store made by an older kpiokr ---------------------------------------------------------------------


def downgrade_to_0001(url: str) -> None:
    command.downgrade(alembic_config(url), "0001")


def test_a_store_with_an_older_schema_is_migrated_and_keeps_its_data(jira, config, capsys):
    with contextlib.closing(build_app(config, {})) as app:
        first = runner_of(app, jira).run()
        issues, watermarks = app.store.count_issues(), app.store.watermarks()
        ledger = [(e.issue_key, e.field_id, e.value) for e in app.store.ledger()]
        scores = app.store.latest_objective_scores()
    assert first.planned
    assert ledger
    downgrade_to_0001(config.store_url)  # what kpiokr 0.1 (schema 0001) left behind

    with pytest.raises(StoreOutdated) as outdated:
        open_store(config, migrate=False)  # a command that does not migrate by itself says what to run
    assert str(outdated.value) == (
        f"the store's schema is at revision 0001, this kpiokr needs {head_revision()}: back up the store, then "
        "run `kpiokr migrate --config <config.toml>`"
    )

    capsys.readouterr()
    assert migrate(config) == 0
    assert capsys.readouterr().out.strip() == f"store schema at {head_revision()} (was 0001)"

    downgrade_to_0001(config.store_url)
    jira.site.clock_state.set(NOW + timedelta(minutes=2))
    with contextlib.closing(build_app(config, {})) as app:  # the daemon's own start: migrates by itself
        assert app.store.schema_status().current == (head_revision(),)
        assert app.store.count_issues() == issues
        assert app.store.watermarks() == watermarks
        assert [(e.issue_key, e.field_id, e.value) for e in app.store.ledger()] == ledger
        assert app.store.latest_objective_scores() == scores
        jira.server.clear_request_log()
        after = runner_of(app, jira).run()
        assert after.fetched < issues  # incremental: the watermark survived
        assert after.planned == []
        assert jira.puts() == []
        carried = [e for e in app.store.ledger() if e.run_id == first.run_id]
        assert len(carried) == len(ledger)
        assert {e.field_name for e in carried} == {None}  # old rows keep what they had
        # kpiokr's own score writes coming back make this pass rewrite property documents that moved with
        # time; those new rows name their property, and no score field was written
        added = [e for e in app.store.ledger() if e.run_id != first.run_id]
        assert all(e.field_id == PROPERTY_PREFIX + str(e.field_name) for e in added), added


# -- a mapping file edited into an invalid state ---------------------------------------------------------


def test_a_mapping_broken_while_the_daemon_runs_keeps_the_last_valid_one_until_fixed(jira, app, caplog):
    runner = runner_of(app, jira)
    first = runner.run()
    mob = app.config.mapping_paths[0] / "mob.toml"
    good = mob.read_text()
    kr = next(k for k in numeric_key_results(first) if k.key.startswith("MOB-"))
    teams = [r.team for r in first.results]

    for broken, expected in (
        (good.replace("[cycle]", "[cycle", 1), "mob.toml:"),  # a TOML syntax error
        (good.replace(f"target = {kr.measure.target:g}", 'target = "soon"', 1), "target"),  # a schema error
    ):
        mob.write_text(broken)
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            kept = runner.run()
        assert [r.team for r in kept.results] == teams  # the last valid mappings stay in force
        errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert any(line.startswith("mapping: ") and expected in line for line in errors), errors
        assert any("keeping the last valid mappings until they are fixed" in line for line in errors)
        assert app.store.runs(limit=1)[0].status == "ok"

    value = jira.site.by_key[kr.key].values[field_by_name(jira.site, kr.measure.number).key]
    mob.write_text(good.replace(f"target = {kr.measure.target:g}", f"target = {value:g}", 1))  # the fix
    caplog.clear()
    with caplog.at_level(logging.INFO):
        fixed = runner.run()
    assert "mapping files changed: 2 team(s) loaded" in caplog.text
    new_kr = next(k for k in numeric_key_results(fixed) if k.key == kr.key)
    assert new_kr.measure.target == value
    assert jira_value(jira.site, kr.key, "Key result progress") == 1.0


# -- clocks and time zones ---------------------------------------------------------------------------------


def test_clock_skew_and_a_service_account_in_another_time_zone_miss_no_update(jira, config):
    jira.site.set_time_zone("kpiokr-bot", "Pacific/Kiritimati")  # UTC+14
    with contextlib.closing(build_app(config, {})) as app:
        # the daemon's clock runs three hours behind Jira's
        runner = app.runner(clock=lambda: jira.site.clock() - timedelta(hours=3))
        # someone edited an issue a minute ago: the watermark is close to Jira's clock
        recent = next(i.key for i in jira.site.issues if i.project == "MOB" and not i.values.get("labels"))
        jira.site.edit_issue(recent, {"labels": ["recent"]}, author="pm", at=NOW - timedelta(minutes=1))
        first = runner.run()
        watermark = min(project_watermarks(app.store).values())
        assert NOW - watermark < timedelta(minutes=2)
        edited, late, very_late = numeric_key_results(first)[:3]
        progress_before = jira_value(jira.site, very_late.key, "Key result progress")

        jira.site.set_time_zone("kpiokr-bot", "Pacific/Pago_Pago")  # UTC-11: an admin moved the account
        jira.site.clock_state.set(NOW + timedelta(minutes=1))
        for kr, at in (
            (edited, None),
            # stamped before the watermark, it reaches Jira's index after the first run: within the overlap
            (late, watermark - timedelta(minutes=2)),
            (very_late, watermark - timedelta(minutes=30)),  # stamped by a Jira node 30 minutes behind
        ):
            metric = field_by_name(jira.site, kr.measure.number)
            jira.site.edit_issue(kr.key, {metric.wire_id(jira.flavor): kr.measure.target}, author="pm", at=at)
        jira.site.clock_state.set(NOW + timedelta(minutes=2))

        second = runner.run()

        assert {edited.key, late.key} <= second.changed_keys
        assert second.fetched > len(second.changed_keys)  # the overlap re-read copies it already held...
        own_writes = {w.issue_key for w in first.planned}
        assert second.changed_keys <= own_writes | {edited.key, late.key}  # ...and did not count them
        for kr in (edited, late):
            assert jira_value(jira.site, kr.key, "Key result progress") == 1.0
        # beyond the overlap window, the incremental sync cannot see it: the nightly reconciliation does
        assert very_late.key not in second.changed_keys
        assert jira_value(jira.site, very_late.key, "Key result progress") == progress_before
        jira.site.clock_state.set(NOW + timedelta(minutes=3))
        nightly = runner.run(reconcile=True)
        assert very_late.key in nightly.changed_keys
        assert jira_value(jira.site, very_late.key, "Key result progress") == 1.0

        jira.site.clock_state.set(NOW + timedelta(minutes=4))
        third = runner.run()  # the earlier runs' own writes come back, and change nothing
        jira.site.clock_state.set(NOW + timedelta(minutes=5))
        jira.server.clear_request_log()
        quiet = runner.run()
    assert third.planned == []
    assert quiet.planned == []
    assert jira.puts() == []
    assert quiet.changed_keys == set()


# -- a huge issue and a huge epic ---------------------------------------------------------------------------

CHILDREN, HISTORIES, BASELINE, TARGET = 3000, 3000, 1000, 20000


def add_huge_work(site: Site) -> dict[str, str]:
    """Objective O with two key results: epic E with thousands of children, issue H with thousands of edits."""
    epic_link = field_by_name(site, "Epic Link")
    downloads = field_by_name(site, "Downloads")
    start = NOW - timedelta(days=60)
    objective = site.create_issue("MOB", "Scale the platform", "Epic", at=start)
    epic = site.create_issue("MOB", "KR: migrate every tenant", "Epic", at=start)
    issue = site.create_issue("MOB", "KR: downloads", "Task", at=start)
    for key in (epic.key, issue.key):
        site.edit_issue(key, {epic_link.key: objective.key}, at=start)
    for n in range(CHILDREN):
        at = NOW - timedelta(days=50, minutes=n)
        child = site.create_issue("MOB", f"Migrate tenant {n}", "Task", at=at)
        site.edit_issue(child.key, {epic_link.key: epic.key}, at=at)
        if n % 4 == 0:
            site.transition_issue(child.key, "Done", at=at + timedelta(days=30), resolution="Done")
    step = timedelta(days=58) / HISTORIES
    for n in range(HISTORIES):  # a metric a bot updates every few minutes, for months
        site.edit_issue(issue.key, {downloads.key: BASELINE + 3 * n}, at=start + step * (n + 1))
    site.clock_state.set(NOW)
    return {"objective": objective.key, "epic": epic.key, "issue": issue.key}


def huge_mapping(keys: dict[str, str]) -> str:
    return f"""[team]
name = "Platform"
projects = ["MOB"]
board = 1
timezone = "Europe/Berlin"

[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31

[key_results]
source = "listed"

[[objective]]
key = "{keys["objective"]}"

  [[objective.key_result]]
  key = "{keys["epic"]}"
  measure = "child_completion"

  [[objective.key_result]]
  key = "{keys["issue"]}"
  measure = "numeric"
  field = "Downloads"
  baseline = {BASELINE}
  target = {TARGET}
"""


def test_a_huge_issue_and_a_huge_epic_are_paged_completely_in_bounded_memory(jira, config, cli, tmp_path):
    keys = add_huge_work(jira.site)
    mappings = config.mapping_paths[0]
    for old in mappings.glob("*.toml"):
        old.unlink()
    (mappings / "platform.toml").write_text(huge_mapping(keys))
    if jira.flavor == "cloud":  # no bulk changelog endpoint: the issue's changelog is read 100 a page
        jira.server.faults.add(Fault("status", "/rest/api/3/changelog/bulkfetch", times=None, status=404))
    else:  # the page size a Data Center admin set (jira.search.views.default.max; Jira's default is 1000)
        jira.server.context.limits["dc_search"] = 100
    issues = len([i for i in jira.site.issues if i.project == "MOB"])
    daemon, holder = tmp_path / "daemon.json", tmp_path / "holder.json"

    code = cli.run(["--config", str(config_file(config)), "sync", "--once"], tmp_path / "sync.log", memory=daemon)

    assert code == 0, (tmp_path / "sync.log").read_text()[-3000:]
    with Store.open(config.store_url) as store:
        assert store.count_issues() == issues
        huge = store.get_issue(keys["issue"])
    assert len(huge["changelog"]["histories"]) == huge["changelog"]["total"] == HISTORIES + 1
    assert len(jira.requests("POST", "/search")) >= math.ceil(issues / 100)
    if jira.flavor == "cloud":
        assert len(jira.requests("GET", f"/issue/{keys['issue']}/changelog")) == math.ceil((HISTORIES + 1) / 100)
    assert jira_value(jira.site, keys["epic"], "Key result progress") == 0.25  # 750 of 3000 children done
    last = BASELINE + 3 * (HISTORIES - 1)
    assert jira_value(jira.site, keys["issue"], "Key result progress") == round(
        (last - BASELINE) / (TARGET - BASELINE), 2
    )

    # bounded: the daemon's memory rose by less than merely holding the issues it fetched takes
    assert cli.run([config.store_url], tmp_path / "hold.log", memory=holder, target=hold_every_issue) == 0
    print(f"daemon +{growth_mb(daemon):.0f} MB, holding every issue +{growth_mb(holder):.0f} MB")
    assert growth_mb(daemon) < growth_mb(holder)
