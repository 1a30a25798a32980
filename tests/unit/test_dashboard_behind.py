"""The issues behind a KPI's value as the dashboard groups them from a calculator's details."""

from sync.app.web.behind import Group, issues_behind, unestimated


def test_the_longest_and_the_ageing_come_with_their_figures_and_lists_of_keys_without():
    details = {
        "median": 4.0,
        "longest": [["B-3", 120.0], ["B-2", 48.0]],
        "ages": {"W-2": 24.0},
        "breached": ["B-3"],
        "reopened": [],
    }
    assert issues_behind(details, "hours") == [
        Group("Took longest", [("B-3", 120.0), ("B-2", 48.0)], "hours"),
        Group("Ageing in progress", [("W-2", 24.0)], "days"),
        Group("Resolved later than the SLA", [("B-3", None)]),
    ]


def test_each_sprint_gives_its_committed_and_completed_issues_oldest_sprint_first():
    details = {
        "sprints": [{"id": 1, "name": "S1"}, {"id": 2, "name": "S2"}, {"id": 3, "name": "S3"}],
        "sprint_issues": {"1": {"committed": ["A"], "completed": []}, "2": {"committed": ["B"], "completed": ["B"]}},
    }
    assert [(g.title, [k for k, _ in g.issues]) for g in issues_behind(details)] == [
        ("S1: committed", ["A"]),
        ("S1: completed", []),
        ("S2: committed", ["B"]),
        ("S2: completed", ["B"]),
    ]


def test_sprints_without_their_issues_and_figures_alone_name_no_issue():
    assert issues_behind({"sprints": [{"id": 1, "name": "S1", "added": 3.0}]}) == []
    assert issues_behind({"median": None, "p85": None}) == []


def test_the_unestimated_share_is_known_only_where_the_calculator_counts_it():
    assert unestimated({"unestimated": 1, "counted": 7}) == (1, 7)
    assert unestimated({"median": 2.0}) is None
