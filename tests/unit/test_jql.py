"""JQL date literals are written in the account's zone, floored to the minute, with an overlap."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sync.jira.jql import date_literal, keys_in, project_clause, quote, updated_since


def test_date_literal_is_in_the_account_zone_and_floored_to_the_minute():
    instant = datetime(2026, 11, 20, 23, 59, 59, 900_000, tzinfo=UTC)
    assert date_literal(instant, ZoneInfo("Asia/Kolkata")) == '"2026/11/21 05:29"'
    assert date_literal(instant, ZoneInfo("America/New_York")) == '"2026/11/20 18:59"'
    assert date_literal(instant, timezone(timedelta(hours=-5))) == '"2026/11/20 18:59"'


def test_incremental_query_reaches_back_the_overlap_and_orders_by_update():
    watermark = datetime(2026, 11, 20, 12, 0, 30, tzinfo=UTC)
    jql = updated_since(["WEB", "MOB", "MOB"], watermark, timedelta(minutes=5), ZoneInfo("Europe/Berlin"))
    assert jql == 'project in ("MOB", "WEB") AND updated >= "2026/11/20 12:55" ORDER BY updated ASC, key ASC'


def test_first_run_reads_everything():
    assert updated_since(["MOB"], None, timedelta(minutes=5), UTC) == 'project in ("MOB") ORDER BY updated ASC, key ASC'


def test_quotes_and_backslashes_are_escaped():
    assert quote('Won\'t "Do" \\') == '"Won\'t \\"Do\\" \\\\"'
    assert project_clause(["A"]) == 'project in ("A")'


def test_long_key_lists_are_split():
    keys = [f"MOB-{i}" for i in range(1, 1201)]
    queries = keys_in(keys)
    assert len(queries) == 3
    assert sum(q.count("MOB-") for q in queries) == 1200
