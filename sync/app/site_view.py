"""The teams as the current site facts resolve them: site dictionaries, score fields, fields to fetch.

A team whose mapping names a field the site lacks (its estimate, a key result's number field) is
left out of the view with a :class:`sync.app.team_faults.TeamFault`; a missing score field is only
reported, as the team's reads and scores go on without that field's writes. An optional score field
(:data:`sync.score_fields.OPTIONAL_SETTINGS`) the site lacks is written nowhere and reported only when
the team's mapping names it in ``[score_fields]``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sync.app.boards import board_id_of
from sync.app.evaluate import REQUIRED_SETTINGS, ScoreFieldIds
from sync.app.run_summary import RunSummary
from sync.app.score_fields import explain_missing
from sync.app.site_answers import SiteAnswers
from sync.app.team_faults import TeamFault, blame, number_field_loc
from sync.errors import FieldNotFound
from sync.jira import Account, BoardConfig, FieldInfo, SiteDictionary, resolve_field
from sync.mapping import TeamMapping, numeric_fields
from sync.score_fields import OPTIONAL_SETTINGS
from sync.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteView:
    """The teams as the current site facts resolve them."""

    teams: Sequence[TeamMapping]
    dictionaries: Mapping[str, SiteDictionary]
    score_fields: Mapping[str, ScoreFieldIds]
    search_fields: tuple[str, ...]

    @property
    def missing_fields(self) -> bool:
        """True when some team's score field is not on the site."""
        return not all(fields.complete for fields in self.score_fields.values())


@dataclass
class Dictionaries:
    """Each team's site dictionary with what it was built from, kept between passes while that holds,
    and the translation warnings given (kept across rebuilt dictionaries, so each is given once)."""

    by_team: dict[str, tuple[object, SiteDictionary]] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set)


class SiteViews:
    """Builds :class:`SiteView` s, keeping each team's site dictionary in ``kept`` while the facts it rests on hold."""

    def __init__(self, site: SiteAnswers, store: Store, kept: Dictionaries) -> None:
        self.site = site
        self.store = store
        self.kept = kept

    def view(
        self, teams: Sequence[TeamMapping], boards: Mapping[str, BoardConfig | None], summary: RunSummary
    ) -> SiteView:
        """The view of ``teams``; a team whose mapping names a field the site lacks is failed in ``summary``.

        A field list not read in this pass (kept from an earlier one, or from the store) is read
        again before a team is failed for a field it lacks.
        """
        account = self.site.account()
        dictionaries, faults = self._dictionaries_of(teams, account, boards)
        if any(isinstance(f.error, FieldNotFound) for f in faults) and self.site.refresh_fields():
            dictionaries, faults = self._dictionaries_of(teams, account, boards)
        for fault in faults:
            summary.fail_team(fault.team, str(fault))
        kept = [t for t in teams if t.team.name in dictionaries]
        score_fields = {t.team.name: self._score_fields(t, summary) for t in kept}
        search_fields = _search_fields(dictionaries.values(), score_fields.values())
        return SiteView(kept, dictionaries, score_fields, search_fields)

    def _dictionaries_of(
        self, teams: Sequence[TeamMapping], account: Account, boards: Mapping[str, BoardConfig | None]
    ) -> tuple[dict[str, SiteDictionary], list[TeamFault]]:
        dictionaries: dict[str, SiteDictionary] = {}
        faults: list[TeamFault] = []
        for team in teams:
            try:
                dictionaries[team.team.name] = self._dictionary(team, account, boards.get(team.team.name))
            except TeamFault as fault:
                faults.append(fault)
        return dictionaries, faults

    def _dictionary(self, team: TeamMapping, account: Account, board: BoardConfig | None) -> SiteDictionary:
        """The team's site dictionary, built again only when the site facts or the board changed."""
        fields, statuses = self.site.fields(), self.site.statuses()
        estimate = None
        if team.jira_fields.estimate:
            with blame(team, ("jira_fields", "estimate")):
                estimate = resolve_field(fields, team.jira_fields.estimate).id
        if estimate is not None:
            board = (
                replace(board, estimation_field_id=estimate)
                if board
                else BoardConfig(board_id_of(self.site, team) or 0, "", estimate, frozenset())
            )
        names = {name: name for name in sorted(numeric_fields(team))}
        scores = tuple(name for _, name in team.score_fields)  # kpiokr's own writes to these are left out
        signature = (id(fields), id(statuses), account, board, tuple(names), scores)
        cached = self.kept.by_team.get(team.team.name)
        if cached is None or cached[0] != signature:
            for name in names:
                with blame(team, number_field_loc(team, name)):
                    resolve_field(fields, name)
            built = SiteDictionary.build(
                fields,
                statuses,
                account=account,
                board=board,
                numbers=names,
                score_fields=scores,
                warned=self.kept.warned,
            )
            cached = (signature, built)
            self.kept.by_team[team.team.name] = cached
        return cached[1]

    def _score_fields(self, team: TeamMapping, summary: RunSummary) -> ScoreFieldIds:
        """The team's score fields on the site; a missing one is reported and its writes left out (an
        optional one only when the mapping names it). A team of KPIs only writes no score."""
        if not team.has_objectives:
            return ScoreFieldIds()
        fields = self.site.fields()
        found: dict[str, FieldInfo] = {}
        required = REQUIRED_SETTINGS | (OPTIONAL_SETTINGS & team.score_fields.model_fields_set)
        for setting, name in team.score_fields.by_setting().items():
            try:
                found[setting] = resolve_field(fields, name)
            except FieldNotFound as error:
                if setting not in required and not error.reason:
                    continue  # an optional field not created: its values are not written
                why = explain_missing(name, setting, fields, self.store.field_ids_written(), error)
                problem = f"{team.team.name}: {why} Until then these scores are not written; reads go on."
                if problem not in summary.problems:
                    summary.problems.append(problem)
                    summary.missing_score_fields.append(problem)
                    log.warning("%s", problem)
        return ScoreFieldIds(found, required)


def _search_fields(dictionaries: Iterable[SiteDictionary], score_fields: Iterable[ScoreFieldIds]) -> tuple[str, ...]:
    wanted: list[str] = ["summary", "assignee", "project", "updated", "created"]
    for dictionary in dictionaries:
        wanted.extend(dictionary.search_fields())
    wanted.extend(f.id for fields in score_fields for f in fields.present())
    return tuple(dict.fromkeys(wanted))
