"""What every calculator shares: the registry, the parameter contract, filters and statistics."""

import dataclasses
import typing

import pytest

from kpiokr.calculators import CALCULATORS, SlaAdherence, Throughput
from kpiokr.calculators.index import team_index
from kpiokr.calculators.stats import percentile, summarize
from kpiokr.kpi import Direction, KpiDefinition, Measurement, Window, evaluate_kpi
from tests.builders import change, day, done_issue, issue, sprint, team

KINDS = {
    "velocity": ("points", Direction.HIGHER_IS_BETTER, True),
    "say_do_ratio": ("%", Direction.HIGHER_IS_BETTER, True),
    "scope_change": ("%", Direction.LOWER_IS_BETTER, True),
    "resolution_time": ("hours", Direction.LOWER_IS_BETTER, False),
    "sla_adherence": ("%", Direction.HIGHER_IS_BETTER, False),
    "schedule_adherence": ("%", Direction.HIGHER_IS_BETTER, False),
    "cycle_time": ("days", Direction.LOWER_IS_BETTER, False),
    "lead_time": ("days", Direction.LOWER_IS_BETTER, False),
    "throughput": ("issues/week", Direction.HIGHER_IS_BETTER, False),
    "wip": ("issues", Direction.LOWER_IS_BETTER, False),
    "ageing_wip": ("issues", Direction.LOWER_IS_BETTER, False),
    "reopen_rate": ("%", Direction.LOWER_IS_BETTER, False),
    "defect_ratio": ("bugs per story", Direction.LOWER_IS_BETTER, False),
    "budget_variance": ("%", Direction.LOWER_IS_BETTER, False),
}


def build(cls):
    return cls(sla_hours=24) if cls is SlaAdherence else cls()


def test_the_registry_holds_every_kind_with_its_unit_direction_and_window():
    assert {kind: (cls.unit, cls.direction, cls.needs_sprints) for kind, cls in CALCULATORS.items()} == KINDS
    assert all(cls.kind == kind for kind, cls in CALCULATORS.items())


@pytest.mark.parametrize("cls", CALCULATORS.values(), ids=CALCULATORS.keys())
def test_parameters_are_frozen_keyword_fields_with_tuple_defaults(cls):
    calculator = build(cls)
    assert dataclasses.is_dataclass(cls)
    with pytest.raises(dataclasses.FrozenInstanceError):
        calculator.labels = ("x",)
    for field in dataclasses.fields(cls):
        assert field.kw_only
        assert field.default is not dataclasses.MISSING
        assert not isinstance(field.default, list)
    names = {field.name for field in dataclasses.fields(cls)}
    assert {"priorities", "labels", "keys"} <= names
    assert set(typing.get_type_hints(cls)) >= names


@pytest.mark.parametrize("cls", CALCULATORS.values(), ids=CALCULATORS.keys())
def test_every_calculator_measures_an_empty_team_and_runs_through_evaluate_kpi(cls):
    data = team(sprints=(sprint(1, day(0), day(14)),))
    window = Window(sprints=2) if cls.needs_sprints else Window(days=14)
    definition = KpiDefinition("K", "K", build(cls), target=1, threshold=1, window=window)
    result = evaluate_kpi(definition, data, day(20))
    assert isinstance(result.measurement, Measurement)
    assert len(result.series) == (2 if cls.needs_sprints else 4)


def test_filters_on_priority_labels_and_keys_judged_when_it_matters():
    data = team(
        done_issue("A", created=day(0), done=day(2), priority="High", labels={"customer"}),
        # Became High after it was done: as done it was Low.
        done_issue("B", created=day(0), done=day(2), priority="Low", labels={"ops", "customer"}),
        issue("C", created=day(0), priority="Low", changes=[change(day(5), "priority", "Low", "High")]),
    )

    def count(**filters):
        return Throughput(**filters).measure(data, Window(days=7), day(7)).sample_size

    assert count() == 2
    assert count(priorities=("High",)) == 1
    assert count(labels=("customer", "nobody")) == 2
    assert count(labels=("ops",)) == 1
    assert count(keys=frozenset({"B", "C"})) == 1
    assert count(keys=frozenset()) == 0
    with pytest.raises(ValueError, match="keys must be a frozenset"):
        Throughput(keys={"A"})
    with pytest.raises(ValueError, match=r"priorities must be a tuple of names, e\.g\. priorities="):
        Throughput(priorities=("",))


def test_percentiles_interpolate_between_closest_ranks_like_numpy():
    # numpy.percentile([1, 2, 3, 4], 85) = 3.55: rank 0.85 * 3 = 2.55 -> 3 + 0.55 * (4 - 3).
    assert percentile([1, 2, 3, 4], 85) == pytest.approx(3.55)
    assert percentile([7], 95) == 7
    assert summarize([4, 1, 3, 2], "median") == pytest.approx(2.5)
    assert summarize([4, 1, 3, 2], "p90") == pytest.approx(3.7)
    assert summarize([4, 1, 3, 2], "p95") == pytest.approx(3.85)
    assert summarize([4, 1, 3, 2], "mean") == pytest.approx(2.5)
    assert summarize([4, 1, 3, 2], "max") == 4
    assert summarize([], "median") is None


def test_a_team_is_indexed_once_and_shared_by_every_calculator():
    data = team(done_issue("A", created=day(0), done=day(2)))
    assert team_index(data) is team_index(data)
    assert team_index(team(*data.histories)) is not team_index(data)
    # Results of one calculator do not leak into another team's.
    assert Throughput().measure(team(), Window(days=7), day(7)).sample_size == 0
    assert Throughput().measure(data, Window(days=7), day(7)).sample_size == 1
