"""The generated site: reproducible to the byte, and shaped like six months of real team work."""

from __future__ import annotations

import re
from collections import Counter

from jira_sandbox import Site
from jira_sandbox.edits import num_str
from jira_sandbox.search import select_fields
from jira_sandbox.wire import Renderer
from tests.sandbox.conftest import make_site

SITE = make_site(600)


def dump(site: Site, flavor: str) -> list[str]:
    r = Renderer(site, flavor, "http://sandbox.test", "2")
    fields = select_fields(site, flavor, ["*all"], "id").fields
    return [r.issue(i, fields, changelog=True) for i in site.issues]


def test_same_seed_same_json_and_another_seed_differs() -> None:
    again = make_site(600)
    for flavor in ("cloud", "datacenter"):
        assert dump(SITE, flavor) == dump(again, flavor)
    assert dump(make_site(600, seed=2), "cloud") != dump(SITE, "cloud")


def test_teams_boards_and_sprints() -> None:
    assert list(SITE.projects) == ["MOB", "SUP", "WEB"]
    assert [(b.id, b.type, b.project_key) for b in SITE.boards.values()] == [
        (1, "scrum", "MOB"),
        (2, "kanban", "SUP"),
        (3, "scrum", "WEB"),
    ]
    assert abs(len(SITE.issues) - 600) <= 2
    for board in (1, 3):
        sprints = [s for s in SITE.sprints.values() if s.board_id == board]
        assert Counter(s.state for s in sprints)["active"] == 1
        assert len(sprints) >= 12
        assert all(s.end_ms - s.start_ms == 14 * 86_400_000 for s in sprints if s.start_ms and s.end_ms)


def test_histories_are_realistic() -> None:
    counts = [len(i.histories) for i in SITE.issues]
    assert 8 <= sum(counts) / len(counts) <= 13
    assert sum(c > 100 for c in counts) >= 2
    flat = sorted((h for i in SITE.issues for h in i.histories), key=lambda h: h.id)
    assert [h.ms for h in flat] == sorted(h.ms for h in flat), "history ids grow with time, site-wide"
    assert len({i.histories[0].author for i in SITE.issues if i.histories}) >= 8
    offsets = {m for text in dump(SITE, "cloud") for m in re.findall(r'"created":"[^"]*?([+-]\d{4})"', text)}
    assert {"+0530", "-0500", "+0100", "+0000"} <= offsets


def test_current_values_equal_the_changelog_replayed() -> None:
    site = SITE
    for issue in site.issues:
        last: dict[str, tuple[str | None, str | None]] = {}
        for h in issue.histories:
            for item in h.items:
                last[item.field] = (item.to, item.to_string)
        for key, (to, to_string) in last.items():
            value = issue.values.get(key)
            kind = site.fields[key].kind
            if kind in ("status", "resolution", "priority", "user", "select"):
                assert to == value, (issue.key, key)
            elif kind == "number":
                assert to_string == (None if value is None else num_str(value)), (issue.key, key)
            elif kind == "sprint":
                assert to == ", ".join(map(str, value or ())), (issue.key, key)
            elif kind == "epiclink":
                assert to == (None if value is None else str(value)), (issue.key, key)
        if issue.histories:
            assert issue.values["updated"][0] == issue.histories[-1].ms


def test_the_stories_kpiokr_needs_are_in_the_data() -> None:
    site = SITE
    items = [(i, h, it) for i in site.issues for h in i.histories for it in h.items]
    sprint_items = [(i, h, it) for i, h, it in items if it.field == "sprint"]
    assert any(it.to and "," in it.to for _, _, it in sprint_items), "carry-over keeps closed sprints"
    assert any(it.to == "" for _, _, it in sprint_items), "scope removed mid-sprint"
    starts = {s.id: s.start_ms for s in site.sprints.values()}
    assert any(it.from_ == "" and it.to and (starts[int(it.to)] or 0) < h.ms for _, h, it in sprint_items), (
        "scope added to a running sprint"
    )
    assert any(it.field == "story_points" and it.from_string for _, _, it in items), "estimates changed"
    types = Counter(site.issue_types[i.values["issuetype"]].name for i in site.issues)
    assert {"Epic", "Story", "Task", "Sub-task", "Bug", "Incident"} <= types.keys()
    assert all(site.by_id[i.values["parent"]].project == i.project for i in site.issues if "parent" in i.values)
    resolutions = Counter(
        site.resolutions[i.values["resolution"]].name for i in site.issues if "resolution" in i.values
    )
    assert {"Done", "Fixed", "Duplicate", "Won't Do", "Cannot Reproduce"} <= resolutions.keys()
    assert any(it.field == "status" and it.to == "4" for _, _, it in items), "reopened bugs"
    sup = Counter(site.priorities[i.values["priority"]].name for i in site.issues if i.project == "SUP")
    assert {"Highest", "High", "Medium", "Low"} <= sup.keys()
    late = [
        i
        for i in site.issues
        if "duedate" in i.values
        and "resolutiondate" in i.values
        and Renderer(site, "cloud", "", "2").value(i, site.fields["resolutiondate"])[1:11] > i.values["duedate"]
    ]
    assert late, "some due dates are missed"
    assert any("timespent" in i.values and "timeoriginalestimate" in i.values for i in site.issues)


def test_okr_epics_and_key_results_with_metric_histories() -> None:
    site = SITE
    for team in ("MOB", "WEB"):
        epics = [i for i in site.issues if i.project == team and "okr" in i.values.get("labels", ())]
        assert 3 <= len(epics) <= 4
        plain = [
            i
            for i in site.issues
            if i.project == team and i.values["issuetype"] == "10000" and "okr" not in i.values.get("labels", ())
        ]
        assert plain, "unlabelled epics too"
        krs = [
            i
            for i in site.issues
            if i.values.get("epic_link") in {e.id for e in epics} and "kr" in i.values.get("labels", ())
        ]
        assert krs
        metrics = {"customfield_10030", "customfield_10031", "customfield_10032", "customfield_10033"}
        for kr in krs:
            changes = [it for h in kr.histories for it in h.items if it.field in metrics]
            assert len(changes) >= 5, kr.key
