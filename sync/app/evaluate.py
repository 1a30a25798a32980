"""One team's evaluation: objectives, key results and KPIs from its histories, and the values to write.

Pure: the runner gathers the histories and what only Jira can answer (which epics a JQL selects,
how many issues a query counts) and this module does the rest with the domain core.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from kpiokr.forecasting import Forecast
from kpiokr.history import IssueHistory
from kpiokr.kpi import KpiResult, TeamData, evaluate_kpi
from kpiokr.okr import KeyResultInputs, score_key_result, score_objective
from sync.app.evaluation_basis import JiraAnswers, basis_document
from sync.app.results import TeamResult
from sync.app.writeback import DesiredValue
from sync.jira import BoardConfig, FieldInfo, SiteDictionary
from sync.mapping import (
    MappingProblem,
    TeamMapping,
    build_cycle,
    build_key_result,
    build_kpi_definitions,
    build_objective,
    key_result_count_warnings,
    objective_count_warnings,
    unmeasured_warnings,
)
from sync.score_fields import (
    KEY_RESULT_FIELDS,
    OBJECTIVE_FIELDS,
    SCORE_FIELDS,
    AnyScoreField,
    FieldKind,
    ObjectiveGrade,
)

__all__ = ["IssueIndex", "JiraAnswers", "evaluate_team"]


class IssueIndex:
    """Histories by key, with each issue's children (by current parent: next-gen parent or Epic Link).

    Kept between passes and updated with :meth:`replace`, so a pass after one issue changed does
    not walk 100,000 histories again; an updated issue keeps its place in :meth:`in_projects`.
    """

    def __init__(self, histories: Iterable[IssueHistory]) -> None:
        self.by_key: dict[str, IssueHistory] = {}
        self._children: dict[str, list[IssueHistory]] = {}
        self._selected: dict[tuple[str, ...], dict[str, IssueHistory]] = {}
        self._names: dict[str, str] = {}
        for history in histories:
            self.by_key[history.key] = history
            if history.current.parent:
                self._children.setdefault(history.current.parent, []).append(history)
            if history.assignee and history.assignee_name:
                self._names[history.assignee] = history.assignee_name

    def replace(self, old: IssueHistory | None, new: IssueHistory) -> None:
        """Put ``new`` in the place of ``old`` (the same issue's previous version, if any)."""
        if old is not None:
            self._unlink(old)
            if old.key != new.key:
                self.remove(old)
        self.by_key[new.key] = new
        if new.current.parent:
            self._children.setdefault(new.current.parent, []).append(new)
        if new.assignee and new.assignee_name:
            self._names[new.assignee] = new.assignee_name
        for prefixes, selected in self._selected.items():
            if new.key.startswith(prefixes):
                selected[new.key] = new

    def remove(self, history: IssueHistory) -> None:
        """Forget ``history`` (an issue deleted or moved away)."""
        if self.by_key.get(history.key) is history:
            self._unlink(history)
            del self.by_key[history.key]
            for selected in self._selected.values():
                selected.pop(history.key, None)

    def _unlink(self, history: IssueHistory) -> None:
        siblings = self._children.get(history.current.parent or "")
        if siblings:
            self._children[history.current.parent or ""] = [h for h in siblings if h is not history]

    def display_name(self, person: str | None) -> str | None:
        """The name people read for ``person``: a Jira account id (or Data Center user name) becomes
        the display name its issues show; any other text is kept as written."""
        return None if person is None else self._names.get(person, person)

    def children(self, key: str) -> list[IssueHistory]:
        """The issues whose parent is ``key``, in the order of their keys: the same whether the index was
        built at once or kept up to date across passes (an objective's key results keep their order)."""
        return sorted(self._children.get(key, []), key=_key_order)

    def in_projects(self, projects: Iterable[str]) -> list[IssueHistory]:
        """The issues of the given projects (by key prefix)."""
        prefixes = tuple(f"{p}-" for p in projects)
        selected = self._selected.get(prefixes)
        if selected is None:
            selected = {h.key: h for h in self.by_key.values() if h.key.startswith(prefixes)}
            self._selected[prefixes] = selected
        return list(selected.values())


def _key_order(history: IssueHistory) -> tuple[str, int]:
    project, _, number = history.key.rpartition("-")
    return project, int(number) if number.isdigit() else 0


def key_result_keys(team: TeamMapping, epic_key: str, index: IssueIndex, answers: JiraAnswers) -> list[str]:
    """An objective's key-result issues: by the team's source, plus those listed in its table."""
    override = team.objective_override(epic_key)
    listed = [kr.key for kr in override.key_results] if override else []
    source = team.key_results.source
    if source == "children":
        found = [h.key for h in index.children(epic_key) if not h.is_subtask]
    elif source == "jql":
        found = list(answers.key_result_keys.get(epic_key, ()))
    else:
        found = []
    return list(dict.fromkeys([*found, *listed]))


def evaluate_team(
    team: TeamMapping,
    index: IssueIndex,
    data: TeamData,
    answers: JiraAnswers,
    as_of: datetime,
    *,
    site: SiteDictionary | None = None,
    board: BoardConfig | None = None,
) -> TeamResult:
    """Score every objective of ``team`` and evaluate its KPIs at ``as_of``.

    ``site`` and ``board`` (what the histories were translated with) are kept in the result's
    basis with ``answers``, so the same evaluation can be made again from the store.
    """
    cycle = build_cycle(team, data.tz)
    name = index.display_name
    kpis: dict[str, KpiResult] = {
        definition.key: evaluate_kpi(replace(definition, owner=name(definition.owner)), data, as_of)
        for definition in build_kpi_definitions(team, answers.kpi_matches)
    }
    objectives = []
    for epic_key in answers.objective_keys:
        epic = index.by_key.get(epic_key)
        krs = []
        for kr_key in key_result_keys(team, epic_key, index, answers):
            issue = index.by_key.get(kr_key)
            kr = build_key_result(kr_key, issue.summary if issue else kr_key, team, issue.assignee if issue else None)
            krs.append(replace(kr, owner=name(kr.owner)))
        objective = build_objective(
            epic_key, epic.summary if epic else epic_key, epic.assignee if epic else None, krs, team, cycle=cycle
        )
        objective = replace(objective, owner=name(objective.owner))
        scores = [
            score_key_result(
                kr,
                KeyResultInputs(index.by_key.get(kr.key), index.children(kr.key), kpis, answers.query_counts),
                as_of,
            )
            for kr in objective.key_results
        ]
        objectives.append((objective, score_objective(objective, scores, kpis, as_of)))
    basis = basis_document(answers, site, board, data.tz)
    return TeamResult(team.team.name, as_of, cycle.name, tuple(objectives), tuple(kpis.values()), basis)


def count_warnings(team: TeamMapping, result: TeamResult) -> list[MappingProblem]:
    """The literature's advice on counts, against what Jira returned: 3-5 objectives of 3-5 key results;
    and key results whose measure found nothing to measure."""
    warnings = objective_count_warnings(team, len(result.objectives))
    for objective, score in result.objectives:
        warnings.extend(key_result_count_warnings(team, objective.key, len(objective.key_results)))
        warnings.extend(unmeasured_warnings(team, objective, score))
    return warnings


#: The score fields every team with objectives must have on the site.
REQUIRED_SETTINGS = frozenset(f.setting for f in SCORE_FIELDS if not f.optional)


@dataclass(frozen=True)
class ScoreFieldIds:
    """The site's field for each score field setting (:data:`sync.score_fields.SCORE_FIELDS`);
    a setting whose field does not exist (yet) is absent. ``required``: the settings whose field
    must exist (an optional field only when the mapping names it)."""

    by_setting: Mapping[str, FieldInfo] = field(default_factory=dict)
    required: frozenset[str] = REQUIRED_SETTINGS

    def present(self) -> list[FieldInfo]:
        """The fields that exist."""
        return list(self.by_setting.values())

    @property
    def complete(self) -> bool:
        """True when every required score field exists."""
        return self.required <= self.by_setting.keys()

    @property
    def wants_forecasts(self) -> bool:
        """True when a field written from the objectives' forecasts exists."""
        return any(f.from_forecast and f.setting in self.by_setting for f in OBJECTIVE_FIELDS)


def field_kind(info: FieldInfo) -> FieldKind:
    """How values are written to a field: number, select list or text."""
    if info.schema_type == "number":
        return "number"
    if info.custom_type and info.custom_type.endswith((":select", ":radiobuttons")):
        return "select"
    return "text"


def desired_values(
    result: TeamResult, fields: ScoreFieldIds, forecasts: Mapping[str, Forecast] | None = None
) -> list[DesiredValue]:
    """Each objective field on each objective epic, each key-result field on each key-result issue
    (where the key result has a value). A key result shared by two objectives is written once.

    ``forecasts`` are the objectives' forecasts by epic key when the pass made them (``None``: it did
    not, and the fields written from them are left as they are); an objective without one then gets
    its forecast fields emptied."""
    wanted: dict[tuple[str, str], DesiredValue] = {}

    def want(issue: str, score_field: AnyScoreField, value: float | str | None) -> None:
        info = fields.by_setting.get(score_field.setting)
        if info is None or (value is None and not score_field.from_forecast):
            return
        wanted[issue, info.id] = DesiredValue(issue, info.id, info.name, field_kind(info), value)

    for objective, score in result.objectives:
        grade = ObjectiveGrade(score, None if forecasts is None else forecasts.get(objective.key))
        for objective_field in OBJECTIVE_FIELDS:
            if forecasts is not None or not objective_field.from_forecast:
                want(objective.key, objective_field, objective_field.value(grade))
        for kr in score.key_results:
            for kr_field in KEY_RESULT_FIELDS:
                want(kr.key, kr_field, kr_field.value(kr))
    return list(wanted.values())
