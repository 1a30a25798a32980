"""Jira Software (agile) JSON into domain values: sprints, sprint fields, velocity. Pure.

Sprints come as agile REST objects (``/rest/agile/1.0/board/{id}/sprint``), as the objects of a
Cloud issue's sprint field, as Greenhopper objects, or, in Data Center issue fields, as strings
``com.atlassian.greenhopper.service.sprint.Sprint@14b1c359[id=1,rapidViewId=1,state=CLOSED,...]``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kpiokr.history import Sprint

#: How a changelog's ``fromString``/``toString`` joins several sprint names.
SPRINT_NAME_SEPARATOR = ","

_DC_BODY = re.compile(r"\[(.*)\]\s*$", re.DOTALL)
_DC_ATTR = re.compile(r"(\w+)=(.*?)(?=,\w+=|$)", re.DOTALL)
_DC_ID = re.compile(r"[\[,]id=(\d+)")


def parse_sprint_string(text: str) -> dict[str, str | None]:
    """The attributes of a Data Center sprint string (``<null>`` becomes ``None``)."""
    body = _DC_BODY.search(text)
    if body is None:
        raise ValueError(f"not a sprint string: {text[:60]!r}")
    return {k: (None if v == "<null>" else v) for k, v in _DC_ATTR.findall(body.group(1))}


def sprint_ids(value: Any) -> frozenset[int]:
    """The sprint ids of an issue's sprint field value (objects, strings, ids or ``None``)."""
    if not value:
        return frozenset()
    ids = set()
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, dict):
            ids.add(int(entry["id"]))
        elif isinstance(entry, int):
            ids.add(entry)
        else:
            found = _DC_ID.search(str(entry))
            if found is None:
                raise ValueError(f"sprint field entry without an id: {str(entry)[:60]!r}")
            ids.add(int(found.group(1)))
    return frozenset(ids)


def _when(value: Any) -> datetime | None:
    if not value or value == "<null>":
        return None
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo is not None else None


def to_sprint(raw: Mapping[str, Any] | str) -> Sprint:
    """A sprint from agile REST, Greenhopper or issue-field JSON, or a Data Center sprint string."""
    data: Mapping[str, Any] = parse_sprint_string(raw) if isinstance(raw, str) else raw
    board = data.get("originBoardId") or data.get("boardId") or data.get("rapidViewId")
    return Sprint(
        id=int(data["id"]),
        name=str(data.get("name") or ""),
        state=str(data.get("state") or "").lower(),
        board_id=int(board) if board else None,
        start=_when(data.get("startDate")),
        end=_when(data.get("endDate")),
        completed=_when(data.get("completeDate")),
        goal=str(data.get("goal") or ""),
    )


@dataclass(frozen=True, slots=True)
class Velocity:
    """One sprint's row of the Greenhopper velocity chart, in the board's estimation unit."""

    estimated: float | None
    completed: float | None


def to_velocity(raw: Mapping[str, Any]) -> dict[int, Velocity]:
    """``/rest/greenhopper/1.0/rapid/charts/velocity`` as ``{sprint id: Velocity}``."""

    def amount(entry: Mapping[str, Any], key: str) -> float | None:
        value = (entry.get(key) or {}).get("value")
        return float(value) if isinstance(value, int | float) else None

    entries = raw.get("velocityStatEntries") or {}
    return {int(k): Velocity(amount(v, "estimated"), amount(v, "completed")) for k, v in entries.items()}
