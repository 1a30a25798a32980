"""Translated histories kept between passes: an issue is read and translated again only when it changed.

The first pass of a process reads every stored issue of a team; later passes re-read only the
issues the fetch stored, so recomputing a team after one issue changed does not decode 100,000
issues again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from kpiokr.history import IssueHistory
from sync.evaluate import IssueIndex, JiraAnswers
from sync.mapping_schema import TeamMapping
from sync.store import Store
from sync.translate import SiteDictionary, to_history


@dataclass
class _TeamHistories:
    dictionary: SiteDictionary
    by_id: dict[str, IssueHistory] = field(default_factory=dict)
    extra_keys: frozenset[str] = frozenset()


class HistoryCache:
    """Each team's histories by issue id, translated with the team's site dictionary."""

    def __init__(self) -> None:
        self._teams: dict[str, _TeamHistories] = {}

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
        extra = frozenset(k for k in answers.named_keys() if not k.startswith(_prefixes(team)))
        cached = self._teams.get(name)
        warm = cached is not None and cached.dictionary is dictionary and cached.extra_keys == extra
        if cached is None or not warm or changed_keys is None:
            cached = _TeamHistories(dictionary, extra_keys=extra)
            self._teams[name] = cached
            raws: Iterable[dict[str, Any]] = store.iter_issues(team.team.projects)
            _add(cached, raws, dictionary)
            _add(cached, (raw for key in sorted(extra) if (raw := store.get_issue(key)) is not None), dictionary)
        else:
            mine = [k for k in changed_keys if k.startswith(_prefixes(team)) or k in extra]
            _add(cached, (raw for key in mine if (raw := store.get_issue(key)) is not None), dictionary)
        return IssueIndex(cached.by_id.values())

    def forget(self) -> None:
        """Read every issue again on the next pass (after a reconciliation deleted or moved some)."""
        self._teams.clear()


def _add(cached: _TeamHistories, raws: Iterable[dict[str, Any]], dictionary: SiteDictionary) -> None:
    for raw in raws:
        cached.by_id[str(raw["id"])] = to_history(raw, dictionary)


def _prefixes(team: TeamMapping) -> tuple[str, ...]:
    return tuple(f"{p}-" for p in team.team.projects)
