"""Review periods and the cadence: which week, month or cycle a review covers, and when it falls due.

Weeks run seven days from the team's ``weekly_day``; months are calendar months; the quarterly
review covers the OKR cycle. A review asked for on demand covers the period holding its as-of day,
evaluated at that instant. The schedule makes each review once its period is over: the weekly digest
on ``weekly_day`` at ``time`` for the week just ended, the monthly check-in on the month's first
working day at ``time`` for the month just ended, both evaluated at the end of their last day; the
quarterly review on the cycle's last day at ``time``, evaluated then. All in the team's time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sync.mapping import WEEKDAYS, CycleSection, ReviewKind, ReviewSection

_LAST_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class Period:
    """What one review covers: ``kind``, first and last day (included), and its name (``label``)."""

    kind: ReviewKind
    start: date
    end: date
    label: str

    @property
    def key(self) -> str:
        """``weekly:2026-11-16``, ``monthly:2026-11``, ``quarterly:2026-q4``: unique per team and kind."""
        return f"{self.kind}:{slug(self.label)}"


def slug(text: str) -> str:
    """``text`` in lower case letters, digits and hyphens (a marker's words survive any format)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def day_end(day: date, tz: tzinfo) -> datetime:
    """The last instant of ``day`` in ``tz``."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=tz) - _LAST_INSTANT


def period_of(kind: ReviewKind, day: date, review: ReviewSection, cycles: tuple[CycleSection, ...]) -> Period:
    """The period of ``kind`` holding ``day``; the quarterly one is the cycle holding it, else the first given."""
    if kind == "weekly":
        start = day - timedelta(days=(day.weekday() - WEEKDAYS.index(review.weekly_day)) % 7)
        return Period(kind, start, start + timedelta(days=6), f"week of {start.isoformat()}")
    if kind == "monthly":
        start = day.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return Period(kind, start, following - timedelta(days=1), start.strftime("%Y-%m"))
    cycle = next((c for c in cycles if c.start <= day <= c.end), cycles[0])
    return Period(kind, cycle.start, cycle.end, cycle.name)


def first_working_day(month_start: date, review: ReviewSection) -> date:
    """The first of ``review.working_days`` in the month starting ``month_start``."""
    working = {WEEKDAYS.index(d) for d in review.working_days}
    return next(
        month_start + timedelta(days=n) for n in range(7) if (month_start + timedelta(days=n)).weekday() in working
    )


@dataclass(frozen=True)
class Due:
    """A scheduled review: its period, the instant it fell due and the instant it is evaluated at."""

    period: Period
    due: datetime
    as_of: datetime


def latest_due(kind: ReviewKind, review: ReviewSection, cycle: CycleSection, tz: tzinfo, now: datetime) -> Due | None:
    """The newest review of ``kind`` whose time has come by ``now`` (``None`` before the first)."""
    hour, minute = (int(part) for part in review.time.split(":"))
    at = time(hour, minute)
    today = now.astimezone(tz).date()
    if kind == "quarterly":
        due = datetime.combine(cycle.end, at, tzinfo=tz)
        return Due(Period(kind, cycle.start, cycle.end, cycle.name), due, due) if due <= now else None
    for back in range(0, 40):
        day = today - timedelta(days=back)
        if kind == "weekly" and WEEKDAYS[day.weekday()] == review.weekly_day:
            covered = period_of("weekly", day - timedelta(days=1), review, (cycle,))
        elif kind == "monthly" and day == first_working_day(day.replace(day=1), review):
            covered = period_of("monthly", day.replace(day=1) - timedelta(days=1), review, (cycle,))
        else:
            continue
        due = datetime.combine(day, at, tzinfo=tz)
        if due <= now:
            return Due(covered, due, day_end(covered.end, tz))
    return None
