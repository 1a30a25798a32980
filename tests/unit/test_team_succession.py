"""A team's next version taking over what the calculators derived from the previous one (the index,
shared results): the same answers as the team computed afresh, whatever changed, at any instant."""

from dataclasses import replace
from datetime import UTC, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kpiokr.calculators import CALCULATORS, SlaAdherence
from kpiokr.calculators.index import TeamIndex, team_index
from kpiokr.history import FieldChange, IssueHistory, first_difference
from kpiokr.kpi import KpiDefinition, Measurement, TeamData, Window, evaluate_kpi, history_changes
from tests.builders import DONE, IN_PROGRESS, READY, T0, TODO, day, done_issue, issue, moved, sprint, team
from tests.unit.test_history_properties import histories

sane = settings(deadline=None, max_examples=60)

SPRINTS = (sprint(1, day(0), day(7)), sprint(2, day(7), day(14)), sprint(3, day(14), day(21)), sprint(4, day(21)))
INSTANTS = st.lists(st.integers(-600, 40 * 24 * 60), min_size=1, max_size=3)


def prefix(case, count):
    """The history as it stood after its first ``count`` changes (an older version of it)."""
    history, initial, _ = case
    state = initial
    for change in history.changes[:count]:
        state = replace(state, **{change.field: change.new})
    return IssueHistory(history.key, history.created, state, history.changes[:count])


def extended(history: IssueHistory, hours: float) -> IssueHistory:
    """The history with one more change, ``hours`` after its last one: what an edit in Jira does."""
    last = max([history.created, *(c.at for c in history.changes)])
    status = history.current.status
    new = IN_PROGRESS if status == DONE else DONE
    change = FieldChange(last + timedelta(hours=hours), "status", status, new)
    return IssueHistory(history.key, history.created, replace(history.current, status=new), (*history.changes, change))


@sane
@given(histories(), st.data(), INSTANTS)
def test_two_versions_agree_at_every_instant_before_their_first_difference(case, data, minutes):
    history = case[0]
    older = prefix(case, data.draw(st.integers(0, len(history.changes))))
    other = replace(data.draw(histories())[0], key=history.key)
    for a, b in ((older, history), (history, older), (history, other)):
        since = first_difference(a, b)
        for m in minutes:
            instant = T0 + timedelta(minutes=m)
            exists = instant >= max(a.created, b.created)  # nothing about an issue matters before it exists
            if exists and (since is None or instant < since):
                assert a.state_at(instant) == b.state_at(instant)
    assert first_difference(history, history) is None
    assert first_difference(history, extended(history, 2)) == max(
        [history.created, *(c.at for c in history.changes)]
    ) + timedelta(hours=2)


def _calculators():
    for cls in CALCULATORS.values():
        calculator = cls(sla_hours=24) if cls is SlaAdherence else cls()
        yield calculator, Window(sprints=2) if cls.needs_sprints else Window(days=14)


def _same(a: Measurement, b: Measurement) -> bool:
    def norm(value):
        if isinstance(value, float):
            return round(value, 9)
        if isinstance(value, dict):
            return {k: norm(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return sorted((norm(v) for v in value), key=repr)
        return value

    return norm((a.value, a.sample_size, a.details)) == norm((b.value, b.sample_size, b.details))


@sane
@given(
    st.lists(histories(), min_size=1, max_size=6),
    st.sampled_from([None, frozenset({READY.id, DONE.id})]),
    st.data(),
    INSTANTS,
)
def test_a_team_that_took_over_measures_like_a_fresh_one(cases, done_ids, data, minutes):
    old = [replace(case[0], key=f"MOB-{n}") for n, case in enumerate(cases)]
    new = []
    for n, history in enumerate(old):
        action = data.draw(st.sampled_from(["keep", "keep", "drop", "older", "other", "edited"]))
        if action == "keep":
            new.append(history)
        elif action == "older":
            new.append(replace(prefix(cases[n], data.draw(st.integers(0, len(history.changes)))), key=history.key))
        elif action == "other":
            new.append(replace(data.draw(histories())[0], key=history.key))
        elif action == "edited":
            new.append(extended(history, data.draw(st.integers(0, 30 * 24))))
    new += [replace(h, key=f"WEB-{n}") for n, (h, _, _) in enumerate(data.draw(st.lists(histories(), max_size=2)))]
    instants = [T0 + timedelta(minutes=m) for m in minutes]

    before = TeamData(old, UTC, SPRINTS, done_ids)
    for calculator, window in _calculators():
        for instant in instants:
            calculator.measure(before, window, instant)
    after = TeamData(new, UTC, SPRINTS, done_ids)
    assert after.take_over(before, most=1.0)
    fresh = TeamData(list(new), UTC, SPRINTS, done_ids)

    assert isinstance(after._derived["index"], TeamIndex)
    assert before._derived == {}
    for calculator, window in _calculators():
        for instant in instants:
            assert _same(calculator.measure(after, window, instant), calculator.measure(fresh, window, instant))


def test_results_read_before_the_first_change_survive_the_others_are_recomputed():
    a = done_issue("MOB-1", created=day(0), done=day(3), estimate=3, sprints={1})
    b = issue("MOB-2", created=day(0), estimate=5, sprints={3}, changes=[moved(day(8), TODO, IN_PROGRESS)])
    before = team(a, b, sprints=SPRINTS)
    definition = KpiDefinition("v", "Velocity", CALCULATORS["velocity"](), 10, 5, Window(sprints=2))
    assert evaluate_kpi(definition, before, day(22)).value == 0
    index = team_index(before)
    assert len(index.memo) == 3  # the figures of sprints 1, 2 and 3

    edited = issue(
        "MOB-2",
        created=day(0),
        estimate=5,
        sprints={3},
        changes=[moved(day(8), TODO, IN_PROGRESS), moved(day(15), IN_PROGRESS, DONE)],
    )
    after = team(a, edited, sprints=SPRINTS)
    changes = history_changes(before.histories, after.histories)
    assert changes is not None
    assert changes.since == day(15)
    assert after.take_over(before, most=0.5)
    assert team_index(after) is index  # updated in place, not built again
    assert len(index.memo) == 2  # sprints 1 and 2 closed before day 15; sprint 3 is counted again
    second = evaluate_kpi(definition, after, day(22))
    assert second.value == 2.5  # sprint 3 completed MOB-2's 5 points
    assert second.series == evaluate_kpi(definition, team(a, edited, sprints=SPRINTS), day(22)).series


@pytest.mark.parametrize(
    "change",
    [
        {"tz": timedelta(hours=1)},
        {"sprints": SPRINTS[:3]},
        {"done_status_ids": frozenset({DONE.id})},
    ],
    ids=["time zone", "sprints", "done column"],
)
def test_nothing_is_taken_over_when_the_board_or_the_zone_changed(change):
    histories_ = (done_issue("MOB-1", created=day(0), done=day(3)),)
    before = team(*histories_, sprints=SPRINTS)
    team_index(before)
    values = {"tz": UTC, "sprints": SPRINTS, "done_status_ids": None}
    if "tz" in change:
        values["tz"] = timezone(change["tz"])
    else:
        values.update(change)
    after = TeamData(histories_, values["tz"], values["sprints"], values["done_status_ids"])
    assert not after.take_over(before)
    assert after._derived == {}
    assert "index" in before._derived


def test_nothing_is_taken_over_when_too_much_changed():
    before = team(*(done_issue(f"MOB-{n}", created=day(0), done=day(3)) for n in range(10)))
    team_index(before)
    edited = [extended(h, 1) for h in before.histories[:2]] + list(before.histories[2:])
    assert not TeamData(edited, UTC).take_over(before)  # 2 of 10 issues differ: over 10 %
    assert TeamData(edited, UTC).take_over(before, most=0.5)


def test_a_team_whose_keys_repeat_takes_nothing_over():
    a = done_issue("MOB-1", created=day(0), done=day(3))
    b = done_issue("MOB-1", created=day(1), done=day(4))
    before = team(a, b)
    team_index(before)
    after = team(a, extended(b, 1))
    after.take_over(before, most=1.0)
    assert after._derived == {}
