"""A seeded Jira site in memory, the demo's config and mapping files for it, and the app wired to it.

::

    world = make_world(tmp_path)              # about 150 issues, three teams, score fields created
    with world.app() as app:
        summary = world.runner(app).run()
    world.main("report", "--format", "json")  # the command line, against the same site
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from jira_sandbox import Site, generate_site
from sync.app import Runner
from sync.cli.bootstrap import App, build_app
from sync.cli.commands import setup
from sync.cli.demo_files import DASHBOARD_PORT, write_demo_files
from sync.cli.main import main
from sync.config import Config, load_config
from sync.jira import JiraSettings
from tests.fakes.jira import FAKE_URL, FakeJira

#: The instant the seeded sites are generated at; their clocks stand still there.
NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class World:
    """A site, its flavour, the config written for it, and every gateway built for it so far."""

    site: Site
    flavor: str
    config_path: Path
    gateways: list[FakeJira] = field(default_factory=list)

    @property
    def config(self) -> Config:
        """The config as the file says now."""
        return load_config(self.config_path)

    def serve_dashboard_on(self, port: int) -> None:
        """Have the config's dashboard listen on ``port``."""
        text = self.config_path.read_text()
        self.config_path.write_text(text.replace(f"port = {DASHBOARD_PORT}\n", f"port = {port}\n"))

    @property
    def mappings(self) -> Path:
        """The directory of the mapping files."""
        return self.config_path.parent / "mappings"

    def gateway(self, settings: JiraSettings | None = None) -> FakeJira:
        """A new gateway over the site (the composition root's gateway factory)."""
        fake = FakeJira(self.site, settings, flavor=self.flavor)
        self.gateways.append(fake)
        return fake

    @property
    def jira(self) -> FakeJira:
        """The newest gateway built."""
        return self.gateways[-1]

    @contextlib.contextmanager
    def app(self, config: Config | None = None) -> Iterator[App]:
        """The daemon wired to the site, as ``build_app`` wires it; the store is closed after."""
        app = build_app(config or self.config, {}, gateways=self.gateway)
        try:
            yield app
        finally:
            app.close()

    def runner(self, app: App, stop: threading.Event | None = None) -> Runner:
        """A runner scoring on the site's clock."""
        return app.runner(stop or threading.Event(), clock=self.site.clock)

    def main(self, *argv: str) -> int:
        """``kpiokr --config <the config> ARGV...`` against the site; returns the exit code."""
        return main(["--config", str(self.config_path), *argv], gateways=self.gateway)

    def writes(self) -> list[tuple[str, dict[str, object]]]:
        """Every issue edit Jira accepted through any gateway, oldest first."""
        return [w for fake in self.gateways for w in fake.writes()]


def make_world(directory: Path, *, flavor: str = "cloud", issues: int = 150, seed: int = 7) -> World:
    """A generated site with its clock stopped at :data:`NOW`, the demo's files for it in ``directory``,
    and the score fields created by ``kpiokr setup``."""
    site = generate_site(seed=seed, issues=issues, now=NOW)
    site.clock_state.set(NOW)
    path = write_demo_files(directory, site, FAKE_URL, flavor, NOW)
    world = World(site, flavor, path)
    with contextlib.redirect_stdout(None):
        setup(world.config, dry_run=False, gateways=world.gateway)
    world.gateways.clear()
    return world
