"""The monthly check-in's guardrails and data quality: the whole check-in lists every KPI past its guardrail
during the month, saying what each guards; each epic's comment its own guardrails and their data quality."""

from typing import Any

from sync.app.reviews.markdown import to_markdown
from sync.app.reviews.monthly import check_in_blocks, comment_blocks

FORECAST = {
    "projection": 0.8,
    "low": 0.7,
    "high": 0.9,
    "level": 0.8,
    "probability_of_success": 0.7,
    "success_at": 0.7,
    "method": "trend",
    "sample_size": 30,
    "note": "",
}


def _objective(key: str, guardrails: list[str]) -> dict[str, Any]:
    return {
        "key": key,
        "title": f"Objective {key}",
        "owner": "pm",
        "ambition": "stretch",
        "success_at": 0.7,
        "score": 0.5,
        "expected": 0.5,
        "status": "on track",
        "month_start": 0.4,
        "forecast": FORECAST,
        "early_warning": None,
        "guardrails": guardrails,
        "key_results": [],
    }


def _breach(key: str, name: str, objectives: list[str]) -> dict[str, Any]:
    return {"key": key, "name": name, "owner": "ana", "days": 3, "first": "2026-11-02", "last": "2026-11-04"} | {
        "objectives": objectives
    }


def _quality(name: str, n: int) -> dict[str, Any]:
    return {"name": name, "sample_size": n, "without_history": 0, "completed_changelogs": 0, "unestimated": None}


DATA = {
    "review": "monthly",
    "team": "MOB",
    "period": {"label": "2026-11", "start": "2026-11-01", "end": "2026-11-30"},
    "as_of": "2026-11-30T23:59:59+01:00",
    "cycle": "2026-Q4",
    "objectives": [_objective("MOB-1", ["bugs"]), _objective("MOB-2", [])],
    "guardrails_breached": [_breach("bugs", "Bug time", ["MOB-1"]), _breach("scope", "Scope change", [])],
    "data_quality": {"bugs": _quality("Bug time", 12), "scope": _quality("Scope change", 3)},
}


def test_the_whole_check_in_lists_every_kpi_past_its_guardrail_and_what_it_guards():
    text = to_markdown(check_in_blocks(DATA))
    assert "- Bug time (ana): past its guardrail on 3 day(s), 2026-11-02 to 2026-11-04 (guards MOB-1)" in text
    assert (
        "- Scope change (ana): past its guardrail on 3 day(s), 2026-11-02 to 2026-11-04 (guards no objective)" in text
    )


def test_each_epics_comment_carries_its_guardrails_and_their_data_quality():
    guarded = to_markdown(comment_blocks(DATA, DATA["objectives"][0]))
    assert "- Bug time (ana): past its guardrail on 3 day(s)" in guarded
    assert "Scope change" not in guarded
    assert "## Data quality\n\n- Bug time: n = 12" in guarded

    unguarded = to_markdown(comment_blocks(DATA, DATA["objectives"][1]))
    assert "## Guardrails breached this month\n\nNone." in unguarded
    assert "## Data quality\n\nNo KPI guards this objective." in unguarded
