"""What a sync pass works through: the Jira gateway, the store, the config, the clock, the stop event.

These are a pass's only long-lived inputs; what it learns between passes is a
:class:`sync.app.warm_state.WarmState`, passed in and handed back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from sync.app.fetch import Progress
from sync.app.run_summary import RunSummary
from sync.config import Config
from sync.jira import JiraGateway
from sync.store import Store


def _nothing() -> None:
    """The hook that does nothing."""


@dataclass(frozen=True)
class PassHooks:
    """What the caller has done at points of a pass, beyond the pass's own work (process-wide tuning
    is the composition root's choice, never the pass's): ``batch_stored`` after each batch of fetched
    issues is stored and translated, ``pass_ended`` when the pass ends, however it ends;
    ``before_write`` before each issue's write is entered in the ledger and sent (it raises to stop the
    writes: a daemon that lost its lease on the teams)."""

    batch_stored: Callable[[], None] = _nothing
    pass_ended: Callable[[], None] = _nothing
    before_write: Callable[[], None] = _nothing


class PassObserver(Protocol):
    """Hears how each pass ended (the daemon's metrics)."""

    def pass_ended(self, outcome: str, seconds: float, summary: RunSummary | None) -> None:
        """The pass ended as ``outcome`` (its run's status) after ``seconds``; ``summary``: ``None`` if it raised."""


@dataclass(frozen=True)
class Ports:
    """A pass's outside world. ``stop`` asks a running pass to end at its next safe point;
    ``progress`` hears how many issues a long fetch has read; ``owner`` names the daemon in its runs."""

    jira: JiraGateway
    store: Store
    config: Config
    clock: Callable[[], datetime]
    stop: threading.Event = field(default_factory=threading.Event)
    progress: Progress | None = None
    hooks: PassHooks = field(default_factory=PassHooks)
    owner: str | None = None
