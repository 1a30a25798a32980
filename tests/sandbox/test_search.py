"""Searching and paging over HTTP, in each flavour's own style, with Jira's page limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import requests

from jira_sandbox import SandboxServer
from tests.sandbox.conftest import make_site, session

JQL = "project in (MOB, SUP, WEB) ORDER BY updated ASC, key ASC"


def cloud_pages(s: requests.Session, url: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    pages, token = [], None
    while True:
        page = s.post(url + "/rest/api/3/search/jql", json={**body, **({"nextPageToken": token} if token else {})})
        assert page.status_code == 200, page.text
        pages.append(page.json())
        token = pages[-1].get("nextPageToken")
        if pages[-1]["isLast"]:
            assert token is None
            return pages
        assert token


def test_cloud_enhanced_search_pages_with_tokens_over_one_evaluation() -> None:
    with SandboxServer(make_site(), flavor="cloud") as srv, session(srv) as s:
        pages = cloud_pages(
            s, srv.url, {"jql": JQL, "maxResults": 40, "fields": ["summary", "updated"], "expand": "changelog"}
        )
        got = [i["key"] for p in pages for i in p["issues"]]
        assert all(len(p["issues"]) <= 40 for p in pages)
        assert len(pages) == 8
        assert len(got) == len(set(got)) == 300
        instants = [
            datetime.strptime(i["fields"]["updated"], "%Y-%m-%dT%H:%M:%S.%f%z") for p in pages for i in p["issues"]
        ]
        assert instants == sorted(instants)
        assert srv.context.search.evaluations == 1
        assert "total" not in pages[0]
        count = s.post(srv.url + "/rest/api/3/search/approximate-count", json={"jql": "project = SUP"}).json()
        assert count == {"count": sum(i.project == "SUP" for i in srv.site.issues)}


def test_cloud_paging_survives_edits_between_pages() -> None:
    with SandboxServer(make_site(), flavor="cloud") as srv, session(srv) as s:
        body = {"jql": JQL, "maxResults": 100, "fields": ["summary"]}
        first = s.post(srv.url + "/rest/api/3/search/jql", json=body).json()
        moved = first["issues"][0]["key"]
        srv.site.edit_issue(moved, {"summary": "Edited while paging"})
        rest = cloud_pages(s, srv.url, {**body, "nextPageToken": first["nextPageToken"]})
        keys = [i["key"] for p in [first, *rest] for i in p["issues"]]
        assert len(keys) == len(set(keys)) == 300, "one consistent snapshot of the order"
        fresh = s.post(srv.url + "/rest/api/3/search/jql", json=body).json()
        assert fresh["issues"][0]["key"] != moved, "a new search sees the edit"


def test_cloud_page_size_limits_and_default_fields() -> None:
    with SandboxServer(make_site(), flavor="cloud") as srv, session(srv) as s:
        url = srv.url + "/rest/api/3/search/jql"
        ids_only = s.get(url, params={"jql": "project = MOB", "maxResults": 5000}).json()
        assert len(ids_only["issues"]) == sum(i.project == "MOB" for i in srv.site.issues)
        assert all(i.keys() == {"id"} for i in ids_only["issues"]), "fields default to id"
        full = s.get(url, params={"jql": JQL, "maxResults": 1000, "fields": "*all"}).json()
        assert len(full["issues"]) == 100
        assert not full["isLast"]
        logs = s.get(url, params={"jql": JQL, "maxResults": 1000, "fields": "key", "expand": "changelog"}).json()
        assert len(logs["issues"]) == 100
        keyed = s.get(url, params={"jql": JQL, "maxResults": 1000, "fields": ["key", "id"]}).json()
        assert len(keyed["issues"]) == 300
        assert keyed["issues"][0]["fields"] == {}
        some = s.get(url, params={"jql": "key = MOB-1", "fields": ["*navigable", "-summary", "-customfield_10020"]})
        fields = some.json()["issues"][0]["fields"]
        assert "summary" not in fields
        assert "customfield_10020" not in fields
        assert "status" in fields
        assert s.get(url, params={"jql": "ORDER BY key"}).status_code == 400, "Cloud wants bounded JQL"
        bad = s.get(url, params={"jql": "project = MOB", "nextPageToken": "garbage"})
        assert bad.status_code == 400
        assert bad.json()["errorMessages"]
        for legacy in ("/rest/api/2/search", "/rest/api/3/search"):
            assert s.get(srv.url + legacy, params={"jql": "project = MOB"}).status_code == 410
        v2 = s.get(srv.url + "/rest/api/2/search/jql", params={"jql": "key = MOB-1", "fields": "description"})
        assert v2.json()["issues"][0]["self"].endswith("/rest/api/2/issue/" + v2.json()["issues"][0]["id"])


def test_cloud_inline_changelog_is_truncated_and_the_rest_is_fetchable() -> None:
    site = make_site()
    long = max(site.issues, key=lambda i: len(i.histories))
    assert len(long.histories) > 100
    with SandboxServer(site, flavor="cloud") as srv, session(srv) as s:
        issue = s.get(f"{srv.url}/rest/api/3/issue/{long.key}", params={"expand": "changelog"}).json()
        log = issue["changelog"]
        assert (log["total"], log["maxResults"], len(log["histories"])) == (len(long.histories), 40, 40)
        assert [h["id"] for h in log["histories"]] == [str(h.id) for h in reversed(long.histories[-40:])]
        paged, start = [], 0
        while True:
            page = s.get(
                f"{srv.url}/rest/api/3/issue/{long.key}/changelog", params={"startAt": start, "maxResults": 500}
            ).json()
            assert page["maxResults"] == 100
            paged += page["values"]
            start += page["maxResults"]
            if page["isLast"]:
                break
            assert page["nextPage"].endswith(f"startAt={start}&maxResults=100")
        assert [h["id"] for h in paged] == [str(h.id) for h in long.histories]
        bulk, token = [], None
        while True:
            body = {
                "issueIdsOrKeys": [long.key, "MOB-1"],
                "maxResults": 30,
                **({"nextPageToken": token} if token else {}),
            }
            page = s.post(f"{srv.url}/rest/api/3/changelog/bulkfetch", json=body).json()
            bulk += [(log["issueId"], h["id"]) for log in page["issueChangeLogs"] for h in log["changeHistories"]]
            token = page.get("nextPageToken")
            if not token:
                break
        first, second = sorted([long, site.by_key["MOB-1"]], key=lambda i: i.id)
        assert bulk == [(str(i.id), str(h.id)) for i in (first, second) for h in i.histories]
        status_only = s.post(
            f"{srv.url}/rest/api/3/changelog/bulkfetch", json={"issueIdsOrKeys": [long.key], "fieldIds": ["status"]}
        ).json()
        items = [it for log in status_only["issueChangeLogs"] for h in log["changeHistories"] for it in h["items"]]
        assert items
        assert {it["fieldId"] for it in items} == {"status"}
        site.inline_changelog_limit["cloud"] = 5
        assert (
            len(s.get(f"{srv.url}/rest/api/2/issue/{long.key}?expand=changelog").json()["changelog"]["histories"]) == 5
        )


def test_datacenter_search_pages_with_start_at_and_total() -> None:
    site = make_site()
    long = max(site.issues, key=lambda i: len(i.histories))
    with SandboxServer(site, flavor="datacenter") as srv, session(srv) as s:
        url = srv.url + "/rest/api/2/search"
        got, start = [], 0
        while True:
            page = s.get(url, params={"jql": JQL, "startAt": start, "maxResults": 70, "fields": "summary"}).json()
            assert page["total"] == 300
            assert page["startAt"] == start
            assert page["maxResults"] == 70
            got += [i["key"] for i in page["issues"]]
            start += len(page["issues"])
            if start >= page["total"]:
                break
        assert len(got) == len(set(got)) == 300
        capped = s.post(url, json={"jql": JQL, "maxResults": 5000, "fields": ["key"]}).json()
        assert capped["maxResults"] == 1000
        assert len(capped["issues"]) == 300
        full = s.get(url, params={"jql": f"key = {long.key}", "expand": "changelog"}).json()["issues"][0]
        assert full["changelog"]["total"] == len(full["changelog"]["histories"]) == len(long.histories)
        assert [h["id"] for h in full["changelog"]["histories"]] == [str(h.id) for h in long.histories], "oldest first"
        assert s.get(url, params={"jql": "ORDER BY key"}).json()["total"] == 300, "DC takes unbounded JQL"
        assert s.get(srv.url + "/rest/api/2/search/jql", params={"jql": "project = MOB"}).status_code == 404
        assert s.get(srv.url + "/rest/api/2/issue/MOB-1/changelog").status_code == 404
        assert s.get(srv.url + "/rest/api/3/myself").status_code == 404


def test_agile_boards_sprints_and_sprint_issues(server: SandboxServer, client: requests.Session) -> None:
    agile = server.url + "/rest/agile/1.0"
    kanban = client.get(agile + "/board", params={"type": "kanban"}).json()
    assert [b["name"] for b in kanban["values"]] == ["SUP board"]
    assert client.get(agile + "/board", params={"projectKeyOrId": "WEB"}).json()["values"][0]["id"] == 3
    config = client.get(agile + "/board/1/configuration").json()
    assert config["columnConfig"]["columns"][-1]["name"] == "Done"
    points = "customfield_10016" if server.flavor == "cloud" else "customfield_10002"
    assert config["estimation"]["field"]["fieldId"] == points
    assert client.get(agile + "/board/2/sprint").status_code == 400
    sprints = client.get(agile + "/board/1/sprint", params={"maxResults": 5}).json()
    assert len(sprints["values"]) == 5
    assert not sprints["isLast"]
    active = client.get(agile + "/board/1/sprint", params={"state": "active"}).json()["values"]
    assert [s["state"] for s in active] == ["active"]
    sid = active[0]["id"]
    members = {i.key for i in server.site.issues if sid in i.values.get("sprint", ())}
    page = client.get(f"{agile}/sprint/{sid}/issue", params={"maxResults": 1000}).json()
    assert {i["key"] for i in page["issues"]} == members
    assert page["total"] == len(members)
    assert page["issues"][0]["fields"]["sprint"]["id"] == sid
    todo = client.get(f"{agile}/sprint/{sid}/issue", params={"jql": "statusCategory = 'To Do'"}).json()
    assert {i["key"] for i in todo["issues"]} <= members
    assert client.get(agile + "/sprint/9999").status_code == 404


def test_unknown_resources_and_methods_answer_json(server: SandboxServer, client: requests.Session) -> None:
    missing = client.get(server.url + "/rest/api/2/worklog/updated")
    assert missing.status_code == 404
    assert missing.json()["errorMessages"]
    wrong = client.delete(server.url + "/rest/api/2/myself")
    assert wrong.status_code == 405
    assert wrong.headers["Allow"] == "GET"
    latest = client.get(server.url + "/rest/api/latest/issue/MOB-1", params={"fields": "summary"})
    assert latest.json()["key"] == "MOB-1"
