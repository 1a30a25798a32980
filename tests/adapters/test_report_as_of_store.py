"""Scores as of a past date from a store seeded with issues (one imported already resolved) and one
recorded sync: hand-worked objective, key-result and KPI values, owners by display name."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from sync.app.as_of import When, evaluate_as_of
from sync.app.report import render
from sync.app.results import team_document
from sync.mapping.schema import TeamMapping
from sync.store import Store
from tests.adapters.seeded_support import SYNCED, record_sync, support_team


@pytest.fixture
def team() -> TeamMapping:
    return support_team()


@pytest.fixture
def synced(store: Store, team: TeamMapping) -> Store:
    """The store after a sync on 12 January: the issues and that pass's report."""
    return record_sync(store, team)


def test_a_past_day_is_graded_from_the_stored_histories(synced, team):
    [early] = evaluate_as_of(synced, [team], When(day=date(2026, 1, 8)))
    [later] = evaluate_as_of(synced, [team], When(day=date(2026, 1, 12)))

    assert early.as_of == datetime(2026, 1, 9, tzinfo=UTC) - timedelta(microseconds=1)
    [(objective, early_score)] = early.objectives
    # SUP-2 done on the 7th; SUP-3 was not created until the 10th: (1 + 0) / 2
    assert [(kr.key, kr.score) for kr in early_score.key_results] == [("SUP-2", 1.0), ("SUP-3", None)]
    assert early_score.score == pytest.approx(0.5)
    assert early_score.expected == pytest.approx(0.7 * (8 / 90), abs=1e-9)
    [resolution] = early.kpis
    assert (resolution.value, resolution.measurement.without_history) == (pytest.approx(48.0), 0)
    # by the 12th SUP-3, imported resolved on the 11th (24 h after creation), counts too
    assert later.objectives[0][1].score == pytest.approx(1.0)
    [resolution] = later.kpis
    assert resolution.value == pytest.approx(36.0)
    assert (resolution.measurement.sample_size, resolution.measurement.without_history) == (2, 1)
    assert objective.owner == "Ana Lima"
    assert resolution.definition.owner == "Ana Lima"


def test_the_json_report_is_strict_and_shows_the_data_quality_figure(synced, team):
    [later] = evaluate_as_of(synced, [team], When(instant=SYNCED))
    document = team_document(later)
    document["kpis"][0]["target"] = float("inf")

    shown = json.loads(render({"teams": [document]}, "json"), parse_constant=pytest.fail)

    kpi = shown["teams"][0]["kpis"][0]
    assert kpi["target"] is None
    assert kpi["notes"] == ["target was inf, not a finite number: shown as null"]
    assert kpi["without_history"] == 1
    assert "basis" not in shown["teams"][0]
    assert "1 of 2" in render({"teams": [document]}, "table")
