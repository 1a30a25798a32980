"""``kpiokr review weekly|monthly|quarterly``: make each team's review, print it, and (unless a dry run)
post it as Jira comments and write it as files."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from datetime import date

from sync.app import AsOfError, Review, describe_comments, make_reviews, publish, review_json, to_markdown
from sync.cli.bootstrap import GatewayFactory, open_store, opened_app, utc_now
from sync.config import Config
from sync.jira import JiraRestGateway
from sync.mapping import MappingError, ReviewKind, load_mappings


def _day(as_of: str | None) -> date | None:
    if as_of is None:
        return None
    try:
        return date.fromisoformat(as_of)
    except ValueError:
        raise AsOfError(
            f"--as-of {as_of!r} is not a day: give one such as 2026-11-20 (the review covers the period holding it, "
            "as of its end in the team's time zone)"
        ) from None


def _print(reviews: Sequence[Review], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps({"reviews": [json.loads(review_json(r)) for r in reviews]}, indent=2, ensure_ascii=False))
        return
    for review in reviews:
        print(to_markdown(review.blocks))


def _files_only(reviews: Sequence[Review]) -> None:
    """Say which teams' weekly digests go to no Jira issue, and how to name one."""
    for r in reviews:
        if r.kind == "weekly" and not r.comments:
            print(
                f"{r.team}: no [review] issue in its mapping, so its weekly digest is written only as files",
                file=sys.stderr,
            )


def review(
    config: Config,
    kind: ReviewKind,
    *,
    team: str | None,
    as_of: str | None,
    dry_run: bool,
    fmt: str,
    gateways: GatewayFactory = JiraRestGateway,
) -> int:
    """Make each team's (or ``team``'s) review of ``kind``; print it; unless ``dry_run``, publish it.

    Exit 1 when a comment could not be posted, 2 for bad input."""
    day = _day(as_of)
    loaded = load_mappings(config.mapping_paths)
    if loaded.errors:
        raise MappingError(loaded.errors)
    teams = [t for t in loaded.teams if team is None or t.team.name == team]
    if not teams:
        names = ", ".join(t.team.name for t in loaded.teams) or "none: write a mapping file first"
        print(f"kpiokr: there is no team {team!r}; --team takes one of: {names}", file=sys.stderr)
        return 2
    if dry_run:
        store = open_store(config)
        try:
            reviews = make_reviews(store, teams, kind, day=day, now=utc_now())
        finally:
            store.close()
        _print(reviews, fmt)
        for line in (line for r in reviews for line in describe_comments(r)):
            print(f"would post: {line}", file=sys.stderr)
        _files_only(reviews)
        print("dry run: nothing posted, no file written", file=sys.stderr)
        return 0
    with opened_app(config, os.environ, gateways) as app:
        reviews = make_reviews(app.store, teams, kind, day=day, now=utc_now())
        directory = config.resolve(config.reviews.directory)
        published = publish(
            reviews,
            app.jira,
            app.store,
            directory,
            utc_now,
            public_url=config.dashboard.public_url,
            post=config.writeback.enabled,
        )
    _print(reviews, fmt)
    if not config.writeback.enabled:
        print("[writeback] enabled = false: no comment posted, the files only", file=sys.stderr)
    for outcome in published.outcomes:
        reason = f": {outcome.reason}" if outcome.reason else ""
        print(f"{outcome.comment.issue_key}: comment {outcome.action}{reason}", file=sys.stderr)
    _files_only(reviews)
    for path in published.files:
        print(f"written: {path}", file=sys.stderr)
    return 0 if published.ok else 1
