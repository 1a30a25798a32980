"""``kpiokr demo``: the whole product on a fresh machine, against the bundled Jira sandbox over real HTTP.

It seeds a sandbox site, writes a config and mapping files that describe its teams, creates the
score fields, runs a full sync that writes the scores back, prints the report, then edits an issue
as a person would and runs the incremental sync that follows. The files stay for the user.

Where the site is served is a :data:`SiteHost`: :func:`serve_over_http` (a local port, the default),
or any other host of a :class:`DemoSite`, such as an in-process one that runs the whole demo in memory.
"""

from __future__ import annotations

import base64
import json
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO
from zoneinfo import ZoneInfo

from kpiokr.okr import NumericTarget, Objective, ObjectiveScore
from sync.app import render, team_document
from sync.cli.bootstrap import build_app
from sync.cli.commands import ProgressBar, print_summary, setup
from sync.config import load_config
from sync.jira import JiraRestGateway, JiraSettings

if TYPE_CHECKING:
    from jira_sandbox import Site

#: The sandbox's published demo accounts (they exist only in the sandbox).
BOT = ("kpiokr-bot@example.com", "sandbox-token", "sandbox-pat")
PM = ("pm@example.com", "pm-token", "pm-pat")
#: The sandbox's metric fields, and the most each can reach (None: no ceiling).
METRICS: dict[str, float | None] = {"Downloads": None, "App rating": 5.0, "Market share": 100.0, "Code coverage": 100.0}
#: How ambitious each successive demo key result is: its target is the pace so far times this.
AMBITION = (2.4, 1.5, 1.1, 3.0, 1.8)


def quarter(today: date) -> tuple[str, date, date]:
    """The calendar quarter containing ``today``: name, first day, last day."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end = date(today.year + (first_month == 10), (first_month + 2) % 12 + 1, 1) - timedelta(days=1)
    return f"{today.year}-Q{(first_month - 1) // 3 + 1}", start, end


def _value_at(site: Site, key: str, field_id: str, instant_ms: int) -> float | None:
    """A number field's value at an instant, replayed from the sandbox issue's history."""
    issue = site.by_key[key]
    value = issue.values.get(field_id)
    for history in reversed(issue.histories):
        if history.ms <= instant_ms:
            break
        for item in history.items:
            if item.field == field_id:
                value = float(item.from_string) if item.from_string else None
    return None if value is None else float(value)


def _objectives(
    site: Site, project: str, cycle_start: datetime, now: datetime
) -> list[tuple[str, list[tuple[str, str, float, float]]]]:
    """The project's OKR epics and their metric key results: (key, field name, baseline, value now)."""
    metric_ids = {f.key: f.name for f in site.fields.values() if f.name in METRICS}
    start_ms = int(cycle_start.timestamp() * 1000)
    found: dict[str, list[tuple[str, str, float, float]]] = {}
    for issue in site.issues:
        if issue.project != project or "kr" not in issue.values.get("labels", ()):
            continue
        epic = site.by_id[issue.values["epic_link"]].key
        for field_id, name in metric_ids.items():
            if field_id in issue.values:
                baseline = _value_at(site, issue.key, field_id, start_ms)
                current = _value_at(site, issue.key, field_id, int(now.timestamp() * 1000))
                if baseline is not None and current is not None:
                    found.setdefault(epic, []).append((issue.key, name, baseline, current))
    return sorted(found.items(), key=lambda item: site.by_key[item[0]].num)


def team_mapping(site: Site, project: str, cycle: tuple[str, date, date], now: datetime) -> str:
    """A mapping file for one of the sandbox's Scrum teams, as an admin would write it.

    Each key result's target is set from its pace so far, some more ambitious than others, so the
    demo shows objectives on track, at risk and off track.
    """
    board = next(b for b in site.boards.values() if b.project_key == project)
    name, start, end = cycle
    cycle_start = datetime.combine(start, datetime.min.time(), tzinfo=ZoneInfo(site.time_zone))
    cycle_end = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(site.time_zone))
    elapsed = max((now - cycle_start) / (cycle_end - cycle_start), 0.05)
    ambition = iter(AMBITION * 20)
    lines = [
        f"# {board.name}: written by `kpiokr demo` for the sandbox site.",
        "[team]",
        f'name = "{board.name.removesuffix(" board")}"',
        f'projects = ["{project}"]',
        f"board = {board.id}",
        f'timezone = "{site.time_zone}"',
        'owner = "pm@example.com"',
        "",
        "[cycle]",
        f'name = "{name}"',
        f"start = {start.isoformat()}",
        f"end = {end.isoformat()}",
        "",
        "[objectives]",
        f"jql = 'project = {project} AND issuetype = Epic AND labels = okr'",
        "",
        "[key_results]",
        'source = "listed"',
        'measure = "child_completion"',
    ]
    for epic, key_results in _objectives(site, project, cycle_start, now):
        tables: list[str] = []
        for key, field, baseline, current in key_results:
            decimals = 2 if baseline < 100 else 0
            pace = max(current - baseline, abs(baseline) * 0.02) / elapsed
            target = round(baseline + pace * next(ambition), decimals)
            ceiling = METRICS[field]
            target = target if ceiling is None else min(target, ceiling)
            if target > current:
                tables += [
                    "[[objective.key_result]]",
                    f'key = "{key}"',
                    'measure = "numeric"',
                    f'field = "{field}"',
                    f"baseline = {baseline:g}",
                    f"target = {target:g}",
                ]
        if tables:
            lines += ["", "[[objective]]", f'key = "{epic}"', 'owner = "pm@example.com"', *tables]
    lines += [
        "",
        "[[kpi]]",
        'key = "velocity"',
        'name = "Velocity"',
        'kind = "velocity"',
        "window = { sprints = 3 }",
        "target = 40",
        "threshold = 25",
        'owner = "pm@example.com"',
        "",
        "[[kpi]]",
        'key = "say_do"',
        'name = "Say/do ratio"',
        'kind = "say_do_ratio"',
        "target = 80",
        "threshold = 60",
        'owner = "pm@example.com"',
        "",
        "[[kpi]]",
        'key = "critical_bugs"',
        'name = "Critical bug resolution time"',
        'kind = "resolution_time"',
        'priorities = ["Highest", "High"]',
        "window = { days = 90 }",
        "target = 240",
        "threshold = 480",
        'owner = "pm@example.com"',
        'guards = ["*"]',
        "",
        "[[kpi]]",
        'key = "cycle_time"',
        'name = "Cycle time"',
        'kind = "cycle_time"',
        'statistic = "p85"',
        "target = 8",
        "threshold = 14",
        'owner = "pm@example.com"',
        'guards = ["*"]',
        "",
        "[[kpi]]",
        'key = "scope_change"',
        'name = "Scope change"',
        'kind = "scope_change"',
        "target = 15",
        "threshold = 30",
        'owner = "pm@example.com"',
        "",
        "[[kpi]]",
        'key = "reopen_rate"',
        'name = "Reopen rate"',
        'kind = "reopen_rate"',
        "target = 5",
        "threshold = 15",
        'owner = "pm@example.com"',
    ]
    return "\n".join(lines) + "\n"


def write_demo_files(directory: Path, site: Site, url: str, flavor: str, now: datetime) -> Path:
    """Write the demo's config, token file and mapping files; returns the config's path."""
    mappings = directory / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    for old in mappings.glob("*.toml"):
        old.unlink()
    store = directory / "kpiokr.sqlite3"
    for leftover in directory.glob("kpiokr.sqlite3*"):
        leftover.unlink()
    cycle = quarter(now.astimezone(ZoneInfo(site.time_zone)).date())
    for board in sorted(site.boards.values(), key=lambda b: b.id):
        if board.type == "scrum":
            text = team_mapping(site, board.project_key, cycle, now)
            (mappings / f"{board.project_key.lower()}.toml").write_text(text)
    token = directory / "jira-token"
    token.write_text((BOT[1] if flavor == "cloud" else BOT[2]) + "\n")
    token.chmod(0o600)
    email = f'email = "{BOT[0]}"\n' if flavor == "cloud" else ""
    config = directory / "config.toml"
    config.write_text(
        "# kpiokr demo: a config for the local Jira sandbox (see config.example.toml for every key).\n"
        "[jira]\n"
        f'url = "{url}"\n'
        f'flavor = "{flavor}"\n'
        f"{email}"
        'token_env = "KPIOKR_DEMO_TOKEN"\n'
        'token_file = "jira-token"\n'
        "\n[store]\n"
        f'url = "sqlite:///{store.name}"\n'
        "\n[mappings]\n"
        'paths = ["mappings"]\n'
    )
    return config


def person_edit(flavor: str, key: str, fields: dict[str, object]) -> tuple[str, dict[str, str], bytes]:
    """The REST request with which the sandbox's PM changes an issue: path, headers and body of a PUT."""
    basic = base64.b64encode(f"{PM[0]}:{PM[1]}".encode()).decode()
    auth = f"Basic {basic}" if flavor == "cloud" else f"Bearer {PM[2]}"
    headers = {"Authorization": auth, "Content-Type": "application/json"}
    return f"/rest/api/2/issue/{key}", headers, json.dumps({"fields": fields}).encode()


class DemoSite(Protocol):
    """The Jira the demo runs against: its URL, kpiokr's gateways to it, and a person's hands in it."""

    @property
    def url(self) -> str:
        """The site's base URL, as the config names it."""
        ...

    def gateway(self, settings: JiraSettings) -> JiraRestGateway:
        """kpiokr's gateway to the site (the composition root's gateway factory)."""
        ...

    def edit_as_person(self, key: str, fields: dict[str, object]) -> None:
        """Change an issue as the sandbox's PM, as a person in Jira would."""
        ...

    def hold(self) -> None:
        """Keep the site up until Ctrl-C (a ``KeyboardInterrupt``)."""
        ...


#: Serves a seeded site as ``"cloud"`` or ``"datacenter"`` for the ``with`` block.
SiteHost = Callable[["Site", str], AbstractContextManager[DemoSite]]


@dataclass(frozen=True)
class HttpSandbox:
    """The sandbox served over HTTP on a local port; kpiokr and the PM reach it as they would reach Jira."""

    url: str
    flavor: str

    def gateway(self, settings: JiraSettings) -> JiraRestGateway:
        """The REST gateway, over HTTP."""
        return JiraRestGateway(settings)

    def edit_as_person(self, key: str, fields: dict[str, object]) -> None:
        """A PUT through Jira's REST API with the PM's credentials."""
        path, headers, body = person_edit(self.flavor, key, fields)
        request = urllib.request.Request(f"{self.url}{path}", data=body, method="PUT", headers=headers)
        with urllib.request.urlopen(request, timeout=30):
            pass

    def hold(self) -> None:
        """Wait for Ctrl-C."""
        threading.Event().wait()


@contextmanager
def serve_over_http(site: Site, flavor: str) -> Iterator[HttpSandbox]:
    """The sandbox serving ``site`` on a free local port until the block ends."""
    from jira_sandbox import SandboxServer  # noqa: PLC0415 - only `kpiokr demo` loads the sandbox

    with SandboxServer(site, flavor=flavor) as server:
        yield HttpSandbox(server.url, flavor)


def run_demo(
    directory: str,
    *,
    issues: int,
    flavor: str,
    serve: bool,
    out: TextIO | None = None,
    host: SiteHost = serve_over_http,
) -> int:
    """The demo, start to end, against the site ``host`` serves; with ``serve`` it stays up until Ctrl-C."""
    from jira_sandbox import generate_site  # noqa: PLC0415 - only `kpiokr demo` loads the sandbox

    out = out or sys.stdout
    began = time.monotonic()
    root = Path(directory).resolve()
    now = datetime.now(UTC)
    print(f"Seeding a Jira sandbox ({flavor}) with about {issues} issues...", file=out)
    site = generate_site(seed=1, issues=issues, now=now)
    with host(site, flavor) as jira:
        config_path = write_demo_files(root, site, jira.url, flavor, now)
        config = load_config(config_path)
        print(f"Sandbox at {jira.url}; config and mappings in {root}\n", file=out)
        print("$ kpiokr setup   (creates the custom fields scores are written to)", file=out)
        setup(config, dry_run=False, gateways=jira.gateway)
        app = build_app(config, {}, gateways=jira.gateway)
        try:
            runner = app.runner(threading.Event(), progress=ProgressBar("fetching issues"))
            print("\n$ kpiokr sync   (first run: full backfill)", file=out)
            first = runner.run()
            runner.progress = None
            print_summary(first, dry_run=False, out=out)
            print("\n$ kpiokr report", file=out)
            print(render({"teams": [team_document(r) for r in first.results]}, "table"), file=out)
            edited = _edit_a_key_result(jira, flavor, site, first.results[0].objectives, out)
            print("\n$ kpiokr sync   (incremental: only what changed)", file=out)
            second = runner.run()
            print_summary(second, dry_run=False, out=out)
        finally:
            app.close()
        print(f"\nDone in {time.monotonic() - began:.0f}s. Files left in {root}; try:", file=out)
        print(f"  .venv/bin/kpiokr --config {config_path} report --format markdown", file=out)
        print(f"  .venv/bin/kpiokr --config {config_path} check --offline", file=out)
        team = edited.split("-")[0] if edited else None
        changed = [r for r in second.results if r.team == team] or second.results
        print(f"\n$ kpiokr report --team {changed[0].team}   (after the edit)", file=out)
        print(render({"teams": [team_document(r) for r in changed[:1]]}, "table"), file=out)
        if serve:
            print(f"\nThe sandbox keeps running at {jira.url} (Ctrl-C to stop); try:", file=out)
            print(f"  .venv/bin/kpiokr --config {config_path} sync --dry-run", file=out)
            try:
                jira.hold()
            except KeyboardInterrupt:
                print("stopped", file=out)
    return 0


def _edit_a_key_result(
    jira: DemoSite, flavor: str, site: Site, objectives: Sequence[tuple[Objective, ObjectiveScore]], out: TextIO
) -> str | None:
    """Move the first key result still under way a quarter of the way to its target."""
    for objective, score in objectives:
        graded = {s.key: s.score for s in score.key_results}
        for kr in objective.key_results:
            measure = kr.measure
            if not isinstance(measure, NumericTarget) or not 0 < (graded.get(kr.key) or 0) < 0.75:
                continue
            number = measure.number
            field = next(f for f in site.fields.values() if f.name == number)
            current = site.by_key[kr.key].values.get(field.key)
            if current is None:
                continue
            step = (measure.target - measure.baseline) / 4
            new = round(float(current) + step, 2)
            print(f"\n$ # pm@example.com edits {kr.key} in Jira: {number} {current:g} -> {new:g}", file=out)
            jira.edit_as_person(kr.key, {field.wire_id(flavor) or field.key: new})
            return kr.key
    return None
