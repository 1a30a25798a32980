"""The property phase of a pass: plan the property documents Jira lacks, then send them through the ledger.

What Jira holds is known without a request in the common case: the ledger keeps, for each property
written, a digest of the document (``as_of`` left out, so a pass that changed nothing writes
nothing). A write a killed run left pending is settled by reading the property back from Jira
(written when Jira holds it, else written again), and a reconciling pass reads back every property
it plans, so a property removed or changed in Jira is written again. Cloud sets the objectives'
properties in bulk (100 issues a request), Data Center with one PUT each; projects one PUT each.
A write Jira rejects is logged and recorded ``failed``, and is not sent again until it changes
or a reconciling pass. A bulk task Jira has not finished after a few reads is left ``pending``: the
next pass settles it like a killed run's write, by reading the properties back.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any, Literal

from sync.app.ledger import INTERRUPTED, PROPERTY_PREFIX
from sync.app.properties.build import DesiredProperty, Entity
from sync.app.write_phase import REJECTED
from sync.jira import PROPERTY_BULK_ISSUES, JiraGateway
from sync.store import LedgerEntry, Store

log = logging.getLogger(__name__)


def digest(value: Any) -> str:
    """What decides whether a document changed: a hash of its canonical JSON without ``as_of``."""
    text = json.dumps(_without_as_of(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _without_as_of(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _without_as_of(v) for k, v in value.items() if k != "as_of"}
    if isinstance(value, list):
        return [_without_as_of(v) for v in value]
    return value


@dataclass
class PropertyOutcomes:
    """What the property phase planned and what became of it: documents ``written``, documents Jira
    ``refused`` and the reasons it gave (``rejected``, one a request), documents ``unconfirmed``
    (a bulk task still running: settled by the next pass)."""

    planned: list[DesiredProperty] = field(default_factory=list)
    written: list[DesiredProperty] = field(default_factory=list)
    refused: list[DesiredProperty] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    unconfirmed: list[DesiredProperty] = field(default_factory=list)


def ledger_field(property_key: str) -> str:
    """The field id a property's writes are kept under in the ledger."""
    return PROPERTY_PREFIX + property_key


class PropertyPhase:
    """Plans and sends property documents for one pass (``run_id``); ``before_write`` runs before each
    request is entered in the ledger (a daemon that lost its lease on the teams raises there)."""

    def __init__(
        self,
        jira: JiraGateway,
        store: Store,
        clock: Callable[[], datetime],
        run_id: int,
        before_write: Callable[[], None] = lambda: None,
    ) -> None:
        self.jira, self.store, self.clock, self.run_id = jira, store, clock, run_id
        self.before_write = before_write

    def settle_interrupted(self, keys: Collection[str]) -> int:
        """Settle the property writes a killed run left pending on ``keys`` (the issues and projects this pass
        writes) by reading each property back from Jira; returns how many."""
        pending = [
            e
            for e in self.store.ledger(outcome="pending")
            if e.field_id.startswith(PROPERTY_PREFIX) and e.issue_key in keys
        ]
        for entry in pending:
            entity: Entity = "issue" if "-" in entry.issue_key else "project"  # a project key holds no dash
            held = self.jira.get_property(entity, entry.issue_key, entry.field_id.removeprefix(PROPERTY_PREFIX))
            landed = held is not None and digest(held) == entry.value
            with self.store.transaction() as tx:
                reason = None if landed else INTERRUPTED
                tx.settle_writes(entry.run_id, entry.issue_key, "written" if landed else "skipped", reason)
        return len(pending)

    def plan(
        self, desired: Sequence[DesiredProperty], *, reconcile: bool, kept_since: datetime | None = None
    ) -> list[DesiredProperty]:
        """The documents Jira does not hold: by the ledger's digests, or read back from Jira when reconciling.
        ``kept_since`` (not when reconciling): a document Jira holds in a version written after it is kept
        as it is, whatever changed in it since."""
        newest = {
            (e.issue_key, e.field_id): e
            for e in self.store.latest_ledger_entries({d.key for d in desired})
            if e.field_id.startswith(PROPERTY_PREFIX)
        }
        planned = []
        for want in desired:
            wanted = digest(want.value)
            entry = newest.get((want.key, ledger_field(want.property_key)))
            if reconcile:
                held = self.jira.get_property(want.entity, want.key, want.property_key)
                if held is not None and digest(held) == wanted:
                    continue
            elif entry is not None and (
                (entry.value == wanted and entry.outcome in ("written", "failed"))
                or (entry.outcome == "written" and kept_since is not None and entry.written_at > kept_since)
            ):
                continue
            planned.append(want)
        return planned

    def send(
        self, planned: Sequence[DesiredProperty], issue_ids: Mapping[str, int], stopped: Callable[[], bool]
    ) -> PropertyOutcomes:
        """Send ``planned`` (in bulk where Jira offers it), each recorded before it is sent, until ``stopped``."""
        outcomes = PropertyOutcomes(list(planned))
        bulk = self.jira.bulk_sets_properties()
        batched = [p for p in planned if bulk and p.entity == "issue" and p.key in issue_ids]
        for start in range(0, len(batched), PROPERTY_BULK_ISSUES):
            if stopped():
                return outcomes
            batch = batched[start : start + PROPERTY_BULK_ISSUES]
            for property_key in sorted({p.property_key for p in batch}):
                items = [p for p in batch if p.property_key == property_key]
                values = {issue_ids[p.key]: p.value for p in items}
                self._send(items, outcomes, partial(self.jira.set_issue_properties, property_key, values))
        for p in planned:
            if p in batched:
                continue
            if stopped():
                return outcomes
            self._send([p], outcomes, partial(self.jira.set_property, p.entity, p.key, p.property_key, value=p.value))
        return outcomes

    def _send(
        self, items: Sequence[DesiredProperty], outcomes: PropertyOutcomes, send: Callable[[], bool | None]
    ) -> None:
        """Record ``items`` pending, send them in one request, then settle them with Jira's answer (left
        pending when ``send`` says Jira's task is still running)."""
        self.before_write()
        now = self.clock()
        self.store.record_writes(
            LedgerEntry(
                self.run_id,
                p.key,
                ledger_field(p.property_key),
                digest(p.value),
                now,
                "pending",
                field_name=p.property_key,
            )
            for p in items
        )
        try:
            finished = send()
        except REJECTED as error:
            reason = str(error)
            log.warning("property write to %s rejected, skipped: %s", ", ".join(p.key for p in items), reason)
            self._settle(items, "failed", reason)
            outcomes.rejected.append(reason)
            outcomes.refused.extend(items)
            return
        if finished is False:
            log.info(
                "Jira is still setting the properties of %s: the next pass checks them", ", ".join(p.key for p in items)
            )
            outcomes.unconfirmed.extend(items)
            return
        self._settle(items, "written")
        outcomes.written.extend(items)

    def _settle(
        self, items: Iterable[DesiredProperty], outcome: Literal["written", "failed"], reason: str | None = None
    ) -> None:
        with self.store.transaction() as tx:
            for p in items:
                tx.settle_writes(self.run_id, p.key, outcome, reason)
