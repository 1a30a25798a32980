"""The daemon's side of ``benchmarks/sync_scale.py``: one warm runner in a process of its own.

    python benchmarks/sync_scale_worker.py CONFIG    (started by sync_scale.py, not by hand)

Reads one JSON command a line on stdin (``{"op": "run", "name", "now", "full"}`` or ``{"op":
"quit"}``), runs the pass and answers one JSON line on stdout: seconds, requests, what it fetched
and planned, the seconds spent in each phase (and per team), the garbage collector's share, and
the resident memory before, at the peak of and after the pass (``VmHWM`` is reset before each
pass through ``/proc/self/clear_refs``). With ``KPIOKR_SCALE_PROFILE=DIR`` each pass is profiled
with cProfile into ``DIR/<pass>.prof``.
"""

from __future__ import annotations

import contextlib
import cProfile
import gc
import json
import os
import re
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.app import sync_pass as pass_module
from sync.app import team_scores as scores_module
from sync.app import write_phase as write_module
from sync.app.boards import BoardReader
from sync.app.history_cache import HistoryCache
from sync.app.team_scores import TeamScorer
from sync.cli.bootstrap import build_app
from sync.config import load_config


def _peak_kib() -> int:
    match = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(match.group(1)) if match else 0


def _rss_kib() -> int:
    match = re.search(r"VmRSS:\s+(\d+)", Path("/proc/self/status").read_text())
    return int(match.group(1)) if match else 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (and ru_maxrss) to the current RSS


class CollectorClock:
    """Seconds the garbage collector ran (and how many full collections) since :meth:`reset`."""

    def __init__(self) -> None:
        self.seconds, self.full, self._began = 0.0, 0, 0.0
        gc.callbacks.append(self._tick)

    def _tick(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._began = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._began
            self.full += info["generation"] == 2

    def reset(self) -> None:
        self.seconds, self.full = 0.0, 0


class Phases:
    """Seconds spent in named functions of the runner during one pass (wrapped by :meth:`wrap`)."""

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.by_team: Counter[str] = Counter()
        self._team: str | None = None

    def wrap(self, owner: Any, name: str, label: str, team_arg: int | None = None) -> None:
        original = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent = time.perf_counter() - began
                self.seconds[label] += spent
                if team_arg is not None and len(args) > team_arg:
                    self.by_team[args[team_arg].team.name] += spent
                    self.by_team[f"{args[team_arg].team.name}: {label}"] += spent

        setattr(owner, name, timed)


def worker(config_path: str) -> int:
    """Serve commands from stdin (one JSON per line); answer on the original stdout."""
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # anything printed by the product goes to stderr
    phases = Phases()
    phases.wrap(pass_module, "fetch_updates", "fetch")
    phases.wrap(HistoryCache, "index", "histories", team_arg=2)
    phases.wrap(TeamScorer, "_team_data", "team data", team_arg=1)
    phases.wrap(scores_module, "evaluate_team", "evaluate", team_arg=0)
    phases.wrap(write_module, "plan_writes", "plan")
    phases.wrap(write_module, "apply_writes", "apply")
    phases.wrap(TeamScorer, "_team_answers", "team answers")
    phases.wrap(BoardReader, "refresh", "agile")

    profile_dir = os.environ.get("KPIOKR_SCALE_PROFILE")
    collector = CollectorClock()
    now = datetime.now(UTC)  # each command says when it runs
    app = build_app(load_config(Path(config_path)), {})
    runner = app.runner(threading.Event(), clock=lambda: now)
    for line in sys.stdin:
        command = json.loads(line)
        if command["op"] == "quit":
            break
        now = datetime.fromisoformat(command["now"])
        phases.seconds.clear()
        phases.by_team.clear()
        gc.collect()
        _reset_peak()
        rss_before = _rss_kib()
        collector.reset()
        profile = cProfile.Profile() if profile_dir else None
        began = time.perf_counter()
        if profile is not None:
            profile.enable()
        summary = runner.run(full=bool(command.get("full")))
        if profile is not None:
            profile.disable()
            profile.dump_stats(Path(profile_dir, f"{command['name'].replace(' ', '_')}.prof"))
        seconds = time.perf_counter() - began
        reply = {
            "seconds": seconds,
            "requests": summary.requests,
            "fetched": summary.fetched,
            "changed": len(summary.changed_keys),
            "planned_issues": len(summary.planned),
            "planned_fields": sum(len(w.fields) for w in summary.planned),
            "problems": summary.problems,
            "phases": {**phases.seconds, "gc": collector.seconds, "gc full collections": collector.full},
            "teams": dict(phases.by_team),
            "rss_before_mib": rss_before / 1024,
            "peak_mib": _peak_kib() / 1024,
            "rss_after_mib": _rss_kib() / 1024,
            "issues_in_store": app.store.count_issues(),
        }
        out.write(json.dumps(reply) + "\n")
    app.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(worker(sys.argv[1]))
