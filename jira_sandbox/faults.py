"""Injected failures: what a flaky network, a rate limiter or a broken proxy does to a client.

A :class:`Fault` matches requests by method and path pattern (``fnmatch``, against the path
without query string); it skips the first ``after`` matches, then hits the next ``times`` ones
(``times=None``: forever) and is used up.
"""

from __future__ import annotations

import fnmatch
import itertools
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("status", "reset", "slow", "garbage", "truncated")


@dataclass
class Fault:
    """One injected failure.

    kind: ``status`` (answer ``status``, e.g. 429 with ``Retry-After: retry_after`` and any further
    ``headers``, such as Jira Cloud's ``RateLimit-Reason`` and ``X-RateLimit-Reset``), ``reset``
    (close the connection without an answer), ``slow`` (wait ``delay`` seconds, then answer
    normally), ``garbage`` (200 with an HTML body), ``truncated`` (200 with the real JSON cut in
    half).
    """

    kind: str
    path_pattern: str = "*"
    times: int | None = 1
    after: int = 0
    method: str | None = None
    status: int = 503
    retry_after: float | None = None
    delay: float = 1.0
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    id: int = 0
    seen: int = field(default=0, compare=False)
    hits: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {', '.join(KINDS)}")
        if self.kind == "status" and not 400 <= self.status <= 599:
            raise ValueError(f"a status fault needs a 4xx/5xx status, not {self.status}")

    @property
    def used_up(self) -> bool:
        """True once the fault has hit ``times`` requests."""
        return self.times is not None and self.hits >= self.times

    def matches(self, method: str, path: str) -> bool:
        """Whether a request is one this fault is about (before counting ``after``)."""
        if self.method and self.method.upper() != method.upper():
            return False
        return fnmatch.fnmatchcase(path, self.path_pattern)

    def to_json(self) -> dict[str, Any]:
        """The fault as the control endpoint shows it."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Fault:
        """A fault from the control endpoint's JSON (unknown keys are an error)."""
        allowed = {
            "kind", "path_pattern", "times", "after", "method", "status", "retry_after", "delay", "body", "headers",
        }  # fmt: skip
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
        return cls(**data)


class FaultSet:
    """The faults of one server; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, fault: Fault) -> Fault:
        """Arm a fault; returns it (with its id)."""
        with self._lock:
            fault.id = next(self._ids)
            self._faults.append(fault)
        return fault

    def remove(self, fault_id: int) -> bool:
        """Disarm one fault by id."""
        with self._lock:
            before = len(self._faults)
            self._faults = [f for f in self._faults if f.id != fault_id]
            return len(self._faults) != before

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults.clear()

    def active(self) -> list[Fault]:
        """Faults not yet used up."""
        with self._lock:
            return [f for f in self._faults if not f.used_up]

    def take(self, method: str, path: str) -> Fault | None:
        """The fault that hits this request, counting it; None when the request goes through."""
        with self._lock:
            hit = None
            for f in self._faults:
                if f.used_up or not f.matches(method, path):
                    continue
                f.seen += 1
                if hit is None and f.seen > f.after:
                    f.hits += 1
                    hit = f
            return hit

    def __len__(self) -> int:
        return len(self.active())
