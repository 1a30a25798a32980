"""The store's lock: one daemon per store, taken atomically in the database.

A lock is a row of ``locks`` with its owner (``host:pid``), when it was taken and when it expires
unless refreshed. It is taken by an INSERT that does nothing on conflict, or by an UPDATE whose
WHERE only matches an expired lock, or a lock whose owner ran on this host and is gone (a daemon
killed with SIGKILL never releases its lock). Every step is one statement, so two daemons racing
for the lock cannot both win, on SQLite (writes serialise) as on PostgreSQL (row locks).
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select, update

from sync.store.models import LockRow
from sync.store.records import LockInfo
from sync.store.tx import dialect_insert


def default_owner(command: str = "daemon") -> str:
    """``command@host:pid`` of this process: the owner its lock names, with the kpiokr command running."""
    return f"{command}@{socket.gethostname()}:{os.getpid()}"


def owner_is_gone(owner: str) -> bool:
    """True when ``owner`` (``[command@]host:pid``) ran on this host and that process no longer exists."""
    host, _, pid = owner.rpartition("@")[2].rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return not _pid_alive(int(pid))


def _pid_alive(pid: int) -> bool:
    if pid <= 0 or os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        return pid > 0
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def holder(connection: Connection, name: str) -> LockInfo | None:
    """Who holds lock ``name`` (expired or not), or None."""
    row = connection.execute(select(LockRow.__table__).where(LockRow.name == name)).one_or_none()
    return None if row is None else LockInfo(row.name, row.owner, row.acquired_at, row.expires_at)


def acquire(connection: Connection, name: str, owner: str, now: datetime, ttl: timedelta) -> LockInfo | None:
    """Take lock ``name`` for ``owner`` until ``now + ttl``; returns None on success, else the holder.

    Taking a lock one already holds extends it. Run it inside a write transaction.
    """
    expires = now + ttl
    values = {"name": name, "owner": owner, "acquired_at": now, "expires_at": expires}
    insert = (
        dialect_insert(connection, LockRow)
        .values(values)
        .on_conflict_do_nothing(index_elements=["name"])
        .execution_options(preserve_rowcount=True)  # else psycopg reports -1 for an INSERT
    )
    if connection.execute(insert).rowcount == 1:
        return None
    if refresh(connection, name, owner, expires):
        return None
    take = update(LockRow).values(owner=owner, acquired_at=now, expires_at=expires).where(LockRow.name == name)
    if connection.execute(take.where(LockRow.expires_at < now)).rowcount == 1:
        return None
    current = holder(connection, name)
    if current is None:  # released between our statements: try once more
        return None if connection.execute(insert).rowcount == 1 else holder(connection, name)
    if owner_is_gone(current.owner):
        same = take.where(LockRow.owner == current.owner, LockRow.acquired_at == current.acquired_at)
        if connection.execute(same).rowcount == 1:
            return None
    return current


def refresh(connection: Connection, name: str, owner: str, expires: datetime) -> bool:
    """Extend ``owner``'s lock to ``expires``; False when ``owner`` does not hold it (any more)."""
    stmt = update(LockRow).where(LockRow.name == name, LockRow.owner == owner).values(expires_at=expires)
    return connection.execute(stmt).rowcount == 1


def release(connection: Connection, name: str, owner: str) -> bool:
    """Drop ``owner``'s lock; False when ``owner`` did not hold it."""
    stmt = delete(LockRow).where(LockRow.name == name, LockRow.owner == owner)
    return connection.execute(stmt).rowcount == 1
