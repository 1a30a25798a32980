"""Every Jira HTTP request: one retry policy, one mapping of failures onto :mod:`sync.errors`.

:class:`JiraHttp` is given a ``send`` function (the gateway builds it from the ``jira`` client's
session, which carries auth, TLS settings and the timeout), applies :func:`sync.jira.retry.retrying`,
parses the JSON itself and counts requests (and tells each :meth:`JiraHttp.observe` observer of
each one, by kind and status: the daemon's metrics). Messages name the request as ``METHOD /path`` (never
the query string) and have every configured secret redacted from the Jira text they quote.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import tenacity

from sync.errors import (
    JiraAuthError,
    JiraBadResponse,
    JiraError,
    JiraNotFound,
    JiraPermissionError,
    JiraRateLimited,
    JiraRequestRejected,
    JiraTlsError,
    JiraUnavailable,
    sentence,
)
from sync.jira.advice import not_rest_base, tls_advice
from sync.jira.rate_limits import Limited, Pacer
from sync.jira.request_kinds import RequestObserver, request_kind
from sync.jira.retry import parse_retry_after, reset_after

log = logging.getLogger(__name__)

#: ``send(method, url, params=..., json=...)``: one HTTP exchange, ``None`` for an empty reply.
Send = Callable[..., requests.Response | None]

TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
EXCERPT_CHARS = 60
MESSAGE_CHARS = 300


@dataclass(frozen=True, slots=True)
class ErrorHint:
    """What a failed request was for, so its error can say what to fix.

    ``subject`` names the thing (``"edit PROJ-1 fields customfield_10050"``), ``permission`` what
    a 403 lacks, ``fix`` any further step (``"add the field to the issue's edit screen"``).
    """

    subject: str = ""
    permission: str = "'Browse projects' on the projects concerned"
    fix: str = ""


READ = ErrorHint()


class JiraHttp:
    """Sends Jira REST requests through the retry policy; returns parsed JSON or raises ``JiraError``."""

    def __init__(
        self,
        base_url: str,
        send: Send,
        retrying: tenacity.Retrying,
        *,
        auth_hint: str,
        account: str = "",
        secrets: Sequence[str] = (),
        ca_bundle: str | None = None,
        pacer: Pacer | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._ca_bundle = ca_bundle
        self._pacer = pacer or Pacer()
        self._clock = clock or (lambda: datetime.now(UTC))
        self.requests_made = 0
        #: Jira's clock at its last answer (the ``Date`` header), ``None`` before one came with it.
        self.server_time: datetime | None = None
        self._send = send
        self._retrying = retrying
        self._auth_hint = auth_hint
        self._account = f"The Jira account {account}" if account else "The Jira account"
        self._secrets = tuple(s for s in secrets if s)
        self._site = self.redact(self.base_url)  # the base URL as messages show it
        self._observers: list[RequestObserver] = []

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        hint: ErrorHint = READ,
        idempotent: bool = True,
        expect: type | None = None,
    ) -> Any:
        """Send ``method path`` (retrying transient failures) and return the parsed JSON body.

        ``expect`` (``dict`` or ``list``) is the JSON type the body must have. A non-idempotent
        request (creating something) is retried only after a 429, which Jira answers before doing
        anything; after a 5xx or a lost connection it may already be done.
        """
        try:
            body = self._retrying(self._attempt, method, path, params, json_body, hint, idempotent)
        except JiraUnavailable as error:
            if error.retryable:
                raise
            raise JiraUnavailable(
                f"{error.message}. Not retried, as Jira may have applied it: check before trying again.",
                method=method,
                path=path,
                status=error.status,
            ) from None
        if expect is not None and not isinstance(body, expect):
            got = type(body).__name__ if body is not None else "an empty body"
            message = f"{method} {path} answered with {got} where a JSON {expect.__name__} was expected"
            raise JiraBadResponse(message, method=method, path=path)
        return body

    def observe(self, observer: RequestObserver) -> None:
        """Tell ``observer`` of every exchange from now on: its kind and Jira's status (retries included)."""
        self._observers.append(observer)

    def identify(self, *, auth_hint: str, account: str) -> None:
        """Set what 401 and 403 messages say about the credential (once the flavour is known)."""
        self._auth_hint = auth_hint
        self._account = f"The Jira account {account}" if account else "The Jira account"

    def redact(self, text: str) -> str:
        """``text`` with every configured secret replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _excerpt(self, content: bytes) -> str:
        """The start of a body, redacted before it is cut (so no secret is left half-visible)."""
        return self.redact(content[:4096].decode("utf-8", "replace"))[:EXCERPT_CHARS]

    def _attempt(  # noqa: PLR0917 - tenacity passes the call's arguments positionally
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any, hint: ErrorHint, idempotent: bool
    ) -> Any:
        try:
            return self._exchange(method, path, params, body, hint)
        except JiraUnavailable as error:
            if not idempotent and not isinstance(error, JiraRateLimited):
                error.retryable = False
            raise

    def _exchange(self, method: str, path: str, params: Mapping[str, Any] | None, body: Any, hint: ErrorHint) -> Any:
        self._pacer.before(method, path)
        self.requests_made += 1
        request = f"{method} {path}"
        try:
            response = self._observed_send(method, path, params, body)
        except requests.exceptions.SSLError as exc:
            advice = tls_advice(self.redact(str(exc)), self._site, self._ca_bundle)
            raise JiraTlsError(f"{request}: {advice}.", method=method, path=path) from None
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
            raise JiraUnavailable(
                f"{request}: {type(exc).__name__} talking to {self._site}; check the network and the site.",
                method=method,
                path=path,
            ) from None
        except OSError as exc:  # requests checks the CA bundle path before connecting
            if "CA certificate bundle" not in str(exc):
                raise JiraError(
                    f"{request}: {type(exc).__name__} talking to {self._site} ({self.redact(str(exc))}); check"
                    " jira.url and the network.",
                    method=method,
                    path=path,
                ) from None
            advice = tls_advice(str(exc), self._site, self._ca_bundle)
            raise JiraTlsError(f"{request}: {advice}.", method=method, path=path) from None
        if response is None:
            raise JiraUnavailable(f"{request}: empty reply from {self._site}", method=method, path=path)
        log.debug("Jira %s -> %s", request, response.status_code)
        self.server_time = _server_time(response) or self.server_time
        if response.ok and not _login_failed(response):
            return self._parse(response, method, path)
        raise self._error(response, method, path, hint)

    def _observed_send(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any
    ) -> requests.Response | None:
        response = None
        try:
            response = self._send(method, self.base_url + path, params=params, json=body)
            return response
        finally:
            if self._observers:
                kind, status = request_kind(method, path), None if response is None else response.status_code
                for observer in self._observers:
                    observer(kind, status)

    def _parse(self, response: requests.Response, method: str, path: str) -> Any:
        content = response.content
        if not content.strip():
            return None
        try:
            return json.loads(content)
        except (ValueError, UnicodeDecodeError) as exc:
            where = (
                f"{exc.msg.removesuffix(' at')} at byte {exc.pos} of {len(content)}"
                if isinstance(exc, json.JSONDecodeError)
                else ""
            )
            excerpt = self._excerpt(content)
            raise JiraBadResponse(
                f"{method} {path} answered {response.status_code} with a body that is not valid JSON"
                f" ({where or 'undecodable'}; it starts {excerpt!r}). A cut-off body points at the network or a"
                f" proxy; an HTML page at a base URL ({self._site}) that is not Jira's.",
                method=method,
                path=path,
                status=response.status_code,
            ) from None

    def _error(self, response: requests.Response, method: str, path: str, hint: ErrorHint) -> Exception:
        status = response.status_code
        request = f"{method} {path}"
        messages = self._messages(response)
        said = f": {'; '.join(messages).rstrip('.')}" if messages else ""  # the message ends the sentence
        kw: dict[str, Any] = {"method": method, "path": path, "status": status}
        subject = hint.subject or request
        fix = f" {sentence(hint.fix[0].upper() + hint.fix[1:])}" if hint.fix else ""
        if status == 429:
            return self._rate_limited(response, method, path, said)
        if status in TRANSIENT_STATUSES:
            return JiraUnavailable(
                f"Jira answered {request} with {status}{said}", retry_after=_retry_after(response), **kw
            )
        if _captcha(response):
            return JiraAuthError(
                f"Jira wants a CAPTCHA before accepting the credentials for {request} ({status}): log in once in"
                f" a browser as this account, then retry. {self._auth_hint}",
                **kw,
            )
        if status == 401 or _login_failed(response):
            return JiraAuthError(
                f"Jira rejected the credentials for {request} ({status}){said}. {self._auth_hint}", **kw
            )
        if status == 403:
            return JiraPermissionError(
                f"{self._account} may not {subject} (403){said}. It needs {hint.permission}.{fix}", **kw
            )
        if status == 404 and not _is_json(response):
            return JiraNotFound(f"{request} (404): {not_rest_base(self._site, path)}.", **kw)
        if status == 404:
            return JiraNotFound(f"Jira found nothing for {subject} (404){said}.", **kw)
        return JiraRequestRejected(f"Jira rejected {subject} ({status}){said}.{fix}", jira_messages=messages, **kw)

    def _rate_limited(self, response: requests.Response, method: str, path: str, said: str) -> JiraRateLimited:
        """A 429, remembered by the pacer for its scope (``X-RateLimit-Reset`` stands in for ``Retry-After``)."""
        headers = response.headers
        reason = headers.get("RateLimit-Reason") or headers.get("X-RateLimit-Reason") or ""
        retry_after = _retry_after(response)
        now = _server_time(response) or self._clock()
        if retry_after is None and headers.get("X-RateLimit-Reset"):
            seconds = reset_after(headers["X-RateLimit-Reset"], now)
            retry_after = None if seconds is None else f"{seconds:.3f}"
        self._pacer.limited(method, path, Limited(reason, parse_retry_after(retry_after, now) or 0.0))
        why = f", {reason}" if reason else ""
        return JiraRateLimited(
            f"Jira rate-limited {method} {path} (429{why}){said}",
            method=method,
            path=path,
            status=429,
            retry_after=retry_after,
            reason=reason,
        )

    def _messages(self, response: requests.Response) -> tuple[str, ...]:
        try:
            data = json.loads(response.content) if response.content.strip() else {}
        except (ValueError, UnicodeDecodeError):
            text = self._excerpt(response.content).strip()
            return (text,) if text else ()
        found: list[str] = []
        if isinstance(data, Mapping):
            found.extend(str(m) for m in data.get("errorMessages") or ())
            errors = data.get("errors")
            if isinstance(errors, Mapping):
                found.extend(f"{k}: {v}" for k, v in errors.items())
            found.extend(str(data[k]) for k in ("message", "errorMessage") if data.get(k))
        return tuple(self.redact(m)[:MESSAGE_CHARS] for m in found)


def _is_json(response: requests.Response) -> bool:
    """True when the body parses as JSON (Jira's own error answers do; a web server's 404 page does not)."""
    try:
        json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _server_time(response: requests.Response) -> datetime | None:
    """The instant of the ``Date`` header, when it is a valid HTTP date."""
    try:
        instant = parsedate_to_datetime(response.headers.get("Date", ""))
    except (TypeError, ValueError):
        return None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def _retry_after(response: requests.Response) -> str | None:
    return response.headers.get("Retry-After")


def _captcha(response: requests.Response) -> bool:
    reason = response.headers.get("X-Authentication-Denied-Reason", "")
    login = response.headers.get("X-Seraph-LoginReason", "")
    return "CAPTCHA" in reason.upper() or "AUTHENTICATION_DENIED" in login.upper()


def _login_failed(response: requests.Response) -> bool:
    """Data Center serves failed logins anonymously (200) and says so only in this header."""
    return "AUTHENTICATED_FAILED" in response.headers.get("X-Seraph-LoginReason", "").upper()
