"""Key results in a mapping file: their measures, ``[key_results]`` and ``[[objective.key_result]]``.

A measure is a model whose ``measure`` tag names it, whose ``to_measure`` builds the domain measure
(which grades, :mod:`kpiokr.okr`), and whose class constants say which Jira answers it reads, by the
keys of its table: number fields of the key-result issue (translated into its history) and JQL
queries whose matching issues are counted (asked each pass, kept in the report's basis). ``kpiokr
check`` checks those against the site, and errors name those keys' lines. A new measure is a domain
class with ``score`` and, here, its model, its ``[[objective.key_result]]`` table and its tag in
:data:`KeyResultOverride` (and in :data:`KeyResultDefaults` when a team may give it to every key result).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import Discriminator, Field, Tag, model_validator

from kpiokr.okr import ChildCompletion, EstimateCompletion, KpiTarget, Measure, Milestone, NumericTarget, QueryCount
from sync.mapping.types import MAX_WEIGHT, IssueKey, KpiRef, Number, Table, Text, at

EPIC_PLACEHOLDER = "{epic}"

Weight = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=MAX_WEIGHT)]


# --- measures ------------------------------------------------------------------------------------


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
