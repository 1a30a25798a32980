"""Which days of a daily series a pass computes: those not stored, stored before they were over, and
those a change can move (from each changed issue's newest event on)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sync.app.daily_series import changed_since, days_to_compute
from tests.builders import day, issue, resolved

DAYS = [date(2026, 1, d) for d in range(1, 8)]
ENDS = {d: datetime.combine(d + timedelta(days=1), datetime.min.time(), UTC) - timedelta(microseconds=1) for d in DAYS}


def test_days_not_stored_or_stored_before_their_end_are_computed():
    stored = {d: ENDS[d] for d in DAYS[:5]} | {DAYS[4]: ENDS[DAYS[4]] - timedelta(hours=6)}

    assert days_to_compute(DAYS, stored, ENDS, None) == DAYS[4:]


def test_a_change_computes_its_day_and_every_later_one_and_no_earlier():
    stored = {d: ENDS[d] for d in DAYS}

    assert days_to_compute(DAYS, stored, ENDS, DAYS[2]) == DAYS[2:]
    assert days_to_compute(DAYS, stored, ENDS, None) == []


def test_a_changed_issue_moves_the_days_from_its_newest_event_on_the_earliest_of_several():
    created_only = issue("MOB-1", created=day(10))
    resolved_later = issue("MOB-2", created=day(1), changes=[resolved(day(3)), resolved(day(5), old="Done")])

    assert changed_since([created_only, resolved_later], UTC) == day(5).date()
    assert changed_since([created_only], UTC) == day(10).date()
    assert changed_since([], UTC) is None


def test_the_day_of_a_change_is_the_team_s_day():
    late_evening = issue("MOB-1", created=datetime(2026, 1, 5, 23, 30, tzinfo=UTC))

    assert changed_since([late_evening], ZoneInfo("Europe/Berlin")) == date(2026, 1, 6)
