"""What `kpiokr sync` in a process of its own costs Jira when nothing changed: the search and at
most one more request, the site facts, boards and team answers being taken from the store. A fact
that proves stale is read again. Real HTTP against the sandbox, the command run as a process, on
Cloud and Data Center."""

from datetime import timedelta

import pytest

from jira_sandbox.catalog import FLOAT
from tests.e2e.conftest import NOW, Jira
from tests.e2e.resilience_support import config_file, make_config, run_cli

pytestmark = pytest.mark.e2e

#: The daemon's default interval between passes.
INTERVAL = timedelta(minutes=10)


def _sync(config_path: str) -> None:
    done = run_cli("--config", config_path, "sync")
    assert done.returncode == 0, done.stdout + done.stderr


def _paths(jira: Jira) -> list[str]:
    return [f"{method} {path.split('?')[0]}" for method, path, _ in jira.server.request_log]


def test_an_idle_sync_in_a_fresh_process_costs_at_most_two_requests(jira, tmp_path):
    path = str(config_file(make_config(jira, tmp_path / "kpiokr")))
    _sync(path)  # writes every score
    jira.site.clock_state.set(NOW + INTERVAL)
    _sync(path)  # its writes come back
    jira.site.clock_state.set(NOW + 2 * INTERVAL)
    jira.server.clear_request_log()

    _sync(path)

    assert len(jira.server.request_log) <= 2, _paths(jira)
    assert jira.puts() == []
    assert any("/search" in p for p in _paths(jira))


def test_a_fresh_process_reads_the_field_list_again_for_a_field_the_stored_one_lacks(jira, tmp_path):
    config = make_config(jira, tmp_path / "kpiokr")
    path = str(config_file(config))
    _sync(path)
    jira.site.clock_state.set(NOW + INTERVAL)
    _sync(path)
    # an admin creates a number field and has a key result read it
    jira.site.create_field("Installs", FLOAT)
    mapping = config.mapping_paths[0] / "mob.toml"
    mapping.write_text(mapping.read_text().replace('field = "Downloads"', 'field = "Installs"'))
    jira.site.clock_state.set(NOW + 2 * INTERVAL)
    jira.server.clear_request_log()

    done = run_cli("--config", path, "sync")

    assert done.returncode == 0, done.stdout + done.stderr  # the team is not skipped for a missing field
    assert "skipped" not in done.stdout + done.stderr
    assert len([p for p in _paths(jira) if p.endswith("/field")]) == 1


def test_a_fresh_process_asks_a_question_the_mapping_changed_instead_of_reusing_the_stored_answer(jira, tmp_path):
    config = make_config(jira, tmp_path / "kpiokr")
    path = str(config_file(config))
    _sync(path)
    jira.site.clock_state.set(NOW + INTERVAL)
    _sync(path)
    mapping = config.mapping_paths[0] / "mob.toml"
    old = "'project = MOB AND issuetype = Epic AND labels = okr'"
    assert old in mapping.read_text()
    mapping.write_text(mapping.read_text().replace(old, "'project = MOB AND labels = okr AND issuetype = Epic'"))
    jira.site.clock_state.set(NOW + 2 * INTERVAL)
    jira.server.clear_request_log()

    _sync(path)

    searches = [p for p in _paths(jira) if "/search" in p]
    assert len(searches) == 2, _paths(jira)  # the incremental search, and the objectives' new JQL
