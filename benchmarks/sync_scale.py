"""Sync at scale: what kpiokr costs Jira, and how fast and how big it is at home.

    .venv/bin/python benchmarks/sync_scale.py [--sizes 1000,10000,100000] [--flavor cloud|datacenter|both]
                                              [--store sqlite|postgres|both] [--seed 1]

For each size, flavour and store: generates a sandbox site of N issues (``jira_sandbox``, ~10
changelog entries an issue, ~1 % over 100), serves it over real HTTP from this process, writes the
demo's config and mappings plus a Kanban team for SUP (``sync_scale_sup.toml.in``, so every issue is
in scope), creates the score fields, and drives the daemon in a **child process**
(``sync_scale_worker.py``) so its time and peak memory are its own. The daemon runs pass after pass
as ``kpiokr daemon`` does (one warm ``Runner``), the site's clock moving 5 minutes between passes:

- full            the first sync, into an empty store (writes every score);
- own writes      the next pass: Jira returns the issues kpiokr just wrote (nothing to write);
- quiet           nothing changed (target: one search request, no write);
- 1 % changed     the PM moved the priority of 1 % of the issues, within one minute;
- own writes, quiet   as above, now with the 1 % still inside the fetch's overlap;
- one changed     the PM edited one issue of the largest team; "recompute after one issue changed"
                  is that team's score phase: histories cache, team index, every KPI and objective;
- full recompute  a day later, a full re-read and recompute (``run(full=True)``).

Requests come from the sandbox's request log; the minimum is computed from the site itself:
search pages at the largest page the flavour serves, changelog pages only for issues whose history
did not fit inline (Cloud: ``changelog/bulkfetch``, 1000 issues and 10,000 histories a call), the
agile reads (board configuration and sprint pages), the site facts a first pass needs (account,
fields, statuses) and one page per team query. "values changed" counts the (issue, score field)
pairs whose value in Jira differs after the pass: every write should change one.

PostgreSQL: ``--store postgres`` (or ``both``) uses ``$KPIOKR_TEST_PG_URL`` and a scratch schema
dropped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from jira_sandbox import SandboxServer, generate_site
from sync import score_fields
from sync.cli.commands import setup
from sync.cli.demo_files import quarter, write_demo_files
from sync.config import load_config
from sync.mapping.loader import load_mappings
from sync.store.store import engine_url

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("sync_scale_worker.py")

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SCORE_FIELDS = tuple(f.default_name for f in score_fields.SCORE_FIELDS)
BULK_ISSUES, BULK_HISTORIES = 1000, 10_000

#: The sandbox's Kanban team (SUP), so that every issue is in scope; its cycle is filled in.
SUPPORT_MAPPING = Path(__file__).with_name("sync_scale_sup.toml.in")


def support_mapping(cycle: str, start: date, end: date) -> str:
    """The text of :data:`SUPPORT_MAPPING` with its cycle ``cycle`` from ``start`` to ``end``."""
    text = SUPPORT_MAPPING.read_text()
    for token, value in (("{cycle}", f'"{cycle}"'), ("{start}", start.isoformat()), ("{end}", end.isoformat())):
        text = text.replace(token, value)
    return text


# -- the orchestrator: sandbox, edits, minimum, figures --------------------------------------------


@dataclass
class Step:
    """One pass as seen from both sides."""

    name: str
    reply: dict[str, Any]
    reads: int
    searches: int
    changelog: int
    agile: int
    writes: int
    values_changed: int
    issues_changed: int
    minimum: int
    by_path: Counter[str] = field(default_factory=Counter)


def _kind(method: str, path: str) -> str:
    bare = path.split("?", 1)[0]
    if method == "PUT":
        return "write"
    if "/search" in bare:
        return "search"
    if "changelog" in bare or (method == "GET" and re.search(r"/issue/[^/]+$", bare)):
        return "changelog"
    if "/rest/agile/" in bare:
        return "agile"
    return "site"


def _shape(method: str, path: str) -> str:
    bare = path.split("?", 1)[0]
    return f"{method} " + re.sub(r"/(\d+|[A-Z]+-\d+)(?=/|$)", "/{id}", bare)


class Orchestrator:
    """One size x flavour x store: the sandbox in this process, the daemon in a child process."""

    def __init__(self, issues: int, flavor: str, store: str, seed: int, pg_url: str | None) -> None:
        self.flavor, self.store_kind, self.pg_url = flavor, store, pg_url
        began = time.perf_counter()
        self.site = generate_site(seed=seed, issues=issues, now=NOW)
        self.site.clock_state.set(NOW)
        gc.freeze()  # the site's millions of objects stay out of this process's collections
        self.generated = time.perf_counter() - began
        self.server = SandboxServer(self.site, flavor=flavor).start()
        self.directory = tempfile.TemporaryDirectory(prefix="kpiokr-scale-")
        self.schema: str | None = None
        self.clock = NOW
        self.rng = random.Random(seed)
        self.config_path = self._write_config()
        self.projects = self._projects()
        self.process: subprocess.Popen[str] | None = None
        self.last: list[tuple[str, str, int]] = []

    # -- set-up

    def _write_config(self) -> Path:
        root = Path(self.directory.name)
        path = write_demo_files(root, self.site, self.server.url, self.flavor, NOW)
        (root / "mappings" / "sup.toml").write_text(support_mapping(*quarter(NOW.date())))
        if self.store_kind == "postgres":
            sqlite = 'url = "sqlite:///kpiokr.sqlite3"'
            path.write_text(path.read_text().replace(sqlite, f'url = "{self._pg_schema()}"'))
        with contextlib.redirect_stdout(io.StringIO()):
            setup(load_config(path), dry_run=False)
        self.server.clear_request_log()
        return path

    def _pg_schema(self) -> str:
        assert self.pg_url, "set KPIOKR_TEST_PG_URL for --store postgres"
        self.schema = f"kpiokr_scale_{uuid.uuid4().hex[:8]}"
        admin = create_engine(engine_url(self.pg_url))
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        admin.dispose()
        url = engine_url(self.pg_url).update_query_dict({"options": f"-csearch_path={self.schema}"})
        return url.render_as_string(hide_password=False).replace("postgresql+psycopg://", "postgresql://")

    def _projects(self) -> set[str]:
        teams = load_mappings(load_config(self.config_path).mapping_paths).teams
        self.teams = teams
        return {p for t in teams for p in t.team.projects}

    def close(self) -> None:
        if self.process is not None:
            with contextlib.suppress(Exception):
                self._send({"op": "quit"}, answer=False)
            self.process.wait(timeout=60)
        self.server.stop()
        if self.schema is not None:
            admin = create_engine(engine_url(self.pg_url or ""))
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
            admin.dispose()
        self.directory.cleanup()
        gc.unfreeze()

    # -- the daemon

    def _send(self, command: dict[str, Any], *, answer: bool = True) -> dict[str, Any]:
        if self.process is None:
            self.process = subprocess.Popen(
                [sys.executable, str(WORKER), str(self.config_path)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        if not answer:
            return {}
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the worker died (exit {self.process.wait()}); see its stderr above")
        return json.loads(line)

    def run(self, name: str, minimum: int, *, full: bool = False) -> Step:
        self.server.clear_request_log()
        before = self._score_values()
        reply = self._send({"op": "run", "name": name, "now": self.clock.isoformat(), "full": full})
        after = self._score_values()
        log = self.last = self.server.request_log
        kinds = Counter(_kind(method, path) for method, path, _ in log)
        changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
        return Step(
            name,
            reply,
            reads=len(log) - kinds["write"],
            searches=kinds["search"],
            changelog=kinds["changelog"],
            agile=kinds["agile"],
            writes=kinds["write"],
            values_changed=len(changed),
            issues_changed=len({key for key, _ in changed}),
            minimum=minimum,
            by_path=Counter(_shape(method, path) for method, path, _ in log),
        )

    def written(self) -> list[Any]:
        """The issues kpiokr wrote score fields to in the last pass (property documents left aside)."""
        edits = (
            re.match(r"^/rest/api/\d/issue/([^/?]+)(?:\?.*)?$", path)
            for method, path, _ in self.last
            if method == "PUT"
        )
        return [self.site.by_key[key] for key in sorted({m.group(1) for m in edits if m})]

    def _score_values(self) -> dict[tuple[str, str], object]:
        ids = {f.key: f.name for f in self.site.fields.values() if f.name in SCORE_FIELDS and not f.deleted}
        found = {}
        for issue in self.site.issues:
            values = issue.values
            for field_key, name in ids.items():
                if field_key in values:
                    found[issue.key, name] = values[field_key]
        return found

    # -- the site: edits and the minimum

    def in_scope(self) -> list[Any]:
        return [i for i in self.site.issues if i.project in self.projects]

    def tick(self, minutes: float = 5) -> None:
        self.clock += timedelta(minutes=minutes)
        self.site.clock_state.set(self.clock)

    def edit(self, issues: list[Any]) -> None:
        """The pm moves each issue's priority one step (one history, one item each)."""
        names = [p.name for p in sorted(self.site.priorities.values(), key=lambda p: p.id)]
        for n, issue in enumerate(issues):
            self.site.clock_state.set(self.clock + timedelta(seconds=n % 50))
            current = self.site.priorities.get(issue.values.get("priority"))
            index = names.index(current.name) if current else 0
            self.site.edit_issue(issue.key, {"priority": {"name": names[(index + 1) % len(names)]}}, author="pm")
        self.tick(1)

    def minimum(self, issues: list[Any], *, fresh: bool = False, others: bool = True) -> dict[str, int]:
        """The fewest requests that read ``issues`` (all changed since the last pass) with complete
        changelogs, plus what the pass must ask besides.

        ``fresh``: nothing is stored yet (a long history is read in full, and the site facts are
        needed); otherwise the store holds every issue and an edit adds one history, which fits
        inline. ``others``: someone other than kpiokr changed issues, so the boards and the teams'
        JQL answers may have moved.
        """
        limits = self.server.context.limits
        page = limits["cloud_search"] if self.flavor == "cloud" else limits["dc_search"]
        inline = self.site.inline_changelog_limit[self.flavor]
        cut = [len(i.histories) for i in issues if fresh and inline is not None and len(i.histories) > inline]
        changelog = max(math.ceil(len(cut) / BULK_ISSUES), math.ceil(sum(cut) / BULK_HISTORIES)) if cut else 0
        figures = {"search": max(1, math.ceil(len(issues) / page)), "changelog": changelog}
        if others and issues:
            agile = 0
            for board_id in {t.team.board for t in self.teams}:
                sprints = [s for s in self.site.sprints.values() if s.board_id == board_id]
                pages = math.ceil(max(len(sprints), 1) / limits["agile_list"])
                agile += 1 + (pages if self.site.boards[board_id].type == "scrum" else 0)
            figures |= {"agile": agile, "queries": sum(1 for t in self.teams if t.objectives.jql)}
        if fresh:
            figures["site"] = 3  # account (JQL time zone), field list, statuses
        return figures


def _minimum_total(parts: dict[str, int]) -> int:
    return sum(parts.values())


def scenario(issues: int, flavor: str, store: str, seed: int, pg_url: str | None) -> dict[str, Any]:
    """Every step for one size, flavour and store; returns the figures."""
    orch = Orchestrator(issues, flavor, store, seed, pg_url)
    steps: list[Step] = []
    parts: dict[str, dict[str, int]] = {}
    try:
        scope = orch.in_scope()
        parts["full"] = orch.minimum(scope, fresh=True)
        steps.append(orch.run("full", _minimum_total(parts["full"])))
        for name, edited in (("1 % changed", len(scope) // 100), ("one changed", 1)):
            # the scores just written come back once; then a pass in which nothing changed
            orch.tick()
            parts[f"own writes {len(steps)}"] = orch.minimum(orch.written(), others=False)
            steps.append(orch.run("own writes", _minimum_total(parts[f"own writes {len(steps)}"])))
            orch.tick()
            parts[f"quiet {len(steps)}"] = orch.minimum([], others=False)
            steps.append(orch.run("quiet", _minimum_total(parts[f"quiet {len(steps)}"])))
            orch.tick()
            if edited == 1:
                largest = max(orch.teams, key=lambda t: sum(1 for i in scope if i.project in t.team.projects))
                changed = [next(i for i in reversed(scope) if i.project in largest.team.projects)]
            else:
                changed = orch.rng.sample(scope, max(1, edited))
            orch.edit(changed)
            parts[name] = orch.minimum(changed)
            steps.append(orch.run(name, _minimum_total(parts[name])))
            if edited == 1:
                steps[-1].reply["team"] = largest.team.name
        orch.tick(60 * 24)  # a day later: time alone moves pace-based scores
        parts["full recompute"] = orch.minimum(scope)
        steps.append(orch.run("full recompute", _minimum_total(parts["full recompute"]), full=True))
    finally:
        orch.close()
    return {
        "issues": len(orch.site.issues),
        "in_scope": len(scope),
        "histories": sum(len(i.histories) for i in scope),
        "over_100": sum(1 for i in scope if len(i.histories) > 100),
        "generated": orch.generated,
        "flavor": flavor,
        "store": store,
        "steps": steps,
        "parts": parts,
    }


# -- output ----------------------------------------------------------------------------------------


def _print_result(result: dict[str, Any], verbose: bool) -> None:
    print(
        f"\n## {result['issues']:,} issues ({result['in_scope']:,} in scope, {result['histories']:,} histories, "
        f"{result['over_100']} with >100), {result['flavor']}, {result['store']}; site generated in "
        f"{result['generated']:.1f} s"
    )
    header = (
        f"{'pass':15} {'reads':>6} {'min':>5} {'ratio':>5} {'search':>6} {'chlog':>5} {'other':>5} "
        f"{'PUTs':>5} {'fields':>6} {'changed':>7} {'fetched':>7} {'time s':>7} {'score s':>7} "
        f"{'peak MiB':>8} {'RSS MiB':>7}"
    )
    print(header)
    for step in result["steps"]:
        r = step.reply
        score = sum(r["phases"].get(k, 0.0) for k in ("histories", "team data", "evaluate"))
        ratio = f"{step.reads / step.minimum:5.2f}" if step.minimum else "    -"
        print(
            f"{step.name:15} {step.reads:6d} {step.minimum:5d} {ratio} {step.searches:6d} {step.changelog:5d} "
            f"{step.reads - step.searches - step.changelog:5d} {step.writes:5d} {r['planned_fields']:6d} "
            f"{step.values_changed:7d} {r['fetched']:7d} {r['seconds']:7.2f} {score:7.2f} "
            f"{r['peak_mib']:8.0f} {r['rss_after_mib']:7.0f}"
        )
    one = next(s for s in result["steps"] if s.name == "one changed")
    team = one.reply.get("team")
    seconds = one.reply["teams"]
    mine = sorted((k.split(": ")[1], v) for k, v in seconds.items() if k.startswith(f"{team}: "))
    parts = ", ".join(f"{k} {v * 1000:.0f}" for k, v in mine)
    others = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in sorted(seconds.items()) if ": " not in k)
    print(
        f"recompute after one issue changed, team {team}: {seconds.get(team, 0.0) * 1000:.0f} ms ({parts}); "
        f"every team: {others}"
    )
    if verbose:
        print("minimum by part: " + "; ".join(f"{k}: {v}" for k, v in result["parts"].items()))
    if verbose:
        for step in result["steps"]:
            phases = ", ".join(f"{k} {v:.2f}" for k, v in sorted(step.reply["phases"].items()))
            print(f"  {step.name}: {phases}")
            print("    " + ", ".join(f"{k} x{v}" for k, v in sorted(step.by_path.items())))
            if step.reply["problems"]:
                print(f"    problems: {step.reply['problems']}")


def _machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), "?")
    mem = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {int(mem) / 2**20:.0f} GiB RAM, Python {sys.version.split()[0]}, "
        f"load {load:.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--flavor", choices=("cloud", "datacenter", "both"), default="cloud")
    parser.add_argument("--store", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--verbose", "-v", action="store_true", help="phases and request shapes per pass")
    args = parser.parse_args(argv)
    pg_url = os.environ.get("KPIOKR_TEST_PG_URL")
    stores = ["sqlite", "postgres"] if args.store == "both" else [args.store]
    if "postgres" in stores and not pg_url:
        parser.error("--store postgres needs KPIOKR_TEST_PG_URL")
    flavors = ["cloud", "datacenter"] if args.flavor == "both" else [args.flavor]
    print(_machine())
    for size in (int(s) for s in args.sizes.split(",")):
        for flavor in flavors:
            for store in stores:
                _print_result(scenario(size, flavor, store, args.seed, pg_url), args.verbose)
                sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
