"""Properties of issue histories: reconstruction of any past state, and the calculators' index
agreeing with the history's own answers, over randomly generated change logs."""

from dataclasses import replace
from datetime import UTC, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kpiokr.calculators.filters import IssueSelection
from kpiokr.calculators.index import TeamIndex
from kpiokr.history import FieldChange, IssueHistory, IssueState, StatusCategory
from kpiokr.kpi import TeamData
from tests.builders import DONE, EST, IN_PROGRESS, IN_REVIEW, IST, READY, T0, TODO

# Two cores in CI: no deadline, a modest number of examples.
sane = settings(deadline=None, max_examples=100)

VALUES = {
    "status": st.sampled_from([TODO, IN_PROGRESS, IN_REVIEW, READY, DONE]),
    "estimate": st.none() | st.sampled_from([1.0, 2.0, 3.0, 5.0, 8.0]),
    "sprint_ids": st.frozensets(st.integers(1, 4), max_size=3),
    "resolution": st.sampled_from([None, "Done", "Won't Do", "Duplicate"]),
    "priority": st.sampled_from(["High", "Low"]),
}
ZONES = st.sampled_from([UTC, IST, EST])


@st.composite
def histories(draw, key="MOB-1"):
    """``(history, initial state, [(instant, state after every change at that instant)])``.

    Changes move forward in time from about creation (several may share an instant), each recorded
    in a random time zone; the history is built from the final state and the changes, as the
    sync layer builds it.
    """
    created = T0 + timedelta(minutes=draw(st.integers(0, 10_000)))
    initial = IssueState(issue_type="Story", **{field: draw(values) for field, values in VALUES.items()})
    # Imported issues may carry changes from before their creation.
    state, at = initial, created - timedelta(minutes=draw(st.integers(0, 120)))
    changes, states = [], []
    for _ in range(draw(st.integers(0, 12))):
        at += timedelta(minutes=draw(st.integers(0, 60) | st.integers(0, 3 * 24 * 60)))
        field = draw(st.sampled_from(sorted(VALUES)))
        new = draw(VALUES[field])
        changes.append(FieldChange(at.astimezone(draw(ZONES)), field, getattr(state, field), new))
        state = replace(state, **{field: new})
        if states and states[-1][0] == at:
            states[-1] = (at, state)
        else:
            states.append((at, state))
    return IssueHistory(key, created, state, tuple(changes)), initial, states


@sane
@given(histories(), ZONES)
def test_state_at_every_change_and_between_is_the_simulated_state(case, zone):
    history, initial, states = case
    instants = [at for at, _ in states]
    first = instants[0] if instants else history.created + timedelta(days=1)
    assert history.state_at((first - timedelta(microseconds=1)).astimezone(zone)) == initial
    ends = [*instants[1:], (instants[-1] if instants else first) + timedelta(days=1)]
    for (at, state), following in zip(states, ends, strict=False):
        assert history.state_at(at.astimezone(zone)) == state
        assert history.state_at((at + (following - at) / 2).astimezone(zone)) == state
    if states:
        assert history.state_at(instants[-1]) == history.current


def _done(status, done_ids):
    return status.id in done_ids if done_ids is not None else status.category is StatusCategory.DONE


@sane
@given(
    st.lists(histories(), min_size=1, max_size=6),
    st.sampled_from([None, frozenset({READY.id, DONE.id})]),
    st.lists(st.integers(-600, 40 * 24 * 60), min_size=2, max_size=2),
)
def test_the_index_agrees_with_the_histories(cases, done_ids, minutes):
    histories_ = [replace(history, key=f"MOB-{n}") for n, (history, _, _) in enumerate(cases)]
    index = TeamIndex(TeamData(histories=histories_, tz=UTC, done_status_ids=done_ids))
    after, until = (T0 + timedelta(minutes=m) for m in sorted(minutes))

    expected_done = {}
    for history in histories_:
        since = history.done_since(until, done_ids)
        if since is not None and after < since <= until:
            timeline = history.timeline("status")
            left_before = any(
                history.created < t <= since and _done(old, done_ids) and not _done(new, done_ids)
                for t, old, new in zip(timeline.times, timeline.values, timeline.values[1:], strict=False)
            )
            expected_done[history.key] = (since, left_before, history.first_in_progress(since))
    found = {d.history.key: (d.at, d.reopened, d.started) for d in index.done_within(after, until)}
    assert found == expected_done

    expected_resolved = {
        h.key: (h.resolved_since(until), h.timeline("resolution").at(until))
        for h in histories_
        if (since := h.resolved_since(until)) is not None and after < since <= until
    }
    assert {r.history.key: (r.at, r.resolution) for r in index.resolved_within(after, until)} == expected_resolved

    in_progress = {
        h.key
        for h in histories_
        if h.exists_at(until)
        and h.status_at(until).category is StatusCategory.IN_PROGRESS
        and not _done(h.status_at(until), done_ids)
    }
    assert {h.key for h, _ in index.in_progress_at(until)} == in_progress
    assert all(began == h.first_in_progress(until) for h, began in index.in_progress_at(until))

    unresolved = [h.key for h in histories_ if h.created < after and h.timeline("resolution").at(until) is None]
    assert sorted(h.key for h in index.unresolved_at(until, created_before=after)) == sorted(unresolved)

    for history in histories_:
        for field in VALUES:
            assert index.value_at(history, field, until) == history.timeline(field).at(until)


@sane
@given(
    st.lists(histories(), min_size=1, max_size=6),
    st.sampled_from([(), ("Story",), ("Bug",)]),
    st.sampled_from([(), ("High",)]),
    st.sampled_from([None, frozenset({"MOB-0", "MOB-2"})]),
    st.lists(st.integers(-600, 40 * 24 * 60), min_size=2, max_size=2),
)
def test_judging_a_list_in_one_loop_agrees_with_judging_each_issue(cases, types, priorities, keys, minutes):
    histories_ = [replace(history, key=f"MOB-{n}") for n, (history, _, _) in enumerate(cases)]
    index = TeamIndex(TeamData(histories=histories_, tz=UTC))
    after, until = (T0 + timedelta(minutes=m) for m in sorted(minutes))
    selection = IssueSelection(priorities=priorities, keys=keys)
    for items in (index.done_within(after, until), index.resolved_within(after, until)):
        expected = [item for item in items if selection.selects(index, item.history, item.at, types)]
        assert selection.selected(index, items, types) == expected
