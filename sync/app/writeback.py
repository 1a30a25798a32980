"""Write-back: plan the field writes that bring Jira in line with the computed scores, then apply them.

``plan_writes`` is pure: from the values Jira holds now and the values just computed it lists only
the fields whose rounded value differs, grouped per issue (one request per issue). A second pass
over the same data plans nothing. ``apply_writes`` sends the plan and records every outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from sync.score_fields import FieldKind

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DesiredValue:
    """A value kpiokr wants in one field of one issue; ``None``: the field empty."""

    issue_key: str
    field_id: str
    field_name: str
    kind: FieldKind
    value: float | str | None


@dataclass(frozen=True, slots=True)
class FieldWrite:
    """One field to change: what Jira holds now and what it will hold."""

    field_id: str
    field_name: str
    before: object
    after: object


@dataclass(frozen=True, slots=True)
class IssueWrite:
    """All the fields of one issue that change, sent in one request."""

    issue_key: str
    fields: tuple[FieldWrite, ...]

    def payload(self) -> dict[str, object]:
        """The ``fields`` object of the PUT request."""
        return {w.field_id: w.after for w in self.fields}


def wire_value(kind: FieldKind, value: float | str | None, decimals: int) -> object:
    """How a value is sent to Jira for a field of this kind (``None`` empties it)."""
    if value is None:
        return None
    if kind == "number":
        return round(float(value), decimals)
    if kind == "select":
        return {"value": str(value)}
    return str(value)


def _comparable(kind: FieldKind, raw: object, decimals: int) -> object:
    """A Jira field value reduced to what decides whether it changed."""
    if raw is None:
        return None
    if kind == "number":
        return round(float(raw), decimals) if isinstance(raw, (int, float, str)) and str(raw) != "" else None
    if kind == "select":
        return raw.get("value") if isinstance(raw, Mapping) else str(raw)
    return str(raw).strip()


def holds(current: object, sent: object, decimals: int) -> bool:
    """Whether Jira's raw value ``current`` is the value ``sent`` (as :func:`wire_value` made it) once rounded."""
    kind: FieldKind = "select" if isinstance(sent, Mapping) else "text" if isinstance(sent, str) else "number"
    return _comparable(kind, current, decimals) == _comparable(kind, sent, decimals)


def plan_writes(
    desired: Iterable[DesiredValue],
    current: Mapping[str, Mapping[str, object]],
    decimals: int,
    skip: Callable[[str, str, object], bool] = lambda _issue, _field, _value: False,
) -> list[IssueWrite]:
    """The writes that make Jira hold ``desired``, given ``current`` (issue key -> field id -> raw value).

    Values equal after rounding are left alone. ``skip(issue, field, value)`` lets the caller hold
    back a write Jira already rejected for good (the ledger knows). Issues come out in key order.
    """
    per_issue: dict[str, list[FieldWrite]] = {}
    for want in desired:
        after = wire_value(want.kind, want.value, decimals)
        before = current.get(want.issue_key, {}).get(want.field_id)
        if _comparable(want.kind, before, decimals) == _comparable(want.kind, after, decimals):
            continue
        if skip(want.issue_key, want.field_id, after):
            continue
        per_issue.setdefault(want.issue_key, []).append(FieldWrite(want.field_id, want.field_name, before, after))
    return [IssueWrite(key, tuple(writes)) for key, writes in sorted(per_issue.items())]


class IssueUpdater(Protocol):
    """The one gateway call write-back needs."""

    def update_issue(self, key: str, fields: Mapping[str, object]) -> None:
        """Set fields of one issue in one request."""
        ...


@dataclass(frozen=True, slots=True)
class WriteOutcome:
    """What became of one planned issue write."""

    write: IssueWrite
    ok: bool
    reason: str = ""


def apply_writes(
    plan: Iterable[IssueWrite],
    jira: IssueUpdater,
    rejected: tuple[type[Exception], ...],
    record: Callable[[WriteOutcome], None],
    intend: Callable[[IssueWrite], None] = lambda _write: None,
    *,
    stopped: Callable[[], bool] = lambda: False,
) -> list[WriteOutcome]:
    """Send each issue's writes in one request; an issue Jira rejects (``rejected``) is logged and skipped.

    ``intend`` records each write before it is sent, ``record`` its outcome after: a process killed
    in between leaves an intent that the next pass settles against what Jira then holds. Any other
    error (Jira down, credentials revoked) stops the pass: what was sent so far is recorded.
    ``stopped`` is asked before each issue: once it says so, the writes not yet sent are left for
    the next pass (which plans them again, as Jira does not hold them) and the outcomes so far returned.
    """
    writes = list(plan)
    outcomes: list[WriteOutcome] = []
    for write in writes:
        if stopped():
            log.info("stop requested: %d issue write(s) left for the next pass", len(writes) - len(outcomes))
            break
        intend(write)
        try:
            jira.update_issue(write.issue_key, write.payload())
        except rejected as error:
            outcome = WriteOutcome(write, ok=False, reason=str(error))
            log.warning("write to %s rejected, skipped: %s", write.issue_key, error)
        else:
            outcome = WriteOutcome(write, ok=True)
        record(outcome)
        outcomes.append(outcome)
    return outcomes
