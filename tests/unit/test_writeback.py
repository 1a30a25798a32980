"""Write-back planning: only changed values, one request per issue, nothing on a second pass."""

import pytest

from sync.app.writeback import DesiredValue, IssueWrite, WriteOutcome, apply_writes, holds, plan_writes

SCORE = DesiredValue("MOB-1", "customfield_1", "Objective score", "number", 0.6666)
STATUS = DesiredValue("MOB-1", "customfield_2", "Objective status", "select", "at risk")
SUMMARY = DesiredValue("MOB-1", "customfield_3", "Objective summary", "text", "0.67 · at risk")
PROGRESS = DesiredValue("MOB-7", "customfield_4", "Key result progress", "number", 0.5)


def test_fields_of_one_issue_go_in_one_write():
    plan = plan_writes([SCORE, STATUS, SUMMARY, PROGRESS], current={}, decimals=2)
    assert [w.issue_key for w in plan] == ["MOB-1", "MOB-7"]
    assert plan[0].payload() == {
        "customfield_1": 0.67,
        "customfield_2": {"value": "at risk"},
        "customfield_3": "0.67 · at risk",
    }


def test_values_equal_after_rounding_are_not_written():
    current = {
        "MOB-1": {
            "customfield_1": 0.67,
            "customfield_2": {"self": "x", "value": "at risk", "id": "10001"},
            "customfield_3": "0.67 · at risk ",
        },
        "MOB-7": {"customfield_4": 0.5},
    }
    assert plan_writes([SCORE, STATUS, SUMMARY, PROGRESS], current, decimals=2) == []


def test_only_the_changed_field_is_written():
    current = {
        "MOB-1": {"customfield_1": 0.61, "customfield_2": {"value": "at risk"}, "customfield_3": "0.67 · at risk"}
    }
    (write,) = plan_writes([SCORE, STATUS, SUMMARY], current, decimals=2)
    assert write.payload() == {"customfield_1": 0.67}
    assert write.fields[0].before == 0.61


def test_a_write_the_ledger_says_was_rejected_is_held_back():
    plan = plan_writes([SCORE, PROGRESS], {}, decimals=2, skip=lambda issue, _field, _value: issue == "MOB-7")
    assert [w.issue_key for w in plan] == ["MOB-1"]


class _Jira:
    def __init__(self, reject: set[str]):
        self.reject = reject
        self.calls: list[tuple[str, dict[str, object]]] = []

    def update_issue(self, key, fields):
        self.calls.append((key, dict(fields)))
        if key in self.reject:
            raise PermissionError(f"{key}: field not on screen")


def test_a_rejected_issue_is_skipped_and_the_others_are_written():
    plan = plan_writes([SCORE, PROGRESS], {}, decimals=2)
    jira = _Jira(reject={"MOB-1"})
    recorded: list[WriteOutcome] = []
    outcomes = apply_writes(plan, jira, (PermissionError,), recorded.append)
    assert [(o.write.issue_key, o.ok) for o in outcomes] == [("MOB-1", False), ("MOB-7", True)]
    assert "not on screen" in outcomes[0].reason
    assert recorded == outcomes
    assert [key for key, _ in jira.calls] == ["MOB-1", "MOB-7"]


def test_an_unexpected_error_stops_the_pass():
    jira = _Jira(reject=set())
    plan = [IssueWrite("MOB-1", ()), IssueWrite("MOB-2", ())]

    def boom(key, fields):
        raise ConnectionError("down")

    jira.update_issue = boom  # type: ignore[method-assign]
    recorded: list[WriteOutcome] = []
    with pytest.raises(ConnectionError):
        apply_writes(plan, jira, (PermissionError,), recorded.append)
    assert recorded == []


@pytest.mark.parametrize(
    ("current", "sent", "held"),
    [
        (0.666, 0.67, True),
        ("0.67", 0.67, True),
        (0.7, 0.67, False),
        (None, 0.67, False),
        ({"self": "x", "value": "at risk", "id": "10001"}, {"value": "at risk"}, True),
        ("at risk", {"value": "at risk"}, True),
        ({"value": "on track"}, {"value": "at risk"}, False),
        ("0.67 · at risk ", "0.67 · at risk", True),
        ("", "0.67 · at risk", False),
    ],
)
def test_holds_tells_whether_jira_has_the_value_sent(current, sent, held):
    assert holds(current, sent, decimals=2) is held


def test_each_write_is_announced_before_it_is_sent_and_recorded_after():
    events: list[str] = []

    class Jira:
        def update_issue(self, key, fields):
            events.append(f"sent {key}")

    plan = plan_writes([SCORE, PROGRESS], current={}, decimals=2)
    apply_writes(
        plan,
        Jira(),
        (),
        record=lambda outcome: events.append(f"recorded {outcome.write.issue_key}"),
        intend=lambda write: events.append(f"intended {write.issue_key}"),
    )
    assert events == [
        "intended MOB-1",
        "sent MOB-1",
        "recorded MOB-1",
        "intended MOB-7",
        "sent MOB-7",
        "recorded MOB-7",
    ]


def test_a_stop_asked_during_the_writes_finishes_the_one_in_flight_and_sends_no_more():
    stop = {"asked": False}
    sent: list[str] = []
    intended: list[str] = []

    class Jira:
        def update_issue(self, key, fields):
            sent.append(key)
            stop["asked"] = True  # SIGTERM arrives while this request is in flight

    desired = [DesiredValue(f"MOB-{n}", "customfield_4", "Key result progress", "number", 0.5) for n in range(1, 6)]
    outcomes = apply_writes(
        plan_writes(desired, current={}, decimals=2),
        Jira(),
        (),
        record=lambda _outcome: None,
        intend=lambda write: intended.append(write.issue_key),
        stopped=lambda: stop["asked"],
    )

    assert sent == ["MOB-1"]
    assert [o.write.issue_key for o in outcomes] == ["MOB-1"]
    assert intended == ["MOB-1"]  # nothing announced that was not sent: the next pass plans the rest again
