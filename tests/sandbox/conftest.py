"""Fixtures for the sandbox's own tests: small generated sites and servers on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from jira_sandbox import SandboxServer, Site, generate_site

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
LOGINS = {
    "cloud": {
        "bot": ("kpiokr-bot@example.com", "sandbox-token"),
        "pm": ("pm@example.com", "pm-token"),
        "viewer": ("viewer@example.com", "viewer-token"),
    },
    "datacenter": {"bot": "sandbox-pat", "pm": "pm-pat", "viewer": "viewer-pat"},
}


def session(server: SandboxServer, who: str = "bot") -> requests.Session:
    """A requests session logged in as ``who`` the way the flavour expects (Basic / Bearer PAT)."""
    s = requests.Session()
    login = LOGINS[server.flavor][who]
    if isinstance(login, tuple):
        s.auth = login
    else:
        s.headers["Authorization"] = f"Bearer {login}"
    return s


def make_site(issues: int = 300, seed: int = 1) -> Site:
    """A small reproducible site."""
    return generate_site(seed=seed, issues=issues, now=NOW)


@pytest.fixture(params=["cloud", "datacenter"])
def server(request: pytest.FixtureRequest) -> Iterator[SandboxServer]:
    """A fresh site served in each flavour (safe to mutate)."""
    with SandboxServer(make_site(), flavor=request.param) as srv:
        yield srv


@pytest.fixture
def client(server: SandboxServer) -> Iterator[requests.Session]:
    """The bot's session against ``server``."""
    with session(server) as s:
        yield s
