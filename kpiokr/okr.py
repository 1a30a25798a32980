"""Objectives and key results, and how they are graded.

Key results are graded 0.0-1.0 (clamped). An objective's score is the weighted mean of its key
results. Stretch objectives succeed at 0.7, committed ones are expected to reach 1.0. Status comes
from pace: the score against what the elapsed share of the cycle says it should be by now.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from kpiokr.history import IssueHistory
from kpiokr.kpi import KpiResult, KpiStatus


@dataclass(frozen=True, slots=True)
class Cycle:
    """An OKR cycle such as ``2026-Q4``, from ``start`` (inclusive) to ``end`` (exclusive)."""

    name: str
    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"cycle {self.name}: end must come after start")

    def elapsed_share(self, as_of: datetime) -> float:
        """How much of the cycle has passed at ``as_of``, from 0.0 to 1.0."""
        share = (as_of - self.start) / (self.end - self.start)
        return min(max(share, 0.0), 1.0)


class Ambition(enum.Enum):
    """Committed objectives must be met in full; stretch objectives succeed at 0.7."""

    COMMITTED = "committed"
    STRETCH = "stretch"

    @property
    def success_score(self) -> float:
        """The grade that counts as success."""
        return 1.0 if self is Ambition.COMMITTED else 0.7


class ObjectiveStatus(enum.Enum):
    """Where an objective stands against its expected pace."""

    ON_TRACK = "on track"
    AT_RISK = "at risk"
    OFF_TRACK = "off track"


# --- key-result measures -----------------------------------------------------------------------
#
# A measure grades one key result from what :class:`KeyResultInputs` holds. Each is a frozen
# dataclass with a ``score`` method; the mapping file's model of each (``sync.mapping``) builds it
# and says which Jira answers it reads (a number field of the issue, a count of a query).


class Measure(Protocol):
    """How a key result is graded."""

    def score(self, key: str, inputs: KeyResultInputs, as_of: datetime) -> KeyResultScore:
        """Key result ``key``'s grade at ``as_of``."""
        ...


@dataclass(frozen=True, slots=True)
class ChildCompletion:
    """Share of the key result's child issues that are done."""

    def score(self, key: str, inputs: KeyResultInputs, as_of: datetime) -> KeyResultScore:
        """Children done over children existing at ``as_of``."""
        children = [c for c in inputs.children if c.exists_at(as_of)]
        if not children:
            return KeyResultScore(key, None, "no child issues yet")
        done = sum(1 for c in children if c.done_since(as_of) is not None)
        return KeyResultScore(key, done / len(children), f"{done}/{len(children)} issues done", done, len(children))


@dataclass(frozen=True, slots=True)
class EstimateCompletion:
    """Share of the children's estimate (story points) that is done; unestimated children count 0."""

    def score(self, key: str, inputs: KeyResultInputs, as_of: datetime) -> KeyResultScore:
        """Estimate done over the children's whole estimate at ``as_of``."""
        children = [c for c in inputs.children if c.exists_at(as_of)]
        total = sum(c.estimate_at(as_of) or 0.0 for c in children)
        if total == 0:
            return KeyResultScore(key, None, "no estimated child issues yet")
        points = sum(c.estimate_at(as_of) or 0.0 for c in children if c.done_since(as_of) is not None)
        return KeyResultScore(key, points / total, f"{points:g}/{total:g} points done", points, total)


@dataclass(frozen=True, slots=True)
class NumericTarget:
    """A number read from a field of the key-result issue, from ``baseline`` towards ``target``.

    Works in either direction: baseline 30, target 10 reads "reduce from 30 to 10".
    """

    number: str
    baseline: float
    target: float

    def __post_init__(self) -> None:
        _check_span(self.baseline, self.target)

    def score(self, key: str, inputs: KeyResultInputs, as_of: datetime) -> KeyResultScore:
        """The field's value at ``as_of``, graded."""
        value = inputs.issue.number_at(self.number, as_of) if inputs.issue else None
        return _graded(key, value, self.baseline, self.target, self.number)


@dataclass(frozen=True, slots=True)
class KpiTarget:
    """A KPI's current value, from ``baseline`` towards ``target``."""

    kpi: str
    baseline: float
    target: float

    def __post_init__(self) -> None:
        _check_span(self.baseline, self.target)

    def score(self, key: str, inputs: KeyResultInputs, as_of: datetime) -> KeyResultScore:
        """The KPI's value, graded."""
        result = inputs.kpis.get(self.kpi)
        return _graded(key, result.value if result else None, self.baseline, self.target, self.kpi)


@dataclass(frozen=True, slots=True)
class QueryCount:
    """How many issues match a query, from ``baseline`` towards ``target``."""

    query: str
    target: float
    baseline: float = 0.0

    def __post_init__(self) -> None:
        _check_span(self.baseline, self.target)

    def score(self, key: str, inputs: KeyResultInputs, as_of: datetime) -> KeyResultScore:
        """The count Jira gave for the query, graded."""
        count = inputs.query_counts.get(self.query)
        return _graded(key, None if count is None else float(count), self.baseline, self.target, "issues")


@dataclass(frozen=True, slots=True)
class Milestone:
    """Done or not done: the key-result issue itself."""

    def score(self, key: str, inputs: KeyResultInputs, as_of: datetime) -> KeyResultScore:
        """1.0 once the issue is done, else 0.0."""
        if inputs.issue is None or not inputs.issue.exists_at(as_of):
            return KeyResultScore(key, None, "milestone issue not found")
        done = inputs.issue.done_since(as_of) is not None
        return KeyResultScore(key, 1.0 if done else 0.0, "done" if done else "not done")


def _check_span(baseline: float, target: float) -> None:
    if baseline == target:
        raise ValueError(f"target must differ from baseline {baseline:g}")


@dataclass(frozen=True, slots=True)
class KeyResult:
    """A measurable result, tracked by one issue, with a measure, an owner and a weight."""

    key: str
    title: str
    measure: Measure
    owner: str | None = None
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.weight <= 0:
            raise ValueError(f"key result {self.key}: weight must be positive")


@dataclass(frozen=True, slots=True)
class Objective:
    """A qualitative goal for a cycle, tracked by one epic, measured by its key results.

    ``guardrails`` name the KPIs that must stay healthy while the objective is pursued.
    ``tolerance`` is how far below the expected pace a score may fall and still be on track.
    """

    key: str
    title: str
    cycle: Cycle
    key_results: tuple[KeyResult, ...]
    owner: str | None = None
    ambition: Ambition = Ambition.STRETCH
    guardrails: tuple[str, ...] = ()
    tolerance: float = 0.1


# --- scoring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyResultInputs:
    """What grading a key result may read: its issue, that issue's children, KPIs, query counts."""

    issue: IssueHistory | None = None
    children: Sequence[IssueHistory] = ()
    kpis: Mapping[str, KpiResult] = field(default_factory=dict)
    query_counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class KeyResultScore:
    """A key result's grade (``None`` when it cannot be measured yet) and a readable progress line.

    Completion measures also give how much is ``done`` of the ``total`` (child issues, or estimate
    points): what a forecast over the team's throughput starts from. Other measures leave both ``None``.
    """

    key: str
    score: float | None
    progress: str
    done: float | None = None
    total: float | None = None


@dataclass(frozen=True)
class ObjectiveScore:
    """An objective's grade, status and the reasons behind the status."""

    key: str
    score: float
    expected: float
    status: ObjectiveStatus
    reasons: tuple[str, ...]
    key_results: tuple[KeyResultScore, ...]

    @property
    def summary(self) -> str:
        """One line for the epic: score, status and the reasons.

        It holds no figure that moves with the clock alone, so it changes (and is written to Jira)
        only when the score, the status or a guardrail does.
        """
        return " · ".join([f"{self.score:.2f}", self.status.value, *self.reasons])


def figure(value: float) -> str:
    """A number as people read it: thousands separated, at most one decimal (``12,345.6``, ``48``)."""
    return f"{round(value, 1) + 0.0:,.1f}".removesuffix(".0")  # + 0.0 turns -0.0 into 0.0


def grade(value: float, baseline: float, target: float) -> float:
    """Progress from ``baseline`` to ``target`` as a 0.0-1.0 grade, clamped; either direction."""
    return min(max((value - baseline) / (target - baseline), 0.0), 1.0)


def score_key_result(kr: KeyResult, inputs: KeyResultInputs, as_of: datetime) -> KeyResultScore:
    """Grade one key result at ``as_of``, as its measure says."""
    return kr.measure.score(kr.key, inputs, as_of)


def _graded(key: str, value: float | None, baseline: float, target: float, what: str) -> KeyResultScore:
    if value is None:
        return KeyResultScore(key, None, f"no value for {what} yet")
    return KeyResultScore(key, grade(value, baseline, target), f"{what} {value:g} (from {baseline:g} to {target:g})")


def score_objective(
    objective: Objective,
    key_result_scores: Sequence[KeyResultScore],
    kpis: Mapping[str, KpiResult],
    as_of: datetime,
) -> ObjectiveScore:
    """Grade an objective from its key-result grades and judge its status at ``as_of``.

    Unmeasurable key results count as 0. The expected score is the success grade times the elapsed
    share of the cycle; within ``tolerance`` below it is on track, within twice that at risk, else
    off track. A breached guardrail KPI makes the objective at least at risk.
    """
    weights = {kr.key: kr.weight for kr in objective.key_results}
    total_weight = sum(weights.get(s.key, 1.0) for s in key_result_scores)
    weighted = sum(weights.get(s.key, 1.0) * (s.score or 0.0) for s in key_result_scores)
    score = weighted / total_weight if total_weight else 0.0
    expected = objective.ambition.success_score * objective.cycle.elapsed_share(as_of)
    reasons: list[str] = []
    if not key_result_scores:
        reasons.append("no key results")
    if score >= expected - objective.tolerance:
        status = ObjectiveStatus.ON_TRACK
    elif score >= expected - 2 * objective.tolerance:
        status = ObjectiveStatus.AT_RISK
        reasons.append("behind the pace the cycle expects")
    else:
        status = ObjectiveStatus.OFF_TRACK
        reasons.append("well behind the pace the cycle expects")
    for name in objective.guardrails:
        result = kpis.get(name)
        if result is not None and result.status is KpiStatus.BREACH and result.value is not None:
            definition = result.definition
            reasons.append(
                f"guardrail {definition.name} breached: {figure(result.value)} {definition.display_unit} "
                f"against threshold {figure(definition.threshold)}"
            )
            if status is ObjectiveStatus.ON_TRACK:
                status = ObjectiveStatus.AT_RISK
    return ObjectiveScore(objective.key, score, expected, status, tuple(reasons), tuple(key_result_scores))
