"""kpiokr Jira sandbox: a local Jira Cloud / Data Center emulator for demos and tests only.

It speaks Jira's wire format (REST v2/v3, agile 1.0) over a generated, reproducible site::

    site = generate_site(seed=1, issues=600, now=datetime(2026, 11, 20, 12, tzinfo=UTC))
    with SandboxServer(site, flavor="cloud") as server:
        server.url  # http://127.0.0.1:PORT

Never point production credentials or data at it. See ``jira_sandbox/README.md``.
"""

from jira_sandbox.catalog import Field, User
from jira_sandbox.faults import Fault, FaultSet
from jira_sandbox.jql import JqlError
from jira_sandbox.model import History, Issue, Item
from jira_sandbox.payload import EditError
from jira_sandbox.seed import DEFAULT_TEAMS, Team, generate_site
from jira_sandbox.server import SandboxServer
from jira_sandbox.site import Site

__all__ = [
    "DEFAULT_TEAMS",
    "EditError",
    "Fault",
    "FaultSet",
    "Field",
    "History",
    "Issue",
    "Item",
    "JqlError",
    "SandboxServer",
    "Site",
    "Team",
    "User",
    "generate_site",
]
