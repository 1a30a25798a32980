"""JQL date values as Jira reads them: in the calling account's zone, relative to the site clock.

Literals (``"2026/11/20 14:05"``, ``"2026-11-20 14:05"``, ``"2026/11/20"``, ``"2026-11-20"``) have
minute precision and are wall-clock times in the caller's zone. Periods (``-7d``, ``"4w 2d"``,
``-4h``, ``30m``) count from now. Functions: ``now()``, ``startOf``/``endOf`` ``Day``, ``Week``
(weeks start on Sunday, as for an en_US account), ``Month``, ``Year``, with an optional shift
(``startOfDay(-1)``, ``startOfWeek("+1w")``).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PERIOD = re.compile(r"^([-+]?)\s*((?:\d+\s*[wdhm]\s*)+)$")
UNIT_MS = {"w": 604_800_000, "d": 86_400_000, "h": 3_600_000, "m": 60_000}
FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")
UNITS = ("day", "week", "month", "year")


def period_ms(text: str) -> int | None:
    """A signed period in milliseconds (``-1w 2d`` -> minus nine days), or None if not a period."""
    m = PERIOD.match(text.strip())
    if m is None:
        return None
    total = sum(int(n) * UNIT_MS[u] for n, u in re.findall(r"(\d+)\s*([wdhm])", m.group(2)))
    return -total if m.group(1) == "-" else total


def literal_ms(text: str, tz: ZoneInfo) -> int | None:
    """A date(-time) literal read as wall-clock time in ``tz``, or None if it is not one."""
    for fmt in FORMATS:
        try:
            local = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return int(local.replace(tzinfo=tz).timestamp() * 1000)
    return None


def function_ms(name: str, args: tuple[str, ...], tz: ZoneInfo, now_ms: int) -> int | None:
    """The instant a date function names, or None for an unknown function."""
    low = name.lower()
    if low == "now":
        return now_ms
    unit = next((u for u in UNITS if low in (f"startof{u}", f"endof{u}")), None)
    if unit is None:
        return None
    start = datetime.fromtimestamp(now_ms / 1000, tz).replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "week":
        start -= timedelta(days=(start.weekday() + 1) % 7)
    elif unit == "month":
        start = start.replace(day=1)
    elif unit == "year":
        start = start.replace(month=1, day=1)
    shift = args[0] if args else ""
    if shift.lstrip("+-").isdigit():
        start = shift_by(start, unit, int(shift))
    elif shift and (delta := period_ms(shift)) is not None:
        start += timedelta(milliseconds=delta)
    if low.startswith("end"):
        start = shift_by(start, unit, 1) - timedelta(milliseconds=1)
    return int(start.replace(tzinfo=None).replace(tzinfo=tz).timestamp() * 1000)


def shift_by(start: datetime, unit: str, n: int) -> datetime:
    """``start`` moved by ``n`` days, weeks, months or years (wall-clock)."""
    if unit == "day":
        return start + timedelta(days=n)
    if unit == "week":
        return start + timedelta(weeks=n)
    months = start.year * 12 + start.month - 1 + (n if unit == "month" else 12 * n)
    return start.replace(year=months // 12, month=months % 12 + 1)
