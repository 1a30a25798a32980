"""A store filled by passes against the in-memory Jira, with hostile text in issue summaries, and
the dashboard over it."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from starlette.testclient import TestClient

from sync.app import Access, dashboard_app
from sync.cli.bootstrap import App
from tests.fakes.world import World, make_world

SCRIPT = "<script>alert('x')</script>"
IMG = '"><img src=x onerror=alert(1)>'


@dataclass
class Served:
    """The world, its app (store open) and the reports the store holds, by team."""

    world: World
    app: App
    objective: str
    key_result: str

    def client(self, access: Access | None = None, base_path: str = "") -> TestClient:
        """A client of the dashboard over the world's store (open to anyone unless ``access`` says)."""
        paths = self.world.config.mapping_paths
        clock, jira = self.world.site.clock, self.world.config.jira.url
        web = dashboard_app(self.app.store, paths, access or Access(), clock, base_path, jira_url=jira)
        return TestClient(web)

    def documents(self) -> dict[str, dict]:
        """Each team's newest stored report document."""
        return {r.team: dict(r.document) for r in self.app.store.latest_reports()}


def served_world(directory: Path) -> Iterator[Served]:
    """Two passes: the first scores the site; then an objective's and a key result's summaries are
    edited into markup, and the second pass stores them in the report documents."""
    world = make_world(directory)
    with world.app() as app:
        first = world.runner(app).run()
        assert first.ok
        mob = next(r.document for r in app.store.latest_reports("MOB"))
        objective = next(o for o in mob["objectives"] if o["key_results"])
        key_result = objective["key_results"][0]["key"]
        world.site.advance(timedelta(minutes=1))
        world.site.edit_issue(objective["key"], {"summary": f"Grow {SCRIPT}"})
        world.site.edit_issue(key_result, {"summary": f"Ship {IMG}"})
        world.site.advance(timedelta(minutes=1))
        assert world.runner(app).run().ok
        yield Served(world, app, objective["key"], key_result)
