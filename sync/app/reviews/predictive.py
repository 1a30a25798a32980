"""Do a team's guardrail KPIs predict its objectives' grades? Over the cycles its mapping lists as
``[[past_cycle]]``, each guardrail KPI's health in the first half of a cycle is paired with the final
grade of every objective it guarded then, and the pairs are judged by rank correlation
(:func:`kpiokr.forecasting.predictive_power`). Every figure is reconstructed from the stored
histories as of then (:mod:`sync.app.as_of`); the KPI's first half is sampled weekly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kpiokr.forecasting import first_half_health, predictive_power
from sync.app.results import TeamResult
from sync.app.reviews.periods import day_end
from sync.app.reviews.timeline import TeamTimeline

#: Days between the samples of a KPI's first half.
SAMPLE_DAYS = 7


def guardrail_power(timeline: TeamTimeline, current: TeamResult) -> list[dict[str, Any]]:
    """For each KPI guarding an objective now: the verdict, Spearman's rho with its interval, and n."""
    guards = {key for objective, _ in current.objectives for key in objective.guardrails}
    definitions = {k.definition.key: k.definition for k in current.kpis if k.definition.key in guards}
    pairs: dict[str, list[tuple[float, float]]] = {key: [] for key in definitions}
    for cycle in timeline.team.past_cycles:
        final = timeline.at(day_end(cycle.end, timeline.tz), cycle)
        middle = cycle.start + (cycle.end - cycle.start) / 2
        samples = [cycle.start + timedelta(days=n) for n in range(0, (middle - cycle.start).days + 1, SAMPLE_DAYS)]
        values: dict[str, list[tuple[Any, float | None]]] = {key: [] for key in definitions}
        for day in samples:
            measured = {k.definition.key: k.value for k in timeline.at(day_end(day, timeline.tz), cycle).kpis}
            for key in definitions:
                values[key].append((day, measured.get(key)))
        for key, definition in definitions.items():
            health = first_half_health(
                values[key], definition.threshold, definition.direction, start=cycle.start, end=cycle.end
            )
            if health is None:
                continue
            pairs[key] += [
                (health, score.score) for objective, score in final.objectives if key in objective.guardrails
            ]
    found = []
    for key, definition in definitions.items():
        power = predictive_power(pairs[key])
        found.append(
            {
                "key": key,
                "name": definition.name,
                "n": power.n,
                "rho": power.rho,
                "low": power.low,
                "high": power.high,
                "verdict": power.verdict,
                "cycles": len(timeline.team.past_cycles),
            }
        )
    return found
