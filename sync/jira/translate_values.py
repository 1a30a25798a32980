"""Jira values as domain values: date-times, numbers, hours, dates, and changelog items' from/to.

Pure. The changelog converters take the :class:`sync.jira.translate.SiteDictionary` translating them,
for its lookups (statuses, sprint names) and for sharing equal values between issues.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sync.jira.translate_agile import SPRINT_NAME_SEPARATOR

if TYPE_CHECKING:
    from sync.jira.translate import SiteDictionary

Item = Mapping[str, Any]
Convert = Callable[[Item, "SiteDictionary"], tuple[object, object]]
SECONDS_PER_HOUR = 3600.0


def parse_datetime(text: str) -> datetime:
    """Parse a Jira date-time (``2026-10-05T09:12:33.123+0200``, ``+05:30``, ``Z``) into an aware datetime."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"Jira date-time without a time zone: {text!r}")
    return value


def parse_instant(text: str) -> datetime:
    """A Jira date-time as the same instant in UTC.

    Histories hold instants in UTC only: Jira shows each in its author's zone, and comparing aware
    datetimes whose ``tzinfo`` objects differ is ~15x slower than comparing two in UTC (sorting a
    100,000-issue team's status spans took 3.6 s with the authors' offsets, 0.3 s in UTC).
    """
    return parse_datetime(text).astimezone(UTC)


# -- changelog item values -------------------------------------------------------------------


def _value(item: Item, side: str) -> Any:
    raw = item.get(side)
    return raw if raw not in (None, "") else item.get(side + "String")


def status_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    """Status ids to statuses. A creation-time item (no ``from``) changes nothing: an issue always has one."""
    old, new = item.get("from"), item.get("to")
    after = site.status(new, item.get("toString"))
    before = site.status(old, item.get("fromString"))
    return before or after, after or before


def issue_type_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    old, new = string_change(item, site)
    return old or new, new or old


def string_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return site.share(item.get("fromString") or None), site.share(item.get("toString") or None)


def labels_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    old, new = (frozenset((item.get(side) or "").split()) for side in ("fromString", "toString"))
    return site.share(old), site.share(new)


def number_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return to_float(_value(item, "from")), to_float(_value(item, "to"))


def hours_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return to_hours(_value(item, "from")), to_hours(_value(item, "to"))


def estimate_converter(field_id: str) -> Convert:
    return hours_change if field_id == "timeoriginalestimate" else number_change


def date_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return site.share(to_date(_value(item, "from"))), site.share(to_date(_value(item, "to")))


def sprint_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return site.share(_sprint_side(item, "from", site)), site.share(_sprint_side(item, "to", site))


def _sprint_id_list(ids: str | None) -> frozenset[int]:
    if not ids:
        return frozenset()
    try:
        return frozenset(map(int, ids.split(",")))  # int() ignores the blanks of "1, 2"
    except ValueError:
        return frozenset(int(p) for p in ids.split(",") if p.strip().isdigit())


def _sprint_side(item: Item, side: str, site: SiteDictionary) -> frozenset[int]:
    ids = item.get(side)
    names = item.get(side + "String")
    if ids is not None or not names:
        return _sprint_id_list(ids)
    found = set()
    for name in str(names).split(SPRINT_NAME_SEPARATOR):
        sprint_id = site.sprint_ids_by_name.get(name.strip())
        if sprint_id is None:
            site.warn_once(f"sprint:{name}", "sprint %r in a changelog has no id and is not on the board", name)
        else:
            found.add(sprint_id)
    return frozenset(found)


def to_float(value: Any) -> float | None:
    """A number field's value (or changelog string) as a float; ``None`` when empty or not a finite number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, dict):
        return to_float(value.get("value"))
    else:
        try:
            number = float(str(value).strip())
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def to_hours(seconds: Any) -> float | None:
    """Jira's seconds (number or string) as hours."""
    value = to_float(seconds)
    return None if value is None else value / SECONDS_PER_HOUR


def to_date(value: Any) -> date | None:
    """``"2026-11-20"`` (or ``"2026-11-20 00:00:00.0"``) as a date; ``None`` when empty or unparsable."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
