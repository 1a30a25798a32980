"""The retry policy on its own: which failures it retries, how long it waits, when it gives up."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from sync.errors import (
    JiraAuthError,
    JiraBadResponse,
    JiraNotFound,
    JiraPermissionError,
    JiraRateLimited,
    JiraRequestRejected,
    JiraUnavailable,
)
from sync.jira.retry import RetryPolicy, parse_retry_after, retrying

NOW = datetime(2026, 10, 5, 12, 0, tzinfo=UTC)


class Flaky:
    """Raises the given errors in turn, then returns ``"ok"``."""

    def __init__(self, *errors):
        self.errors = list(errors)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def limited(retry_after="7"):
    return JiraRateLimited("rate-limited", method="GET", path="/rest/api/2/field", status=429, retry_after=retry_after)


def unavailable(status=503):
    return JiraUnavailable(f"answered {status}", method="POST", path="/rest/api/3/search/jql", status=status)


def run(call, policy=None, clock=lambda: NOW):
    sleeps: list[float] = []
    return retrying(policy or RetryPolicy(), sleep=sleeps.append, clock=clock)(call), sleeps


def test_retry_after_seconds_is_honoured():
    call = Flaky(limited("7"), limited("2"))
    result, sleeps = run(call)
    assert (result, call.calls, sleeps) == ("ok", 3, [7.0, 2.0])


def test_retry_after_http_date_is_honoured_against_the_injected_clock():
    call = Flaky(limited("Mon, 05 Oct 2026 12:00:30 GMT"))
    assert run(call)[1] == [30.0]


def test_retry_after_is_capped():
    call = Flaky(limited("3600"))
    assert run(call, RetryPolicy(max_retry_after_seconds=45))[1] == [45.0]


def test_server_errors_back_off_exponentially_with_full_jitter():
    call = Flaky(*(unavailable(s) for s in (500, 502, 503, 504)))
    result, sleeps = run(call, RetryPolicy(backoff_seconds=1, max_backoff_seconds=30))
    assert result == "ok"
    assert len(sleeps) == 4
    assert all(0 <= wait <= 2**n for n, wait in enumerate(sleeps))


def test_attempt_budget_exhausted_raises_the_last_error_with_the_budget():
    call = Flaky(*(unavailable() for _ in range(10)))
    with pytest.raises(JiraUnavailable, match=r"gave up after 4 attempts") as caught:
        run(call, RetryPolicy(max_attempts=4))
    assert call.calls == 4
    assert caught.value.request == "POST /rest/api/3/search/jql"


def test_seconds_budget_counts_the_planned_waits():
    call = Flaky(*(limited("50") for _ in range(10)))
    with pytest.raises(JiraRateLimited):
        run(call, RetryPolicy(max_attempts=10, max_wait_seconds=120))
    assert call.calls == 3  # waits 50 + 50; a third 50 would pass 120 s


@pytest.mark.parametrize(
    "error",
    [
        JiraAuthError("401"),
        JiraPermissionError("403"),
        JiraRequestRejected("400"),
        JiraNotFound("404"),
        JiraBadResponse("garbage"),
    ],
)
def test_other_failures_fail_fast(error):
    call = Flaky(error)
    with pytest.raises(type(error)):
        run(call)
    assert call.calls == 1


def test_each_retry_is_logged_with_request_status_and_wait(caplog):
    with caplog.at_level(logging.WARNING, logger="sync.jira.retry"):
        run(Flaky(limited("7")))
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "Jira GET /rest/api/2/field failed (429); retrying in 7.00s (attempt 2 of 6)"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [("120", 120.0), ("0", 0.0), ("Mon, 05 Oct 2026 11:59:00 GMT", 0.0), ("soon", None), (None, None)],
)
def test_parse_retry_after(header, seconds):
    assert parse_retry_after(header, NOW) == seconds
