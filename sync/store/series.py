"""Daily series kept between passes (mixed into ``Store``).

``daily_series`` holds, per team, cycle, series (``kpi:<key>``, ``objective:<key>``,
``key_result:<key>``) and day (in the team's time zone), the value and status at the end of that
day, with the instant it was evaluated at: the end of the day, or an earlier instant for a day that
was not over yet (a value to be computed again once it is).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from contextlib import AbstractContextManager
from dataclasses import astuple, dataclass
from datetime import date, datetime

from sqlalchemy import Connection, func, select

from sync.store.models import DailySeriesRow
from sync.store.tx import dialect_insert

_COLUMNS = ("team", "cycle", "series", "day", "value", "status", "as_of")
#: Rows per statement when points are recorded.
_CHUNK = 2000


@dataclass(frozen=True)
class DailyPoint:
    """One series of ``team`` at the end of ``day`` (evaluated at ``as_of``), in ``cycle``."""

    team: str
    cycle: str
    series: str
    day: date
    value: float | None
    status: str | None
    as_of: datetime


class SeriesQueries:
    """Reads and writes of the daily series; each its own short transaction."""

    def _read(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _write_connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def record_daily_points(self, points: Iterable[DailyPoint]) -> int:
        """Keep ``points``, replacing what is stored for the same team, cycle, series and day; how many."""
        rows = [{**dict(zip(_COLUMNS, astuple(p), strict=True)), "value": _finite(p.value)} for p in points]
        with self._write_connection() as connection:
            insert = dialect_insert(connection, DailySeriesRow)
            keep = {name: insert.excluded[name] for name in ("value", "status", "as_of")}
            upsert = insert.on_conflict_do_update(index_elements=["team", "cycle", "series", "day"], set_=keep)
            for start in range(0, len(rows), _CHUNK):
                connection.execute(upsert, rows[start : start + _CHUNK])
        return len(rows)

    def daily_points(self, team: str, cycle: str | None = None, series: str | None = None) -> list[DailyPoint]:
        """The stored points of ``team`` (of ``cycle`` and ``series`` when given), by cycle, series and day."""
        columns = [getattr(DailySeriesRow, name) for name in _COLUMNS]
        stmt = select(*columns).where(DailySeriesRow.team == team)
        if cycle is not None:
            stmt = stmt.where(DailySeriesRow.cycle == cycle)
        if series is not None:
            stmt = stmt.where(DailySeriesRow.series == series)
        order = (DailySeriesRow.cycle, DailySeriesRow.series, DailySeriesRow.day)
        with self._read() as connection:
            rows = connection.execute(stmt.order_by(*order)).all()
        return [DailyPoint(*row) for row in rows]

    def daily_days(self, team: str, cycle: str) -> dict[date, datetime]:
        """Each day stored for ``team`` in ``cycle``, with the earliest instant any of its series was evaluated at."""
        stmt = (
            select(DailySeriesRow.day, func.min(DailySeriesRow.as_of))
            .where(DailySeriesRow.team == team, DailySeriesRow.cycle == cycle)
            .group_by(DailySeriesRow.day)
        )
        with self._read() as connection:
            return {row[0]: row[1] for row in connection.execute(stmt).all()}


def _finite(value: float | None) -> float | None:
    """``value``, or None for a number that is not finite (no column type keeps ``nan`` alike)."""
    return value if value is None or math.isfinite(value) else None
