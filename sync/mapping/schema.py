"""The mapping file's schema: one TOML file per team or program, as frozen pydantic models.

The models are the single source of truth: ``mappings/schema.json`` is generated from them. Key
results and their defaults are discriminated by ``measure`` (see :mod:`sync.mapping.key_results`);
KPIs by ``kind`` (see :mod:`sync.mapping.kpis`). Attributes are named as the TOML keys, except arrays of tables:
``[[objective]]`` is ``TeamMapping.objective_overrides``, ``[[kpi]]`` is ``TeamMapping.kpis`` and
``[[objective.key_result]]`` is ``ObjectiveOverride.key_results``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import Field, PrivateAttr, model_validator

from sync.mapping.key_results import (
    ChildCompletionDefault,
    KeyResultDefaults,
    KeyResultOverride,
)
from sync.mapping.kpi_models import KpiMapping
from sync.mapping.problems import MappingSource
from sync.mapping.review import ReviewSection
from sync.mapping.sections import (
    Ambition,
    CycleSection,
    JiraFields,
    ObjectivesSection,
    ScoreFields,
    TeamSection,
    Tolerance,
)
from sync.mapping.toml_positions import TomlPositions
from sync.mapping.types import (
    ALL_OBJECTIVES,
    IssueKey,
    KpiRef,
    References,
    Table,
    Text,
    at,
)

# --- objectives and the whole file ---------------------------------------------------------


class ObjectiveOverride(Table):
    """One objective's own settings and key results, by its epic key."""

    key: IssueKey = Field(description="The epic, e.g. MOB-1")
    ambition: Ambition | None = Field(None, description="Default: [objectives] ambition")
    owner: Text | None = Field(None, description="Default: the epic's assignee")
    tolerance: Tolerance | None = Field(None, description="Default: [objectives] tolerance")
    guardrails: tuple[KpiRef, ...] = Field((), description="KPIs that must stay healthy (besides those with guards)")
    key_results: tuple[KeyResultOverride, ...] = Field((), alias="key_result")


class TeamMapping(Table):
    """One mapping file: a team's (or program's) objectives, key results, KPIs and Jira fields."""

    team: TeamSection
    cycle: CycleSection
    past_cycles: tuple[CycleSection, ...] = Field(
        (), alias="past_cycle", description="Earlier cycles, for kpiokr report --cycle NAME; names unique"
    )
    objectives: ObjectivesSection = ObjectivesSection()
    key_results: KeyResultDefaults = ChildCompletionDefault()
    objective_overrides: tuple[ObjectiveOverride, ...] = Field((), alias="objective")
    kpis: tuple[KpiMapping, ...] = Field((), alias="kpi")
    score_fields: ScoreFields = ScoreFields()
    jira_fields: JiraFields = JiraFields()
    review: ReviewSection = ReviewSection()
    _source: MappingSource | None = PrivateAttr(None)

    @classmethod
    def from_toml_data(cls, data: Mapping[str, Any], source: MappingSource | None = None) -> TeamMapping:
        """Validate a parsed TOML document, checking references between its tables."""
        team = cls.model_validate(data, context=References.of(data))
        team._source = source
        return team

    @model_validator(mode="after")
    def _cycle_names_unique(self) -> Self:
        seen = {self.cycle.name}
        for index, past in enumerate(self.past_cycles):
            if past.name in seen:
                raise at(("past_cycle", index, "name"), f"cycle {past.name!r} is already named: give each its own name")
            seen.add(past.name)
        return self

    @model_validator(mode="after")
    def _measures_something(self) -> Self:
        if not self.has_objectives and not self.kpis:
            raise at(
                "objectives",
                "nothing to measure: give objectives (a jql or keys here, or [[objective]] tables) or [[kpi]] tables",
            )
        if self.key_results.source == "listed":
            listed = {o.key for o in self.objective_overrides if o.key_results}
            for index, key in enumerate(self.objectives.keys):
                if key not in listed:
                    raise at(
                        ("objectives", "keys", index), f'{key} lists no [[objective.key_result]] (source = "listed")'
                    )
            for index, override in enumerate(self.objective_overrides):
                if override.key not in listed:
                    raise at(("objective", index, "key"), 'lists no [[objective.key_result]] (source = "listed")')
        return self

    @property
    def objective_keys(self) -> tuple[str, ...] | None:
        """The objectives' epic keys when listed in the file; ``None`` when chosen by JQL."""
        if self.objectives.jql is not None:
            return None
        return tuple(dict.fromkeys([*self.objectives.keys, *(o.key for o in self.objective_overrides)]))

    @property
    def has_objectives(self) -> bool:
        """False for a team that only watches KPIs (a support team): no objectives, no scores to write."""
        return self.objectives.jql is not None or bool(self.objective_keys)

    @property
    def source(self) -> MappingSource:
        """The file this mapping was read from (a stand-in without positions when built in code)."""
        return self._source or MappingSource(f"<team {self.team.name}>", TomlPositions({}))

    def objective_override(self, epic_key: str) -> ObjectiveOverride | None:
        """The ``[[objective]]`` table of ``epic_key``, if any."""
        return next((o for o in self.objective_overrides if o.key == epic_key), None)

    def key_result_override(self, key: str) -> KeyResultOverride | None:
        """The ``[[objective.key_result]]`` table of issue ``key``, if any."""
        return next((kr for o in self.objective_overrides for kr in o.key_results if kr.key == key), None)

    def guardrails_of(self, epic_key: str) -> tuple[str, ...]:
        """KPIs guarding objective ``epic_key``: its own guardrails, then KPIs whose guards name it or "*"."""
        override = self.objective_override(epic_key)
        guarding = [k.key for k in self.kpis if epic_key in k.guards or ALL_OBJECTIVES in k.guards]
        return tuple(dict.fromkeys([*(override.guardrails if override else ()), *guarding]))
