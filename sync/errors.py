"""The exceptions kpiokr raises, each with a message that says how to fix the problem.

One tree, one root; the bases live here, below every room, and a room keeps its own subclasses::

    KpiokrError                      every failure kpiokr raises on purpose (CLI: exit 1 unless below)
    ├── ConfigError                  the config file is missing or invalid (exit 2)
    ├── MappingError                 mapping files have errors, each with its place (exit 2)
    ├── StoreError                   the state store: damaged, unreachable, full, locked... (sync.store)
    │   ├── StoreLocked              another kpiokr holds the store's lock (exit 3)
    │   │   └── DaemonsShareStore    daemons share the store: `sync` would score their teams again (exit 3)
    │   ├── StoreOutdated            the schema is older than the code and was not migrated
    │   ├── LeaseLost                another daemon took over teams this one was working on
    │   └── StoreNewerThanCode       a newer kpiokr migrated the store
    ├── JiraError                    a Jira request failed: ``method``, ``path``, ``status``
    │   ├── JiraAuthError            401, or a login CAPTCHA
    │   ├── JiraPermissionError      403
    │   ├── JiraNotFound             404
    │   ├── JiraRequestRejected      400 and other 4xx, with Jira's messages
    │   ├── JiraUnsupported          the flavour has no API for it
    │   ├── JiraTlsError             the certificate could not be verified
    │   ├── JiraBadResponse          a body that is not the JSON expected
    │   ├── JiraUnavailable          5xx, connection errors, timeouts, past the retry budget
    │   │   └── JiraRateLimited      429
    │   └── FieldNotFound            a field named in the config or a mapping is not on the site
    ├── RunAbandoned                 a pass stopped on request at a safe point
    ├── TeamFault                    one team's fault in a pass; the others go on (sync.app)
    ├── DashboardUnavailable         the dashboard cannot listen on its address and port (sync.app)
    ├── WebhookBodyError             a signed webhook body that is no Jira event (answered 400; sync.app)
    └── AsOfError                    an ``--as-of`` or ``--cycle`` that names no instant (sync.app, exit 2)

Library code raises these; only the CLI prints them (``sync.cli.exit_codes`` maps them onto exit
codes). Messages name the request (method and path, never the query string), the Jira status and
the fix. They never contain a credential or more than a short excerpt of a response body.

``ConfigError`` is not a ``ValueError``: it is raised after pydantic has validated (never inside a
validator, where pydantic would turn a ``ValueError`` into a validation error of its own).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence


def sentence(text: str) -> str:
    """``text`` ending in one full stop: Jira's messages often end in one already."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


class KpiokrError(Exception):
    """Base of every error kpiokr raises on purpose."""


class ConfigError(KpiokrError):
    """The config file is missing or invalid; the message lists every problem."""


class MappingError(KpiokrError):
    """Mapping files have errors; ``problems`` lists every one of them, across all files.

    Each problem prints as ``path:line:column: location: message``.
    """

    def __init__(self, problems: Sequence[object]) -> None:
        self.problems = tuple(problems)
        count = f"{len(self.problems)} error{'s' if len(self.problems) != 1 else ''}"
        lines = "\n".join(str(p) for p in self.problems)
        super().__init__(f"{count} in the mapping files:\n{lines}\nFix them and run `kpiokr check` again.")


class StoreError(KpiokrError):
    """The state store failed; the message says the fix (``sync.store`` holds the subclasses)."""


class RunAbandoned(KpiokrError):  # noqa: N818 - reads as what happened
    """The run was stopped on request at a safe point; nothing half-done was committed."""


class JiraError(KpiokrError):
    """A Jira request failed; ``method``/``path``/``status`` say which one and how."""

    def __init__(self, message: str, *, method: str = "", path: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.status = status

    @property
    def request(self) -> str:
        """``"GET /rest/api/2/field"``: the request, without its query string."""
        return f"{self.method} {self.path}".strip()

    def after_attempts(self, attempts: int, waited: float) -> JiraError:
        """The same error, its message extended with the retry budget that was spent on it."""
        error = copy.copy(self)
        error.message = f"{self.message} (gave up after {attempts} attempts and {waited:.0f}s of waiting)"
        error.args = (error.message,)
        return error


class JiraAuthError(JiraError):
    """Jira rejected the credentials (401, or a login CAPTCHA)."""


class JiraPermissionError(JiraError):
    """The account is authenticated but lacks a permission (403)."""


class JiraNotFound(JiraError):  # noqa: N818 - the names the rest of kpiokr uses
    """The issue, board or field does not exist, or the account cannot see it (404)."""


class JiraRequestRejected(JiraError):  # noqa: N818 - the names the rest of kpiokr uses
    """Jira refused the request as invalid (400 and other 4xx); ``jira_messages`` says why."""

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        jira_messages: Sequence[str] = (),
    ) -> None:
        super().__init__(message, method=method, path=path, status=status)
        self.jira_messages = tuple(jira_messages)


class JiraUnsupported(JiraError):  # noqa: N818 - the names the rest of kpiokr uses
    """The Jira flavour has no API for what was asked; the message says what to do by hand."""


class JiraTlsError(JiraError):
    """The TLS certificate of the site could not be verified."""


class JiraBadResponse(JiraError):  # noqa: N818 - the names the rest of kpiokr uses
    """Jira (or a proxy in front of it) answered with a body that is not the JSON expected."""


class JiraUnavailable(JiraError):  # noqa: N818 - the names the rest of kpiokr uses
    """Jira did not answer usably (5xx, connection error, timeout) within the retry budget.

    ``retryable`` is false when another attempt could apply a non-idempotent request twice.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        retry_after: str | None = None,
        retryable: bool = True,
    ) -> None:
        super().__init__(message, method=method, path=path, status=status)
        self.retry_after = retry_after
        self.retryable = retryable


class JiraRateLimited(JiraUnavailable):
    """Jira answered 429 Too Many Requests; ``retry_after`` is the raw ``Retry-After`` header.

    ``reason`` is Jira Cloud's ``RateLimit-Reason`` (``jira-burst-based``, ``jira-per-issue-on-write``,
    ``jira-quota-...``), empty when it gave none.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        retry_after: str | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(message, method=method, path=path, status=status, retry_after=retry_after)
        self.reason = reason


class FieldNotFound(JiraError):  # noqa: N818 - the names the rest of kpiokr uses
    """A field named in the configuration or a mapping does not exist on the site."""

    def __init__(self, name: str, close_matches: Sequence[str] = (), *, reason: str = "") -> None:
        hint = f" Did you mean {', '.join(repr(m) for m in close_matches)}?" if close_matches else ""
        why = reason or f"No field named {name!r} on this Jira site."
        super().__init__(f"{why}{hint} Run `kpiokr fields` to list the site's fields.")
        self.name = name
        self.close_matches = tuple(close_matches)
        self.reason = reason
