"""What can go wrong with the state store; every message says what to do about it.

:class:`StoreError`, the base, lives in :mod:`sync.errors` with the rest of the tree.
"""

from __future__ import annotations

from datetime import datetime

from sync.errors import StoreError

__all__ = ["StoreError", "StoreLocked", "StoreNewerThanCode", "StoreOutdated"]


class StoreLocked(StoreError):  # noqa: N818 - reads as the condition it reports
    """Another daemon holds the store's lock."""

    def __init__(
        self, name: str, holder: str, since: datetime, expires_at: datetime, *, single_daemon: bool = False
    ) -> None:
        self.name = name
        self.holder = holder
        self.since = since
        self.expires_at = expires_at
        command = holder.rpartition("@")[0] or "daemon"  # owners are ``command@host:pid``
        wait = "Stop it first" if command == "daemon" else "Wait for it to end"
        if single_daemon and command == "daemon":
            wait = (
                "A SQLite store serves one daemon at a time: stop that one first, or, to run several daemons "
                'side by side, keep the store on PostgreSQL (store.url = "postgresql://...", see "Several '
                'daemons" in the README)'
            )
        super().__init__(
            f"the store is locked ({name!r}) by {holder} since {since.isoformat(timespec='seconds')}: "
            f"another `kpiokr {command}` is running on this store. {wait}; if it was killed, the lock "
            f"can be taken after {expires_at.isoformat(timespec='seconds')} (or at once from its own host)"
        )


class StoreOutdated(StoreError):  # noqa: N818
    """The store's schema is older than this code and was not migrated."""

    def __init__(self, current: str, head: str, command: str) -> None:
        self.current = current
        self.head = head
        super().__init__(
            f"the store's schema is at revision {current}, this kpiokr needs {head}: "
            f"back up the store, then run `{command}`"
        )


class StoreNewerThanCode(StoreError):  # noqa: N818
    """The store was migrated by a newer kpiokr than this one."""

    def __init__(self, current: str, head: str) -> None:
        self.current = current
        self.head = head
        super().__init__(
            f"the store's schema is at revision {current}, which this kpiokr does not know (it knows up to "
            f"{head}): the store was migrated by a newer kpiokr; upgrade kpiokr on this machine"
        )
