"""Grading key results and objectives: clamped 0-1 grades, weighted means, pace and guardrails."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kpiokr.kpi import Direction, KpiDefinition, KpiResult, Measurement, TeamData, Trend, Window, kpi_status
from kpiokr.okr import (
    Ambition,
    Cycle,
    KeyResult,
    KeyResultInputs,
    KeyResultScore,
    KpiTarget,
    Milestone,
    NumericTarget,
    Objective,
    ObjectiveStatus,
    QueryCount,
    figure,
    grade,
    score_key_result,
    score_objective,
)

Q4 = Cycle("2026-Q4", datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
HALFWAY = datetime(2026, 11, 16, tzinfo=UTC)  # 46 of 92 days: exactly half the cycle


@dataclass(frozen=True)
class _Fixed:
    """A calculator returning a fixed value: KPI status tests need no histories."""

    value: float | None
    kind = "fixed"
    unit = "h"
    direction = Direction.LOWER_IS_BETTER

    def measure(self, team: TeamData, window: Window, as_of: datetime) -> Measurement:
        return Measurement(self.value)


def _kpi(value: float | None, target: float = 48, threshold: float = 72) -> KpiResult:
    definition = KpiDefinition("bugs", "Bug resolution time", _Fixed(value), target, threshold, Window(days=28))
    return KpiResult(definition, HALFWAY, Measurement(value), kpi_status(value, definition), Trend.UNKNOWN, ())


def _objective(*krs: KeyResult, ambition=Ambition.STRETCH, guardrails=()) -> Objective:
    return Objective("MOB-1", "Delight mobile users", Q4, krs, "ana", ambition, guardrails)


def test_grade_works_in_both_directions_and_is_clamped():
    assert grade(150_000, 100_000, 200_000) == 0.5
    assert grade(20, 30, 10) == 0.5  # reduce from 30 to 10: at 20 we are half-way
    assert grade(5, 30, 10) == 1.0
    assert grade(40, 30, 10) == 0.0


def test_target_equal_to_baseline_is_refused():
    with pytest.raises(ValueError, match="must differ from baseline 30"):
        NumericTarget("Crash rate", 30, 30)


def test_cycle_elapsed_share_is_clamped():
    assert Q4.elapsed_share(HALFWAY) == 0.5
    assert Q4.elapsed_share(datetime(2026, 9, 1, tzinfo=UTC)) == 0.0
    assert Q4.elapsed_share(datetime(2027, 2, 1, tzinfo=UTC)) == 1.0


def test_objective_score_is_the_weighted_mean_and_missing_values_count_zero():
    krs = (
        KeyResult("MOB-2", "Downloads", NumericTarget("Downloads", 0, 100), weight=3),
        KeyResult("MOB-3", "Rating", NumericTarget("App rating", 4.0, 4.5)),
        KeyResult("MOB-4", "Share", NumericTarget("Market share", 10, 20)),
    )
    scores = [KeyResultScore("MOB-2", 0.8, ""), KeyResultScore("MOB-3", 0.4, ""), KeyResultScore("MOB-4", None, "")]
    result = score_objective(_objective(*krs), scores, {}, HALFWAY)
    assert result.score == pytest.approx((3 * 0.8 + 0.4 + 0) / 5)


@pytest.mark.parametrize(
    ("score", "ambition", "status"),
    [
        # stretch: expected at half-time is 0.35; tolerance 0.1
        (0.30, Ambition.STRETCH, ObjectiveStatus.ON_TRACK),
        (0.20, Ambition.STRETCH, ObjectiveStatus.AT_RISK),
        (0.10, Ambition.STRETCH, ObjectiveStatus.OFF_TRACK),
        # committed: expected at half-time is 0.5
        (0.35, Ambition.COMMITTED, ObjectiveStatus.AT_RISK),
        (0.45, Ambition.COMMITTED, ObjectiveStatus.ON_TRACK),
        (0.25, Ambition.COMMITTED, ObjectiveStatus.OFF_TRACK),
    ],
)
def test_status_comes_from_pace(score, ambition, status):
    kr = KeyResult("MOB-2", "Downloads", NumericTarget("Downloads", 0, 100))
    result = score_objective(_objective(kr, ambition=ambition), [KeyResultScore("MOB-2", score, "")], {}, HALFWAY)
    assert result.status is status
    assert result.expected == pytest.approx(ambition.success_score * 0.5)


def test_a_breached_guardrail_makes_an_on_track_objective_at_risk_and_names_the_kpi():
    kr = KeyResult("MOB-2", "Downloads", NumericTarget("Downloads", 0, 100))
    objective = _objective(kr, guardrails=("bugs",))
    scores = [KeyResultScore("MOB-2", 0.9, "")]
    healthy = score_objective(objective, scores, {"bugs": _kpi(30)}, HALFWAY)
    warning = score_objective(objective, scores, {"bugs": _kpi(60)}, HALFWAY)
    breached = score_objective(objective, scores, {"bugs": _kpi(96)}, HALFWAY)
    assert healthy.status is warning.status is ObjectiveStatus.ON_TRACK
    assert breached.status is ObjectiveStatus.AT_RISK
    assert breached.reasons == ("guardrail Bug resolution time breached: 96 h against threshold 72",)
    assert breached.summary == "0.90 · at risk · guardrail Bug resolution time breached: 96 h against threshold 72"
    assert healthy.summary == "0.90 · on track"


def test_the_summary_does_not_move_with_the_clock_alone():
    kr = KeyResult("MOB-2", "Downloads", NumericTarget("Downloads", 0, 100))
    scores = [KeyResultScore("MOB-2", 0.2, "")]
    monday = score_objective(_objective(kr), scores, {}, HALFWAY)
    tuesday = score_objective(_objective(kr), scores, {}, HALFWAY + timedelta(days=1))
    assert monday.expected != tuesday.expected
    assert monday.summary == tuesday.summary == "0.20 · at risk · behind the pace the cycle expects"


def test_a_breached_guardrail_does_not_lift_an_off_track_objective():
    kr = KeyResult("MOB-2", "Downloads", NumericTarget("Downloads", 0, 100))
    result = score_objective(
        _objective(kr, guardrails=("bugs",)), [KeyResultScore("MOB-2", 0.0, "")], {"bugs": _kpi(96)}, HALFWAY
    )
    assert result.status is ObjectiveStatus.OFF_TRACK
    assert len(result.reasons) == 2


def test_kpi_and_query_measures_grade_the_value_they_follow():
    follows_kpi = KeyResult("MOB-5", "Faster fixes", KpiTarget("bugs", 96, 48))
    counted = KeyResult("MOB-6", "Accessibility fixes", QueryCount("labels = a11y AND statusCategory = Done", 20))
    inputs = KeyResultInputs(kpis={"bugs": _kpi(72)}, query_counts={"labels = a11y AND statusCategory = Done": 5})
    assert score_key_result(follows_kpi, inputs, HALFWAY).score == 0.5
    assert score_key_result(counted, inputs, HALFWAY) == KeyResultScore("MOB-6", 0.25, "issues 5 (from 0 to 20)")
    assert score_key_result(follows_kpi, KeyResultInputs(), HALFWAY).score is None


def test_a_milestone_without_its_issue_cannot_be_graded():
    milestone = KeyResult("MOB-9", "Launch", Milestone())
    assert score_key_result(milestone, KeyResultInputs(), HALFWAY).score is None


@given(
    value=st.floats(-1e6, 1e6),
    baseline=st.floats(-1e3, 1e3),
    span=st.floats(0.01, 1e3),
    reduce=st.booleans(),
)
def test_grades_are_always_between_zero_and_one(value, baseline, span, reduce):
    target = baseline - span if reduce else baseline + span
    assert 0.0 <= grade(value, baseline, target) <= 1.0


@given(
    start=st.floats(-1e3, 1e3),
    step=st.floats(0, 1e3),
    baseline=st.floats(-1e3, 1e3),
    span=st.floats(0.01, 1e3),
    reduce=st.booleans(),
)
def test_more_progress_never_lowers_a_grade(start, step, baseline, span, reduce):
    target = baseline - span if reduce else baseline + span
    further = start - step if reduce else start + step  # a step towards the target
    assert grade(further, baseline, target) >= grade(start, baseline, target)


@given(
    scores=st.lists(st.one_of(st.none(), st.floats(0, 1)), min_size=1, max_size=6),
    weights=st.lists(st.floats(0.1, 10), min_size=6, max_size=6),
    bump=st.integers(0, 5),
)
def test_objective_scores_stay_in_range_and_rise_with_any_key_result(scores, weights, bump):
    krs = tuple(
        KeyResult(f"K-{i}", "kr", NumericTarget("n", 0, 1), weight=w) for i, w in enumerate(weights[: len(scores)])
    )
    before = [KeyResultScore(f"K-{i}", s, "") for i, s in enumerate(scores)]
    index = bump % len(scores)
    raised = list(before)
    raised[index] = KeyResultScore(f"K-{index}", min(1.0, (scores[index] or 0.0) + 0.1), "")
    low = score_objective(_objective(*krs), before, {}, HALFWAY).score
    high = score_objective(_objective(*krs), raised, {}, HALFWAY).score
    assert 0.0 <= low <= high <= 1.0 + 1e-9


def test_figures_in_reasons_read_like_people_write_them():
    assert figure(397.596) == "397.6"
    assert figure(48.0) == "48"
    assert figure(12345.64) == "12,345.6"
    assert figure(-0.04) == "0"
    assert figure(-2.25) == "-2.2"
