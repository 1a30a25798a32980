"""One team's evaluated results and their JSON document, the form the store keeps of each run.

The pipeline produces :class:`TeamResult`; :func:`team_document` turns it into strict JSON. The
renderings for people (:mod:`sync.app.report`) read that document, so a report read back from the
store looks the same as one made from a fresh evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kpiokr.kpi import KpiResult
from kpiokr.okr import Objective, ObjectiveScore


@dataclass(frozen=True)
class TeamResult:
    """One team's objectives (with their key results) and KPIs, evaluated at ``as_of``.

    ``basis`` is what the evaluation read besides the histories (see :mod:`sync.app.evaluation_basis`),
    kept in the stored document and left out of what people read.
    """

    team: str
    as_of: datetime
    cycle: str
    objectives: tuple[tuple[Objective, ObjectiveScore], ...]
    kpis: tuple[KpiResult, ...]
    basis: Mapping[str, Any] = field(default_factory=dict)


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def strict_json(value: Any) -> Any:
    """``value`` with every non-finite number (``inf``, ``nan``, which JSON has no words for) made
    ``null``, and a note saying which and why added to the object that held it (``notes``)."""
    if isinstance(value, Mapping):
        clean: dict[str, Any] = {}
        notes: list[str] = list(value.get("notes") or ())
        for key, item in value.items():
            if key != "notes":
                clean[key] = _strict_item(item, str(key), notes)
        if notes:
            clean["notes"] = notes
        return clean
    return _strict_item(value, "value", [])


def _strict_item(item: Any, where: str, notes: list[str]) -> Any:
    if isinstance(item, float) and not math.isfinite(item):
        notes.append(f"{where} was {item}, not a finite number: shown as null")
        return None
    if isinstance(item, Mapping):
        return strict_json(item)
    if isinstance(item, (list, tuple)):
        return [_strict_item(v, f"{where}[{i}]", notes) for i, v in enumerate(item)]
    return item


def team_document(result: TeamResult) -> dict[str, Any]:
    """The JSON document of one team's results (strict JSON: see :func:`strict_json`)."""
    objectives = []
    for objective, score in result.objectives:
        titles = {kr.key: kr for kr in objective.key_results}
        objectives.append(
            {
                "key": objective.key,
                "title": objective.title,
                "owner": objective.owner,
                "ambition": objective.ambition.value,
                "score": _number(score.score),
                "expected": _number(score.expected),
                "status": score.status.value,
                "reasons": list(score.reasons),
                "guardrails": list(objective.guardrails),
                "key_results": [
                    {
                        "key": s.key,
                        "title": titles[s.key].title if s.key in titles else "",
                        "owner": titles[s.key].owner if s.key in titles else None,
                        "score": _number(s.score),
                        "progress": s.progress,
                    }
                    for s in score.key_results
                ],
            }
        )
    kpis = [
        {
            "key": k.definition.key,
            "name": k.definition.name,
            "owner": k.definition.owner,
            "value": _number(k.value),
            "unit": k.definition.display_unit,
            "direction": k.definition.direction.value,
            "target": k.definition.target,
            "threshold": k.definition.threshold,
            "window": str(k.definition.window),
            "status": k.status.value,
            "trend": k.trend.value,
            "series": [[t.isoformat(), _number(v)] for t, v in k.series],
            "sample_size": k.measurement.sample_size,
            "without_history": k.measurement.without_history,
            "completed_changelogs": k.measurement.completed_changelogs,
        }
        for k in result.kpis
    ]
    document = {
        "team": result.team,
        "cycle": result.cycle,
        "as_of": result.as_of.isoformat(),
        "objectives": objectives,
        "kpis": kpis,
        "basis": result.basis,
    }
    return dict(strict_json(document))
