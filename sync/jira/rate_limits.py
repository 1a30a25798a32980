"""Jira Cloud's rate limits: what a 429 says it is about, and pacing that stays below them.

Jira Cloud limits requests in three independent ways, and its 429 names which one in the
``RateLimit-Reason`` header: ``jira-burst-based`` (requests per second to one endpoint and
method), ``jira-per-issue-on-write`` (writes to one issue) and ``jira-quota-*`` (the tenant's
hourly quota). :class:`Pacer` remembers each 429 for its scope only (a burst on ``PUT`` issue
edits does not slow searches; a busy issue does not slow writes to the others) and spaces writes
to one issue below the per-issue limits Atlassian documents, so a write phase does not wait for
429s to learn them. The clock and sleep are given, so tests never sleep.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

#: Atlassian's documented per-issue write limits (writes, seconds): 20 in 2 s and 100 in 30 s.
#: kpiokr stays at half of each.
ISSUE_WRITE_WINDOWS = ((10, 2.0), (50, 30.0))
PER_ISSUE = "jira-per-issue-on-write"
BURST = "jira-burst-based"
_ISSUE_PATH = re.compile(r"^/rest/api/\d+/issue/([^/]+)$")
_ID_SEGMENT = re.compile(r"(?<!/api)(?<!/agile)/(?=[^/]*\d)[^/]+")  # a key or id, not the API version


def endpoint(method: str, path: str) -> str:
    """``"PUT /rest/api/2/issue/{}"``: the request with keys and ids taken out, the scope of a burst limit."""
    return f"{method} {_ID_SEGMENT.sub('/{}', path)}"


def written_issue(method: str, path: str) -> str | None:
    """The issue key or id an edit (``PUT .../issue/KEY``) writes to, else None."""
    match = _ISSUE_PATH.match(path) if method == "PUT" else None
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Limited:
    """One 429: its ``RateLimit-Reason`` (empty when Jira gave none) and the seconds it asked to wait."""

    reason: str
    seconds: float


class Pacer:
    """Waits before a request while a 429 holds for its scope, and spaces writes to each issue.

    A 429 holds at most ``max_pause`` seconds (what the retry policy lets ``Retry-After`` ask for).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_pause: float = 60.0,
    ) -> None:
        self._clock = clock
        self._max_pause = max_pause
        self._sleep = sleep
        self._now = clock()
        self._everything_until = 0.0
        self._endpoint_until: dict[str, float] = {}
        self._issue_until: dict[str, float] = {}
        self._issue_writes: dict[str, deque[float]] = {}

    def now(self) -> float:
        """The clock, never behind the end of a sleep through :meth:`sleep` (a stopped test clock still moves)."""
        self._now = max(self._now, self._clock())
        return self._now

    def sleep(self, seconds: float) -> None:
        """Sleep (every wait for Jira goes through here, the retry policy's included)."""
        until = self.now() + seconds
        self._sleep(seconds)
        self._now = max(self._now, until)

    def before(self, method: str, path: str) -> float:
        """Sleep until ``method path`` may go; returns the seconds slept."""
        now = self.now()
        issue = written_issue(method, path)
        ready = max(self._everything_until, self._endpoint_until.get(endpoint(method, path), 0.0))
        if issue is not None:
            ready = max(ready, self._issue_until.get(issue, 0.0), self._issue_window_ready(issue, now))
        waited = max(ready - now, 0.0)
        if waited:
            self.sleep(waited)
        if issue is not None:
            writes = self._issue_writes.setdefault(issue, deque())
            writes.append(now + waited)
        self._forget(now + waited)
        return waited

    def limited(self, method: str, path: str, limit: Limited) -> None:
        """Remember a 429 for its scope: the issue written, the endpoint, or every request."""
        until = self.now() + min(limit.seconds, self._max_pause)
        issue = written_issue(method, path)
        if limit.reason == PER_ISSUE and issue is not None:
            self._issue_until[issue] = max(until, self._issue_until.get(issue, 0.0))
        elif limit.reason == BURST or "burst" in limit.reason:
            key = endpoint(method, path)
            self._endpoint_until[key] = max(until, self._endpoint_until.get(key, 0.0))
        else:  # jira-quota-*, or no reason given: the whole tenant
            self._everything_until = max(until, self._everything_until)

    def _issue_window_ready(self, issue: str, now: float) -> float:
        writes = self._issue_writes.get(issue)
        ready = 0.0
        for most, seconds in ISSUE_WRITE_WINDOWS:
            recent = [at for at in writes or () if at > now - seconds]
            if len(recent) >= most:
                ready = max(ready, recent[-most] + seconds)
        return ready

    def _forget(self, now: float) -> None:
        horizon = now - max(seconds for _, seconds in ISSUE_WRITE_WINDOWS)
        for issue in list(self._issue_writes):
            writes = self._issue_writes[issue]
            while writes and writes[0] <= horizon:
                writes.popleft()
            if not writes:
                del self._issue_writes[issue]
        self._issue_until = {k: v for k, v in self._issue_until.items() if v > now}
        self._endpoint_until = {k: v for k, v in self._endpoint_until.items() if v > now}
