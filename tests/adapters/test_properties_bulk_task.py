"""Cloud's bulk property task read until it is done: polled a few times, a little longer apart, through
the sleep it is given; one still running after that is left pending and settled by the next pass."""

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from sync.cli.bootstrap import build_app
from sync.errors import JiraRequestRejected
from sync.jira import JiraSettings
from sync.jira.properties import TASK_WAITS, set_issue_properties
from tests.fakes.jira import FakeJira
from tests.fakes.world import World, make_world

DOCUMENT = {"schema_version": 1, "score": 0.5}


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr", flavor="cloud")


def _tasks_become(fake: FakeJira, status: str, waits: list[float]) -> Callable[[float], None]:
    """A sleep that notes each wait and leaves every task of the sandbox ``status``."""

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        for task in fake.server.context.tasks.values():
            task.update(status=status, message=f"the task is {status.lower()}")

    return sleep


def _ids(world: World, *keys: str) -> dict[int, Any]:
    return {world.site.by_key[key].id: DOCUMENT for key in keys}


def _held(world: World, key: str) -> Any:
    return world.site.properties.get(("issue", str(world.site.by_key[key].id)), {}).get("kpiokr.objective")


def test_an_enqueued_task_is_read_again_until_it_is_complete(world):
    fake = world.gateway()

    assert fake.set_issue_properties("kpiokr.objective", _ids(world, "MOB-1", "MOB-2")) is True
    assert len(fake.requests_to("GET", "/rest/api/3/task/")) == 1
    assert _held(world, "MOB-2") == DOCUMENT


def test_a_task_still_running_is_polled_a_bounded_number_of_times_and_reported_unfinished(world):
    fake = world.gateway()
    waits: list[float] = []

    done = set_issue_properties(
        fake.http, "kpiokr.objective", _ids(world, "MOB-1"), sleep=_tasks_become(fake, "RUNNING", waits)
    )

    assert done is False
    assert waits == list(TASK_WAITS)
    assert len(fake.requests_to("GET", "/rest/api/3/task/")) == len(TASK_WAITS)


def test_a_task_that_failed_while_polled_is_a_rejection_with_jiras_message(world):
    fake = world.gateway()

    with pytest.raises(JiraRequestRejected, match="ended FAILED: the task is failed"):
        set_issue_properties(
            fake.http, "kpiokr.objective", _ids(world, "MOB-1"), sleep=_tasks_become(fake, "FAILED", [])
        )


class _TasksStayRunning(FakeJira):
    """Cloud, whose bulk property tasks are still running however often they are read."""

    def set_issue_properties(self, property_key: str, values: Mapping[int, Any]) -> bool:
        return set_issue_properties(self.http, property_key, values, sleep=_tasks_become(self, "RUNNING", []))


def test_documents_of_an_unfinished_task_stay_pending_and_the_next_pass_settles_them_without_resending(world):
    def slow(settings: JiraSettings) -> FakeJira:
        return _TasksStayRunning(world.site, settings, flavor="cloud")

    app = build_app(world.config, {}, gateways=slow)
    try:
        first = app.runner(threading.Event(), clock=world.site.clock).run()
        pending = [e for e in app.store.ledger(outcome="pending") if e.field_id == "property:kpiokr.objective"]
    finally:
        app.close()
    objectives = {o.key for r in first.results for o, _ in r.objectives}
    assert {e.issue_key for e in pending} == objectives
    assert first.properties_written == first.counts["properties_planned"] - len(objectives)  # the projects' PUTs

    with world.app() as app:
        world.runner(app).run()
        settled = {
            e.issue_key: e.outcome
            for e in app.store.ledger()
            if e.run_id == pending[0].run_id and e.field_id == "property:kpiokr.objective"
        }
        assert app.store.ledger(outcome="pending") == []

    assert settled == dict.fromkeys(objectives, "written")
    assert world.jira.requests_to("POST", "/issue/properties/multi") == [], "Jira held them: nothing sent again"
