"""The histories of every mapped team, kept by the dashboard for its as-of pages.

Evaluating a team at a past date needs all its histories; reading and translating them from the
store costs ~0.25 ms an issue (8 s for a team of 33,000 issues). The dashboard reads each team's
once, in a thread of its own from the moment it starts (:class:`Warmer`), and after each run reads
again only the issues whose stored version changed (the store's ``updated`` by issue id), so a
past date costs its evaluation alone and the answers stay those of ``kpiokr report --as-of``: the
same histories, in the same order, with the same site vocabulary.

After each round of reading ahead, what it read is moved out of the garbage collector's sight
(:func:`gc.freeze`): the histories live until the next run changes them, and a full collection
tracing ~100,000 of them took 1-3 s, landing on whatever page was being answered (see
benchmarks/README.md). They hold no reference cycles, so reference counting frees those a later
read replaces all the same.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from kpiokr.history import IssueHistory
from sync.app.as_of import StoredTeam
from sync.app.evaluate import IssueIndex
from sync.app.evaluation_basis import Basis, JiraAnswers
from sync.app.history_cache import outside_keys
from sync.jira import SiteDictionary, to_history
from sync.mapping import TeamMapping
from sync.store import Store

log = logging.getLogger(__name__)

#: Above this many issues changed since the last read, a team's histories are read afresh.
MOST_CHANGED = 2000


@dataclass(frozen=True)
class _Held:
    """One team's histories by issue id (in id order), the stored version each was read in, and the
    team over them."""

    vocabulary: tuple[object, ...]
    versions: Mapping[str, datetime]
    by_id: Mapping[str, IssueHistory]
    generation: object
    extras: frozenset[str]
    stored: StoredTeam


class KeptHistories:
    """Each team's histories, read once and brought up to date when the store's ``generation`` (what
    changes when a run starts or ends) moves; thread-safe, one reader per team at a time."""

    def __init__(self) -> None:
        self._held: dict[str, _Held] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def at(self, generation: object) -> Callable[[Store, TeamMapping, Basis, SiteDictionary, JiraAnswers], StoredTeam]:
        """A loader (:data:`sync.app.as_of.Loader`) that catches up with the store's ``generation``."""

        def load(
            store: Store, team: TeamMapping, latest: Basis, site: SiteDictionary, answers: JiraAnswers
        ) -> StoredTeam:
            name = team.team.name
            extras = outside_keys(team, answers)
            reading = _Reading(store, team, latest, site, extras, generation)
            with self._team_lock(name):
                held = self._held.get(name)
                if held is None or held.vocabulary != reading.vocabulary:
                    held = reading.read_all()
                elif held.generation != generation:
                    held = reading.catch_up(held)
                elif held.extras != extras:
                    held = replace(held, extras=extras, stored=reading.team_over(held.by_id))
                self._held[name] = held
            stored = held.stored
            if stored.team is team and stored.latest is latest:
                return stored
            return replace(stored, team=team, latest=latest)

        return load

    def forget(self, keep: set[str]) -> None:
        """Drop the histories of every team not in ``keep`` (teams no mapping file holds any more)."""
        with self._lock:
            for name in [n for n in self._held if n not in keep]:
                del self._held[name]

    def issues(self) -> int:
        """How many histories are kept, over every team."""
        with self._lock:
            return sum(len(held.by_id) for held in self._held.values())

    def _team_lock(self, name: str) -> threading.Lock:
        with self._lock:
            return self._locks.setdefault(name, threading.Lock())


@dataclass(frozen=True)
class _Reading:
    """One team's histories read from ``store`` in the store's ``generation``."""

    store: Store
    team: TeamMapping
    latest: Basis
    site: SiteDictionary
    extras: frozenset[str]
    generation: object

    @property
    def vocabulary(self) -> tuple[object, ...]:
        """What translating and evaluating a history depends on: the site's vocabulary and time zone."""
        site = self.site
        words = (getattr(site, f.name) for f in fields(site) if f.compare and not f.name.startswith("_"))
        return (*words, self.latest.timezone)

    def read_all(self) -> _Held:
        """Every stored issue of the team's projects, translated (the versions are taken first, so an
        issue stored meanwhile is read again next time)."""
        projects = self.team.team.projects
        versions = self.store.issue_versions(projects)
        by_id = {str(raw["id"]): to_history(raw, self.site) for raw in self.store.iter_issues(projects)}
        return _Held(self.vocabulary, versions, by_id, self.generation, self.extras, self.team_over(by_id))

    def catch_up(self, held: _Held) -> _Held:
        """``held`` with the issues stored, changed or deleted since it was read; every issue read
        again when too many changed or one cannot be found by its key (moved, say)."""
        versions = self.store.issue_versions(self.team.team.projects)
        changed = [i for i, at in versions.items() if held.versions.get(i) != at]
        if len(changed) > MOST_CHANGED:
            return self.read_all()
        kept = {i: h for i, h in held.by_id.items() if i in versions}
        raws = self._changed_issues(kept, changed)
        if raws is None:
            return self.read_all()
        kept.update((issue_id, to_history(raw, self.site)) for issue_id, raw in raws.items())
        by_id = {i: kept[i] for i in sorted(kept)}
        log.debug("team %s: %d history(ies) read again for the dashboard", self.team.team.name, len(changed))
        return _Held(held.vocabulary, versions, by_id, self.generation, self.extras, self.team_over(by_id))

    def _changed_issues(
        self, by_id: Mapping[str, IssueHistory], changed: list[str]
    ) -> dict[str, dict[str, Any]] | None:
        """The raw JSON of the ``changed`` issues by id: known ones by their key, new ones among the
        keys not held; None when one of them cannot be found that way."""
        keys = [by_id[i].key for i in changed if i in by_id]
        if any(i not in by_id for i in changed):
            held = {h.key for h in by_id.values()}
            keys += [k for k in self.store.issue_keys(self.team.team.projects) if k not in held]
        raws = {str(raw["id"]): raw for key in keys if (raw := self.store.get_issue(key)) is not None}
        return raws if raws.keys() >= set(changed) else None

    def team_over(self, by_id: Mapping[str, IssueHistory]) -> StoredTeam:
        """The team over ``by_id`` (in id order, as :meth:`HistoryCache.index` reads them) and the
        issues outside its projects that Jira's answers name."""
        store, site = self.store, self.site
        named = (to_history(raw, site) for key in sorted(self.extras) if (raw := store.get_issue(key)) is not None)
        return StoredTeam.over(store, self.team, self.latest, site, IssueIndex([*by_id.values(), *named]))


class Warmer:
    """Calls ``warm`` in a thread of its own at once and then every ``interval`` seconds until :meth:`stop`.

    After each call every object alive is frozen out of the garbage collector's sight (the
    permanent generation, which collections skip; freezing traces nothing), and :meth:`stop`
    hands them back.
    """

    def __init__(self, warm: Callable[[threading.Event], None], interval: float) -> None:
        self._warm = warm
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dashboard-histories", daemon=True)

    def start(self) -> None:
        """Begin warming."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to end and wait up to ``timeout`` seconds for it (it ends between teams)."""
        self._stop.set()
        self._thread.join(timeout)
        gc.unfreeze()

    def alive(self) -> bool:
        """Whether the thread still runs."""
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._warm(self._stop)
            except Exception:  # a thread of its own: the pages still read the histories on demand
                if not self._stop.is_set():
                    log.exception("the dashboard could not read the teams' histories ahead; pages read them on demand")
            else:
                if not self._stop.is_set():
                    gc.freeze()
            self._stop.wait(self._interval)
