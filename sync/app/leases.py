"""Several daemons on one PostgreSQL store: which teams this daemon scores, and its fair share of them.

Teams that read a common project form one *group* (:func:`project_groups`: the connected components
of teams over their projects), leased as a whole, so the daemon holding it fetches a shared project
once. :class:`LeaseKeeper` is one daemon's side: :meth:`LeaseKeeper.balance` keeps it a member of the
store, renews its leases, frees what it holds beyond its share and takes free groups up to it (each
live member gets ``groups // members``, the first ``groups % members`` of them by name one more).
The daemon calls it on a heartbeat every third of the lease time, so a new daemon gets its share
within a heartbeat or two and a killed daemon's groups are taken over once its leases expire. A pass
runs over the teams of the groups held when it starts (:meth:`LeaseKeeper.begin_pass`), and before each
write :meth:`LeaseKeeper.check` makes sure the leases are still held with the same fences.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from sync.errors import StoreError
from sync.mapping import TeamMapping
from sync.store import LeaseLost, Store

__all__ = ["LeaseKeeper", "fair_share", "group_key", "project_groups"]

log = logging.getLogger(__name__)

#: Group keys longer than this are replaced by a digest (the lease table's key holds 255 characters).
KEY_LIMIT = 200


def group_key(projects: Iterable[str]) -> str:
    """The lease key of a group of teams: its projects, sorted (a digest when they are many)."""
    text = "+".join(sorted(set(projects)))
    return text if len(text) <= KEY_LIMIT else "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def project_groups(teams: Sequence[TeamMapping]) -> dict[str, tuple[str, ...]]:
    """Group key -> the names of the teams in it: teams sharing a project, directly or through others."""
    parent: dict[str, str] = {}

    def root(project: str) -> str:
        while parent.setdefault(project, project) != project:
            parent[project] = parent[parent[project]]
            project = parent[project]
        return project

    for team in teams:
        first, *others = team.team.projects
        for project in others:
            parent[root(project)] = root(first)
    members: dict[str, list[TeamMapping]] = {}
    for team in teams:
        members.setdefault(root(team.team.projects[0]), []).append(team)
    return {
        group_key(p for t in group for p in t.team.projects): tuple(sorted(t.team.name for t in group))
        for group in members.values()
    }


def fair_share(groups: int, members: Sequence[str], owner: str) -> int:
    """How many of ``groups`` the member ``owner`` holds when the live ``members`` (sorted) split them evenly."""
    count = max(len(members), 1)
    index = members.index(owner) if owner in members else count
    return groups // count + (1 if index < groups % count else 0)


class LeaseKeeper:
    """One daemon's leases on a shared store: balanced on a heartbeat, checked before each write."""

    def __init__(self, store: Store, owner: str, ttl: timedelta, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.owner = owner
        self.ttl = ttl
        self.clock = clock
        self._groups: dict[str, tuple[str, ...]] = {}
        self._held: dict[str, int] = {}  # group -> the fence it was taken with
        self._busy: dict[str, int] = {}  # the groups of the pass in progress
        self._lock = threading.Lock()

    def use(self, teams: Sequence[TeamMapping]) -> None:
        """Split these teams (the mappings in force) into groups from now on."""
        with self._lock:
            self._groups = project_groups(teams)

    def balance(self) -> set[str]:
        """Stay a member, renew the leases held, free the surplus over the fair share (never the groups
        of a pass in progress), take free groups up to it; returns the groups newly taken."""
        with self._lock:
            store, owner = self.store, self.owner
            members = store.join_members(owner, self.ttl)
            still = store.renew_leases(owner, self._held.keys(), self.ttl)
            if lost := self._held.keys() - still:
                log.warning("leases lost to another daemon (this one was stalled): %s", ", ".join(sorted(lost)))
            self._held = {g: f for g, f in self._held.items() if g in still}
            share = fair_share(len(self._groups), members, owner)
            spare = sorted(g for g in self._held if g not in self._busy)
            unmapped = [g for g in spare if g not in self._groups]
            mapped = sum(1 for g in self._held if g in self._groups)
            surplus = [g for g in spare if g in self._groups][::-1][: max(0, mapped - share)]
            if unmapped or surplus:
                store.release_leases(owner, [*unmapped, *surplus])
                for group in (*unmapped, *surplus):
                    del self._held[group]
                log.info("released %d group(s) for other daemons: %s", len(surplus), ", ".join(surplus) or "-")
            taken = self._take(share - sum(1 for g in self._held if g in self._groups))
            store.forget_leases(self._groups.keys())
            return taken

    def _take(self, wanted: int) -> set[str]:
        if wanted <= 0:
            return set()
        now = self.clock()
        leases = {lease.group: lease for lease in self.store.leases()}
        free = [g for g in self._groups if g not in self._held and (g not in leases or leases[g].free_at(now))]
        free.sort(key=lambda g: hashlib.sha256(f"{self.owner}/{g}".encode()).digest())  # racers spread out
        taken: set[str] = set()
        for group in free:
            if len(taken) == wanted:
                break
            lease = self.store.take_lease(group, self._groups[group], self.owner, self.ttl)
            if lease is not None:
                self._held[group] = lease.fence
                taken.add(group)
        if taken:
            log.info("leased %d group(s): %s", len(taken), ", ".join(sorted(taken)))
        return taken

    def begin_pass(
        self, teams: Sequence[TeamMapping], mapped: Sequence[TeamMapping] | None = None
    ) -> list[TeamMapping]:
        """The teams of ``teams`` (the mappings in force, else some of ``mapped``, those in force: a live
        update's) whose group this daemon holds, balanced first (a daemon passing back to back frees its
        surplus here); a pass over them starts."""
        self.use(teams if mapped is None else mapped)
        self.balance()
        with self._lock:
            self._busy = {g: f for g, f in self._held.items() if g in self._groups}
            names = {name for g in self._busy for name in self._groups[g]}
        return [t for t in teams if t.team.name in names]

    def end_pass(self) -> None:
        """The pass ended: its groups may be freed again."""
        with self._lock:
            self._busy = {}

    def check(self) -> None:
        """Raise :class:`LeaseLost` unless every lease of the pass in progress is still held with its fence."""
        busy = dict(self._busy)
        if not self.store.holds_leases(self.owner, busy):
            raise LeaseLost(self.owner, busy)

    def leased_teams(self) -> list[str]:
        """The teams this daemon holds now (sorted): what its metrics count as leased."""
        with self._lock:
            return sorted(name for g in self._held for name in self._groups.get(g, ()))

    def leave(self) -> None:
        """Stop being a member and free every lease at once, for the other daemons to take."""
        with self._lock:
            freed = self.store.leave_members(self.owner)
            self._held = {}
        log.info("left the store's daemons; %d lease(s) freed", freed)

    def heartbeat(self, stop: threading.Event, taken: Callable[[set[str]], object]) -> threading.Thread:
        """A thread that balances every third of the lease time until ``stop``; ``taken`` hears groups newly taken."""

        def beat() -> None:
            while not stop.wait(self.ttl.total_seconds() / 3):
                try:
                    if fresh := self.balance():
                        taken(fresh)
                except StoreError:  # the store is unreachable: the leases lapse; the next beat tries again
                    log.exception("lease heartbeat failed")

        thread = threading.Thread(target=beat, name="lease-heartbeat", daemon=True)
        thread.start()
        return thread
