"""A team's evaluation as the store keeps it: one record per objective, key result and KPI."""

from __future__ import annotations

from sync.app.results import TeamResult
from sync.store import KeyResultScoreRecord, KpiValueRecord, ObjectiveScoreRecord


def score_records(
    result: TeamResult,
) -> tuple[list[ObjectiveScoreRecord], list[KeyResultScoreRecord], list[KpiValueRecord]]:
    """The store records of one team's evaluation, all at the evaluation's ``as_of``."""
    objectives = [
        ObjectiveScoreRecord(
            objective.key,
            result.cycle,
            result.as_of,
            score.score,
            score.expected,
            score.status.value,
            score.summary,
            score.reasons,
        )
        for objective, score in result.objectives
    ]
    key_results = [
        KeyResultScoreRecord(objective.key, kr.key, result.as_of, kr.score, kr.progress)
        for objective, score in result.objectives
        for kr in score.key_results
    ]
    kpis = [
        KpiValueRecord(
            result.team,
            kpi.definition.key,
            result.as_of,
            kpi.value,
            kpi.status.value,
            kpi.trend.value,
            {
                "sample_size": kpi.measurement.sample_size,
                **_jsonable(kpi.measurement.details),
                **({"longest": [list(pair) for pair in kpi.measurement.longest]} if kpi.measurement.longest else {}),
            },
        )
        for kpi in result.kpis
    ]
    return objectives, key_results, kpis


def _jsonable(details: object) -> dict[str, object]:
    """Calculator details made JSON-safe (sets and tuples become lists, other values strings)."""

    def convert(value: object) -> object:
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            items = [convert(v) for v in value]
            return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
        return str(value)

    converted = convert(details)
    return converted if isinstance(converted, dict) else {}
