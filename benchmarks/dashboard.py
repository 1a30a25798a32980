"""Dashboard: the time of its pages over a store of 20 teams, and of an as-of page for a past date.

    .venv/bin/python benchmarks/dashboard.py [--issues 100000] [--teams 20] [--rounds 5] [--seed 7]

Generates a sandbox site of N issues, the demo's mappings plus a Kanban team for SUP (so every issue
is in scope), syncs it once against the in-memory Jira (no HTTP) into a SQLite store and fills each
team's daily series for every day of the cycle so far (:func:`sync.app.daily_series.extend_series`
without a time budget). The other teams up to ``--teams`` are copies of those three under new names
(``MOB2``, ``WEB2``, ``SUP2``, ``MOB3``, ...): the newest report, KPI values and daily series
recorded under that name (no mapping file: two files may not map the same epics), so the store
holds 20 teams' documents and series over the same N issues.

Then it asks the dashboard (in process, through Starlette's test client: routing, the store's
queries, templates; no socket) for every page and API answer of every team: the overview, each team
page, each KPI and objective page, each team's report and series, ``--rounds`` times after a warm-up
round, and prints the 50th and 95th percentile and the slowest. Then, for each team with a mapping
file (a copy's evaluation is its original's), the team page for past dates (days 5, 15, 30 and 45
of the cycle), each evaluating the team from the stored histories, once the server has read them
ahead (it does when it starts: the time that takes, and the memory the kept histories hold, are
printed too; a team's first date then reads none); and a KPI page of each date right after it
(the evaluation kept). The garbage collector's full collections while the pages are asked for are
timed too: over the kept histories one took 1-3 s, landing on a page, until the histories read were
frozen out of its sight.
"""

from __future__ import annotations

import argparse
import gc
import logging
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from starlette.testclient import TestClient

from benchmarks.sync_scale import support_mapping
from sync.app import Access, dashboard_app
from sync.app.daily_series import extend_series
from sync.app.web.source import Reports
from sync.cli.demo_files import quarter
from sync.mapping import TeamMapping
from sync.store import Store
from tests.fakes.world import NOW, make_world

PAGE_TARGET_MS = 150.0
PAST_DAYS = (5, 15, 30, 45)
AS_OF_TARGET_MS = 1000.0
READ_AHEAD_LIMIT_S = 900


def main() -> None:
    """Build the store, then print the timings next to their targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--teams", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    name, start, end = quarter(NOW.date())
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        world = make_world(Path(directory) / "kpiokr", issues=args.issues, seed=args.seed)
        mappings = world.config_path.parent / "mappings"
        text = support_mapping(name, start, end)
        (mappings / "sup.toml").write_text(text.replace('name = "Customer Support"', 'name = "SUP"'))
        print(f"site of {args.issues} issues generated in {time.perf_counter() - started:.1f} s")
        with world.app() as app:
            started = time.perf_counter()
            assert world.runner(app).run().ok
            print(f"synced in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            originals = list(app.mappings.current())
            for team in originals:
                extend_series(app.store, team, NOW)
            print(f"daily series of {len(originals)} teams filled in {time.perf_counter() - started:.1f} s")
            names = copy_teams(app.store, [t.team.name for t in originals], args.teams)
            web = dashboard_app(app.store, [mappings], Access(), world.site.clock, jira_url=world.config.jira.url)
            print(f"store: {app.store.count_issues()} issues, {len(names)} teams, cycle {name} to {NOW.date()}\n")
            with TestClient(web) as client:
                read_ahead(client, app.store.count_issues())
                with FullCollections() as collections:
                    measure(client, names, originals, start, args.rounds)
                print(collections)
            print(f"memory the kept histories hold: {kept_mib(app.store, [mappings], world.site.clock):.0f} MiB")


class FullCollections:
    """Times the garbage collector's full (generation 2) collections while entered."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self._started = 0.0

    def __enter__(self) -> FullCollections:
        gc.callbacks.append(self._observe)
        return self

    def __exit__(self, *_: object) -> None:
        gc.callbacks.remove(self._observe)

    def _observe(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.times.append((time.perf_counter() - self._started) * 1000)

    def __str__(self) -> str:
        longest = f", the longest {max(self.times):.0f} ms" if self.times else ""
        return f"full garbage collections while the pages were asked for: {len(self.times)}{longest}"


def read_ahead(client: TestClient, issues: int) -> None:
    """Wait until the server has read every mapped team's histories ahead; print how long that took."""
    started = time.perf_counter()
    while client.get("/healthz").json()["histories_kept"] < issues:
        if time.perf_counter() - started > READ_AHEAD_LIMIT_S:
            raise SystemExit(f"the histories of {issues} issues were not read ahead within {READ_AHEAD_LIMIT_S} s")
        time.sleep(0.1)
    print(f"histories of {issues} issues read ahead by the server in {time.perf_counter() - started:.1f} s\n")


def kept_mib(store: Store, mappings: list[Path], clock: Callable[[], datetime]) -> float:
    """The memory the histories kept for past dates hold (read again, as the server does, under tracemalloc)."""
    tracemalloc.start()
    reports = Reports(store, mappings, clock)
    reports.warm(threading.Event())
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return held / 2**20


def measure(client: TestClient, names: list[str], originals: list[TeamMapping], start: date, rounds: int) -> None:
    """Every page ``rounds`` times after a warm-up round, then past dates of each mapped team."""
    pages = urls(client, names)
    for _ in range(rounds + 1):
        times = [timed(client, url) for url in pages]
    times = [timed(client, url) for _ in range(rounds) for url in pages]
    report(f"pages ({len(pages)} urls x {rounds})", times, PAGE_TARGET_MS)
    first: list[float] = []
    other: list[float] = []
    kept: list[float] = []
    for n in (t.team.name for t in originals):
        for index, day in enumerate(PAST_DAYS):
            past = (start + timedelta(days=day - 1)).isoformat()
            (other if index else first).append(timed(client, f"/teams/{n}?as_of={past}"))
            kept.append(timed(client, f"/teams/{n}/kpis/{first_kpi(client, n)}?as_of={past}"))
    report("as-of team page, a team's first date", first, AS_OF_TARGET_MS)
    for team, elapsed in zip((t.team.name for t in originals), first, strict=True):
        print(f"  {team}: first date {elapsed:.0f} ms (target < {AS_OF_TARGET_MS:.0f} ms)")
    report("as-of team page, another date", other, AS_OF_TARGET_MS)
    report("as-of KPI page of the same date (evaluation kept)", kept, PAGE_TARGET_MS)


def copy_teams(store: Store, originals: list[str], wanted: int) -> list[str]:
    """Record copies of ``originals`` under new names until there are ``wanted`` teams; all names."""
    names = list(originals)
    reports = {r.team: r for r in store.latest_reports()}
    kpis = store.latest_kpi_values()
    for n in range(wanted - len(originals)):
        source = originals[n % len(originals)]
        copy = f"{source}{n // len(originals) + 2}"
        report = reports[source]
        store.record_report(copy, report.as_of, {**report.document, "team": copy})
        store.record_scores(None, kpis=[replace(k, team=copy, run_id=None) for k in kpis if k.team == source])
        store.record_daily_points(replace(p, team=copy) for p in store.daily_points(source))
        names.append(copy)
    return names


def urls(client: TestClient, names: list[str]) -> list[str]:
    """Every page and API answer of every team."""
    found = ["/", "/api/teams"]
    for name in names:
        team = client.get(f"/api/teams/{name}/report").json()["teams"][0]
        found += [f"/teams/{name}", f"/api/teams/{name}/report", f"/api/teams/{name}/series"]
        found += [f"/teams/{name}/kpis/{k['key']}" for k in team["kpis"]]
        found += [f"/teams/{name}/objectives/{o['key']}" for o in team["objectives"]]
    return found


def first_kpi(client: TestClient, name: str) -> str:
    """The key of the team's first KPI."""
    key: str = client.get(f"/api/teams/{name}/report").json()["teams"][0]["kpis"][0]["key"]
    return key


def timed(client: TestClient, url: str, clock: Callable[[], float] = time.perf_counter) -> float:
    """Milliseconds to answer ``url`` (which must answer 200)."""
    started = clock()
    answer = client.get(url)
    elapsed = (clock() - started) * 1000
    assert answer.status_code == 200, (url, answer.status_code)
    return elapsed


def report(what: str, times: list[float], target: float) -> None:
    """One line: percentiles and the slowest, in ms, next to the target for the 95th."""
    p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) > 1 else times[0]
    verdict = "met" if p95 < target else "MISSED"
    print(
        f"{what:<48} n={len(times):<5} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  "
        f"max {max(times):7.1f} ms  target p95 < {target:.0f} ms: {verdict}"
    )


if __name__ == "__main__":
    main()
