"""End-to-end fixtures: a seeded sandbox Jira over real HTTP, the demo's config and mappings, and apps."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from jira_sandbox import SandboxServer, Site, generate_site
from sync.app.runner import Runner
from sync.cli.bootstrap import App, build_app
from sync.cli.commands import setup
from sync.cli.demo_files import write_demo_files
from sync.config import Config, load_config

#: The instant the seeded sites are generated at; runners score as of it.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class Jira:
    """A running sandbox and its site."""

    site: Site
    server: SandboxServer
    flavor: str

    def requests(self, method: str | None = None, contains: str = "") -> list[tuple[str, str, int]]:
        """The requests served so far, by method and a path fragment."""
        return [r for r in self.server.request_log if (method is None or r[0] == method) and contains in r[1]]

    def puts(self) -> list[tuple[str, str, int]]:
        """The issue edits served so far (property writes aside)."""
        return [r for r in self.requests("PUT", "/issue/") if "/properties/" not in r[1]]

    def property_writes(self) -> list[tuple[str, str, int]]:
        """The issue and project property writes served so far: PUTs and Cloud's bulk POSTs."""
        return [r for r in self.server.request_log if r[0] in ("PUT", "POST") and "/properties" in r[1]]


@pytest.fixture(params=["cloud", "datacenter"])
def jira(request: pytest.FixtureRequest) -> Iterator[Jira]:
    """A sandbox of about 300 issues, in each flavour, with the clock stopped at ``NOW``."""
    site = generate_site(seed=7, issues=300, now=NOW)
    site.clock_state.set(NOW)
    with SandboxServer(site, flavor=request.param) as server:
        yield Jira(site, server, request.param)


@pytest.fixture
def config(jira: Jira, tmp_path: Path) -> Config:
    """The demo's config and mapping files for the sandbox, with the score fields created."""
    path = write_demo_files(tmp_path / "kpiokr", jira.site, jira.server.url, jira.flavor, NOW)
    loaded = load_config(path)
    setup(loaded, dry_run=False)
    jira.server.clear_request_log()
    return loaded


@pytest.fixture
def app(config: Config) -> Iterator[App]:
    """The daemon wired against the sandbox."""
    built = build_app(config, {})
    yield built
    built.close()


def runner_of(app: App, jira: Jira, stop: threading.Event | None = None) -> Runner:
    """A runner on the sandbox's clock (stopped at ``NOW`` until a test moves it)."""
    return app.runner(stop or threading.Event(), clock=jira.site.clock)
