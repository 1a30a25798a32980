"""The daemon's review job: each team's reviews made and published once their time has come."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection
from datetime import datetime
from pathlib import Path

from sync.app.reviews.run import due_reviews, publish
from sync.errors import KpiokrError
from sync.jira import JiraGateway
from sync.mapping import MappingWatcher
from sync.store import Store

log = logging.getLogger(__name__)


def review_job(
    jira: JiraGateway,
    store: Store,
    mappings: MappingWatcher,
    directory: Path,
    clock: Callable[[], datetime],
    *,
    stop: threading.Event,
    teams: Callable[[], Collection[str] | None] = lambda: None,
    public_url: str | None = None,
    post: bool = True,
) -> Callable[[], None]:
    """A job publishing the reviews due by now whose files are not written yet (``teams``: the team
    names this daemon serves, ``None`` for all; ``public_url``: the dashboard's, which shortened
    comments link to; ``post`` False: files only, no comment). A failure, a comment Jira refused
    included, is logged and the next run tries that review again."""

    def job() -> None:
        if stop.is_set():
            return
        served = teams()
        for team in mappings.current():
            if served is not None and team.team.name not in served:
                continue
            try:
                reviews = due_reviews(store, [team], directory, clock())
                if reviews:
                    published = publish(
                        reviews, jira, store, directory, clock, public_url=public_url, post=post, hold_failed=True
                    )
                    failed = sum(1 for o in published.outcomes if o.action == "failed")
                    log.info("%s: %d review(s) published, %d comment(s) failed", team.team.name, len(reviews), failed)
                    if failed:
                        log.warning("%s: a review whose comment failed is made again at the next check", team.team.name)
            except KpiokrError as error:
                log.warning("%s: reviews not made: %s", team.team.name, error)

    return job
