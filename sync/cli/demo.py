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
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TextIO

from kpiokr.okr import NumericTarget, Objective, ObjectiveScore
from sync.app import dashboard_access, render, team_document
from sync.cli.bootstrap import build_app, open_store
from sync.cli.commands import ProgressBar, dashboard_server, setup
from sync.cli.demo_files import DASHBOARD_PORT, PM, write_demo_files
from sync.cli.pass_summary import print_summary
from sync.config import Config, load_config
from sync.errors import KpiokrError
from sync.jira import JiraRestGateway, JiraSettings

if TYPE_CHECKING:
    from jira_sandbox import Site


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
    port: int = DASHBOARD_PORT,
    out: TextIO | None = None,
    host: SiteHost = serve_over_http,
) -> int:
    """The demo, start to end, against the site ``host`` serves; with ``serve`` the site and the dashboard
    (on ``port``) stay up until Ctrl-C."""
    from jira_sandbox import generate_site  # noqa: PLC0415 - only `kpiokr demo` loads the sandbox

    out = out or sys.stdout
    began = time.monotonic()
    root = Path(directory).resolve()
    now = datetime.now(UTC)
    print(f"Seeding a Jira sandbox ({flavor}) with about {issues} issues...", file=out)
    site = generate_site(seed=1, issues=issues, now=now)
    with host(site, flavor) as jira:
        config_path = write_demo_files(root, site, jira.url, flavor, now, dashboard_port=port)
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
            _keep_serving(jira, config, config_path, out)
        else:
            print(f"\n$ kpiokr serve   (the dashboard, at {config.dashboard.url})", file=out)
            print(f"  .venv/bin/kpiokr --config {config_path} serve", file=out)
    return 0


def _keep_serving(jira: DemoSite, config: Config, config_path: Path, out: TextIO) -> None:
    """Hold the sandbox, and the dashboard over the demo's store, until Ctrl-C; a dashboard that cannot
    listen is said, and the sandbox is held all the same."""
    store = open_store(config)
    server = dashboard_server(config, store, dashboard_access(config.dashboard, {}, config.base_dir))
    try:
        server.start()
        print(f"\nThe dashboard is at {server.url}", file=out)
    except KpiokrError as error:
        print(f"\nkpiokr: {error} (`kpiokr demo --serve --port N` picks another)", file=out)
    print(f"The sandbox keeps running at {jira.url} (Ctrl-C stops both); try:", file=out)
    print(f"  .venv/bin/kpiokr --config {config_path} sync --dry-run", file=out)
    try:
        jira.hold()
    except KeyboardInterrupt:
        print("stopped", file=out)
    finally:
        server.stop()
        store.close()


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
