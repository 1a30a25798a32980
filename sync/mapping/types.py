"""The building blocks of the mapping-file schema: the base table, scalar types and reference checks.

Cross-references (a guardrail naming a KPI, ``guards`` naming an objective, a Kanban board with a
sprint window) are checked while each table is validated, against :class:`References` read
leniently from the raw file first. So a bad reference is reported at its own key, together with
every other error in the file, even when other tables are broken.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, ValidationInfo
from pydantic_core import PydanticCustomError

ISSUE_KEY = r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$"
PROJECT_KEY = r"^[A-Z][A-Z0-9_]+$"
ALL_OBJECTIVES = "*"

#: What a pattern mismatch means, for the error message.
PATTERN_MEANINGS = {
    ISSUE_KEY: "must be an issue key such as MOB-12",
    PROJECT_KEY: "must be a project key such as MOB",
}

#: The largest magnitude of a number in a mapping (targets, baselines, thresholds).
MAX_NUMBER = 1e15
#: Windows reach back at most five years: in days, in hours, in two-week sprints.
MAX_DAYS = 1826
MAX_HOURS = MAX_DAYS * 24
MAX_SPRINTS = 130
MAX_TREND_POINTS = 52
MAX_WEIGHT = 1000

#: What an upper bound means, for the error message.
BOUND_MEANINGS = {
    MAX_DAYS: "5 years",
    MAX_HOURS: "5 years",
    MAX_SPRINTS: "5 years of two-week sprints",
}

Text = Annotated[str, Strict(), Field(min_length=1)]
Number = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=-MAX_NUMBER, le=MAX_NUMBER)]
Days = Annotated[int, Strict(), Field(ge=1, le=MAX_DAYS)]
Sprints = Annotated[int, Strict(), Field(ge=1, le=MAX_SPRINTS)]
IssueKey = Annotated[str, Strict(), Field(pattern=ISSUE_KEY)]
ProjectKey = Annotated[str, Strict(), Field(pattern=PROJECT_KEY)]


class Table(BaseModel):
    """A TOML table: frozen, and unknown keys are errors."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def at(where: str | tuple[str | int, ...], message: str) -> PydanticCustomError:
    """An error a model validator raises about one of its keys (``where``), not about itself."""
    loc = (where,) if isinstance(where, str) else where
    return PydanticCustomError("mapping", "{detail}", {"detail": message, "at": loc})


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, or ``""``."""
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class References:
    """The names a mapping file defines, for checking references to them.

    ``objective_keys`` is ``None`` when objectives are chosen by JQL: which epics exist is then
    only known once Jira answers.
    """

    kpi_keys: frozenset[str]
    objective_keys: frozenset[str] | None
    board_type: str
    has_board: bool = True

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> References:
        """Read the defined names from a raw (not yet validated) mapping, skipping what is malformed."""
        objectives, team = _table(data.get("objectives")), _table(data.get("team"))
        explicit = [*_list(objectives.get("keys")), *(_table(o).get("key") for o in _list(data.get("objective")))]
        return cls(
            kpi_keys=frozenset(k for k in (_table(t).get("key") for t in _list(data.get("kpi"))) if isinstance(k, str)),
            objective_keys=None if "jql" in objectives else frozenset(k for k in explicit if isinstance(k, str)),
            board_type=str(team.get("board_type", "scrum")),
            has_board="board" in team,
        )


def _table(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def references(info: ValidationInfo) -> References | None:
    """The references passed as validation context, if any."""
    return info.context if isinstance(info.context, References) else None


def _unknown(what: str, name: str, known: frozenset[str]) -> str:
    hint = did_you_mean(name, known)
    if hint:
        return f"no {what} {name!r} in this file{hint}"
    listed = ", ".join(sorted(known)) or "none"
    return f"no {what} {name!r} in this file (defined: {listed})"


def known_kpi(name: str, info: ValidationInfo) -> str:
    """Check that ``name`` is the key of a ``[[kpi]]`` of the same file."""
    refs = references(info)
    if refs is not None and name not in refs.kpi_keys:
        raise ValueError(_unknown("KPI", name, refs.kpi_keys))
    return name


def known_objective(name: str, info: ValidationInfo) -> str:
    """Check that ``name`` is ``"*"`` or the epic key of an objective of the same file."""
    if name == ALL_OBJECTIVES:
        return name
    if not re.fullmatch(ISSUE_KEY, name):
        raise ValueError(f'must be the epic key of an objective, such as MOB-1, or "{ALL_OBJECTIVES}" for all of them')
    refs = references(info)
    if refs is not None and refs.objective_keys is not None and name not in refs.objective_keys:
        raise ValueError(_unknown("objective", name, refs.objective_keys))
    return name


KpiRef = Annotated[str, Strict(), AfterValidator(known_kpi)]
ObjectiveRef = Annotated[str, Strict(), AfterValidator(known_objective)]
