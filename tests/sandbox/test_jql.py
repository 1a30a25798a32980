"""JQL: parsing, the documented subset's semantics, Jira-like errors, time-zone reading of dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jira_sandbox import JqlError, Site
from jira_sandbox.jql import BoolOp, Clause, Empty, Func, Not, Value, parse
from jira_sandbox.search import SearchEngine
from tests.sandbox.conftest import NOW, make_site

SITE = make_site(400)


def keys(jql: str, site: Site = SITE, flavor: str = "cloud", user: str = "bot") -> list[str]:
    issues, _ = SearchEngine(site, flavor).search(jql, site.users[user])
    return [i.key for i in issues]


def error(jql: str, flavor: str = "cloud") -> str:
    with pytest.raises(JqlError) as exc:
        keys(jql, flavor=flavor)
    return str(exc.value)


def test_and_binds_tighter_than_or_and_keywords_ignore_case() -> None:
    q = parse("project = MOB or Status in (\"Done\", 'To Do') AND not labels is EMPTY order by KEY desc, created")
    assert q.order == (("KEY", True), ("created", False))
    assert isinstance(q.where, BoolOp)
    assert q.where.op == "OR"
    left, right = q.where.items
    assert left == Clause("project", "=", Value("MOB"), 0)
    assert isinstance(right, BoolOp)
    assert right.op == "AND"
    assert right.items[0] == Clause("Status", "IN", (Value("Done", True), Value("To Do", True)), 17)
    assert isinstance(right.items[1], Not)
    assert right.items[1].item == Clause("labels", "IS", Empty(), 53)


def test_functions_quoted_fields_and_cf_ids_parse() -> None:
    q = parse('"Story point estimate" >= 3 AND cf[10020] in openSprints() AND updated > startOfDay("-1d")')
    assert isinstance(q.where, BoolOp)
    a, b, c = q.where.items
    assert isinstance(a, Clause)
    assert a.field == "Story point estimate"
    assert a.operand == Value("3")
    assert isinstance(b, Clause)
    assert b.field == "cf[10020]"
    assert b.operand == Func("openSprints")
    assert isinstance(c, Clause)
    assert c.operand == Func("startOfDay", ("-1d",))


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("status WAS Done", "does not support the 'WAS' operator"),
        ("status CHANGED", "does not support the 'CHANGED' operator"),
        ("project = MOB AND", "Expecting a field name but got 'the end of the query'"),
        ("project MOB", "Expecting operator but got 'MOB'"),
        ("project = ", "Expecting either a value, list or function but got 'the end of the query'"),
        ('summary ~ "open', "The quoted string 'open' has not been completed"),
        ("project = MOB status = Done", "Expecting either 'OR' or 'AND' but got 'status'"),
        ("(project = MOB", "Expecting ')'"),
        ("nosuchfield = 1", "Field 'nosuchfield' does not exist or you do not have permission to view it."),
        ("customfield_10016 = 3", "Field 'customfield_10016' does not exist"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("status = Blocked", "The value 'Blocked' does not exist for the field 'status'."),
        ("key in (MOB-1, MOB-999999)", "An issue with key 'MOB-999999' does not exist for field 'key'."),
        ("created > yesterday", "Date value 'yesterday' for field 'created' is invalid."),
        ("updated > lastWeek()", "Unable to find JQL function 'lastWeek()'."),
        ("status ~ Done", "The operator '~' is not supported by the 'status' field."),
        ("summary = Login", "The operator '=' is not supported by the 'Summary' field."),
        ("project = MOB ORDER BY labels", "Field 'labels' does not support sorting."),
        ("project = MOB ORDER BY nope", "Field 'nope' does not exist"),
        ("status IS Done", "Expecting 'EMPTY' but got 'Done'"),
    ],
)
def test_unsupported_or_invalid_jql_fails_with_jira_like_message(jql: str, message: str) -> None:
    assert message in error(jql)


def test_cloud_field_names_are_not_datacenter_names() -> None:
    assert keys('project = MOB AND "Story point estimate" >= 8', flavor="cloud")
    assert "does not exist" in error('project = MOB AND "Story Points" >= 8', flavor="cloud")
    assert keys('project = MOB AND "Story Points" >= 8', flavor="datacenter") == keys(
        "project = MOB AND cf[10002] >= 8", flavor="datacenter"
    )


def test_field_semantics() -> None:
    site, issues = SITE, SITE.issues
    done = {i.key for i in issues if i.values["status"] == "10001"}
    assert set(keys("statusCategory = Done")) == done
    assert set(keys("resolution = Unresolved")) == {i.key for i in issues if "resolution" not in i.values}
    assert set(keys("resolution is not EMPTY")) == {i.key for i in issues if "resolution" in i.values}
    assert set(keys("labels = okr")) == {i.key for i in issues if "okr" in i.values.get("labels", ())}
    assert set(keys("labels != okr")) == {
        i.key for i in issues if i.values.get("labels") and "okr" not in i.values["labels"]
    }, "!= never matches empty fields"
    assert set(keys("priority in (Highest, High)")) == {i.key for i in issues if i.values.get("priority") in "12"}
    assert set(keys("priority > Medium")) == set(keys("priority in (Highest, High)"))
    open_ids = {s.id for s in site.sprints.values() if s.state != "closed"}
    assert set(keys("sprint in openSprints()")) == {i.key for i in issues if open_ids & set(i.values.get("sprint", ()))}
    assert set(keys("cf[10016] > 3")) == {i.key for i in issues if i.values.get("story_points", 0) > 3}
    assert keys('summary ~ "KR:"'), "KR issues exist"
    assert set(keys('summary ~ "kr:"')) == {i.key for i in issues if "kr:" in i.values["summary"].lower()}
    assert keys("key = MOB-3") == ["MOB-3"]
    assert keys(f"id = {site.by_key['MOB-3'].id}") == ["MOB-3"]
    assert keys(
        "key > MOB-95 AND key <= MOB-97",
    ) == ["MOB-97", "MOB-96"]


def test_epic_children_by_epic_link_and_on_cloud_also_by_parent() -> None:
    epic = next(i for i in SITE.issues if "okr" in i.values.get("labels", ()))
    children = {i.key for i in SITE.issues if i.values.get("epic_link") == epic.id}
    assert children
    assert set(keys(f'"Epic Link" = {epic.key}')) == children
    assert set(keys(f"parent = {epic.key}", flavor="cloud")) == children
    assert keys(f"parent = {epic.key}", flavor="datacenter") == []
    assert set(keys(f"cf[10003] = {epic.key}", flavor="datacenter")) == children


def test_order_by_is_stable_multi_key_with_empties_last() -> None:
    got = keys("project = SUP ORDER BY duedate ASC, key DESC")
    dues = [SITE.by_key[k].values.get("duedate") for k in got]
    present = [d for d in dues if d is not None]
    assert present == sorted(present)
    assert all(d is None for d in dues[len(present) :])
    same_day = [k for k in got if SITE.by_key[k].values.get("duedate") == present[0]]
    assert same_day == sorted(same_day, key=lambda k: -int(k.split("-")[1]))
    assert keys("project = MOB")[0] == max(keys("project = MOB"), key=lambda k: SITE.by_key[k].id), "default: newest"


def _tz_site() -> Site:
    site = Site(now=NOW)
    site.add_project("TZ", "Time zones", "pm")
    site.create_issue("TZ", "created 04:30:45Z", at=datetime(2026, 11, 20, 4, 30, 45, tzinfo=UTC))
    return site


def test_date_literals_are_read_in_the_callers_time_zone_with_minute_precision() -> None:
    site = _tz_site()
    assert site.users["bot"].time_zone == "America/New_York"
    # 04:30:45Z is 23:30:45 on the 19th in New York and 05:30:45 in Berlin.
    assert keys('created >= "2026-11-19 23:30"', site) == ["TZ-1"]
    assert keys('created >= "2026/11/19 23:31"', site) == []
    assert keys('created >= "2026-11-20 05:30"', site, user="pm") == ["TZ-1"]
    assert keys('created >= "2026-11-20 05:30"', site) == [], "the same literal is 05:30 New York time for the bot"
    assert keys('created < "2026-11-20"', site) == ["TZ-1"], "midnight of the 20th in New York is 05:00Z"
    assert keys('created < "2026-11-20"', site, user="pm") == []
    site.set_time_zone("kpiokr-bot@example.com", "Asia/Kolkata")
    assert keys('created >= "2026-11-20 10:00"', site) == ["TZ-1"]
    assert keys('created >= "2026-11-20 10:01"', site) == []


def test_relative_dates_and_functions_follow_the_site_clock() -> None:
    site = _tz_site()
    site.now = datetime(2026, 11, 20, 5, 0, tzinfo=UTC)
    assert keys("created >= -1h", site) == ["TZ-1"]
    assert keys("created >= -29m", site) == []
    assert keys("created >= startOfDay()", site) == [], "05:00Z is midnight of the 20th in New York"
    assert keys("created >= startOfDay()", site, user="pm") == ["TZ-1"], "Berlin's 20th began at 23:00Z"
    engine = SearchEngine(site, "cloud")
    assert [i.key for i in engine.search("created >= -1h", site.users["bot"])[0]] == ["TZ-1"]
    site.advance(timedelta(hours=2))
    assert engine.search("created >= -1h", site.users["bot"])[0] == [], "relative results are not cached forever"
    assert keys('created <= now() AND created > "-1w 2d"', site) == ["TZ-1"]


def test_search_results_are_cached_per_revision() -> None:
    site = make_site(120)
    engine = SearchEngine(site, "cloud")
    user = site.users["bot"]
    first, snap = engine.search("project = MOB ORDER BY key", user)
    again, _ = engine.search("project = MOB ORDER BY key", user)
    assert again is first
    assert engine.evaluations == 1
    site.edit_issue("MOB-1", {"summary": "Renamed"}, author="pm")
    assert engine.search("project = MOB ORDER BY key", user, snapshot=snap)[0] is first, "page tokens keep a snapshot"
    assert engine.search("project = MOB ORDER BY key", user)[0] is not first
    assert engine.evaluations == 2
