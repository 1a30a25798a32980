"""Translation carries the instants Jira gives a field's current value (``resolutiondate``,
``statuscategorychangedate``): an issue imported already resolved is resolved from then, not from
its creation."""

from datetime import UTC, datetime

from sync.jira.site import FieldInfo
from sync.jira.translate import SiteDictionary, to_history

STATUSES = [{"id": "10002", "name": "Done", "statusCategory": {"key": "done"}}]
SITE = SiteDictionary.build([FieldInfo("status", "Status", False, "status", None)], STATUSES)


def imported_bug(**fields: object) -> dict[str, object]:
    """A bug created by a CSV import already resolved: no change log entry at all."""
    return {
        "id": "20001",
        "key": "SUP-9",
        "fields": {
            "created": "2026-03-02T09:00:00.000+0000",
            "issuetype": {"name": "Bug", "subtask": False},
            "status": {"id": "10002", "name": "Done", "statusCategory": {"key": "done"}},
            "resolution": {"name": "Done"},
            "assignee": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Mia Krystof"},
            **fields,
        },
        "changelog": {"startAt": 0, "maxResults": 0, "total": 0, "histories": []},
    }


def test_an_issue_imported_resolved_is_resolved_from_its_resolution_date():
    history = to_history(
        imported_bug(
            resolutiondate="2026-03-05T09:00:00.000+0000", statuscategorychangedate="2026-03-04T09:00:00.000Z"
        ),
        SITE,
    )

    assert history.resolved_since(datetime(2026, 3, 6, tzinfo=UTC)) == datetime(2026, 3, 5, 9, tzinfo=UTC)
    assert history.resolved_since(datetime(2026, 3, 4, 12, tzinfo=UTC)) is None
    assert history.done_since(datetime(2026, 3, 6, tzinfo=UTC)) == datetime(2026, 3, 4, 9, tzinfo=UTC)
    assert history.undocumented == frozenset({"status", "resolution"})
    assert history.assignee_name == "Mia Krystof"


def test_without_those_fields_the_value_holds_from_creation():
    history = to_history(imported_bug(), SITE)

    assert history.resolved_since(datetime(2026, 3, 6, tzinfo=UTC)) == datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_searches_ask_for_the_fields_own_instants():
    assert {"resolutiondate", "statuscategorychangedate"} <= set(SITE.search_fields())
