"""Translated histories kept between passes: an issue is read and translated again only when it changed.

The first pass of a process reads every stored issue of a team; later passes re-read only the
issues the fetch stored, so recomputing a team after one issue changed does not decode 100,000
issues again.

The fetch can also hand each batch it read to :meth:`HistoryCache.seed` while the JSON is still in
memory: issues translated there are not read back from the store. A first full sync then decodes
every issue once instead of twice (reading 100,000 issues back took ~20 s). The store stays the
judge of which issues a team has and in which version: a seeded history is used only when the
store holds that very version.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from kpiokr.history import IssueHistory
from sync.app.evaluate import IssueIndex, JiraAnswers
from sync.jira import SiteDictionary, parse_datetime, to_history
from sync.mapping import TeamMapping
from sync.store import Store

_V = TypeVar("_V")


@dataclass
class _TeamHistories:
    dictionary: SiteDictionary
    by_id: dict[str, IssueHistory] = field(default_factory=dict)
    extra_keys: frozenset[str] = frozenset()
    index: IssueIndex = field(default_factory=lambda: IssueIndex(()))

    def put(self, issue_id: str, history: IssueHistory) -> None:
        self.index.replace(self.by_id.get(issue_id), history)
        self.by_id[issue_id] = history


@dataclass
class _Seed:
    dictionary: SiteDictionary
    #: Issue id -> (``updated`` of the copy translated, its history).
    by_id: dict[str, tuple[datetime, IssueHistory]] = field(default_factory=dict)


class HistoryCache:
    """Each team's histories by issue id, translated with the team's site dictionary."""

    def __init__(self) -> None:
        self._teams: dict[str, _TeamHistories] = {}
        self._seeds: dict[str, _Seed] = {}

    def seed(
        self,
        raws: Sequence[Mapping[str, Any]],
        changed: Sequence[Mapping[str, Any]],
        teams: Mapping[str, tuple[TeamMapping, SiteDictionary]],
        *,
        full: bool,
    ) -> None:
        """Translate issues just fetched (complete changelogs) for the teams whose projects hold them,
        for the next :meth:`index` of each team to use instead of reading them back from the store.

        A team whose histories are kept (and not read afresh: ``full``) needs only the ``changed``
        ones; copies it already holds come back in every incremental search.
        """
        for name, (team, dictionary) in teams.items():
            prefixes = _prefixes(team)
            seed = self._seeds.get(name)
            if seed is None or seed.dictionary is not dictionary:
                seed = self._seeds[name] = _Seed(dictionary)
            kept = self._teams.get(name)
            for raw in changed if not full and kept is not None and kept.dictionary is dictionary else raws:
                if str(raw.get("key", "")).startswith(prefixes):
                    updated = parse_datetime(str(raw["fields"]["updated"]))
                    seed.by_id[str(raw["id"])] = (updated, to_history(raw, dictionary))

    def index(
        self,
        store: Store,
        team: TeamMapping,
        dictionary: SiteDictionary,
        answers: JiraAnswers,
        changed_keys: Collection[str] | None = None,
    ) -> IssueIndex:
        """The team's histories: its projects' issues plus the objectives and key results it names.

        With ``changed_keys`` and a warm cache built with the same dictionary, only those issues
        are read again; otherwise every issue is.
        """
        name = team.team.name
        extra = outside_keys(team, answers)
        cached = self._teams.get(name)
        seed = self._seeds.pop(name, None)
        seeded = seed.by_id if seed is not None and seed.dictionary is dictionary else {}
        warm = cached is not None and cached.dictionary is dictionary and cached.extra_keys == extra
        if cached is None or not warm or changed_keys is None:
            cached = _TeamHistories(dictionary, extra_keys=extra)
            self._teams[name] = cached
            if not _take_seeded(cached, store, team, seeded):
                _add(cached, store.iter_issues(team.team.projects), dictionary)
            _add(cached, (raw for key in sorted(extra) if (raw := store.get_issue(key)) is not None), dictionary)
            cached.index = IssueIndex(cached.by_id.values())
        else:
            by_key = {history.key: (issue_id, history) for issue_id, (_, history) in seeded.items()}
            mine = [k for k in changed_keys if k.startswith(_prefixes(team)) or k in extra]
            for key in mine:
                if key in by_key:
                    cached.put(*by_key[key])
                elif (raw := store.get_issue(key)) is not None:
                    cached.put(str(raw["id"]), to_history(raw, dictionary))
        return cached.index

    def covering(self, teams: Collection[str]) -> HistoryCache:
        """A cache of the histories kept for ``teams`` alone (the same objects, not copies)."""
        kept = HistoryCache()
        kept._teams = {name: held for name, held in self._teams.items() if name in teams}
        kept._seeds = {name: seed for name, seed in self._seeds.items() if name in teams}
        return kept

    def adopt(self, other: HistoryCache, teams: Collection[str]) -> None:
        """Take over what ``other`` keeps for ``teams`` (a cache :meth:`covering` them, after a pass over them)."""
        take_over(self._teams, other._teams, teams)
        take_over(self._seeds, other._seeds, teams)

    def forget(self, teams: Collection[str] | None = None) -> None:
        """Read every issue of ``teams`` (all when None) again on the next pass (after a reconciliation
        deleted or moved some, or another pass stored issues of theirs)."""
        for name in list(self._teams) if teams is None else teams:
            self._teams.pop(name, None)
        for name in list(self._seeds) if teams is None else teams:
            self._seeds.pop(name, None)


def _take_seeded(
    cached: _TeamHistories, store: Store, team: TeamMapping, seeded: Mapping[str, tuple[datetime, IssueHistory]]
) -> bool:
    """Fill ``cached`` from ``seeded`` when it holds every issue of the team in its stored version."""
    if not seeded:
        return False
    versions = store.issue_versions(team.team.projects)
    if len(versions) > len(seeded) or any(seeded.get(i, (None,))[0] != at for i, at in versions.items()):
        return False
    cached.by_id.update((issue_id, seeded[issue_id][1]) for issue_id in sorted(versions))
    return True


def _add(cached: _TeamHistories, raws: Iterable[dict[str, Any]], dictionary: SiteDictionary) -> None:
    for raw in raws:
        cached.by_id[str(raw["id"])] = to_history(raw, dictionary)


def take_over(mine: dict[str, _V], theirs: Mapping[str, _V], names: Iterable[str]) -> None:
    """``mine`` holds for each of ``names`` what ``theirs`` holds (nothing where it holds nothing)."""
    for name in names:
        if name in theirs:
            mine[name] = theirs[name]
        else:
            mine.pop(name, None)


def outside_keys(team: TeamMapping, answers: JiraAnswers) -> frozenset[str]:
    """The keys of the issues outside ``team``'s projects that Jira's ``answers`` name (objectives,
    key results): read beside the team's own histories."""
    return frozenset(k for k in answers.named_keys() if not k.startswith(_prefixes(team)))


def _prefixes(team: TeamMapping) -> tuple[str, ...]:
    return tuple(f"{p}-" for p in team.team.projects)
