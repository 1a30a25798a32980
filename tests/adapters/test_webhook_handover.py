"""Webhooks handed between processes through the store: an accepted webhook leaves its hint beside its
delivery; a daemon follows the hints other processes left (from the newest on at its start, its own
left out, ids a slower transaction commits later picked up); a hint left by daemon A for the team
daemon B leases makes B's live pass run for that team only, and one left by ``kpiokr serve`` beside a
lone daemon makes that daemon's pass run."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from sync.app.leases import LeaseKeeper
from sync.app.webhooks import PATH, Hint, LiveUpdates, WebhookReceiver, signature_of
from sync.app.webhooks.handover import HintCursor, HintFollower
from sync.config import WebhookSettings
from sync.mapping import load_mappings
from sync.store import HintNote, Store
from sync.store.hints import add_hint
from tests.adapters.store_support import FakeClock
from tests.adapters.test_leases import TEAMS as LEASED_TEAMS
from tests.fakes.world import make_world

SECRET = "s3cret-for-tests"
KEEP = timedelta(hours=1)
SETTINGS = WebhookSettings(enabled=True, quiet_seconds=0.05, max_wait_seconds=0.2)
A, B = "daemon@host-a:1", "daemon@host-b:2"
PM = {"accountId": "pm-1", "displayName": "A PM", "emailAddress": "pm@example.com"}


def _body(project: str, changelog: int, *, user: dict[str, str] | None = None) -> bytes:
    issue = {"id": str(10000 + changelog), "key": f"{project}-1", "fields": {"project": {"key": project}}}
    items = [{"field": "Revenue", "fieldId": "customfield_10050", "fromString": "1", "toString": "2"}]
    data = {"timestamp": 1796472000000 + changelog, "webhookEvent": "jira:issue_updated", "issue": issue}
    data |= {"changelog": {"id": str(changelog), "items": items}, "user": user or PM}
    return json.dumps(data).encode()


def _poster(store: Store, clock: FakeClock, origin: str, sink: Callable[[Hint], None] | None = None):
    receiver = WebhookReceiver(SECRET, SETTINGS, store, clock, sink, origin=origin)
    client = TestClient(Starlette(routes=[Route(PATH, receiver.receive, methods=["POST"])]))

    def post(body: bytes) -> int:
        return client.post(PATH, content=body, headers={"x-hub-signature": signature_of(SECRET, body)}).status_code

    return post


def test_an_accepted_webhook_leaves_one_hint_and_a_redelivery_none(store: Store, store_clock: FakeClock):
    post = _poster(store, store_clock, A, lambda _hint: None)
    start = store.newest_hint_id()
    assert post(_body("MOB", 1)) == 202
    assert post(_body("MOB", 1)) == 200  # a redelivery: no second hint
    assert post(_body("WEB", 2)) == 202
    hints = store.hints_after(start)
    assert [(h.origin, h.note.event, h.note.project) for h in hints] == [
        (A, "jira:issue_updated", "MOB"),
        (A, "jira:issue_updated", "WEB"),
    ]
    assert hints[0].id < hints[1].id == store.newest_hint_id()
    assert hints[0].received_at == store_clock.now
    # of the change only who made it and which fields: no value, no name or address of the author
    assert hints[0].note.change == {
        "author": {"accountId": "pm-1"},
        "items": [{"field": "Revenue", "fieldId": "customfield_10050"}],
    }
    assert store.hints_after(hints[1].id) == []


def test_old_hints_expire_and_ids_are_never_used_again(store: Store, store_clock: FakeClock):
    post = _poster(store, store_clock, A)
    assert post(_body("MOB", 1)) == 202
    first = store.newest_hint_id()
    store_clock.advance(hours=SETTINGS.keep_deliveries_hours + 1)
    assert post(_body("MOB", 2)) == 202
    assert [h.id for h in store.hints_after(0)] == [first + 1]  # the first expired, its id not reused


def test_a_follower_starts_at_the_newest_hint_and_hands_on_only_those_of_other_processes(
    store: Store, store_clock: FakeClock
):
    from_a, from_serve = _poster(store, store_clock, A), _poster(store, store_clock, "serve@host-c:3")
    assert from_serve(_body("MOB", 1)) == 202  # before the daemon started: its start-up pass covers it
    handed: list[Hint] = []
    follower = HintFollower(store, A, handed.append, store_clock)
    assert from_a(_body("MOB", 2)) == 202  # A received it and acted at once
    assert from_serve(_body("WEB", 3)) == 202
    assert follower.take() == 1
    assert [(h.event, h.project, h.issue_id) for h in handed] == [("jira:issue_updated", "WEB", "10003")]
    assert follower.take() == 0


def test_an_id_committed_after_a_newer_one_is_still_read(store: Store, store_url: str, store_clock: FakeClock):
    if store.dialect != "postgresql":
        pytest.skip("SQLite writers take turns: ids commit in order")
    cursor = HintCursor(store.newest_hint_id())
    with Store.open(store_url, clock=store_clock) as other, store.transaction() as slow:
        add_hint(slow.connection, HintNote("jira:issue_updated", "MOB"), A, store_clock.now, KEEP)
        with other.transaction() as fast:
            add_hint(fast.connection, HintNote("jira:issue_updated", "WEB"), B, store_clock.now, KEEP)
        assert [h.note.project for h in cursor.read(store)] == ["WEB"]
    assert [h.note.project for h in cursor.read(store)] == ["MOB"]
    assert cursor.read(store) == []


def _live_passes(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "sync.app.webhooks.live" and getattr(r, "trigger", None)]


def _wait(condition: Callable[[], bool], what: str, patience: float = 60.0) -> None:
    deadline = time.monotonic() + patience
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen"
        time.sleep(0.05)


def test_a_hint_left_by_daemon_a_runs_daemon_bs_live_pass_for_bs_team_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.INFO, logger="sync.app.webhooks.live")
    world = make_world(tmp_path / "kpiokr")
    clock = FakeClock(world.site.clock())
    teams = load_mappings(world.config.mapping_paths).teams
    with world.app() as app, Store.open(world.config.store_url, clock=clock) as store_a:
        keepers = {
            owner: LeaseKeeper(s, owner, timedelta(seconds=60), clock) for owner, s in ((A, store_a), (B, app.store))
        }
        for keeper in keepers.values():
            keeper.use(teams)
        for _ in range(2):
            for keeper in keepers.values():
                keeper.balance()
        (b_team,), (a_team,) = keepers[B].leased_teams(), keepers[A].leased_teams()
        runner = world.runner(app)
        runner.partition = keepers[B]
        live = LiveUpdates(runner, SETTINGS, origin=B)
        live.start()
        try:
            post = _poster(store_a, clock, A, lambda _hint: None)  # daemon A's endpoint
            assert post(_body(a_team, 1)) == 202  # A's own team: A acts, B leaves it
            assert post(_body(b_team, 2)) == 202
            _wait(lambda: bool(_live_passes(caplog)), f"daemon B's live pass for {b_team}")
            time.sleep(0.5)  # a further pass would have started by now
        finally:
            live.stop()
    (record,) = _live_passes(caplog)
    assert record.teams == [b_team]
    assert (record.event, record.kind, record.webhooks) == ("pass", "sync", 1)
    assert record.run_id == app.store.runs(limit=1)[0].id
    assert record.outcome in {"ok", "partial"}


def test_a_hint_left_by_kpiokr_serve_runs_the_lone_daemons_live_pass(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.INFO, logger="sync.app.webhooks.live")
    world = make_world(tmp_path / "kpiokr")
    with world.app() as app, Store.open(world.config.store_url) as serve_store:
        live = LiveUpdates(world.runner(app), SETTINGS, origin="daemon@host:1")
        live.start()
        try:
            answer = _poster(serve_store, FakeClock(world.site.clock()), "serve@host:2")(_body("WEB", 1))
            assert answer == 202
            _wait(lambda: bool(_live_passes(caplog)), "the daemon's live pass for WEB")
        finally:
            live.stop()
    assert [r.teams for r in _live_passes(caplog)] == [["WEB"]]


def test_the_following_thread_hands_hints_on_as_they_come_and_ends_when_closed(store: Store, store_clock: FakeClock):
    handed: list[Hint] = []
    follower = HintFollower(store, A, handed.append, store_clock)
    follower.start()
    try:
        assert _poster(store, store_clock, B)(_body("MOB", 1)) == 202
        _wait(lambda: bool(handed), "the hint handed on", patience=10)
    finally:
        follower.close()
    assert [h.project for h in handed] == ["MOB"]
    assert not any(t.name == "webhook-hints" for t in threading.enumerate())


def test_on_postgresql_a_new_hint_wakes_the_listening_daemon_before_its_poll_time(store: Store, store_clock: FakeClock):
    if store.dialect != "postgresql":
        pytest.skip("SQLite has no notifications: the poll alone finds hints")
    with store.hint_signals() as signals:
        timer = threading.Timer(0.2, lambda: _poster(store, store_clock, B)(_body("MOB", 1)))
        timer.start()
        started = time.monotonic()
        signals.wait(30.0)
        waited = time.monotonic() - started
        timer.join()
    assert waited < 15.0, "woken by the notification, not by the end of the wait"


def test_a_live_pass_over_some_teams_keeps_the_daemons_other_leases(store: Store, store_clock: FakeClock):
    keeper = LeaseKeeper(store, A, timedelta(seconds=60), store_clock)
    keeper.use(LEASED_TEAMS)
    keeper.balance()
    held = keeper.leased_teams()
    assert len(held) == len(LEASED_TEAMS)
    touched = [LEASED_TEAMS[2]]
    assert keeper.begin_pass(touched, LEASED_TEAMS) == touched
    keeper.end_pass()
    assert keeper.leased_teams() == held
