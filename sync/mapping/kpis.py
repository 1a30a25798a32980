"""KPIs in a mapping file: one ``[[kpi]]`` table each, the calculator's parameters beside the common keys.

A model is built for every calculator in :data:`kpiokr.calculators.CALCULATORS` from its dataclass
fields (``keys`` excepted: sync sets it from the KPI's ``jql``), so ``schema.json`` knows each
kind's parameters and an unknown parameter is an unknown key like any other.
"""

from __future__ import annotations

import dataclasses
import re
from types import UnionType
from typing import Annotated, Any, Literal, Self, Union, get_args, get_origin, get_type_hints

from pydantic import AllowInfNan, Field, Strict, ValidationInfo, create_model, field_validator, model_validator

from kpiokr.calculators import CALCULATORS, KpiCalculator
from kpiokr.kpi import Calculator, Direction, Window
from sync.mapping.types import (
    MAX_DAYS,
    MAX_HOURS,
    MAX_TREND_POINTS,
    Days,
    Number,
    ObjectiveRef,
    Sprints,
    Table,
    Text,
    at,
    references,
)

#: Calculator fields the mapping does not set: sync fills ``keys`` from the KPI's ``jql``.
SET_BY_SYNC = frozenset({"keys"})
DEFAULT_DAYS = 28
DEFAULT_SPRINTS = 3

_PARAMETER_DOCS = {
    "issue_types": 'Issue types counted, e.g. ["Story", "Bug"]; empty: every type but sub-tasks',
    "priorities": 'Only issues with one of these priorities, e.g. ["Highest", "High"]; empty: any',
    "labels": "Only issues with any of these labels; empty: any",
    "statistic": "median, p85, p90, p95, mean or max",
    "excluded_resolutions": "Resolutions that say no work was needed, left out",
    "ageing_after_hours": "Also list unresolved issues older than this many hours",
    "sla_hours": "Hours allowed from creation to resolution (required)",
    "age_days": "Days in progress after which an issue counts as ageing",
    "bug_types": "Issue types that are defects",
    "story_types": "Issue types that deliver value",
}

#: The largest value of the calculators' number parameters: five years.
_PARAMETER_MAXIMA = {"sla_hours": MAX_HOURS, "ageing_after_hours": MAX_HOURS, "age_days": MAX_DAYS}


class WindowSpec(Table):
    """How far back a KPI looks: ``{ days = 28 }`` or ``{ sprints = 3 }`` (closed sprints)."""

    days: Days | None = Field(None, description="The last N days (at most 5 years)")
    sprints: Sprints | None = Field(None, description="The last N closed sprints (at most 130)")

    @model_validator(mode="after")
    def _days_or_sprints(self) -> Self:
        if (self.days is None) == (self.sprints is None):
            raise ValueError("give either days or sprints, e.g. { days = 28 } or { sprints = 3 }")
        return self

    def to_window(self) -> Window:
        """The domain window."""
        return Window(days=self.days, sprints=self.sprints)


class KpiBase(Table):
    """The keys every KPI has, whatever its calculator; each calculator's model adds its parameters."""

    key: Text = Field(description="Short name other tables refer to (guardrails, key results' kpi)")
    name: Text = Field(description="What reports call it")
    kind: str = Field(description="The calculator")
    owner: Text | None = Field(None, description="Who answers for this KPI")
    unit: Text | None = Field(None, description="Default: the calculator's unit")
    direction: Literal["higher", "lower"] | None = Field(
        None, description="Which way is better; default: the calculator's"
    )
    window: WindowSpec | None = Field(
        None, validate_default=True, description="Default: { sprints = 3 } for sprint KPIs, else { days = 28 }"
    )
    threshold: Number | None = Field(None, description="Guardrail: beyond this the KPI is in breach; default: target")
    target: Number = Field(description="Healthy at or beyond this value")
    guards: tuple[ObjectiveRef, ...] = Field((), description='Objectives (epic keys) this KPI guards; "*" for all')
    jql: Text | None = Field(None, description="Only the issues matching this JQL")
    trend_points: Annotated[int, Strict(), Field(ge=2, le=MAX_TREND_POINTS)] = Field(
        4, description="How many windows the trend samples"
    )

    @classmethod
    def calculator_class(cls) -> type[KpiCalculator]:
        """The calculator of this model's kind."""
        (kind,) = get_args(cls.model_fields["kind"].annotation)
        return CALCULATORS[kind]

    @classmethod
    def parameter_names(cls) -> tuple[str, ...]:
        """The calculator parameters this model adds to the common keys."""
        return tuple(name for name in cls.model_fields if name not in KpiBase.model_fields)

    def calculator(self, keys: frozenset[str] | None = None) -> Calculator:
        """The calculator with this KPI's parameters; ``keys``: the issues the KPI's ``jql`` matched."""
        parameters: dict[str, Any] = {name: getattr(self, name) for name in self.parameter_names()}
        return self.calculator_class()(**parameters, keys=keys)

    @property
    def effective_window(self) -> Window:
        """The window, or the default for the calculator."""
        if self.window is not None:
            return self.window.to_window()
        return Window(sprints=DEFAULT_SPRINTS) if self.calculator_class().needs_sprints else Window(days=DEFAULT_DAYS)

    @property
    def direction_override(self) -> Direction | None:
        """The direction the file sets, if any."""
        return None if self.direction is None else Direction(self.direction)

    @field_validator("window")
    @classmethod
    def _window_computable(cls, window: WindowSpec | None, info: ValidationInfo) -> WindowSpec | None:
        calculator = cls.calculator_class()
        refs = references(info)
        kanban = refs is not None and refs.board_type == "kanban"
        if calculator.needs_sprints and kanban:
            raise ValueError(f"{calculator.kind} is measured per sprint, and a Kanban board has no sprints")
        if calculator.needs_sprints and refs is not None and not refs.has_board:
            raise ValueError(
                f"{calculator.kind} is measured per sprint: set board in [team] to the board whose sprints it counts"
            )
        if window is not None and window.days is not None and calculator.needs_sprints:
            raise ValueError(f"{calculator.kind} is measured per sprint: use {{ sprints = {DEFAULT_SPRINTS} }}")
        if window is not None and window.sprints is not None and kanban:
            raise ValueError(f"a Kanban board has no sprints: use {{ days = {DEFAULT_DAYS} }}")
        return window

    @field_validator("target")
    @classmethod
    def _target_beyond_threshold(cls, target: float, info: ValidationInfo) -> float:
        threshold = info.data.get("threshold")
        if threshold is None or target == threshold or "direction" not in info.data:
            return target
        override = info.data["direction"]
        direction = Direction(override) if override else cls.calculator_class().direction
        if not direction.better(target, threshold):
            whose = "" if override else f" for {cls.calculator_class().kind}"
            raise ValueError(f"must be better than the threshold {threshold:g} ({direction.value} is better{whose})")
        return target

    @model_validator(mode="after")
    def _parameters_accepted(self) -> Self:
        try:
            self.calculator()
        except ValueError as error:
            raise at(_first_named(str(error), self.parameter_names()), str(error)) from None
        return self


def _first_named(message: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """The parameter the message names first (as a location), or ``()`` for the KPI itself."""
    found = [(m.start(), name) for name in names if (m := re.search(rf"\b{name}\b", message))]
    return (min(found)[1],) if found else ()


def _strict(annotation: Any) -> Any:
    """``annotation`` with its scalars strict, so TOML ``"3"`` is not taken for the number 3, and its
    floats finite."""
    if annotation is float:
        return Annotated[float, Strict(), AllowInfNan(False)]
    if annotation in (str, int, bool):
        return Annotated[annotation, Strict()]
    args = get_args(annotation)
    if get_origin(annotation) is tuple:
        return tuple[tuple(arg if arg is Ellipsis else _strict(arg) for arg in args)]
    if get_origin(annotation) in (Union, UnionType):
        return Union[tuple(_strict(arg) for arg in args)]  # noqa: UP007
    return annotation


def _kpi_model(calculator: type[KpiCalculator]) -> type[KpiBase]:
    """The ``[[kpi]]`` table of one calculator: the common keys plus its dataclass fields."""
    hints = get_type_hints(calculator)
    fields: dict[str, Any] = {"kind": (Literal[calculator.kind], Field(description="The calculator"))}
    for field in dataclasses.fields(calculator):
        if field.name in SET_BY_SYNC:
            continue
        if field.name in KpiBase.model_fields:
            raise TypeError(f"calculator {calculator.kind}: parameter {field.name} clashes with a KPI key")
        default: Any = ...
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        description = _PARAMETER_DOCS.get(field.name)
        maximum = _PARAMETER_MAXIMA.get(field.name)
        fields[field.name] = (_strict(hints[field.name]), Field(default, description=description, le=maximum))
    doc = " ".join((calculator.__doc__ or "").split("\n\n")[0].replace("``", "").split())
    return create_model(f"{calculator.__name__}Kpi", __base__=KpiBase, __doc__=doc, **fields)


KPI_MODELS: dict[str, type[KpiBase]] = {kind: _kpi_model(cls) for kind, cls in CALCULATORS.items()}

#: One ``[[kpi]]`` table, its model chosen by ``kind``.
KpiMapping = Annotated[Union[tuple(KPI_MODELS.values())], Field(discriminator="kind")]  # noqa: UP007
