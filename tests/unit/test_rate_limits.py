"""Pacing below Jira Cloud's rate limits, each 429 held for its own scope; the clock and sleep are fakes."""

from __future__ import annotations

import pytest

from sync.jira.rate_limits import BURST, PER_ISSUE, Limited, Pacer, endpoint, written_issue


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def pacer(fake: FakeTime) -> Pacer:
    return Pacer(clock=fake.clock, sleep=fake.sleep)


EDIT_1 = ("PUT", "/rest/api/2/issue/SHOP-1")
EDIT_2 = ("PUT", "/rest/api/2/issue/SHOP-2")
SEARCH = ("POST", "/rest/api/3/search/jql")


def test_requests_are_named_by_endpoint_and_edits_by_issue():
    assert endpoint(*EDIT_1) == endpoint(*EDIT_2) == "PUT /rest/api/2/issue/{}"
    assert endpoint("GET", "/rest/agile/1.0/board/12/sprint") == "GET /rest/agile/1.0/board/{}/sprint"
    assert written_issue(*EDIT_1) == "SHOP-1"
    assert written_issue("GET", "/rest/api/2/issue/SHOP-1") is None


def test_a_per_issue_429_spaces_writes_to_that_issue_only(fake, pacer):
    pacer.limited(*EDIT_1, Limited(PER_ISSUE, 5.0))
    assert pacer.before(*EDIT_2) == 0
    assert pacer.before(*SEARCH) == 0
    assert pacer.before(*EDIT_1) == 5.0
    assert fake.sleeps == [5.0]


def test_a_burst_429_slows_that_endpoint_only(fake, pacer):
    pacer.limited(*EDIT_1, Limited(BURST, 2.0))
    assert pacer.before(*SEARCH) == 0
    assert pacer.before(*EDIT_2) == 2.0


@pytest.mark.parametrize("reason", ["jira-quota-tenant-based", "jira-quota-global-based", ""])
def test_a_quota_429_or_one_without_reason_holds_every_request(fake, pacer, reason):
    pacer.limited(*SEARCH, Limited(reason, 3.0))
    assert pacer.before("GET", "/rest/api/3/myself") == 3.0
    assert pacer.before(*EDIT_1) == 0


def test_a_wait_is_capped_like_retry_after(fake):
    pacer = Pacer(clock=fake.clock, sleep=fake.sleep, max_pause=60.0)
    pacer.limited(*SEARCH, Limited("jira-quota-tenant-based", 3600.0))
    assert pacer.before(*SEARCH) == 60.0


def test_writes_to_one_issue_stay_at_half_the_documented_per_issue_limits(fake, pacer):
    times = []
    for _ in range(120):
        pacer.before(*EDIT_1)
        times.append(fake.now)
        pacer.before(*EDIT_2)  # another issue never waits for this one
    assert all(sum(t - 2.0 < u <= t for u in times) <= 10 for t in times)  # 20 in 2 s allowed
    assert all(sum(t - 30.0 < u <= t for u in times) <= 50 for t in times)  # 100 in 30 s allowed
    assert fake.now - 1000.0 <= 2 * 30.0 + 2.0  # and no slower than that: 50 writes a 30 s window


def test_time_slept_for_a_retry_counts_so_a_429_is_not_waited_twice(fake):
    frozen = Pacer(clock=lambda: 1000.0, sleep=fake.sleep)
    frozen.limited(*EDIT_1, Limited(PER_ISSUE, 4.0))
    frozen.sleep(4.0)  # the retry policy waited what Retry-After asked
    assert frozen.before(*EDIT_1) == 0
    assert fake.sleeps == [4.0]
