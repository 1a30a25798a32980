"""Making reviews and publishing them: files under the configured directory, comments in Jira.

Reviews read the store only (the histories the daemon keeps, as of the instant asked for); only
publishing writes, and a dry run publishes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sync.app.as_of import AsOfError
from sync.app.reviews.delivery import CommentDelivery, CommentOutcome, plan_comments
from sync.app.reviews.files import review_path, whereabouts, write_files
from sync.app.reviews.model import Review
from sync.app.reviews.monthly import monthly_check_in
from sync.app.reviews.periods import Period, day_end, latest_due, period_of
from sync.app.reviews.quarterly import quarterly_review
from sync.app.reviews.timeline import TeamTimeline
from sync.app.reviews.weekly import weekly_digest
from sync.jira import JiraGateway
from sync.mapping import ReviewKind, TeamMapping
from sync.store import Store

log = logging.getLogger(__name__)


def make_review(timeline: TeamTimeline, period: Period, as_of: datetime) -> Review:
    """The review of ``period`` (its kind) for the timeline's team, as of ``as_of``."""
    review = timeline.team.review
    if period.kind == "weekly":
        return weekly_digest(timeline, period, as_of, review.issue, review.warning_weeks)
    if period.kind == "monthly":
        return monthly_check_in(timeline, period, as_of)
    return quarterly_review(timeline, period, as_of)


def make_reviews(
    store: Store, teams: Sequence[TeamMapping], kind: ReviewKind, *, day: date | None, now: datetime
) -> list[Review]:
    """Each team's review of ``kind`` for the period holding ``day`` (as of its end), else holding ``now``.

    A monthly or quarterly review of a day in none of a team's cycles raises :class:`AsOfError`: its
    objectives are graded against a cycle, and none holds the day."""
    reviews = []
    for team in teams:
        timeline = TeamTimeline(store, team)
        instant = day_end(day, timeline.tz) if day is not None else now
        local = instant.astimezone(timeline.tz).date()
        if not _gradable(kind, team, local):
            raise AsOfError(_no_cycle(team, local, given=day is not None))
        period = period_of(kind, local, team.review, (team.cycle, *team.past_cycles))
        reviews.append(make_review(timeline, period, instant))
    return reviews


def _gradable(kind: ReviewKind, team: TeamMapping, day: date) -> bool:
    """Whether a review of ``kind`` can be made as of ``day``: the weekly digest always (KPIs need no
    cycle), the others when one of the team's cycles holds the day their objectives are graded on."""
    return kind == "weekly" or any(c.start <= day <= c.end for c in (team.cycle, *team.past_cycles))


def _no_cycle(team: TeamMapping, local: date, *, given: bool) -> str:
    """Why no review of objectives can be made for ``local``, and the fix."""
    cycles = ", ".join(f"{c.name} ({c.start} to {c.end})" for c in (team.cycle, *team.past_cycles))
    what = f"--as-of {local}" if given else f"today ({local})"
    fix = (
        "give a day within one of them"
        if given
        else "set [cycle] to the cycle under way (the one that ended becomes a [[past_cycle]]), or give --as-of"
    )
    return f"{what} is in none of team {team.team.name}'s cycles: {cycles}; {fix}"


@dataclass
class Published:
    """What publishing did: the comments' outcomes and the files written."""

    outcomes: list[CommentOutcome] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no comment failed."""
        return all(o.action != "failed" for o in self.outcomes)


def publish(
    reviews: Sequence[Review],
    jira: JiraGateway,
    store: Store,
    directory: Path,
    clock: Callable[[], datetime],
    *,
    public_url: str | None = None,
    post: bool = True,
    hold_failed: bool = False,
) -> Published:
    """Post each review's comments (a run of kind ``review`` in the ledger), then write its files.

    A comment too long for Jira is shortened and points at the file and, given the dashboard's
    ``public_url``, at the review's page there. Without ``post`` (``[writeback] enabled = false``)
    only the files are written and Jira is left alone. With ``hold_failed`` (the daemon) a review
    some of whose comments failed is not written as files, so it stays due and the next check makes
    it again (its comments already posted are then left unchanged)."""
    published = Published()
    if not post:
        for review in reviews:
            published.files += write_files(directory, review)
        return published
    run_id = store.start_run("review")
    try:
        delivery = CommentDelivery(jira, store, clock)
        for review in reviews:
            outcomes = delivery.deliver(run_id, plan_comments(review, whereabouts(review, public_url)))
            published.outcomes += outcomes
            if hold_failed and any(o.action == "failed" for o in outcomes):
                continue
            published.files += write_files(directory, review)
    except BaseException:
        store.finish_run(run_id, "failed", error="the review run stopped before it finished")
        raise
    counts = {
        action: sum(1 for o in published.outcomes if o.action == action)
        for action in ("added", "edited", "unchanged", "failed")
    }
    store.finish_run(run_id, "ok" if published.ok else "partial", counts=counts)
    return published


def due_reviews(store: Store, teams: Sequence[TeamMapping], directory: Path, now: datetime) -> list[Review]:
    """The scheduled reviews whose time has come by ``now`` and whose files are not written yet; a monthly
    check-in of a month in none of the team's cycles (the month before the first) is not made."""
    reviews = []
    for team in teams:
        timeline = TeamTimeline(store, team)
        for kind in team.review.reviews:
            due = latest_due(kind, team.review, team.cycle, timeline.tz, now)
            if due is None or review_path(directory, team.team.name, due.period).with_suffix(".json").exists():
                continue
            if _gradable(kind, team, due.as_of.astimezone(timeline.tz).date()):
                reviews.append(make_review(timeline, due.period, due.as_of))
    return reviews
