"""Property documents stay within 24 KB: series are shortened first, then reasons, and nothing fails."""

from __future__ import annotations

from typing import Any

from sync.app.properties import LIMIT_BYTES, objective_documents, size
from tests.properties_support import validator


def _report(key_results: int, reason_chars: int) -> dict[str, Any]:
    kpi = {
        "key": "cycle_time",
        "name": "Cycle time",
        "value": 3.0,
        "unit": "days",
        "direction": "lower",
        "target": 8.0,
        "threshold": 14.0,
        "status": "breach",
        "trend": "worsening",
        "series": [],
        "sample_size": 40,
        "without_history": 2,
    }
    objective = {
        "key": "MOB-1",
        "title": "Delight our users",
        "owner": "pm@example.com",
        "ambition": "stretch",
        "score": 0.4,
        "expected": 0.5,
        "status": "at risk",
        "reasons": ["r" * reason_chars for _ in range(6)],
        "guardrails": ["cycle_time"],
        "key_results": [
            {"key": f"MOB-{n}", "title": f"KR {n}", "owner": None, "score": 0.5, "progress": "half way"}
            for n in range(100, 100 + key_results)
        ],
    }
    return {
        "team": "MOB",
        "cycle": "2026-Q4",
        "as_of": "2026-11-20T12:00:00+00:00",
        "objectives": [objective],
        "kpis": [kpi],
    }


def _daily(points: int) -> dict[str, list[tuple[str, float | None]]]:
    return {"kpi:cycle_time": [(f"2026-{1 + n // 28:02d}-{1 + n % 28:02d}", n / 3) for n in range(points)]}


def test_a_document_within_the_limit_is_left_whole() -> None:
    document = objective_documents(_report(3, 40), _daily(30))["MOB-1"]
    assert "shortened" not in document
    assert len(document["guardrails"][0]["series"]) == 30


def test_a_large_document_loses_series_points_before_reasons() -> None:
    report = _report(3, 40)
    whole = size(objective_documents(report, _daily(30), limit=10**9)["MOB-1"])
    document = objective_documents(report, _daily(30), limit=whole - 200)["MOB-1"]
    assert size(document) <= whole - 200
    assert 0 < len(document["guardrails"][0]["series"]) < 30
    assert document["reasons"] == report["objectives"][0]["reasons"]
    validator("kpiokr.objective").validate(document)


def test_a_huge_objective_is_cut_to_24_kb_and_still_valid() -> None:
    document = objective_documents(_report(2_000, 5_000), _daily(30))["MOB-1"]
    assert size(document) <= LIMIT_BYTES
    assert document["guardrails"][0]["series"] == []
    assert len(document["reasons"]) <= 1
    assert document["shortened"]
    validator("kpiokr.objective").validate(document)
