"""An in-memory Jira: the gateway over a sandbox site answered in this process, no socket, no HTTP.

:class:`FakeJira` is a :class:`sync.jira.JiraGateway` (it is the REST gateway, its ``jira`` client
session replaced by :class:`InProcessSession`), so every protocol method, the paging of searches
(Cloud page tokens, Data Center offsets) and the completion of cut changelogs (Cloud's bulkfetch
and changelog pages, Data Center's issue re-read) run as they do against a real site. The site is a
:class:`jira_sandbox.Site`: its JQL evaluator answers searches and counts, its edits record a PUT
as a changelog entry of the account that sent it, its clock is Jira's ``Date``.

On demand (:meth:`FakeJira.fail`) requests answer 429 or 5xx; the gateway's retry budget is spent
without sleeping, so a lasting fault raises the errors the real gateway raises once it gave up
(``... (gave up after 6 attempts ...)``). :meth:`FakeJira.kill_at` stops the process model in the
middle of a request, before or after Jira applied it (a ``KeyboardInterrupt``, as SIGINT would).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from jira_sandbox import Fault, SandboxServer, Site
from sync.jira import JiraRestGateway, JiraSettings

FAKE_URL = "https://jira.example.test"
#: The sandbox's service account: (e-mail, Cloud API token, Data Center personal access token).
BOT = ("kpiokr-bot@example.com", "sandbox-token", "sandbox-pat")


@dataclass(frozen=True)
class Served:
    """One request the fake answered: method, path with query, status and the JSON body sent."""

    method: str
    target: str
    status: int
    body: Any = None

    @property
    def path(self) -> str:
        """The path without its query string."""
        return self.target.partition("?")[0]


@dataclass
class _Kill:
    method: str
    path_prefix: str
    landed: bool


@dataclass
class InProcessSession:
    """What the gateway's ``jira`` client session does, answered by ``server`` in this process."""

    server: SandboxServer
    auth: Any = None
    served: list[Served] = field(default_factory=list)
    kills: list[_Kill] = field(default_factory=list)

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Answer one request; the ``Date`` header is the site's clock."""
        params: Mapping[str, Any] | None = kwargs.get("params")
        payload = kwargs.get("json")
        parts = urlsplit(url)
        target = parts.path + (f"?{urlencode(params, doseq=True)}" if params else "")
        prepared = requests.Request(method, url, auth=self.auth).prepare()
        headers = {k.lower(): v for k, v in prepared.headers.items()}
        body = b"" if payload is None else json.dumps(payload).encode()
        kill = self._kill(method, parts.path)
        if kill is not None and not kill.landed:
            raise KeyboardInterrupt(f"killed before {method} {parts.path} reached Jira")
        answer = self.server.handle(method, target, headers, body)
        if answer is None:
            raise requests.ConnectionError(f"connection reset by the fake Jira: {method} {parts.path}")
        self.served.append(Served(method, target, answer.status, payload))
        if kill is not None:
            raise KeyboardInterrupt(f"killed after Jira applied {method} {parts.path}")
        response = requests.Response()
        response.status_code = answer.status
        response._content = answer.body.encode() if isinstance(answer.body, str) else answer.body
        date = formatdate(self.server.site.clock().timestamp(), usegmt=True)
        response.headers = CaseInsensitiveDict({"Content-Type": answer.content_type, "Date": date, **answer.headers})
        response.url = url
        return response

    def _kill(self, method: str, path: str) -> _Kill | None:
        hit = next((k for k in self.kills if k.method == method and path.startswith(k.path_prefix)), None)
        if hit is not None:
            self.kills.remove(hit)
        return hit


@dataclass
class _Client:
    """The part of ``jira.JIRA`` the gateway uses: its session."""

    _session: InProcessSession


def bot_settings(flavor: str) -> JiraSettings:
    """Settings of the sandbox's service account (Cloud: e-mail and API token; Data Center: a PAT)."""
    if flavor == "cloud":
        return JiraSettings(base_url=FAKE_URL, token=BOT[1], email=BOT[0])
    return JiraSettings(base_url=FAKE_URL, token=BOT[2])


class FakeJira(JiraRestGateway):
    """The gateway over ``site`` served in process as ``flavor`` (``"cloud"`` or ``"datacenter"``)."""

    def __init__(self, site: Site, settings: JiraSettings | None = None, *, flavor: str = "cloud") -> None:
        self.site = site
        self.server = SandboxServer(site, flavor=flavor)  # never started: it answers through handle()
        self.session = InProcessSession(self.server)
        super().__init__(settings or bot_settings(flavor), sleep=lambda _seconds: None, client=_Client(self.session))  # type: ignore[arg-type]

    # -- what tests arrange ------------------------------------------------------------------------

    def fail(
        self,
        path_pattern: str,
        status: int = 503,
        *,
        method: str | None = None,
        times: int | None = None,
        retry_after: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer ``status`` to the requests matching ``path_pattern`` (fnmatch), ``times`` times (None: always)."""
        fault = Fault("status", path_pattern, times=times, method=method, status=status, retry_after=retry_after)
        fault.headers.update(headers or {})
        self.server.faults.add(fault)

    def heal(self) -> None:
        """Answer every request normally again."""
        self.server.faults.clear()

    def kill_at(self, method: str, path_prefix: str, *, landed: bool) -> None:
        """Stop the next ``method`` request under ``path_prefix`` with a ``KeyboardInterrupt``: after Jira
        applied it (``landed``) or before it reached Jira."""
        self.session.kills.append(_Kill(method, path_prefix, landed))

    def limit_pages(
        self, *, search: int | None = None, changelog: int | None = None, inline: int | None = None
    ) -> None:
        """Serve smaller pages: issues a search page, histories a changelog page, histories inline in a search."""
        limits = self.server.context.limits
        if search is not None:
            limits["cloud_search" if self.server.flavor == "cloud" else "dc_search"] = search
        if changelog is not None:
            limits["changelog"] = changelog
        if inline is not None:
            self.site.inline_changelog_limit[self.server.flavor] = inline

    # -- what tests read ---------------------------------------------------------------------------

    @property
    def served(self) -> list[Served]:
        """Every request answered so far, oldest first."""
        return list(self.session.served)

    def requests_to(self, method: str, contains: str = "") -> list[Served]:
        """The requests answered so far with ``method`` whose path holds ``contains``."""
        return [s for s in self.session.served if s.method == method and contains in s.path]

    def writes(self) -> list[tuple[str, dict[str, Any]]]:
        """The issue edits Jira accepted: (issue key, fields), oldest first (issue properties are not edits)."""
        return [
            (s.path.rsplit("/", 1)[1], dict(s.body["fields"]))
            for s in self.requests_to("PUT", "/issue/")
            if s.status < 300 and "/properties/" not in s.path
        ]
