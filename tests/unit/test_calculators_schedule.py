"""Schedule adherence, with due dates as calendar days in the site's time zone."""

from datetime import UTC, date, datetime

import pytest

from kpiokr.calculators import ScheduleAdherence
from kpiokr.kpi import Window
from tests.builders import EST, IST, change, issue, resolved, team

CREATED = datetime(2025, 3, 1, tzinfo=UTC)
DUE = date(2025, 3, 5)
AS_OF = datetime(2025, 3, 10, tzinfo=UTC)
WINDOW = Window(days=7)  # (3 March 00:00 UTC, 10 March 00:00 UTC]


def due_issue(key, resolved_at=None, due=DUE, changes=()):
    steps = [*changes, resolved(resolved_at)] if resolved_at else list(changes)
    return issue(key, type="Task", created=CREATED, due=due, changes=steps)


def measure(tz, *histories, as_of=AS_OF, window=WINDOW):
    return ScheduleAdherence().measure(team(*histories, tz=tz), window, as_of)


def test_due_day_ends_at_midnight_in_a_plus_0530_site():
    # 5 March ends at 6 March 00:00 +05:30 = 5 March 18:30 UTC.
    # ON: resolved 18:00 UTC (23:30 in Kolkata): on time.
    # LATE: resolved 19:00 UTC, still 5 March in UTC but 00:30 on the 6th in Kolkata: late.
    on = due_issue("ON", datetime(2025, 3, 5, 18, 0, tzinfo=UTC))
    late = due_issue("LATE", datetime(2025, 3, 6, 0, 30, tzinfo=IST))
    measurement = measure(IST, on, late)
    assert measurement.value == pytest.approx(50)
    assert measurement.details == {"late": ["LATE"], "on_time": 1}
    # Read in UTC the same two issues would both be on time.
    assert measure(UTC, on, late).value == pytest.approx(100)


def test_due_day_ends_at_midnight_in_a_minus_0500_site():
    # 5 March ends at 6 March 00:00 -05:00 = 6 March 05:00 UTC.
    # ON: resolved 04:00 UTC on the 6th (23:00 on the 5th in New York): on time.
    # LATE: resolved 05:00 UTC on the 6th, exactly midnight in New York: late.
    on = due_issue("ON", datetime(2025, 3, 6, 4, 0, tzinfo=UTC))
    late = due_issue("LATE", datetime(2025, 3, 6, 0, 0, tzinfo=EST))
    assert measure(EST, on, late).details == {"late": ["LATE"], "on_time": 1}
    # Read in UTC both would be late.
    assert measure(UTC, on, late).value == pytest.approx(0)


def test_unresolved_past_due_is_late_and_not_yet_due_is_not_counted():
    # OPEN: due 5 March, unresolved on the 10th: late.
    # TODAY: due 9 March in Kolkata, which ends 9 March 18:30 UTC; asked at 12:00 UTC: not counted.
    # EARLY: due 9 March but already resolved: on time even before the day is over.
    as_of = datetime(2025, 3, 9, 12, tzinfo=UTC)
    today = due_issue("TODAY", due=date(2025, 3, 9))
    early = due_issue("EARLY", datetime(2025, 3, 8, tzinfo=UTC), due=date(2025, 3, 9))
    measurement = measure(IST, due_issue("OPEN"), today, early, as_of=as_of)
    assert measurement.details == {"late": ["OPEN"], "on_time": 1}
    assert measurement.sample_size == 2


def test_only_due_days_overlapping_the_window_count():
    # The window (3 March 00:00, 10 March 00:00] UTC: 2 March and 10 March fall outside it.
    before = due_issue("BEFORE", due=date(2025, 3, 2))
    after = due_issue("AFTER", datetime(2025, 3, 9, tzinfo=UTC), due=date(2025, 3, 10))
    inside = due_issue("IN", datetime(2025, 3, 4, tzinfo=UTC))
    measurement = measure(UTC, before, after, inside)
    assert measurement.details == {"late": [], "on_time": 1}
    assert measure(UTC, before, after).value is None


def test_the_due_date_as_of_as_of_counts():
    # Due 5 March, moved to 20 March on 4 March: not due in the window any more.
    moved_out = due_issue("MOVED", changes=[change(datetime(2025, 3, 4, tzinfo=UTC), "due", DUE, date(2025, 3, 20))])
    # Due 20 March, pulled in to 5 March and left open: late.
    pulled_in = due_issue(
        "PULLED",
        due=date(2025, 3, 20),
        changes=[change(datetime(2025, 3, 4, tzinfo=UTC), "due", date(2025, 3, 20), DUE)],
    )
    assert measure(UTC, moved_out, pulled_in).details == {"late": ["PULLED"], "on_time": 0}
    # Asked on 4 March at 00:00 UTC, before the move, MOVED was due 5 March, not yet past.
    assert measure(UTC, moved_out, as_of=datetime(2025, 3, 4, tzinfo=UTC)).value is None
