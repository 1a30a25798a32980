"""Daily series from a store seeded with issues and one recorded sync: a backfill of every day of the
cycle, hand-checked; the extension as days pass; an old issue changed late recomputes exactly the days
from its change on (revision 0004)."""

import copy
from datetime import UTC, date, datetime, timedelta

import pytest

from sync.app.daily_series import SeriesUpdate, extend_series
from sync.mapping.schema import TeamMapping
from sync.store import DailyPoint, Store
from sync.store.migrations import head_revision
from tests.adapters.seeded_support import ISSUES, SYNCED, record_sync, support_team
from tests.adapters.store_support import old_store_with_board

END_OF_DAY = timedelta(days=1, microseconds=-1)
TO_12 = range(1, 13)  # the days of January up to the sync on the 12th


@pytest.fixture
def team() -> TeamMapping:
    return support_team()


@pytest.fixture
def synced(store: Store, team: TeamMapping) -> Store:
    """The store after a sync on 12 January: the issues and that pass's report."""
    return record_sync(store, team)


def series(store: Store, name: str) -> dict[date, float | None]:
    return {p.day: p.value for p in store.daily_points("Support", "2026-Q1", name)}


def jan(day: int) -> date:
    return date(2026, 1, day)


def reopened_sup2() -> dict:
    """SUP-2 as Jira shows it after a change stamped 9 January 10:00 became visible late: reopened."""
    issue = copy.deepcopy(ISSUES[1])
    issue["fields"].update({"status": {"id": "1", "name": "To Do"}, "resolution": None})
    issue["fields"]["updated"] = "2026-01-09T10:00:00.000+0000"
    items = [
        {"field": "status", "fieldId": "status", "from": "5", "fromString": "Done", "to": "1", "toString": "To Do"},
        {"field": "resolution", "fieldId": "resolution", "from": "1", "fromString": "Done", "to": None},
    ]
    issue["changelog"]["histories"].append({"id": "9", "created": "2026-01-09T10:00:00.000+0000", "items": items})
    return issue


def test_the_first_extension_backfills_every_day_of_the_cycle_up_to_today(synced: Store, team: TeamMapping):
    update = extend_series(synced, team, SYNCED)

    assert update == SeriesUpdate("Support", tuple(jan(d) for d in range(1, 12)), 11 * 4 + 4)
    # SUP-2 created on the 5th, done on the 7th; SUP-3 created on the 10th, imported resolved on the 11th
    assert series(synced, "key_result:SUP-2") == {
        jan(d): None if d < 5 else 0.0 if d < 7 else 1.0 for d in range(1, 13)
    }
    assert series(synced, "key_result:SUP-3") == {
        jan(d): None if d < 10 else 0.0 if d < 11 else 1.0 for d in range(1, 13)
    }
    assert series(synced, "objective:SUP-1") == {jan(d): 0.0 if d < 7 else 0.5 if d < 11 else 1.0 for d in TO_12}
    # resolution time over 28 days: none before the 7th, then SUP-2's 48 h, then (48 + 24) / 2
    assert series(synced, "kpi:resolution") == {
        jan(d): None if d < 7 else 48.0 if d < 11 else 36.0 for d in range(1, 13)
    }
    points = {p.day: p for p in synced.daily_points("Support", series="objective:SUP-1")}
    assert points[jan(3)].as_of == datetime(2026, 1, 3, tzinfo=UTC) + END_OF_DAY
    assert points[jan(3)].status == "on track"  # nothing done, but the cycle expects 0.7 * 3 / 90 by then
    assert points[jan(12)].as_of == SYNCED  # today: as of the pass, taken again once the day is over


def test_later_extensions_compute_only_the_days_not_stored_or_not_over(synced: Store, team: TeamMapping):
    extend_series(synced, team, SYNCED)

    later = extend_series(synced, team, SYNCED + timedelta(days=2))
    again = extend_series(synced, team, SYNCED + timedelta(days=2, hours=1))

    assert later.days == (jan(12), jan(13))
    assert again.days == ()
    assert again.points == 4  # today's point alone, as of the later instant
    assert synced.daily_days("Support", "2026-Q1")[jan(12)] == datetime(2026, 1, 12, tzinfo=UTC) + END_OF_DAY
    assert sorted(series(synced, "objective:SUP-1")) == [jan(d) for d in range(1, 15)]


def test_an_old_issue_changed_late_recomputes_the_days_from_its_change_on_and_no_earlier(
    synced: Store, team: TeamMapping
):
    extend_series(synced, team, SYNCED + timedelta(days=2))
    synced.upsert_issues([reopened_sup2()])

    update = extend_series(synced, team, SYNCED + timedelta(days=2, hours=1), changed={"SUP-2"})

    assert update.days == (jan(9), jan(10), jan(11), jan(12), jan(13))
    assert series(synced, "key_result:SUP-2") == {
        jan(d): None if d < 5 else 1.0 if 7 <= d < 9 else 0.0 for d in range(1, 15)
    }
    assert series(synced, "objective:SUP-1") == {jan(d): 0.5 if 7 <= d < 9 or d >= 11 else 0.0 for d in range(1, 15)}


def test_a_backfill_cut_short_fills_the_newest_days_first_and_the_next_extension_the_rest(
    synced: Store, team: TeamMapping
):
    allowed = iter([True] * 4)

    cut = extend_series(synced, team, SYNCED, keep_going=lambda: next(allowed, False))
    rest = extend_series(synced, team, SYNCED)

    assert cut.days == (jan(8), jan(9), jan(10), jan(11))
    assert sorted(series(synced, "objective:SUP-1")) == [jan(d) for d in range(1, 13)]
    assert rest.days == tuple(jan(d) for d in range(1, 8))


def test_days_a_change_moves_are_recomputed_even_when_the_backfill_may_not_go_on(synced: Store, team: TeamMapping):
    extend_series(synced, team, SYNCED + timedelta(days=2))
    synced.upsert_issues([reopened_sup2()])

    update = extend_series(
        synced, team, SYNCED + timedelta(days=2, hours=1), changed={"SUP-2"}, keep_going=lambda: False
    )

    assert update.days == (jan(9), jan(10), jan(11), jan(12), jan(13))
    assert series(synced, "key_result:SUP-2")[jan(10)] == 0.0


def test_before_the_cycle_starts_nothing_is_stored(synced: Store, team: TeamMapping):
    assert extend_series(synced, team, datetime(2025, 12, 31, 12, tzinfo=UTC)) == SeriesUpdate("Support", (), 0)
    assert synced.daily_points("Support") == []


def test_points_replace_those_of_the_same_day_and_a_day_is_as_old_as_its_oldest_point(store: Store):
    noon = datetime(2026, 1, 2, 12, tzinfo=UTC)
    first = [
        DailyPoint("Support", "2026-Q1", "kpi:wip", jan(2), 3.0, "on_track", noon),
        DailyPoint("Support", "2026-Q1", "objective:SUP-1", jan(2), float("inf"), "at risk", noon),
        DailyPoint("Mobile", "2026-Q1", "kpi:wip", jan(2), 9.0, "breached", noon),
    ]
    store.record_daily_points(first)
    end = datetime(2026, 1, 2, tzinfo=UTC) + END_OF_DAY
    store.record_daily_points([DailyPoint("Support", "2026-Q1", "kpi:wip", jan(2), 4.0, "at_risk", end)])

    assert store.daily_points("Support") == [
        DailyPoint("Support", "2026-Q1", "kpi:wip", jan(2), 4.0, "at_risk", end),
        DailyPoint("Support", "2026-Q1", "objective:SUP-1", jan(2), None, "at risk", noon),  # not finite: no value
    ]
    assert store.daily_days("Support", "2026-Q1") == {jan(2): noon}
    assert store.daily_days("Support", "2025-Q4") == {}


def test_a_store_made_by_revision_0003_gets_the_daily_series_and_keeps_its_data(store_url: str):
    old_store_with_board(store_url, "0003")

    with Store.open(store_url) as store:
        assert store.schema_status().current == (head_revision(),)
        assert store.board(7) == {"id": 7}
        assert store.daily_points("Support") == []
