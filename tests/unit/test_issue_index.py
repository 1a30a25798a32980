"""The sync layer's index of a team's histories, kept between passes and updated issue by issue."""

from dataclasses import replace

from sync.app.evaluate import IssueIndex
from tests.builders import day, issue


def test_an_updated_issue_keeps_its_place_and_follows_its_new_parent():
    a, b, c = (issue(k, created=day(n)) for n, k in enumerate(("MOB-1", "MOB-2", "WEB-1")))
    child = issue("MOB-3", created=day(3))
    index = IssueIndex([a, b, c, child])
    assert [h.key for h in index.in_projects(["MOB"])] == ["MOB-1", "MOB-2", "MOB-3"]

    moved_under_b = replace(child, current=replace(child.current, parent="MOB-2"))
    index.replace(child, moved_under_b)
    newer_a = issue("MOB-1", created=day(0), priority="High")
    index.replace(a, newer_a)

    assert index.in_projects(["MOB"]) == [newer_a, b, moved_under_b]
    assert index.children("MOB-2") == [moved_under_b]
    assert index.by_key["MOB-1"] is newer_a


def test_an_issue_moved_to_another_key_leaves_its_old_key():
    a = issue("MOB-1", created=day(0))
    index = IssueIndex([a, issue("MOB-2", created=day(1))])
    index.in_projects(["MOB"])
    moved = issue("WEB-7", created=day(0))
    index.replace(a, moved)
    assert "MOB-1" not in index.by_key
    assert [h.key for h in index.in_projects(["MOB"])] == ["MOB-2"]
    assert [h.key for h in index.in_projects(["WEB"])] == ["WEB-7"]


def test_children_come_in_key_order_however_the_index_was_built_and_updated():
    def child(key: str, *, priority: str = "Medium"):
        made = issue(key, created=day(1), priority=priority)
        return replace(made, current=replace(made.current, parent="MOB-1"))

    epic, first, second, tenth = issue("MOB-1", created=day(0)), child("MOB-2"), child("MOB-3"), child("MOB-10")
    index = IssueIndex([epic, tenth, second, first])
    edited = child("MOB-2", priority="High")
    index.replace(first, edited)  # a PM's edit: a warm index puts the new version in

    assert [h.key for h in index.children("MOB-1")] == ["MOB-2", "MOB-3", "MOB-10"]
    assert index.children("MOB-1")[0] is edited
