"""Team leases: several daemons on one PostgreSQL store, each scoring the groups of teams it leases.

A daemon is a *member* of the store while its member lock (a row ``member:<digest>`` of ``locks``,
see :mod:`sync.store.lock`) is refreshed; the live members split the groups of teams among them.
A group's lease is a row of ``leases``: its holder, until when, its teams, and a fencing counter
that grows with every new holder. A free lease (empty owner), an expired one, or one whose holder
ran on this host and is gone, is taken by one UPDATE whose WHERE only matches such a row (or an
INSERT that does nothing on conflict), so two daemons racing for a group cannot both win. Before
each write a daemon checks it still holds its leases with the fences it took them with
(:meth:`LeaseQueries.holds_leases`): a daemon that lost a lease (paused past its expiry) writes nothing
on it. Leases are kept as free rows when released, so a group's fence never goes back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update

from sync.store import lock as store_lock
from sync.store.errors import StoreError, StoreLocked
from sync.store.models import LeaseRow, LockRow, RunRow
from sync.store.tx import ABANDONED_ERROR, Clock, dialect_insert

__all__ = ["DaemonsShareStore", "Lease", "LeaseLost", "LeaseQueries", "member_lock"]

#: Lock-name prefix of the store's members (live daemons).
MEMBER = "member:"
#: The owner of a lease nobody holds.
FREE = ""


class LeaseLost(StoreError):  # noqa: N818 - reads as the condition it reports
    """This daemon no longer holds a lease it is working on: another daemon scores those teams now."""

    def __init__(self, owner: str, groups: Collection[str]) -> None:
        self.owner = owner
        self.groups = sorted(groups)
        super().__init__(
            f"{owner} no longer holds the lease of {', '.join(self.groups)} (it expired while this daemon "
            "was paused or cut off from the store, and another daemon took it): its writes are left to that "
            "daemon. If this repeats, raise sync.lease_seconds or find what stalls this daemon"
        )


class DaemonsShareStore(StoreLocked):
    """A one-off command would score teams the daemons sharing this store lease."""

    def __init__(self, members: Sequence[str]) -> None:
        self.name = "daemon"
        self.members = list(members)
        StoreError.__init__(
            self,
            f"{len(members)} kpiokr daemon(s) share this store and sync its teams ({', '.join(members)}): "
            "`kpiokr sync` beside them would score the same teams twice. Let them sync (their next pass "
            "is at most sync.interval_minutes away), or stop them first",
        )


@dataclass(frozen=True, slots=True)
class Lease:
    """Group ``group`` of ``teams``, held by ``owner`` (``""``: free) until ``expires_at``, ``fence`` the
    number of times it changed hands."""

    group: str
    owner: str
    fence: int
    teams: tuple[str, ...]
    acquired_at: datetime
    expires_at: datetime

    def free_at(self, now: datetime) -> bool:
        """Whether another daemon may take it at ``now``."""
        return self.owner == FREE or self.expires_at < now or store_lock.owner_is_gone(self.owner)


def member_lock(owner: str) -> str:
    """The name of ``owner``'s member lock (owner names may be longer than a lock name)."""
    return MEMBER + hashlib.sha256(owner.encode()).hexdigest()[:32]


def _lease(row: Any) -> Lease:
    teams = tuple(str(t) for t in row.teams or ())
    return Lease(row.group_key, row.owner, int(row.fence), teams, row.acquired_at, row.expires_at)


class LeaseQueries:
    """The members and leases of a store shared by several daemons; each call its own short transaction."""

    _clock: Clock

    def _read(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _write_connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    # -- members --------------------------------------------------------------------------------

    def join_members(self, owner: str, ttl: timedelta) -> list[str]:
        """Keep ``owner`` a member until now + ``ttl``; returns the live members' owners, sorted.

        A member whose lock expired, or whose process ran on this host and is gone, is no longer live.
        """
        now = self._clock()
        with self._write_connection() as connection:
            store_lock.acquire(connection, member_lock(owner), owner, now, ttl)
            return _live_members(connection, now, owner)

    def leave_members(self, owner: str) -> int:
        """``owner`` stops: its member lock goes and its leases are freed at once; returns how many leases."""
        now = self._clock()
        with self._write_connection() as connection:
            store_lock.release(connection, member_lock(owner), owner)
            return _free(connection, owner, None, now)

    def live_members(self) -> list[str]:
        """The owners of the live members, sorted."""
        now = self._clock()
        with self._read() as connection:
            return _live_members(connection, now)

    # -- leases ---------------------------------------------------------------------------------

    def leases(self) -> list[Lease]:
        """Every lease row, free ones included, by group."""
        with self._read() as connection:
            return [_lease(r) for r in connection.execute(select(LeaseRow.__table__).order_by(LeaseRow.group_key))]

    def take_lease(self, group: str, teams: Sequence[str], owner: str, ttl: timedelta) -> Lease | None:
        """Lease ``group`` (of ``teams``) to ``owner`` until now + ``ttl`` when it is free, expired or its
        holder is gone (the fence then grows); None when another daemon holds it."""
        now = self._clock()
        values = {"owner": owner, "teams": list(teams), "acquired_at": now, "expires_at": now + ttl}
        with self._write_connection() as connection:
            insert = (
                dialect_insert(connection, LeaseRow)
                .values(group_key=group, fence=1, **values)
                .on_conflict_do_nothing(index_elements=["group_key"])
                .execution_options(preserve_rowcount=True)  # else psycopg reports -1 for an INSERT
            )
            if connection.execute(insert).rowcount != 1:
                current = connection.execute(select(LeaseRow.__table__).where(LeaseRow.group_key == group)).one()
                lease = _lease(current)
                if lease.owner == owner or not lease.free_at(now):
                    return None
                take = (
                    update(LeaseRow)
                    .where(LeaseRow.group_key == group, LeaseRow.owner == lease.owner, LeaseRow.fence == lease.fence)
                    .values(fence=LeaseRow.fence + 1, **values)
                )
                if connection.execute(take).rowcount != 1:
                    return None  # another daemon took it between our statements
            row = connection.execute(select(LeaseRow.__table__).where(LeaseRow.group_key == group)).one()
            return _lease(row)

    def renew_leases(self, owner: str, groups: Collection[str], ttl: timedelta) -> set[str]:
        """Extend ``owner``'s leases of ``groups`` to now + ``ttl``; returns the groups it still holds.

        A lease that expired but that no other daemon took is still ``owner``'s: no one wrote on it.
        """
        if not groups:
            return set()
        with self._write_connection() as connection:
            mine = (LeaseRow.owner == owner, LeaseRow.group_key.in_(sorted(groups)))
            connection.execute(update(LeaseRow).where(*mine).values(expires_at=self._clock() + ttl))
            return set(connection.scalars(select(LeaseRow.group_key).where(*mine)))

    def release_leases(self, owner: str, groups: Collection[str]) -> int:
        """Free ``owner``'s leases of ``groups`` for other daemons to take at once; returns how many."""
        if not groups:
            return 0
        with self._write_connection() as connection:
            return _free(connection, owner, groups, self._clock())

    def holds_leases(self, owner: str, fences: Mapping[str, int]) -> bool:
        """Whether ``owner`` holds every lease of ``fences`` (group -> fence), unexpired, with that fence:
        the check before a write on those groups' teams."""
        if not fences:
            return True
        now = self._clock()
        with self._read() as connection:
            rows = connection.execute(
                select(LeaseRow.group_key, LeaseRow.fence).where(
                    LeaseRow.group_key.in_(sorted(fences)), LeaseRow.owner == owner, LeaseRow.expires_at >= now
                )
            )
            held = {row.group_key: int(row.fence) for row in rows}
        return held == dict(fences)

    def forget_leases(self, groups: Collection[str]) -> int:
        """Drop the free or expired lease rows of groups not in ``groups`` (teams no longer mapped so)."""
        now = self._clock()
        stale = or_(LeaseRow.owner == FREE, LeaseRow.expires_at < now)
        with self._write_connection() as connection:
            stmt = delete(LeaseRow).where(stale, LeaseRow.group_key.not_in(sorted(groups)))
            return connection.execute(stmt).rowcount

    def abandon_runs_of_gone(self, live: Collection[str]) -> list[int]:
        """Mark ``abandoned`` every run still ``running`` whose owner is not among ``live`` (it was killed)."""
        with self._write_connection() as connection:
            running = select(RunRow.id, RunRow.owner).where(RunRow.status == "running")
            ids = [r.id for r in connection.execute(running) if r.owner not in live]
            if ids:
                connection.execute(
                    update(RunRow)
                    .where(RunRow.id.in_(ids))
                    .values(status="abandoned", finished_at=self._clock(), error=ABANDONED_ERROR)
                )
            return ids


def _live_members(connection: Connection, now: datetime, joining: str | None = None) -> list[str]:
    """The owners of the members live at ``now`` (``joining`` always among them), sorted: a member whose
    lock expired, or whose process ran on this host and is gone, is not."""
    rows = connection.execute(select(LockRow.owner, LockRow.expires_at).where(LockRow.name.like(MEMBER + "%")))
    return sorted(
        row.owner
        for row in rows
        if row.owner == joining or (row.expires_at >= now and not store_lock.owner_is_gone(row.owner))
    )


def _free(connection: Connection, owner: str, groups: Collection[str] | None, now: datetime) -> int:
    stmt = update(LeaseRow).where(LeaseRow.owner == owner).values(owner=FREE, expires_at=now)
    if groups is not None:
        stmt = stmt.where(LeaseRow.group_key.in_(sorted(groups)))
    return connection.execute(stmt).rowcount
