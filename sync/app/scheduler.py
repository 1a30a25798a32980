"""The daemon's schedule: incremental syncs on an interval, reconciliation nightly, one run at a time."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, tzinfo

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from sync.config import SyncSettings

log = logging.getLogger(__name__)

#: How often the daemon looks for reviews whose time has come.
REVIEW_CHECK_MINUTES = 15


def build_scheduler(
    sync_job: Callable[[], object],
    reconcile_job: Callable[[], object],
    settings: SyncSettings,
    tz: tzinfo,
    now: datetime,
) -> BackgroundScheduler:
    """A scheduler with the two jobs; a single worker thread means one run at a time.

    Runs that fall due while another runs are coalesced into one; a run late by up to an interval
    still happens (APScheduler's default grace of one second would silently drop it).
    """
    interval_seconds = settings.interval_minutes * 60
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": max(1, round(interval_seconds))},
        timezone=tz,
    )
    scheduler.add_job(
        sync_job, IntervalTrigger(seconds=interval_seconds, timezone=tz), id="sync", name="sync", next_run_time=now
    )
    hour, minute = (int(part) for part in settings.reconcile_at.split(":"))
    scheduler.add_job(
        reconcile_job, CronTrigger(hour=hour, minute=minute, timezone=tz), id="reconcile", name="reconcile"
    )
    return scheduler


def add_review_job(scheduler: BackgroundScheduler, review_job: Callable[[], object], tz: tzinfo, now: datetime) -> None:
    """Check every :data:`REVIEW_CHECK_MINUTES` for reviews whose time has come, after the first sync."""
    trigger = IntervalTrigger(minutes=REVIEW_CHECK_MINUTES, timezone=tz)
    first = now + timedelta(minutes=1)
    scheduler.add_job(review_job, trigger, id="reviews", name="reviews", next_run_time=first)


def run_until_stopped(
    scheduler: BackgroundScheduler, stop: threading.Event, about: Mapping[str, object] | None = None
) -> None:
    """Run the schedule until ``stop`` is set, then let the current run finish or abandon itself.

    Runs watch the same ``stop`` event and abandon at their next safe point: nothing half-done
    is committed, so stopping never loses or repeats work. ``about`` (the daemon's settings) are
    fields of the start and stop log lines.
    """
    scheduler.start()
    next_sync = scheduler.get_job("sync").next_run_time
    fields = {**(about or {}), "next_sync": next_sync.isoformat()}
    log.info("daemon started; next sync at %s", next_sync, extra={"event": "daemon_started", **fields})
    stop.wait()
    log.info("stopping: waiting for the current run to finish or abandon safely")
    scheduler.shutdown(wait=True)
    log.info("daemon stopped", extra={"event": "daemon_stopped", **(about or {})})
