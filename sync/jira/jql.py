"""The JQL kpiokr sends: quoting, and date literals as Jira reads them.

Jira reads a JQL date literal with minute precision in the time zone of the account that runs the
query (``/myself`` -> ``timeZone``), not in UTC and not in the site's zone. An incremental query
therefore formats its lower bound in that zone, rounds it down to the minute and reaches back an
overlap, so that clock skew and the lost seconds never make it miss an update.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

#: Keys per ``key in (...)`` clause; long lists are split so no JQL gets near Jira's length limits.
KEYS_PER_QUERY = 500


def quote(value: str) -> str:
    """A JQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def date_literal(instant: datetime, account_tz: tzinfo) -> str:
    """``instant`` as a JQL date literal in the account's zone, rounded down to the minute."""
    return quote(instant.astimezone(account_tz).strftime("%Y/%m/%d %H:%M"))


def project_clause(projects: Iterable[str]) -> str:
    """``project in (...)`` over the given project keys, in a stable order."""
    return "project in (" + ", ".join(quote(p) for p in sorted(set(projects))) + ")"


def updated_since(projects: Iterable[str], watermark: datetime | None, overlap: timedelta, account_tz: tzinfo) -> str:
    """Issues of ``projects`` updated since ``watermark`` minus ``overlap`` (all of them when None).

    Ordered by update time so a run that stops half-way has stored a prefix of the changes.
    """
    clause = project_clause(projects)
    if watermark is not None:
        clause += f" AND updated >= {date_literal(watermark - overlap, account_tz)}"
    return clause + " ORDER BY updated ASC, key ASC"


def keys_in(keys: Iterable[str], field: str = "key") -> list[str]:
    """``key in (...)`` (or ``id in (...)``) queries covering ``keys``, split so none is too long."""
    ordered = sorted(set(keys))
    return [
        f"{field} in (" + ", ".join(ordered[i : i + KEYS_PER_QUERY]) + ")"
        for i in range(0, len(ordered), KEYS_PER_QUERY)
    ]
