"""The demo's site served in this process: ``run_demo(..., host=InMemoryHost())`` runs the whole demo
without a socket.

kpiokr reaches the site through :class:`tests.fakes.jira.FakeJira` gateways; the PM's edit is the
same REST request the HTTP demo sends, answered by the sandbox's handler in process, so Jira records
it as the PM's change. :class:`InMemoryHost` keeps what happened for the test to read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from jira_sandbox import SandboxServer, Site
from sync.cli.demo import person_edit
from sync.jira import JiraSettings
from tests.fakes.jira import FAKE_URL, FakeJira


@dataclass
class InMemorySite:
    """A :class:`sync.cli.demo.DemoSite` answered in process; records kpiokr's gateways and the PM's edits."""

    site: Site
    flavor: str
    url: str = FAKE_URL
    gateways: list[FakeJira] = field(default_factory=list)
    edits: list[tuple[str, dict[str, object], int]] = field(default_factory=list)
    #: How many of kpiokr's writes Jira had accepted when the PM edited.
    writes_before_edit: int | None = None
    held: bool = False
    #: What to do while the demo holds the site (before the Ctrl-C).
    on_hold: Callable[[], None] = lambda: None

    def gateway(self, settings: JiraSettings) -> FakeJira:
        """A new in-memory gateway over the site."""
        fake = FakeJira(self.site, settings, flavor=self.flavor)
        self.gateways.append(fake)
        return fake

    def edit_as_person(self, key: str, fields: dict[str, object]) -> None:
        """The PM's PUT, answered by the sandbox's REST handler; a refused edit fails the demo."""
        self.writes_before_edit = len(self.writes())
        path, headers, body = person_edit(self.flavor, key, fields)
        answer = SandboxServer(self.site, flavor=self.flavor).handle(
            "PUT", path, {k.lower(): v for k, v in headers.items()}, body
        )
        status = answer.status if answer is not None else 0
        self.edits.append((key, fields, status))
        if status >= 300:
            raise AssertionError(f"the sandbox refused the PM's edit of {key}: {status}")

    def hold(self) -> None:
        """Run :attr:`on_hold`, then Ctrl-C."""
        self.held = True
        self.on_hold()
        raise KeyboardInterrupt

    def writes(self) -> list[tuple[str, dict[str, Any]]]:
        """Every issue edit kpiokr made that Jira accepted, oldest first."""
        return [w for fake in self.gateways for w in fake.writes()]


@dataclass
class InMemoryHost:
    """A :data:`sync.cli.demo.SiteHost` serving in process; ``served`` is the site it was given."""

    served: InMemorySite | None = None
    on_hold: Callable[[], None] = lambda: None

    @contextmanager
    def __call__(self, site: Site, flavor: str) -> Iterator[InMemorySite]:
        """Serve ``site`` as ``flavor`` for the block."""
        self.served = InMemorySite(site, flavor, on_hold=self.on_hold)
        yield self.served
