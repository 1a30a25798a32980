"""The daemon schedule: runs repeat on the interval, never overlap, and stop cleanly."""

import threading
import time
from datetime import UTC, datetime

from sync.app.scheduler import build_scheduler, run_until_stopped
from sync.config import SyncSettings


def test_runs_repeat_never_overlap_and_the_current_run_finishes_on_stop():
    active = 0
    overlaps = 0
    finished: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def job(name: str):
        def run():
            nonlocal active, overlaps
            with lock:
                active += 1
                overlaps += active > 1
            time.sleep(0.15)
            with lock:
                active -= 1
                finished.append(name)
                if finished.count("sync") >= 3:
                    stop.set()

        return run

    settings = SyncSettings(interval_minutes=0.1 / 60)  # every 0.1 s: runs fall due while one runs
    scheduler = build_scheduler(job("sync"), job("reconcile"), settings, UTC, datetime.now(UTC))
    scheduler.add_job(job("reconcile"), "date", run_date=datetime.now(UTC))  # a reconciliation due right away
    worker = threading.Thread(target=run_until_stopped, args=(scheduler, stop))
    worker.start()
    worker.join(timeout=20)
    assert not worker.is_alive(), "the daemon did not stop"
    assert finished.count("sync") >= 3
    assert "reconcile" in finished
    assert overlaps == 0
    assert active == 0, "stop returned before the current run finished"
