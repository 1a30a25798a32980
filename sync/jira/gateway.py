"""The Jira gateway: the one place that talks to Jira, and the only importer of ``jira``.

:class:`JiraRestGateway` implements :class:`sync.jira.port.JiraGateway`, what the application
depends on, over REST; :class:`sync.jira.settings.JiraSettings` says how to reach the site. The
``jira`` client is built with ``max_retries=0`` (its ``ResilientSession`` then makes exactly one
attempt and sleeps never) and ``get_server_info=False`` (its constructor sends nothing), so
:mod:`sync.jira.retry` is the only retry layer and every request, serverInfo included, goes
through :class:`sync.jira.http.JiraHttp`. Methods return plain values, never ``jira`` resources.
Cloud vs Data Center is decided in :meth:`JiraRestGateway.flavor`, once.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import jira
import requests
from jira.client import TokenAuth
from jira.exceptions import JIRAError

from sync.errors import JiraBadResponse, JiraNotFound, JiraRequestRejected, JiraUnsupported
from sync.jira import comments as jira_comments
from sync.jira.comments import CommentBody, IssueComment
from sync.jira.http import READ, ErrorHint, JiraHttp
from sync.jira.properties import Entity, get_property, set_issue_properties, set_property
from sync.jira.rate_limits import Pacer
from sync.jira.retry import Clock, retrying
from sync.jira.search import Enough, KnownHistories, search_cloud, search_datacenter
from sync.jira.settings import JiraSettings
from sync.jira.site import Account, BoardConfig, FieldInfo, Flavor, ServerInfo, rest_api
from sync.jira.webhooks import WebhookRegistration, register_webhook
from sync.score_fields import FieldKind

AGILE = "/rest/agile/1.0"
SERVER_INFO = "/rest/api/2/serverInfo"
AGILE_PAGE = 50
OPTIONS_PER_REQUEST = 1000
_TYPES: Mapping[str, tuple[str, str]] = {
    "number": ("float", "numberrange"),
    "select": ("select", "multiselectsearcher"),
    "text": ("textfield", "textsearcher"),
}
_CF = "com.atlassian.jira.plugin.system.customfieldtypes:"

log = logging.getLogger(__name__)


def _sender(client: jira.JIRA) -> Callable[..., requests.Response | None]:
    session = client._session  # the client's authenticated, TLS-configured session

    def send(method: str, url: str, **kwargs: Any) -> requests.Response | None:
        try:
            return session.request(method, url, **kwargs)
        except JIRAError as error:  # ResilientSession raises on non-2xx; we map statuses ourselves
            return error.response

    return send


def build_client(settings: JiraSettings) -> jira.JIRA:
    """The ``jira`` client: no retries of its own, no request at construction, TLS verified.

    It carries no credential yet; :func:`authenticate` gives it one once the flavour is known.
    """
    options: dict[str, Any] = {"server": settings.base_url, "verify": settings.ca_bundle or True, "check_update": False}
    return jira.JIRA(
        options=options, max_retries=0, get_server_info=False, timeout=settings.timeout_seconds, logging=False
    )


def authenticate(client: jira.JIRA, settings: JiraSettings, flavor: Flavor | None) -> None:
    """Give ``client`` the credential: Basic ``email:token`` on Cloud with an e-mail, else Bearer."""
    if settings.basic_auth(flavor):
        client._session.auth = (str(settings.email), settings.token)
    else:
        client._session.auth = TokenAuth(settings.token)


class JiraRestGateway:
    """:class:`JiraGateway` over Jira's REST APIs (platform v2/v3, agile 1.0)."""

    def __init__(
        self,
        settings: JiraSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Clock | None = None,
        client: jira.JIRA | None = None,
    ) -> None:
        self.settings = settings
        self._client = client or build_client(settings)
        self._send_raw = _sender(self._client)
        pacer = Pacer(sleep=sleep, max_pause=settings.retry.max_retry_after_seconds)
        self._sleep = pacer.sleep
        self.http = JiraHttp(
            settings.base_url,
            self._send,
            retrying(settings.retry, sleep=pacer.sleep, clock=clock),
            auth_hint=settings.auth_hint(),
            account=settings.account(),
            secrets=settings.secrets(),
            ca_bundle=settings.ca_bundle,
            pacer=pacer,
            clock=clock,
        )
        self._flavor: Flavor | None = settings.flavor
        self._server_info: ServerInfo | None = None
        # With an e-mail the credential depends on the flavour: it is given once that is known
        # (serverInfo answers anonymously on both flavours).
        self._authenticated = False
        if not settings.email or settings.flavor is not None:
            self._authenticate(settings.flavor)

    def _authenticate(self, flavor: Flavor | None) -> None:
        authenticate(self._client, self.settings, flavor)
        self.http.identify(auth_hint=self.settings.auth_hint(flavor), account=self.settings.account(flavor))
        self._authenticated = True
        if flavor == "datacenter" and self.settings.email:
            log.warning(
                "jira.email is ignored on Jira Data Center: the personal access token is sent as a Bearer"
                " token. Remove email from the [jira] section to silence this warning."
            )

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response | None:
        if not self._authenticated and not url.endswith(SERVER_INFO):
            self.flavor()
        return self._send_raw(method, url, **kwargs)

    @property
    def requests_made(self) -> int:
        """HTTP requests sent so far, retries included."""
        return self.http.requests_made

    @property
    def server_time(self) -> datetime | None:
        """Jira's clock at its last answer (its ``Date`` header), to bound how far back a search reaches."""
        return self.http.server_time

    def flavor(self) -> Flavor:
        """``"cloud"`` or ``"datacenter"``: configured, else detected once from serverInfo."""
        if self._flavor is None:
            self._flavor = self.server_info().flavor
        if not self._authenticated:
            self._authenticate(self._flavor)
        return self._flavor

    def _api(self) -> str:
        return rest_api(self.flavor())

    def server_info(self) -> ServerInfo:
        """``/rest/api/2/serverInfo`` (cached)."""
        if self._server_info is None:
            self._server_info = ServerInfo.from_json(self.http.call("GET", SERVER_INFO, expect=dict))
        return self._server_info

    def myself(self) -> Account:
        """The service account; JQL date literals are read in its time zone."""
        return Account.from_json(self.http.call("GET", f"{self._api()}/myself", expect=dict))

    def fields(self) -> list[FieldInfo]:
        """Every field of the site."""
        return [FieldInfo.from_json(f) for f in self.http.call("GET", f"{self._api()}/field", expect=list)]

    def statuses(self) -> list[dict[str, Any]]:
        """Every workflow status, raw (``id``, ``name``, ``statusCategory.key``)."""
        return list(self.http.call("GET", f"{self._api()}/status", expect=list))

    def resolutions(self) -> list[str]:
        """The names of the site's resolutions."""
        return [str(r.get("name", "")) for r in self.http.call("GET", f"{self._api()}/resolution", expect=list)]

    def search(
        self,
        jql: str,
        fields: Sequence[str],
        *,
        expand_changelog: bool = True,
        page_size: int | None = None,
        known: KnownHistories | None = None,
        enough: Enough | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Issues matching ``jql`` with complete changelogs, page by page (see :mod:`sync.jira.search`).

        ``known`` gives the histories already held for some issues, to complete cut changelogs from;
        ``enough`` ends the paging after a page it accepts.
        """
        search = search_cloud if self.flavor() == "cloud" else search_datacenter
        return search(
            self.http, jql, fields, expand_changelog=expand_changelog, page_size=page_size, known=known, enough=enough
        )

    def count(self, jql: str) -> int:
        """How many issues match (Cloud: approximate count; Data Center: search total)."""
        body: dict[str, Any] = {"jql": jql}
        if self.flavor() == "cloud":
            path, key = "/rest/api/3/search/approximate-count", "count"
        else:
            path, key = "/rest/api/2/search", "total"
            body.update(maxResults=0, fields=["id"])
        answer = self.http.call("POST", path, json_body=body, expect=dict)
        if not isinstance(answer.get(key), int):
            raise JiraBadResponse(f"POST {path} answered without a {key!r} number", method="POST", path=path)
        return int(answer[key])

    def jql_is_valid(self, jql: str) -> str | None:
        """Jira's complaint about ``jql``, or ``None`` when it is valid for the service account."""
        if self.flavor() == "cloud":
            body = {"queries": [jql]}
            parsed = self.http.call(
                "POST", "/rest/api/3/jql/parse", params={"validation": "strict"}, json_body=body, expect=dict
            )
            errors = [e for q in parsed.get("queries", ()) for e in q.get("errors") or ()]
            return "; ".join(errors) or None
        try:
            self.http.call("POST", "/rest/api/2/search", json_body={"jql": jql, "maxResults": 0, "validateQuery": True})
        except JiraRequestRejected as rejected:
            return "; ".join(rejected.jira_messages) or rejected.message
        return None

    def get_issue(self, key: str, fields: Sequence[str]) -> dict[str, Any]:
        """One issue with the given fields (v2 on both flavours, as :meth:`update_issue` writes)."""
        hint = ErrorHint(subject=f"read issue {key}")
        return dict(
            self.http.call(
                "GET", f"/rest/api/2/issue/{key}", params={"fields": ",".join(fields)}, hint=hint, expect=dict
            )
        )

    def update_issue(self, key: str, fields: Mapping[str, object]) -> None:
        """Write all of ``fields`` to issue ``key`` in one PUT (v2: text is plain).

        Watchers are not notified unless the settings say so. Cloud ignores that request for accounts
        that may not make it; Data Center refuses the edit (403), which names the permission to grant.
        """
        names = ", ".join(fields)
        hint = ErrorHint(
            subject=f"edit issue {key} (fields {names})",
            permission=(
                "'Edit Issues' in the issue's project, and 'Administer Projects' there to edit without notifying"
                " watchers (or set writeback.notify_users = true)"
            ),
            fix=f"if the fields are set, add {names} to the edit screen of {key}'s issue type",
        )
        path = f"/rest/api/2/issue/{key}"
        params = {} if self.settings.notify_users else {"notifyUsers": "false"}
        self.http.call("PUT", path, params=params, json_body={"fields": dict(fields)}, hint=hint)

    # -- comments ------------------------------------------------------------------------------

    def comments(self, key: str) -> list[IssueComment]:
        """Every comment of issue ``key``, oldest first, as text (see :mod:`sync.jira.comments`)."""
        return list(jira_comments.list_comments(self.http, self.flavor(), key))

    def add_comment(self, key: str, body: CommentBody) -> str:
        """Add a comment to ``key`` in the flavour's format; returns its id."""
        return jira_comments.add_comment(self.http, self.flavor(), key, body)

    def update_comment(self, key: str, comment_id: str, body: CommentBody) -> None:
        """Replace comment ``comment_id`` of ``key``; watchers notified as ``writeback.notify_users`` says."""
        jira_comments.update_comment(self.http, self.flavor(), key, comment_id, body, notify=self.settings.notify_users)

    # -- entity properties ---------------------------------------------------------------------

    def get_property(self, entity: Entity, key: str, property_key: str) -> Any | None:
        """The value of an issue's or a project's property, ``None`` when it is not set."""
        return get_property(self.http, self._api(), entity, key, property_key)

    def set_property(self, entity: Entity, key: str, property_key: str, *, value: Any) -> None:
        """Set one property of an issue or a project (one PUT)."""
        set_property(self.http, self._api(), entity, key, property_key, value=value)

    def bulk_sets_properties(self) -> bool:
        """Whether the site sets issue properties in bulk (Cloud); Data Center sets each with :meth:`set_property`."""
        return self.flavor() == "cloud"

    def set_issue_properties(self, property_key: str, values: Mapping[int, Any]) -> bool:
        """Cloud: set ``property_key`` on up to 100 issues (by id) in one request; False when Jira's task
        was still running after a few reads (see :mod:`sync.jira.properties`)."""
        return set_issue_properties(self.http, property_key, values, sleep=self._sleep)

    # -- agile ---------------------------------------------------------------------------------

    def _paged(
        self, path: str, params: Mapping[str, Any] | None = None, hint: ErrorHint = READ, size: int = AGILE_PAGE
    ) -> Iterator[dict[str, Any]]:
        """The ``values`` of every page of a ``startAt``-paged resource (agile, field contexts)."""
        start = 0
        while True:
            query = {**(params or {}), "startAt": start, "maxResults": size}
            page = self.http.call("GET", path, params=query, hint=hint, expect=dict)
            values = page.get("values") or []
            yield from values
            start += len(values)
            if not values or page.get("isLast", start >= page.get("total", start)):
                return

    def board(self, board_id: int) -> dict[str, Any]:
        """The agile board ``board_id``."""
        hint = ErrorHint(subject=f"see board {board_id}")
        return dict(self.http.call("GET", f"{AGILE}/board/{board_id}", hint=hint, expect=dict))

    def board_configuration(self, board_id: int) -> BoardConfig:
        """Columns, done statuses and estimation field of a board."""
        return BoardConfig.from_json(self.board_configuration_json(board_id))

    def board_configuration_json(self, board_id: int) -> dict[str, Any]:
        """The raw board configuration (for storing; :meth:`BoardConfig.from_json` reads it)."""
        hint = ErrorHint(subject=f"see board {board_id}")
        return dict(self.http.call("GET", f"{AGILE}/board/{board_id}/configuration", hint=hint, expect=dict))

    def sprints(self, board_id: int) -> list[dict[str, Any]]:
        """Every sprint of a board (closed, active, future)."""
        return list(self._paged(f"{AGILE}/board/{board_id}/sprint"))

    def find_board(self, name_or_id: str | int) -> dict[str, Any]:
        """A board by id, or by exact (case-insensitive) name."""
        if isinstance(name_or_id, int) or str(name_or_id).isdigit():
            return self.board(int(name_or_id))
        name = str(name_or_id)
        candidates = list(self._paged(f"{AGILE}/board", {"name": name}))
        exact = [b for b in candidates if str(b.get("name", "")).casefold() == name.casefold()]
        if len(exact) == 1:
            return dict(exact[0])
        listed = ", ".join(f"{b.get('name')!r} (id {b.get('id')})" for b in (exact or candidates)[:10])
        problem = f"{len(exact)} boards are named {name!r}" if exact else f"no board is named {name!r}"
        raise JiraNotFound(f"{problem}: {listed or 'no similar names'}. Name the board by its id.")

    # -- webhooks ------------------------------------------------------------------------------

    def register_webhook(self, registration: WebhookRegistration) -> tuple[str, str]:
        """Register kpiokr's admin webhook, or update it (:func:`sync.jira.webhooks.register_webhook`)."""
        return register_webhook(self.http, registration)

    # -- fields --------------------------------------------------------------------------------

    def create_field(self, name: str, kind: FieldKind, options: Sequence[str] = ()) -> FieldInfo:
        """Create a custom field (``number``, ``select`` or ``text``); a select gets ``options``."""
        type_key, searcher = _TYPES[kind]
        body = {"name": name, "type": _CF + type_key, "searcherKey": _CF + searcher}
        hint = ErrorHint(subject=f"create the field {name!r}", permission="the 'Administer Jira' global permission")
        raw = self.http.call("POST", f"{self._api()}/field", json_body=body, hint=hint, idempotent=False, expect=dict)
        created = FieldInfo.from_json(raw)
        if kind == "select" and options:
            self.add_select_options(created.id, options)
        return created

    def add_select_options(self, field_id: str, options: Sequence[str]) -> None:
        """Add the missing ``options`` to a select field (Cloud: its global, else first, context)."""
        if self.flavor() != "cloud":
            raise JiraUnsupported(
                f"Jira Data Center has no REST API to add options to a select field: add {', '.join(options)} to"
                f" {field_id} in Administration -> Issues -> Custom fields -> Configure -> Edit options."
            )
        hint = ErrorHint(subject=f"configure the options of {field_id}", permission="the 'Administer Jira' permission")
        contexts = list(self._paged(f"/rest/api/3/field/{field_id}/context", hint=hint, size=100))
        if not contexts:
            raise JiraNotFound(f"{field_id} has no field context to hold options; add one in the field's settings.")
        context = next((c for c in contexts if c.get("isGlobalContext")), contexts[0])
        path = f"/rest/api/3/field/{field_id}/context/{context['id']}/option"
        existing = {o.get("value") for o in self._paged(path, hint=hint, size=100)}
        missing = [o for o in dict.fromkeys(options) if o not in existing]
        for start in range(0, len(missing), OPTIONS_PER_REQUEST):
            batch = [{"value": o, "disabled": False} for o in missing[start : start + OPTIONS_PER_REQUEST]]
            self.http.call("POST", path, json_body={"options": batch}, hint=hint, idempotent=False)
