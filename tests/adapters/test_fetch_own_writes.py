"""Which fetched changes are kpiokr's own write-back coming back: only its score writes are."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, timedelta
from typing import Any

import pytest

from sync.app.fetch import fetch_updates
from sync.jira.site import Account, OwnWrites
from sync.store.store import Store
from tests.adapters.store_support import T0, issue

BOT = Account("bot-account", "kpiokr", None, "UTC")
OWN = OwnWrites.of(BOT, ["customfield_10100"])
SCORE = {"field": "Key result progress", "fieldId": "customfield_10100", "from": None, "to": None, "toString": "0.5"}
TRANSITION = {"field": "status", "fieldId": "status", "from": "3", "to": "10002", "toString": "Done"}


class OneAnswerJira:
    """Answers every search with the same issues."""

    server_time = None

    def __init__(self, issues: Sequence[dict[str, Any]]) -> None:
        self.issues = issues

    def search(self, jql: str, fields: Sequence[str], **_: Any) -> Iterator[dict[str, Any]]:
        return iter(self.issues)


def newer_copy(items: list[dict[str, Any]], author: str = "bot-account") -> dict[str, Any]:
    raw = issue(1)
    raw["fields"]["updated"] = later = (T0 + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    entry = {"id": "999", "author": {"accountId": author}, "created": later, "items": items}
    raw["changelog"]["histories"].append(entry)
    return raw


def fetch(store: Store, raw: dict[str, Any]) -> set[str]:
    store.upsert_issues([issue(1)])
    result = fetch_updates(
        OneAnswerJira([raw]),  # type: ignore[arg-type]
        store,
        ["MOB"],
        ["status"],
        account_tz=UTC,
        overlap=timedelta(minutes=5),
        full=True,
        stop=threading.Event(),
        own=OWN,
    )
    assert result.keys == {"MOB-1"}
    return result.by_others


@pytest.mark.parametrize(
    ("items", "author", "by_others"),
    [
        ([SCORE], "bot-account", set()),
        ([TRANSITION], "bot-account", {"MOB-1"}),
        ([SCORE, TRANSITION], "bot-account", {"MOB-1"}),
        ([SCORE], "alice", {"MOB-1"}),
    ],
)
def test_only_score_writes_by_kpiokrs_account_are_its_own_write_back(tmp_path, items, author, by_others):
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as store:
        assert fetch(store, newer_copy(items, author)) == by_others
