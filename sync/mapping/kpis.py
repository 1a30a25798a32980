"""KPIs in a mapping file: one ``[[kpi]]`` table each, the calculator's parameters beside the common keys.

:class:`KpiBase` holds the keys every KPI has. Each calculator's table is a static model in
:mod:`sync.mapping.kpi_models`, generated from the calculator's dataclass by
:mod:`sync.mapping.kpi_source`, so ``schema.json`` knows each kind's parameters and an unknown
parameter is an unknown key like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, Self, cast, get_args

from pydantic import AllowInfNan, ConfigDict, Field, Strict, ValidationInfo, field_validator, model_validator

from kpiokr.calculators import CALCULATORS, KpiCalculator
from kpiokr.kpi import Calculator, Direction, Window
from sync.mapping.types import (
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

DEFAULT_DAYS = 28
DEFAULT_SPRINTS = 3

#: A calculator's number parameter: a TOML number, finite (``"3"`` is not taken for 3).
FiniteFloat = Annotated[float, Strict(), AllowInfNan(False)]


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


def _calculator_description(schema: dict[str, Any], cls: type[Any]) -> None:
    """A calculator's table is described by the calculator's docstring (its first paragraph)."""
    if issubclass(cls, KpiBase) and cls is not KpiBase:
        doc = (cls.calculator_class().__doc__ or "").split("\n\n")[0]
        schema["description"] = " ".join(doc.replace("``", "").split())


class KpiBase(Table):
    """The keys every KPI has, whatever its calculator; each calculator's model adds its parameters."""

    model_config = ConfigDict(json_schema_extra=_calculator_description)

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
        build = cast(Callable[..., Calculator], self.calculator_class())
        return build(**parameters, keys=keys)

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
