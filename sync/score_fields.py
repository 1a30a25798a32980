"""The score fields kpiokr writes into Jira, each declared once.

An entry says everything the rest reads about its field: the ``[score_fields]`` setting that names
it and the Jira name it defaults to, the kind of Jira field (which decides how a value is sent and
compared, :mod:`sync.app.writeback`), where it is written (each objective's epic or each key-result
issue), what it holds, and the options a select list needs. The mapping schema, ``kpiokr setup``,
evaluation, write-back and ``kpiokr check`` read these entries; a test holds both READMEs' tables
to them. A new score field is a new entry here.

An ``optional`` field is written only where the site has it: a site that lacks it (it was installed
before the field existed and ``kpiokr setup`` has not run since) gets no "missing score field"
problem for it, unless its mapping names it in ``[score_fields]``. A field written ``from_forecast``
holds the objective's forecast at cycle end: a pass makes the forecasts where a team has such a field,
and empties it while the data are too thin for one, so it never shows a stale figure (the other
fields keep what they hold when there is nothing to write).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from kpiokr.forecasting import Forecast
from kpiokr.okr import KeyResultScore, ObjectiveScore, ObjectiveStatus

#: How a Jira field takes a value: a number, a select-list option, or text.
FieldKind = Literal["number", "select", "text"]
#: Where a score field is written: each objective's epic, or each key-result issue.
Place = Literal["objective", "key_result"]


@dataclass(frozen=True)
class ObjectiveGrade:
    """What the objective fields are written from: its score, and its forecast at cycle end when there
    is one with a chance of success (:func:`sync.app.properties.forecasts.objective_forecasts`)."""

    score: ObjectiveScore
    forecast: Forecast | None = None


Graded = TypeVar("Graded", ObjectiveGrade, KeyResultScore)

_KIND_NOUNS: dict[FieldKind, str] = {"number": "Number field", "select": "Select list", "text": "Text field"}
_PLACES: dict[Place, tuple[str, str]] = {
    "objective": ("the epic", "the objective's epic"),
    "key_result": ("each key-result issue", "each key-result issue"),
}


@dataclass(frozen=True)
class ScoreField(Generic[Graded]):
    """One field kpiokr writes: its setting, default name, kind, place and value."""

    setting: str
    default_name: str
    kind: FieldKind
    place: Place
    #: What the field holds, as the docs say it (``0.00-1.00``).
    holds: str
    #: The value written for a grade; ``None``: nothing to write (a key result not measured yet).
    value: Callable[[Graded], float | str | None]
    #: The options a select list must have.
    options: tuple[str, ...] = ()
    #: Written only where the site has the field (see the module docstring).
    optional: bool = False
    #: The value comes from the objective's forecast; ``None`` (no forecast) empties the field.
    from_forecast: bool = False

    @property
    def description(self) -> str:
        """What the mapping schema says of the setting, e.g. ``Number field on the epic``."""
        optional = " (optional: written where the site has it)" if self.optional else ""
        return f"{_KIND_NOUNS[self.kind]} on {_PLACES[self.place][0]}{optional}"

    @property
    def written_to(self) -> str:
        """Where the field is written, as the docs say it (``the objective's epic``)."""
        return _PLACES[self.place][1]


OBJECTIVE_SCORE: ScoreField[ObjectiveGrade] = ScoreField(
    "objective_score", "Objective score", "number", "objective", "0.00-1.00", lambda g: g.score.score
)
OBJECTIVE_STATUS: ScoreField[ObjectiveGrade] = ScoreField(
    "objective_status",
    "Objective status",
    "select",
    "objective",
    " / ".join(s.value for s in ObjectiveStatus),
    lambda g: g.score.status.value,
    options=tuple(s.value for s in ObjectiveStatus),
)
OBJECTIVE_SUMMARY: ScoreField[ObjectiveGrade] = ScoreField(
    "objective_summary",
    "Objective summary",
    "text",
    "objective",
    "e.g. `0.24 · at risk · behind the pace the cycle expects`",
    lambda g: g.score.summary,
)
OBJECTIVE_FORECAST: ScoreField[ObjectiveGrade] = ScoreField(
    "objective_forecast_score",
    "Objective forecast",
    "number",
    "objective",
    "0.00-1.00: the score projected at cycle end, empty while the data are too thin for a forecast"
    " (optional: written once the field exists)",
    lambda g: None if g.forecast is None else g.forecast.projection,
    optional=True,
    from_forecast=True,
)
OBJECTIVE_FIELDS: tuple[ScoreField[ObjectiveGrade], ...] = (
    OBJECTIVE_SCORE,
    OBJECTIVE_STATUS,
    OBJECTIVE_SUMMARY,
    OBJECTIVE_FORECAST,
)
KEY_RESULT_PROGRESS: ScoreField[KeyResultScore] = ScoreField(
    "key_result_progress", "Key result progress", "number", "key_result", "0.00-1.00", lambda s: s.score
)
KEY_RESULT_FIELDS: tuple[ScoreField[KeyResultScore], ...] = (KEY_RESULT_PROGRESS,)
AnyScoreField = ScoreField[ObjectiveGrade] | ScoreField[KeyResultScore]
#: Every score field, in the order the docs list them.
SCORE_FIELDS: tuple[AnyScoreField, ...] = (
    *OBJECTIVE_FIELDS,
    *KEY_RESULT_FIELDS,
)
#: The settings of the optional score fields.
OPTIONAL_SETTINGS = frozenset(f.setting for f in SCORE_FIELDS if f.optional)
