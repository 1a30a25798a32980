"""The write ledger as the runner keeps it: every write recorded before it is sent, settled after.

A write is entered ``pending`` before its request leaves, and becomes ``written`` or ``failed``
when Jira answers. A process killed in between leaves the entry pending; the next pass, once its
fetch has brought Jira's current copy of the issue, settles it: ``written`` when Jira holds the
value (the request landed), else ``skipped`` (it never did, and the pass plans it again). So the
ledger lists each value Jira received exactly once, however often the daemon was killed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime

from sync.app.writeback import IssueWrite, WriteOutcome, holds
from sync.store import LedgerEntry, Store

log = logging.getLogger(__name__)

#: The ledger's field id of a property write is this prefix and the property key (its value: a digest).
PROPERTY_PREFIX = "property:"
#: The ledger's field id of a review comment is this prefix and the comment's marker (its value: a digest).
COMMENT_PREFIX = "review:"
#: Ledger entries that are no field of the issue: each kind is settled by the phase that writes it.
_NOT_FIELDS = (PROPERTY_PREFIX, COMMENT_PREFIX)
#: The reason a pending write that never reached Jira is settled ``skipped`` with.
INTERRUPTED = "the run was interrupted before Jira answered, and Jira does not hold the value: written again"


class WriteLedger:
    """Records the daemon's writes in the store's ledger and reads back what it needs to plan."""

    def __init__(self, store: Store, clock: Callable[[], datetime], decimals: int) -> None:
        self.store = store
        self.clock = clock
        self.decimals = decimals

    def intender(self, run_id: int) -> Callable[[IssueWrite], None]:
        """Records a write as ``pending``, before it is sent."""

        def intend(write: IssueWrite) -> None:
            now = self.clock()
            self.store.record_writes(
                LedgerEntry(run_id, write.issue_key, w.field_id, w.after, now, "pending", field_name=w.field_name)
                for w in write.fields
            )

        return intend

    def recorder(self, run_id: int) -> Callable[[WriteOutcome], None]:
        """Settles a write once Jira answered: ``written``, or ``failed`` with Jira's reason."""

        def record(outcome: WriteOutcome) -> None:
            with self.store.transaction() as tx:
                if outcome.ok:
                    tx.settle_writes(run_id, outcome.write.issue_key, "written")
                else:
                    tx.settle_writes(run_id, outcome.write.issue_key, "failed", outcome.reason)

        return record

    def settle_interrupted(self, issue_keys: Collection[str]) -> int:
        """Settle the writes a killed or failed pass left pending on ``issue_keys`` (the issues this pass
        writes: those of other daemons' teams are theirs to settle), against the stored copies; returns how many.

        Call it after the fetch: an issue a write landed on was updated by it, so the fetch has
        stored Jira's copy holding the value. One request wrote all of an issue's fields, so they
        landed together or not at all.
        """
        pending = [
            e
            for e in self.store.ledger(outcome="pending")
            if e.issue_key in issue_keys and not e.field_id.startswith(_NOT_FIELDS)
        ]
        writes: dict[tuple[int | None, str], list[LedgerEntry]] = {}
        for entry in pending:
            writes.setdefault((entry.run_id, entry.issue_key), []).append(entry)
        for (run_id, issue_key), entries in writes.items():
            fields = (self.store.get_issue(issue_key) or {}).get("fields") or {}
            landed = all(holds(fields.get(e.field_id), e.value, self.decimals) for e in entries)
            with self.store.transaction() as tx:
                tx.settle_writes(run_id, issue_key, "written" if landed else "skipped", None if landed else INTERRUPTED)
            log.info(
                "%s: the write interrupted in run %s %s", issue_key, run_id, "had landed" if landed else "is made again"
            )
        return len(pending)

    def rejected_before(self) -> set[tuple[str, str, str]]:
        """(issue, field, repr(value)) of each write whose newest ledger entry is a rejection by Jira."""
        return {
            (e.issue_key, e.field_id, repr(e.value))
            for e in self.store.latest_ledger_entries()
            if e.outcome == "failed"
        }
