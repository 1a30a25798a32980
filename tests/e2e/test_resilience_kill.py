"""SIGKILL at random points of a run, then a restart: nothing lost, nothing written twice.

Every kill gets a fresh sandbox site, generated from the same seed as the clean reference run's site,
and a fresh store. ``kpiokr -v sync --once`` runs in its own process (see ``cli_process``) whose log
the test watches: when the phase picked for this kill begins (fetch, store, compute or write), the
process is SIGKILLed after a random delay drawn within that phase's length in the reference runs.
The phase it really died in is read back from its log (the last phase marker it reached). Then
``kpiokr sync --once`` runs again to the end, and

* Jira's score fields, the store's latest scores and KPIs, and the ledger's written values equal
  the reference run's (scores are compared at the precision Jira shows them: they are computed as
  of the real clock, seconds apart);
* no issue received a write it had already received (accepted PUTs per issue equal the reference's);
* nothing is left pending or failed in the ledger, the killed run is recorded ``abandoned``;
* the watermark is consistent: every issue Jira updated up to it is stored as Jira has it.

Kills are aimed at the phase with the fewest kills so far, per flavour, until every phase of both
flavours has ``PER_PHASE`` kills and there are at least ``KILLS`` in all.
"""

import itertools
import json
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest

from jira_sandbox import SandboxServer, Site, generate_site
from sync.app.fetch import project_watermarks
from sync.score_fields import OBJECTIVE_FIELDS
from sync.store.store import Store
from tests.e2e.cli_process import Cli
from tests.e2e.conftest import Jira
from tests.e2e.resilience_support import config_file, make_config, score_values

pytestmark = pytest.mark.e2e

KILLS = 52
PER_PHASE = 6
MAX_ATTEMPTS = 90
ISSUES = 200
SEED = 5
FLAVORS = ("cloud", "datacenter")
PHASES = ("fetch", "store", "compute", "write")
#: Log lines that open a phase; the run's summary on stdout closes the last one.
MARKERS = (
    (re.compile(r"\(sync\) started"), "fetch"),
    (re.compile(r"sync\.app\.\w+: storing \d+ issue"), "store"),
    (re.compile(r"computing the scores"), "compute"),
    (re.compile(r"sync\.app\.\w+: run \d+: writing \d+ issue"), "write"),
    (re.compile(r"recording scores and reports"), "store"),
    (re.compile(r"^run \d+ \(sync\): ", re.MULTILINE), "done"),
)
STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ", re.MULTILINE)
CF = "com.atlassian.jira.plugin.system.customfieldtypes:"


@dataclass
class Sandbox:
    """One generated site served over HTTP, with its config and store."""

    jira: Jira
    config_path: Path
    store_url: str

    def sync_once(self) -> list[str]:
        return ["-v", "--config", str(self.config_path), "sync", "--once"]


def add_score_fields(site: Site, flavor: str) -> None:
    """The fields ``kpiokr setup`` creates (same ids, same kinds), made directly: no store in this process."""
    site.create_field("Objective score", CF + "float")
    status = site.create_field("Objective status", CF + ("select" if flavor == "cloud" else "textfield"))
    if flavor == "cloud":
        for option in next(f for f in OBJECTIVE_FIELDS if f.options).options:
            site.add_option(status.key, option)
    site.create_field("Objective summary", CF + "textfield")
    site.create_field("Key result progress", CF + "float")


def sandbox(now: datetime, flavor: str, directory: Path) -> Sandbox:
    """A site generated like every other one (same seed and ``now``), served, with the score fields."""
    site = generate_site(seed=SEED, issues=ISSUES, now=now)
    add_score_fields(site, flavor)
    server = SandboxServer(site, flavor=flavor).start()
    jira = Jira(site, server, flavor)
    retry = {"backoff_seconds": 0.05, "max_backoff_seconds": 0.2}
    config = make_config(jira, directory, now=now, retry=retry, create_fields=False)
    return Sandbox(jira, config_file(config), config.store_url)


def markers_in(log: str) -> list[tuple[int, int]]:
    """(offset, index in MARKERS) of every phase marker of a run's log, in order."""
    return sorted((m.start(), n) for n, (pattern, _) in enumerate(MARKERS) for m in pattern.finditer(log))


def phase_at_death(log: str) -> str:
    """The phase a killed run was in: the last marker its log reached ("startup" before any)."""
    found = markers_in(log)
    return MARKERS[found[-1][1]][1] if found else "startup"


def spans(log: str) -> Iterator[tuple[int, float]]:
    """(marker index, seconds until the next marker) of each phase span of a complete run's log."""
    stamps = [(m.start(), datetime.strptime(m[1], "%Y-%m-%d %H:%M:%S,%f")) for m in STAMP.finditer(log)]

    def when(offset: int) -> datetime:
        return max(at for pos, at in stamps if pos <= offset)

    for (start, marker), (end, _) in itertools.pairwise(markers_in(log)):
        yield marker, (when(end) - when(start)).total_seconds()


def snapshot(box: Sandbox) -> dict[str, object]:
    """What a run leaves behind that must not depend on being killed: Jira's scores, the store's, the ledger."""
    with Store.open(box.store_url) as store:
        ledger = store.ledger()
        return {
            "jira": score_values(box.jira.site),
            "written": sorted((e.issue_key, e.field_id, json.dumps(e.value)) for e in ledger if e.outcome == "written"),
            "unsettled": [e for e in ledger if e.outcome in ("pending", "failed")],
            "objectives": sorted(
                (o.objective_key, o.cycle, round(o.score, 2), o.status, o.summary)
                for o in store.latest_objective_scores()
            ),
            "key_results": sorted(
                (k.objective_key, k.kr_key, None if k.score is None else round(k.score, 2), k.progress)
                for k in store.latest_key_result_scores()
            ),
            "kpis": sorted(
                (k.team, k.kpi_key, None if k.value is None else round(k.value, 2), k.status)
                for k in store.latest_kpi_values()
            ),
            "runs": [r.status for r in store.runs(limit=None)],
        }


def accepted_puts(box: Sandbox) -> Counter[str]:
    """Issue key -> how many writes Jira accepted for it."""
    return Counter(
        path.split("?")[0].rsplit("/", 1)[-1]
        for method, path, status in box.jira.server.request_log
        if method == "PUT" and status == 204
    )


def assert_watermark_consistent(box: Sandbox, what: str) -> None:
    """Every issue Jira updated up to the watermark is stored as Jira has it; none is missing."""
    with Store.open(box.store_url) as store:
        marks = project_watermarks(store)
        stored = store.issue_versions(["MOB", "WEB"])
    in_jira = {
        str(issue.id): datetime.fromtimestamp(issue.values["updated"][0] / 1000, UTC)
        for issue in box.jira.site.issues
        if issue.project in ("MOB", "WEB")
    }
    assert set(marks) == {"MOB", "WEB"}, what
    assert max(marks.values()) <= max(in_jira.values()), what
    assert stored.keys() == in_jira.keys(), f"{what}: issues lost"
    mark = min(marks.values())
    stale = [i for i, at in in_jira.items() if at <= mark and abs((stored[i] - at).total_seconds()) > 0.001]
    assert not stale, f"{what}: issues updated before the watermark but stored at another version: {stale}"


def _open_when_created(path: Path, process) -> IO[str] | None:
    while not path.exists():
        if process.exitcode is not None:
            return None
        time.sleep(0.0005)
    return path.open()


def kill_in(cli: Cli, box: Sandbox, log: Path, marker: re.Pattern[str], delay: float) -> str:
    """Start a sync, SIGKILL it ``delay`` seconds after its log shows ``marker``; the phase it died in."""
    process = cli.start(box.sync_once(), log)
    reader = _open_when_created(log, process)
    seen, deadline = "", time.monotonic() + 60
    while reader is not None and not marker.search(seen) and process.exitcode is None:
        seen += reader.read()
        assert time.monotonic() < deadline, f"no {marker.pattern!r} in {log}"
        time.sleep(0.001)
    if reader is not None:
        reader.close()
    time.sleep(delay)
    process.kill()
    process.join()
    return "done" if process.exitcode == 0 else phase_at_death(log.read_text())


@pytest.fixture(scope="module")
def cli() -> Cli:
    return Cli()


def test_sigkill_at_random_points_loses_nothing_and_writes_nothing_twice(cli, tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    references, lengths = {}, {}
    for flavor in FLAVORS:
        found: dict[int, list[float]] = {}
        for n in range(2):  # two clean runs: the phases' lengths vary run to run; aim within the shorter
            box = sandbox(now, flavor, tmp_path / f"reference-{flavor}-{n}")
            try:
                log = tmp_path / f"reference-{flavor}-{n}.log"
                assert cli.run(box.sync_once(), log) == 0, log.read_text()[-3000:]
                if n == 0:
                    references[flavor] = (snapshot(box), accepted_puts(box))
                for marker, seconds in spans(log.read_text()):
                    found.setdefault(marker, []).append(seconds)
            finally:
                box.jira.server.stop()
        lengths[flavor] = {key: min(values) for key, values in found.items()}
        reference, puts = references[flavor]
        assert reference["written"], "the reference run wrote nothing: nothing to test"
        assert set(puts.values()) == {1}
        assert reference["runs"] == ["ok"]

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=len(FLAVORS)) as lanes:  # one lane per core
        done = [
            lanes.submit(
                kill_lane,
                cli,
                now=now,
                flavor=flavor,
                reference=references[flavor],
                lengths=lengths[flavor],
                tmp_path=tmp_path,
                seed=seed,
            )
            for seed, flavor in enumerate(FLAVORS)
        ]
        results = [lane.result() for lane in done]
    hits = sum((h for h, _ in results), Counter())
    report = [line for _, lines in results for line in lines]
    print(f"\n{len(report)} kills in {time.monotonic() - started:.0f}s: {dict(hits)}")
    print("\n".join(report))
    for flavor in FLAVORS:
        for phase in PHASES:
            assert hits[flavor, phase] >= PER_PHASE, f"too few kills in {flavor} {phase}: {dict(hits)}"
    assert sum(n for (_, phase), n in hits.items() if phase in PHASES) >= KILLS


def kill_lane(
    cli: Cli,
    *,
    now: datetime,
    flavor: str,
    reference: tuple[dict[str, object], Counter[str]],
    lengths: dict[int, float],
    tmp_path: Path,
    seed: int,
) -> tuple[Counter[tuple[str, str]], list[str]]:
    """Kill and restart runs on ``flavor`` until each phase has PER_PHASE kills and the lane KILLS / 2."""
    rng = random.Random(20261123 + seed)
    snapshot_before, reference_puts = reference
    hits: Counter[tuple[str, str]] = Counter()
    report: list[str] = []
    for attempt in range(MAX_ATTEMPTS // len(FLAVORS)):
        in_phase = sum(n for (_, phase), n in hits.items() if phase in PHASES)
        if in_phase >= KILLS / len(FLAVORS) and all(hits[flavor, p] >= PER_PHASE for p in PHASES):
            break
        aim = min(PHASES, key=lambda p: (hits[flavor, p], rng.random()))
        marker, length = rng.choice([(m, v) for m, v in lengths.items() if MARKERS[m][1] == aim])
        delay = rng.uniform(0, 0.8 * length)
        name = f"{flavor}-{attempt}"
        box = sandbox(now, flavor, tmp_path / f"kill-{name}")
        try:
            phase = kill_in(cli, box, tmp_path / f"kill-{name}.log", MARKERS[marker][0], delay)
            hits[flavor, phase] += 1
            what = f"kill {name}: aimed at {aim} +{delay * 1000:.0f} ms, died in {phase}"
            report.append(what)

            restart = tmp_path / f"restart-{name}.log"
            assert cli.run(box.sync_once(), restart) == 0, f"{what}\n{restart.read_text()[-3000:]}"

            after = snapshot(box)
            assert after["unsettled"] == [], what
            for part in ("jira", "written", "objectives", "key_results", "kpis"):
                assert after[part] == snapshot_before[part], f"{what}: {part} differs from the clean run"
            assert accepted_puts(box) == reference_puts, f"{what}: {accepted_puts(box) - reference_puts} again"
            killed = {"done": ["ok"], "startup": []}.get(phase, ["abandoned"])
            assert after["runs"] == ["ok", *killed], f"{what}: runs {after['runs']}"  # newest first
            assert_watermark_consistent(box, what)
        finally:
            box.jira.server.stop()
    return hits, report
