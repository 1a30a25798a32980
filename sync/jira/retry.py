"""The one retry policy for Jira calls, composed from small tenacity strategies.

Transient failures are the exceptions :mod:`sync.errors` marks as such: :class:`JiraRateLimited`
(429, waits what ``Retry-After`` says, capped) and :class:`JiraUnavailable` (5xx, connection
errors, timeouts; exponential backoff with full jitter). Everything else fails at once. The
budget is a number of attempts and a number of seconds spent waiting, whichever runs out first.
``sleep`` and ``clock`` are parameters, so tests run instantly and can assert the waits.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import NoReturn

import tenacity
from tenacity import RetryCallState

from sync.errors import JiraError, JiraUnavailable

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: ``max_attempts`` in all, within ``max_wait_seconds``.

    The seconds budget counts the planned sleeps exactly (so an injected ``sleep`` sees the same
    decisions) and, by the clock, the time the attempts themselves took.

    ``backoff_seconds`` is the first backoff window (doubling per attempt, capped at
    ``max_backoff_seconds``); ``max_retry_after_seconds`` caps what a ``Retry-After`` may ask for.
    """

    max_attempts: int = 6
    max_wait_seconds: float = 120.0
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0
    max_retry_after_seconds: float = 60.0


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), ``None`` if absent."""
    if not value:
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if math.isnan(seconds):
        return None
    return max(seconds, 0.0)


def reset_after(value: str, now: datetime) -> float | None:
    """Seconds until an ``X-RateLimit-Reset`` instant (ISO 8601, ``2026-03-26T16:00Z``), ``None`` if unreadable."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - now).total_seconds(), 0.0)


def is_transient(error: BaseException) -> bool:
    """True for the failures worth another attempt (429, 5xx, connection errors, timeouts)."""
    return isinstance(error, JiraUnavailable) and error.retryable


class wait_retry_after(tenacity.wait.wait_base):  # noqa: N801 - tenacity's naming
    """Wait what the failed attempt's ``Retry-After`` asked (capped), else defer to ``fallback``."""

    def __init__(self, fallback: tenacity.wait.wait_base, cap: float, clock: Clock) -> None:
        self.fallback = fallback
        self.cap = cap
        self.clock = clock

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, JiraUnavailable):
            asked = parse_retry_after(error.retry_after, self.clock())
            if asked is not None:
                return min(asked, self.cap)
        return self.fallback(retry_state)


class stop_when_waits_exceed(tenacity.stop.stop_base):  # noqa: N801 - tenacity's naming
    """Stop when the waits slept so far plus the next one would exceed ``seconds``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        return retry_state.idle_for + retry_state.upcoming_sleep > self.seconds


def _log_retry(policy: RetryPolicy) -> Callable[[RetryCallState], None]:
    def before_sleep(retry_state: RetryCallState) -> None:
        error = retry_state.outcome.exception() if retry_state.outcome is not None else None
        if not isinstance(error, JiraError):
            return
        log.warning(
            "Jira %s %s failed (%s); retrying in %.2fs (attempt %d of %d)",
            error.method,
            error.path,
            error.status if error.status is not None else type(error).__name__,
            retry_state.upcoming_sleep,
            retry_state.attempt_number + 1,
            policy.max_attempts,
        )

    return before_sleep


def _give_up(retry_state: RetryCallState) -> NoReturn:
    outcome = retry_state.outcome
    assert outcome is not None
    error = outcome.exception()
    if isinstance(error, JiraError):
        raise error.after_attempts(retry_state.attempt_number, retry_state.idle_for) from None
    assert error is not None
    raise error


def retrying(
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Clock | None = None,
) -> tenacity.Retrying:
    """The tenacity ``Retrying`` every Jira HTTP call goes through: ``retrying(policy)(call)``."""
    backoff = tenacity.wait_random_exponential(multiplier=policy.backoff_seconds, max=policy.max_backoff_seconds)
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception(is_transient),
        wait=wait_retry_after(backoff, policy.max_retry_after_seconds, clock or (lambda: datetime.now(UTC))),
        stop=(
            tenacity.stop_after_attempt(policy.max_attempts)
            | stop_when_waits_exceed(policy.max_wait_seconds)
            | tenacity.stop_before_delay(policy.max_wait_seconds)
        ),
        sleep=sleep,
        before_sleep=_log_retry(policy),
        retry_error_callback=_give_up,
    )
