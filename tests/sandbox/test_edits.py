"""Writing: PUT validation, one history per edit by the caller, field creation and deletion."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests

from jira_sandbox import EditError, SandboxServer
from tests.sandbox.conftest import make_site, session

POINTS = {"cloud": "customfield_10016", "datacenter": "customfield_10002"}


def changelog(server: SandboxServer, s: requests.Session, key: str) -> list[dict]:
    issue = s.get(f"{server.url}/rest/api/2/issue/{key}", params={"expand": "changelog"}).json()
    histories = issue["changelog"]["histories"]
    return sorted(histories, key=lambda h: int(h["id"]))


def test_put_records_one_history_by_the_caller_with_an_item_per_changed_field(
    server: SandboxServer, client: requests.Session
) -> None:
    site = server.site
    site.now = datetime(2026, 11, 21, 8, 15, 30, 250000, tzinfo=UTC)
    issue = site.issue("MOB-4")
    assert issue is not None
    before_points = issue.values.get("story_points")
    new_points = 21 if before_points != 21 else 34
    body = {
        "fields": {POINTS[server.flavor]: new_points, "customfield_10030": 1234.5, "summary": issue.values["summary"]}
    }
    r = client.put(f"{server.url}/rest/api/2/issue/MOB-4", params={"notifyUsers": "false"}, json=body)
    assert r.status_code == 204, r.text
    last = changelog(server, client, "MOB-4")[-1]
    who = last["author"].get("accountId") or last["author"]["name"]
    bot = site.users["bot"]
    assert who == (bot.account_id if server.flavor == "cloud" else bot.name)
    assert last["created"] == "2026-11-21T03:15:30.250-0500", "in the bot's zone, at the site clock"
    items = {i["field"]: i for i in last["items"]}
    name = "Story point estimate" if server.flavor == "cloud" else "Story Points"
    assert set(items) == {name, "Downloads"}, "unchanged summary gives no item"
    assert items["Downloads"]["toString"] == "1234.5"
    assert items["Downloads"]["fromString"] is None
    assert items[name]["toString"] == str(new_points)
    assert ("fieldId" in items[name]) == (server.flavor == "cloud")
    fields = client.get(f"{server.url}/rest/api/2/issue/MOB-4").json()["fields"]
    assert fields["updated"] == last["created"]
    assert fields["customfield_10030"] == 1234.5
    count = len(issue.histories)
    assert client.put(f"{server.url}/rest/api/2/issue/MOB-4", json=body).status_code == 204
    assert len(issue.histories) == count, "a PUT that changes nothing records nothing"


def test_put_validates_types_options_and_unknown_fields(server: SandboxServer, client: requests.Session) -> None:
    url = f"{server.url}/rest/api/2/issue/MOB-5"
    select = server.site.create_field("Confidence", "com.atlassian.jira.plugin.system.customfieldtypes:select")
    server.site.add_option(select.key, "High")
    text = server.site.create_field("Note", "com.atlassian.jira.plugin.system.customfieldtypes:textfield")
    bad = client.put(
        url,
        json={
            "fields": {
                "customfield_10030": "12",
                select.key: {"value": "Low"},
                text.key: 3,
                "customfield_99999": 1,
                "status": {"name": "Done"},
            }
        },
    )
    assert bad.status_code == 400
    errors = bad.json()["errors"]
    assert errors == {
        "customfield_10030": "Operation value must be a number",
        select.key: "Option value 'Low' is not valid",
        text.key: "Operation value must be a string",
        "customfield_99999": "Field 'customfield_99999' cannot be set. It is not on the appropriate screen, or "
        "unknown.",
        "status": "Field 'status' cannot be set. It is not on the appropriate screen, or unknown.",
    }
    ok = client.put(url, json={"fields": {select.key: {"value": "High"}, text.key: "on track", "labels": ["okr"]}})
    assert ok.status_code == 204
    fields = client.get(url).json()["fields"]
    assert fields[select.key]["value"] == "High"
    assert fields[text.key] == "on track"
    assert fields["labels"] == ["okr"]
    assert client.put(url, json={"update": {"labels": [{"add": "kr"}, {"remove": "okr"}]}}).status_code == 204
    assert client.get(url).json()["fields"]["labels"] == ["kr"]
    assert client.put(url, data="{not json").status_code == 400
    assert client.put(f"{server.url}/rest/api/2/issue/NOPE-1", json={"fields": {}}).status_code == 404


def test_deleted_field_answers_400_on_put_and_leaves_lists(server: SandboxServer, client: requests.Session) -> None:
    field = client.post(
        f"{server.url}/rest/api/2/field",
        json={"name": "OKR score", "type": "com.atlassian.jira.plugin.system.customfieldtypes:float"},
    ).json()
    fid = field["id"]
    assert fid == "customfield_10100"
    assert field["schema"]["custom"].endswith(":float")
    url = f"{server.url}/rest/api/2/issue/MOB-6"
    assert client.put(url, json={"fields": {fid: 0.7}}).status_code == 204
    assert client.get(url).json()["fields"][fid] == 0.7
    if server.flavor == "cloud":
        r = client.delete(f"{server.url}/rest/api/3/field/{fid}")
        assert r.status_code == 200, "303 followed to the task"
        assert r.json()["status"] == "COMPLETE", "303 followed to the task"
    else:
        server.site.delete_field(fid)
    r = client.put(url, json={"fields": {fid: 0.8}})
    assert r.status_code == 400
    assert r.json() == {
        "errorMessages": [],
        "errors": {fid: f"Field '{fid}' cannot be set. It is not on the appropriate screen, or unknown."},
    }
    assert fid not in client.get(url).json()["fields"]
    assert fid not in {f["id"] for f in client.get(f"{server.url}/rest/api/2/field").json()}
    history = changelog(server, client, "MOB-6")[-1]
    assert history["items"][0]["field"] == "OKR score", "old histories keep the deleted field's name"


def test_cloud_select_options_through_field_contexts() -> None:
    with SandboxServer(make_site(50), flavor="cloud") as srv, session(srv) as s:
        fid = s.post(
            srv.url + "/rest/api/3/field",
            json={"name": "Health", "type": "com.atlassian.jira.plugin.system.customfieldtypes:select"},
        ).json()["id"]
        ctx = s.get(f"{srv.url}/rest/api/3/field/{fid}/context").json()["values"][0]["id"]
        made = s.post(
            f"{srv.url}/rest/api/3/field/{fid}/context/{ctx}/option",
            json={"options": [{"value": "Green"}, {"value": "Red"}]},
        ).json()["options"]
        assert [o["value"] for o in made] == ["Green", "Red"]
        assert (
            s.put(f"{srv.url}/rest/api/3/issue/MOB-1", json={"fields": {fid: {"id": made[1]["id"]}}}).status_code == 204
        )
        item = changelog(srv, s, "MOB-1")[-1]["items"][0]
        assert (item["from"], item["to"], item["toString"]) == (None, made[1]["id"], "Red")
        assert (
            s.get(f"{srv.url}/rest/api/3/search/jql", params={"jql": "Health = Red", "fields": "key"}).json()["issues"][
                0
            ]["key"]
            == "MOB-1"
        )


def test_site_edit_issue_api_and_errors() -> None:
    site = make_site(50)
    at = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    history = site.edit_issue(
        "MOB-2", {"customfield_10031": 4.2, "customfield_10002": 5}, author="pm@example.com", at=at
    )
    assert history is not None
    assert history.author == "pm"
    assert history.ms == int(at.timestamp() * 1000)
    assert site.issue("MOB-2").values["customfield_10031"] == 4.2  # type: ignore[union-attr]
    assert site.edit_issue("MOB-2", {"customfield_10031": 4.2}) is None
    with pytest.raises(EditError) as exc:
        site.edit_issue("MOB-2", {"customfield_10031": "x"})
    assert exc.value.errors == {"customfield_10031": "Operation value must be a number"}
    revision = site.revision
    site.transition_issue("MOB-2", "Done", author="pm", at=at)
    assert site.issue("MOB-2").values["resolution"] == "10000"
    assert site.revision > revision
