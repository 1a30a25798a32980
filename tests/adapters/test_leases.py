"""Several daemons on one store: leases taken, renewed, expired, taken over with a growing fence, and
rebalanced when a daemon joins or leaves; SQLite refuses a second daemon and says why."""

from datetime import date, timedelta

import pytest

from sync.app.leases import LeaseKeeper, fair_share, project_groups
from sync.mapping import TeamMapping
from sync.store import DaemonsShareStore, LeaseLost, StoreLocked
from sync.store.store import Store
from tests.adapters.store_support import FakeClock

TTL = timedelta(seconds=60)
A, B, C = "daemon@host-a:1", "daemon@host-b:2", "daemon@host-c:3"


def team(name: str, *projects: str) -> TeamMapping:
    cycle = {"name": "2026-Q4", "start": date(2026, 10, 1), "end": date(2026, 12, 31)}
    objectives = {"keys": [f"{projects[0]}-1"]}
    return TeamMapping.model_validate(
        {"team": {"name": name, "projects": list(projects)}, "cycle": cycle, "objectives": objectives}
    )


TEAMS = [team(f"Team {n}", f"P{n}") for n in range(6)]


@pytest.fixture
def second(store_url: str, store_clock: FakeClock):
    with Store.open(store_url, clock=store_clock) as opened:
        yield opened


def test_a_held_lease_is_refused_to_others_until_it_expires_then_taken_with_a_new_fence(
    store: Store, second: Store, store_clock: FakeClock
):
    first = store.take_lease("MOB", ["Mobile"], A, TTL)
    assert (first.owner, first.fence, first.teams) == (A, 1, ("Mobile",))
    assert second.take_lease("MOB", ["Mobile"], B, TTL) is None
    assert store.holds_leases(A, {"MOB": 1})

    store_clock.advance(seconds=59)
    assert store.renew_leases(A, ["MOB"], TTL) == {"MOB"}  # renewed: good for another minute
    store_clock.advance(seconds=59)
    assert second.take_lease("MOB", ["Mobile"], B, TTL) is None

    store_clock.advance(seconds=2)  # A stalled past its lease
    taken = second.take_lease("MOB", ["Mobile"], B, TTL)
    assert (taken.owner, taken.fence) == (B, 2)
    assert not store.holds_leases(A, {"MOB": 1})  # A's writes are fenced off
    assert store.renew_leases(A, ["MOB"], TTL) == set()
    assert second.holds_leases(B, {"MOB": 2})


def test_a_released_lease_is_free_at_once_and_its_fence_keeps_growing(store: Store, second: Store):
    store.take_lease("MOB", ["Mobile"], A, TTL)
    assert store.release_leases(A, ["MOB"]) == 1
    assert second.take_lease("MOB", ["Mobile"], B, TTL).fence == 2
    assert second.leave_members(B) == 1
    assert store.take_lease("MOB", ["Mobile"], A, TTL).fence == 3
    assert [(lease.group, lease.owner) for lease in second.leases()] == [("MOB", A)]


def test_groups_are_the_teams_connected_by_their_projects():
    teams = [team("Mobile", "MOB"), team("Web", "WEB", "API"), team("Program", "API", "OPS"), team("Ops", "OPS")]
    teams.append(team("Support", "SUP"))

    assert project_groups(teams) == {
        "MOB": ("Mobile",),
        "API+OPS+WEB": ("Ops", "Program", "Web"),
        "SUP": ("Support",),
    }


def test_the_fair_share_splits_every_group_once():
    members = [A, B, C]
    assert [fair_share(7, members, m) for m in members] == [3, 2, 2]
    assert sum(fair_share(60, members, m) for m in members) == 60
    assert fair_share(5, [], A) == 5


def keeper(store: Store, owner: str, clock: FakeClock) -> LeaseKeeper:
    kept = LeaseKeeper(store, owner, TTL, clock)
    kept.use(TEAMS)
    return kept


def held(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for lease in store.leases():
        if lease.owner:
            counts[lease.owner] = counts.get(lease.owner, 0) + 1
    return counts


def test_a_joining_daemon_gets_its_share_and_a_dead_ones_teams_are_taken_over_after_the_lease_time(
    store: Store, second: Store, store_clock: FakeClock
):
    a, b = keeper(store, A, store_clock), keeper(second, B, store_clock)
    assert len(a.balance()) == 6
    assert b.balance() == set()  # all held: A frees its surplus at its next beat
    assert held(store) == {A: 6}
    a.balance()
    assert len(b.balance()) == 3
    assert held(store) == {A: 3, B: 3}
    assert len(a.leased_teams()) == len(b.leased_teams()) == 3
    assert set(a.leased_teams()).isdisjoint(b.leased_teams())

    store_clock.advance(seconds=30)
    assert len(b.begin_pass(TEAMS)) == 3  # B starts a pass over its teams, then is killed (or stalls)
    store_clock.advance(seconds=31)
    assert a.balance() == set()  # B's leases run until 90 s
    store_clock.advance(seconds=30)
    assert len(a.balance()) == 3
    assert held(store) == {A: 6}
    assert sorted(lease.fence for lease in store.leases()) == [1, 1, 1, 3, 3, 3]  # A's, B's, A's again
    with pytest.raises(LeaseLost, match="no longer holds the lease"):
        b.check()  # B, were it only stalled, writes none of its pass


def test_a_pass_covers_the_leased_teams_and_its_writes_stop_once_a_lease_is_lost(
    store: Store, second: Store, store_clock: FakeClock
):
    a = keeper(store, A, store_clock)
    a.balance()
    assert [t.team.name for t in a.begin_pass(TEAMS)] == [t.team.name for t in TEAMS]
    a.check()
    b = keeper(second, B, store_clock)
    b.balance()
    assert a.balance() == set()
    assert len(a.leased_teams()) == 6  # a pass in progress keeps its groups
    a.end_pass()
    a.balance()
    assert len(a.leased_teams()) == 3
    assert len(a.begin_pass(TEAMS)) == 3

    store_clock.advance(seconds=61)
    b.balance()  # A stalled: B takes its groups over
    with pytest.raises(LeaseLost):
        a.check()


def test_a_stopping_daemon_frees_its_teams_for_the_others_at_once(store: Store, second: Store, store_clock: FakeClock):
    a, b = keeper(store, A, store_clock), keeper(second, B, store_clock)
    a.balance()
    b.balance()
    a.leave()
    assert second.live_members() == [B]
    assert len(b.balance()) == 6
    assert held(store) == {B: 6}


def test_a_second_daemon_on_sqlite_is_told_to_use_postgresql(store: Store, store_url: str, store_clock: FakeClock):
    if store.dialect != "sqlite":
        pytest.skip("PostgreSQL serves several daemons")
    with (
        store.locked("daemon@host-a:1", TTL),
        Store.open(store_url, clock=store_clock) as other,
        pytest.raises(StoreLocked) as raised,
        other.locked("daemon@host-b:2", TTL),
    ):
        pass  # pragma: no cover - never entered
    message = str(raised.value)
    assert "A SQLite store serves one daemon at a time" in message
    assert "PostgreSQL" in message
    assert "Several daemons" in message


def test_kpiokr_sync_is_refused_beside_daemons_sharing_the_store(store: Store, store_clock: FakeClock):
    keeper(store, A, store_clock).balance()
    error = DaemonsShareStore(store.live_members())
    assert isinstance(error, StoreLocked)
    assert A in str(error)
    assert "would score the same teams twice" in str(error)
