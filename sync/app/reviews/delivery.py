"""Reviews posted as Jira comments: one comment per period per issue, edited in place, never twice.

Each comment ends with a marker naming the review, its period and team. Before a comment is sent,
the write ledger gets a ``pending`` entry (field ``review:<marker>``, the body's digest as value);
Jira's answer settles it ``written`` or ``failed``. A comment whose newest ledger entry is written
with the same digest is left alone. Otherwise the issue's comments are searched for one ending with
the marker: found, the comment is edited; not found, one is added. So a run killed after its POST
left, or retried, finds the comment it made and edits it instead of adding a second, and a person's
comment quoting the marker is never taken for kpiokr's.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sync.app.ledger import COMMENT_PREFIX
from sync.app.reviews.blocks import Paragraph
from sync.app.reviews.fitting import fitted_body
from sync.app.reviews.model import Review
from sync.app.reviews.periods import slug
from sync.errors import KpiokrError
from sync.jira import CommentBody, JiraGateway
from sync.store import LedgerEntry, Store

log = logging.getLogger(__name__)

INTERRUPTED = "the review run was interrupted before Jira answered, and the issue holds no such comment"


@dataclass(frozen=True)
class PlannedComment:
    """A review's comment on one issue: its marker, its body in both formats and the body's digest."""

    issue_key: str
    marker: str
    body: CommentBody
    digest: str


@dataclass(frozen=True)
class CommentOutcome:
    """What became of one planned comment: ``added``, ``edited``, ``unchanged`` or ``failed``."""

    comment: PlannedComment
    action: str
    reason: str | None = None


def marker(review: Review, issue_key: str) -> str:
    """The text that identifies a review's comment on ``issue_key`` among the issue's comments."""
    return f"kpiokr-review {review.period.key} {slug(review.team)} {issue_key.lower()}"


def plan_comments(review: Review, elsewhere: str = "") -> list[PlannedComment]:
    """The comments ``review`` posts, each ending with its marker; one too long for Jira is shortened,
    saying what it leaves out and, by ``elsewhere``, where the whole review is."""
    planned = []
    for issue_key, blocks in review.comments:
        mark = marker(review, issue_key)
        body = fitted_body(blocks, Paragraph(mark), elsewhere)
        digest = hashlib.sha256(json.dumps([body.adf, body.wiki], sort_keys=True).encode()).hexdigest()[:16]
        planned.append(PlannedComment(issue_key, mark, body, digest))
    return planned


def describe_comments(review: Review) -> list[str]:
    """One line per comment ``review`` would post (for a dry run)."""
    return [f"{c.issue_key}: one comment, marked {c.marker!r}" for c in plan_comments(review)]


def _ends_with(text: str, mark: str) -> bool:
    """Whether ``text`` is a review comment marked ``mark`` (its last line): a person's comment quoting
    the marker elsewhere is not kpiokr's to edit."""
    return text.rstrip().endswith(mark)


class CommentDelivery:
    """Posts planned comments through ``jira``, recording each in ``store``'s write ledger."""

    def __init__(self, jira: JiraGateway, store: Store, clock: Callable[[], datetime]) -> None:
        self.jira = jira
        self.store = store
        self.clock = clock

    def deliver(self, run_id: int, planned: Sequence[PlannedComment]) -> list[CommentOutcome]:
        """Post or edit each comment; a failure is recorded and the others still go out."""
        latest = {
            (e.issue_key, e.field_id): e
            for e in self.store.latest_ledger_entries({c.issue_key for c in planned})
            if e.field_id.startswith(COMMENT_PREFIX)
        }
        outcomes = []
        for comment in planned:
            entry = latest.get((comment.issue_key, COMMENT_PREFIX + comment.marker))
            if entry is not None and entry.outcome == "written" and entry.value == comment.digest:
                outcomes.append(CommentOutcome(comment, "unchanged"))
                continue
            outcomes.append(self._post(run_id, comment, entry))
        return outcomes

    def _post(self, run_id: int, comment: PlannedComment, entry: LedgerEntry | None) -> CommentOutcome:
        field = COMMENT_PREFIX + comment.marker
        try:
            existing = next(
                (c.id for c in self.jira.comments(comment.issue_key) if _ends_with(c.text, comment.marker)), None
            )
        except KpiokrError as error:
            return CommentOutcome(comment, "failed", str(error))
        if entry is not None and entry.outcome == "pending":
            with self.store.transaction() as tx:
                tx.settle_writes(
                    entry.run_id,
                    comment.issue_key,
                    "written" if existing else "skipped",
                    None if existing else INTERRUPTED,
                )
        self.store.record_writes(
            [LedgerEntry(run_id, comment.issue_key, field, comment.digest, self.clock(), "pending")]
        )
        try:
            if existing is None:
                self.jira.add_comment(comment.issue_key, comment.body)
            else:
                self.jira.update_comment(comment.issue_key, existing, comment.body)
        except KpiokrError as error:
            with self.store.transaction() as tx:
                tx.settle_writes(run_id, comment.issue_key, "failed", str(error))
            log.warning("%s: the review comment was not posted: %s", comment.issue_key, str(error))
            return CommentOutcome(comment, "failed", str(error))
        with self.store.transaction() as tx:
            tx.settle_writes(run_id, comment.issue_key, "written")
        return CommentOutcome(comment, "added" if existing is None else "edited")
