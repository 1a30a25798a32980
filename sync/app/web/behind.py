"""The issues behind a KPI's value, read from its calculator's details: the issues that took
longest, those a list names (ageing, breached, reopened, late, in progress) and each sprint's
committed and completed issues; and the share of issues counted without an estimate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: The details that list issue keys, and what each list holds.
_KEY_LISTS = {
    "ageing": "Unresolved past the ageing limit",
    "breached": "Resolved later than the SLA",
    "reopened": "Reopened",
    "late": "Late",
    "keys": "In progress",
}


@dataclass(frozen=True)
class Group:
    """Issues behind a value under one title, each with its figure in ``unit`` when it has one."""

    title: str
    issues: list[tuple[str, float | None]]
    unit: str = ""


def issues_behind(details: Mapping[str, object], unit: str = "") -> list[Group]:
    """The groups of issues ``details`` names; empty when the calculator names none."""
    groups: list[Group] = []
    longest = details.get("longest")
    if isinstance(longest, list) and longest:
        groups.append(Group("Took longest", [(str(key), float(figure)) for key, figure in longest], unit))
    ages = details.get("ages")
    if isinstance(ages, dict) and ages:
        groups.append(Group("Ageing in progress", [(str(k), float(v)) for k, v in ages.items()], "days"))
    for name, title in _KEY_LISTS.items():
        keys = details.get(name)
        if isinstance(keys, list) and keys:
            groups.append(Group(title, [(str(key), None) for key in keys]))
    return groups + _sprints(details)


def _sprints(details: Mapping[str, object]) -> list[Group]:
    """Each sprint's committed and completed issues, oldest sprint first."""
    sprints, issues = details.get("sprints"), details.get("sprint_issues")
    if not isinstance(sprints, list) or not isinstance(issues, dict):
        return []
    groups = []
    for sprint in sprints:
        counted = issues.get(str(sprint.get("id"))) if isinstance(sprint, dict) else None
        if isinstance(counted, dict):
            for part in ("committed", "completed"):
                keys = counted.get(part) or []
                groups.append(Group(f"{sprint.get('name')}: {part}", [(str(key), None) for key in keys]))
    return groups


def unestimated(details: Mapping[str, object]) -> tuple[int, int] | None:
    """How many of the issues counted had no estimate, and how many were counted; None when the
    calculator does not say."""
    missing, counted = details.get("unestimated"), details.get("counted")
    if isinstance(missing, int) and isinstance(counted, int):
        return missing, counted
    return None
