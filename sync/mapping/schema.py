"""The mapping file's schema: one TOML file per team or program, as frozen pydantic models.

The models are the single source of truth: ``mappings/schema.json`` is generated from them. Key
results and their defaults are discriminated by ``measure``; KPIs by ``kind`` (see
:mod:`sync.mapping.kpis`). Attributes are named as the TOML keys, except arrays of tables:
``[[objective]]`` is ``TeamMapping.objective_overrides``, ``[[kpi]]`` is ``TeamMapping.kpis`` and
``[[objective.key_result]]`` is ``ObjectiveOverride.key_results``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import Discriminator, Field, PrivateAttr, Tag, model_validator

from kpiokr.okr import ChildCompletion, EstimateCompletion, KpiTarget, Measure, Milestone, NumericTarget, QueryCount
from sync.mapping.kpi_models import KpiMapping
from sync.mapping.problems import MappingSource
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
    MAX_WEIGHT,
    IssueKey,
    KpiRef,
    Number,
    References,
    Table,
    Text,
    at,
)

EPIC_PLACEHOLDER = "{epic}"

Weight = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=MAX_WEIGHT)]


# --- measures of key results --------------------------------------------------------------------
#
# A measure is a model whose ``measure`` tag names it, whose ``to_measure`` builds the domain
# measure (which grades), and whose class constants say which Jira answers it reads, by the keys
# of its table: number fields of the key-result issue (translated into its history) and JQL
# queries whose matching issues are counted (asked each pass, kept in the report's basis).
# ``kpiokr check`` checks those against the site and errors name those keys' lines.
# A new measure is a domain class with ``score`` and a model here, added to KeyResultOverride.


class KeyResultMeasure(Table):
    """A key result's measure as a mapping table gives it."""

    #: Keys whose values name a number field of the key-result issue that the measure reads.
    number_field_keys: ClassVar[tuple[str, ...]] = ()
    #: Keys whose values are JQL queries whose matching issues the measure counts.
    counted_jql_keys: ClassVar[tuple[str, ...]] = ()

    def to_measure(self) -> Measure:
        """The domain measure."""
        raise NotImplementedError

    def number_fields(self) -> dict[str, str]:
        """The number fields read, by the key naming each."""
        return {key: str(getattr(self, key)) for key in self.number_field_keys}

    def counted_jqls(self) -> dict[str, str]:
        """The queries counted, by the key holding each."""
        return {key: str(getattr(self, key)) for key in self.counted_jql_keys}


class ChildCompletionMeasure(KeyResultMeasure):
    """Share of the key-result issue's child issues that are done."""

    measure: Literal["child_completion"]

    def to_measure(self) -> Measure:
        """The domain measure."""
        return ChildCompletion()


class EstimateCompletionMeasure(KeyResultMeasure):
    """Share of the children's estimate (story points) that is done."""

    measure: Literal["estimate_completion"]

    def to_measure(self) -> Measure:
        """The domain measure."""
        return EstimateCompletion()


class MilestoneMeasure(KeyResultMeasure):
    """Done or not done: the key-result issue itself."""

    measure: Literal["milestone"]

    def to_measure(self) -> Measure:
        """The domain measure."""
        return Milestone()


class _Span(KeyResultMeasure):
    """A number moved from ``baseline`` towards ``target``, in either direction."""

    baseline: Number = Field(description="Where the number stood when the cycle began")
    target: Number = Field(description="Where it should be by the end of the cycle")

    @model_validator(mode="after")
    def _target_differs(self) -> Self:
        if self.target == self.baseline:
            raise at("target", f"must differ from baseline {self.baseline:g}")
        return self


class NumericMeasure(_Span):
    """A number read from a field of the key-result issue, e.g. Downloads from 120000 to 200000."""

    measure: Literal["numeric"]
    field: Text = Field(description='The Jira number field to read, by name, e.g. "Downloads"')
    number_field_keys = ("field",)

    def to_measure(self) -> Measure:
        """The domain measure."""
        return NumericTarget(number=self.field, baseline=self.baseline, target=self.target)


class KpiMeasure(_Span):
    """A KPI of this file, from baseline towards target."""

    measure: Literal["kpi"]
    kpi: KpiRef = Field(description="The key of a [[kpi]] of this file")

    def to_measure(self) -> Measure:
        """The domain measure."""
        return KpiTarget(kpi=self.kpi, baseline=self.baseline, target=self.target)


class QueryCountMeasure(_Span):
    """How many issues match a JQL query, from baseline (default 0) towards target."""

    measure: Literal["query_count"]
    jql: Text = Field(description="The issues to count")
    baseline: Number = Field(0.0, description="The count when the cycle began")
    counted_jql_keys = ("jql",)

    def to_measure(self) -> Measure:
        """The domain measure."""
        return QueryCount(query=self.jql, baseline=self.baseline, target=self.target)


@dataclass(frozen=True)
class TagOf:
    """A discriminator reading ``key`` from a raw table, ``missing`` when the key is absent."""

    key: str
    missing: str

    @property
    def __name__(self) -> str:
        """What pydantic calls the discriminator in its messages."""
        return self.key

    def __call__(self, value: Any) -> str:
        """The tag of ``value``, a raw table or a model."""
        found = value.get(self.key, self.missing) if isinstance(value, dict) else getattr(value, self.key, self.missing)
        return str(found)


# --- key results ----------------------------------------------------------------------------------


class _KeyResultSelection(Table):
    source: Literal["children", "jql", "listed"] = Field(
        "children",
        description='"children": the epic\'s child issues; "jql": the issues matching jql; '
        '"listed": only the [[objective.key_result]] tables',
    )
    jql: Text | None = Field(None, description='With source = "jql": the key results; {epic} is the epic\'s key')

    @model_validator(mode="after")
    def _jql_with_source(self) -> Self:
        if self.source == "jql" and (self.jql is None or EPIC_PLACEHOLDER not in self.jql):
            raise at(
                "jql", f'source = "jql" needs a jql containing {EPIC_PLACEHOLDER}, e.g. "parent = {EPIC_PLACEHOLDER}"'
            )
        if self.source != "jql" and self.jql is not None:
            raise at("jql", f'is only read with source = "jql" (source is "{self.source}")')
        return self


class ChildCompletionDefault(_KeyResultSelection, ChildCompletionMeasure):
    """Key results measured by the share of their child issues done (the default)."""

    measure: Literal["child_completion"] = "child_completion"


class EstimateCompletionDefault(_KeyResultSelection, EstimateCompletionMeasure):
    """Key results measured by the share of their children's estimate done."""


class MilestoneDefault(_KeyResultSelection, MilestoneMeasure):
    """Key results that are done or not done."""


class NumericDefault(_KeyResultSelection, NumericMeasure):
    """Key results that all read the same number field with the same baseline and target."""


KeyResultDefaults = Annotated[
    Annotated[ChildCompletionDefault, Tag("child_completion")]
    | Annotated[EstimateCompletionDefault, Tag("estimate_completion")]
    | Annotated[MilestoneDefault, Tag("milestone")]
    | Annotated[NumericDefault, Tag("numeric")],
    Discriminator(TagOf("measure", "child_completion")),
]


class _KeyResultOverride(Table):
    key: IssueKey = Field(description="The key-result issue, e.g. MOB-11")
    weight: Weight = Field(1.0, description="Its weight in the objective's score")
    owner: Text | None = Field(None, description="Default: the issue's assignee")


class DefaultMeasureKeyResult(_KeyResultOverride):
    """A key result measured the way [key_results] says, with its own weight or owner."""


class ChildCompletionKeyResult(_KeyResultOverride, ChildCompletionMeasure):
    """A key result measured by the share of its child issues done."""


class EstimateCompletionKeyResult(_KeyResultOverride, EstimateCompletionMeasure):
    """A key result measured by the share of its children's estimate done."""


class MilestoneKeyResult(_KeyResultOverride, MilestoneMeasure):
    """A key result that is done or not done."""


class NumericKeyResult(_KeyResultOverride, NumericMeasure):
    """A key result read from a number field of its issue."""


class KpiKeyResult(_KeyResultOverride, KpiMeasure):
    """A key result that follows a KPI of this file."""


class QueryCountKeyResult(_KeyResultOverride, QueryCountMeasure):
    """A key result that counts the issues matching a JQL query."""


#: The discriminator tag of a key result without ``measure`` (a space: no measure is called that).
TEAM_DEFAULT = "team default"

KeyResultOverride = Annotated[
    Annotated[DefaultMeasureKeyResult, Tag(TEAM_DEFAULT)]
    | Annotated[ChildCompletionKeyResult, Tag("child_completion")]
    | Annotated[EstimateCompletionKeyResult, Tag("estimate_completion")]
    | Annotated[MilestoneKeyResult, Tag("milestone")]
    | Annotated[NumericKeyResult, Tag("numeric")]
    | Annotated[KpiKeyResult, Tag("kpi")]
    | Annotated[QueryCountKeyResult, Tag("query_count")],
    Discriminator(TagOf("measure", TEAM_DEFAULT)),
]


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
