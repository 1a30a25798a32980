"""Builders of the store tests (their fixtures are in ``conftest.py``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from sync.store.migrations import upgrade
from sync.store.store import engine_url
from tests.shared import JIRA_SAMPLES

SAMPLES = JIRA_SAMPLES / "jirametrics" / "spec" / "testdata"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def sqlite_url(directory: Path) -> str:
    """The URL of a SQLite store in ``directory``."""
    return f"sqlite:///{directory / 'kpiokr.sqlite3'}"


def sample_issue(name: str) -> dict[str, Any]:
    """A real recorded issue (search result with its changelog) from tests/fixtures/jira-samples."""
    return json.loads((SAMPLES / f"{name}.json").read_text())


def issue(
    number: int, *, updated: datetime = T0, project: str = "MOB", summary: str = "", changes: int = 2
) -> dict[str, Any]:
    """A small issue in Jira's search-result shape, with ``changes`` changelog entries."""
    jira_time = updated.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    histories = [
        {
            "id": str(number * 100 + i),
            "created": jira_time,
            "items": [{"field": "status", "fieldtype": "jira", "from": "1", "fromString": "To Do", "to": "3"}],
        }
        for i in range(changes)
    ]
    return {
        "id": str(10000 + number),
        "key": f"{project}-{number}",
        "changelog": {"startAt": 0, "maxResults": changes, "total": changes, "histories": histories},
        "fields": {
            "project": {"key": project},
            "updated": jira_time,
            "summary": summary or f"issue {number}",
            "status": {"id": "3", "name": "In Progress"},
        },
    }


def old_store_with_board(url: str, revision: str) -> None:
    """A store left by an older kpiokr at ``revision``, holding board 7 (``{"id": 7}``)."""
    engine = create_engine(engine_url(url))
    try:
        with engine.begin() as connection:
            upgrade(connection, revision)
            connection.execute(
                text("INSERT INTO boards (board_id, config) VALUES (7, :config)"), {"config": '{"id": 7}'}
            )
    finally:
        engine.dispose()
