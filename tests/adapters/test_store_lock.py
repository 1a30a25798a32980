"""One daemon per store: the lock is atomic, expires, and is taken over from a killed owner."""

import socket
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from sync.store.lock import default_owner, owner_is_gone
from sync.store.store import Store, StoreLocked
from tests.adapters.store_support import T0, FakeClock

TTL = timedelta(minutes=5)
HOST = socket.gethostname()


def test_a_second_daemon_cannot_take_a_held_lock(store: Store, store_url: str):
    with Store.open(store_url, clock=FakeClock()) as second:
        assert store.acquire_lock("host-a:1", TTL)
        assert not second.acquire_lock("host-b:2", TTL)
        assert store.acquire_lock("host-a:1", TTL)  # taking it again extends it

        holder = second.lock_holder()
        assert (holder.owner, holder.acquired_at, holder.expires_at) == ("host-a:1", T0, T0 + TTL)

        assert not second.release_lock("host-b:2")
        assert store.release_lock("host-a:1")
        assert second.acquire_lock("host-b:2", TTL)
        assert second.lock_holder().owner == "host-b:2"


def test_locked_raises_store_locked_naming_the_holder_and_since_when(store: Store, store_url: str):
    with store.locked("host-a:1", TTL) as owner:
        assert owner == "host-a:1"
        second = Store.open(store_url, clock=FakeClock())
        with second, pytest.raises(StoreLocked) as raised, second.locked("host-b:2", TTL):
            pass  # pragma: no cover - never entered

    message = str(raised.value)
    assert "host-a:1" in message
    assert "since 2026-01-05T09:00:00+00:00" in message
    assert "after 2026-01-05T09:05:00+00:00" in message
    assert store.lock_holder() is None  # released on leaving the block


def test_an_expired_lock_is_taken_over_and_its_old_owner_cannot_refresh_it(store: Store, store_clock: FakeClock):
    assert store.acquire_lock("host-a:1", TTL)
    store_clock.advance(minutes=4)
    assert store.refresh_lock("host-a:1", TTL)  # heartbeat: now valid until T0 + 9 min
    store_clock.advance(minutes=4)
    assert not store.acquire_lock("host-b:2", TTL)

    store_clock.advance(minutes=2)
    assert store.acquire_lock("host-b:2", TTL)
    assert not store.refresh_lock("host-a:1", TTL)
    assert store.lock_holder().acquired_at == store_clock.now


def test_a_lock_whose_owner_died_on_this_host_is_taken_at_once(store: Store):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    dead_owner = f"{HOST}:{int(dead.stdout)}"
    assert store.acquire_lock(dead_owner, TTL)

    assert owner_is_gone(dead_owner)
    assert store.acquire_lock(f"{HOST}:1", TTL)
    assert store.lock_holder().owner == f"{HOST}:1"


def test_a_live_owner_or_one_on_another_host_keeps_the_lock(store: Store):
    assert store.acquire_lock(default_owner(), TTL)
    assert not store.acquire_lock("other-host:2", TTL)
    assert store.release_lock()

    assert store.acquire_lock("some-other-host:1", TTL)
    assert not owner_is_gone("some-other-host:1")
    assert not store.acquire_lock(default_owner(), TTL)


def test_racing_daemons_on_a_new_store_never_both_win(store_url: str):
    winners: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6, timeout=30)

    def contend(owner: str) -> None:
        try:
            with Store.open(store_url) as mine:  # six first opens: the migrations run once
                barrier.wait()
                if mine.acquire_lock(owner, TTL):
                    winners.append(owner)
        except BaseException as error:
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=contend, args=(f"other-host:{n}",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(winners) == 1
