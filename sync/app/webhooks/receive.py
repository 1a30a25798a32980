"""``POST /webhooks/jira``: a webhook is read with a size limit, its signature checked, its delivery
recorded once, and its hint handed on.

401 unsigned or wrongly signed; 413 larger than ``webhooks.max_body_bytes`` (the body is read up to
the limit whatever ``Content-Length`` says); 400 signed but no Jira event; 200 ``duplicate`` for a
delivery already received (Jira's redeliveries, replays); 200 ``ignored`` for an event kpiokr does not
act on; 202 when accepted. An accepted webhook leaves its hint in the store with its delivery, for the
daemon leasing the teams it touches (:mod:`sync.app.webhooks.handover`); a daemon receiving it also
hands it on in the process at once (``on_hint``), where no daemon runs (``kpiokr serve``) it is only
recorded.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from sync.app.webhooks.events import Hint, WebhookBodyError, read_hint
from sync.app.webhooks.handover import note_of
from sync.app.webhooks.signature import signature_matches
from sync.config import Config, WebhookSettings, read_webhook_secret
from sync.store import Store

log = logging.getLogger(__name__)

PATH = "/webhooks/jira"
NO_DAEMON = (
    "recorded; no daemon runs in this process (kpiokr serve): the `kpiokr daemon` with webhooks enabled that "
    "leases the teams this event touches reads it from the store and runs a pass for them within a second"
)


class WebhookReceiver:
    """The endpoint over ``store`` (deliveries received, hints left for the daemons) with ``secret``, in the
    process ``origin``; accepted hints also go to ``on_hint`` (None: no daemon in this process)."""

    def __init__(
        self,
        secret: str,
        settings: WebhookSettings,
        store: Store,
        clock: Callable[[], datetime],
        on_hint: Callable[[Hint], None] | None = None,
        *,
        origin: str = "serve",
    ) -> None:
        self._secret = secret
        self.settings = settings
        self.store = store
        self.clock = clock
        self.on_hint = on_hint
        self.origin = origin

    async def receive(self, request: Request) -> JSONResponse:
        """Answer one delivery."""
        arrived = time.monotonic()
        body = await self._body(request)
        if body is None:
            limit = self.settings.max_body_bytes
            return _answer(413, "too_large", f"the body is larger than webhooks.max_body_bytes ({limit} bytes)")
        if not signature_matches(self._secret, body, request.headers.get("x-hub-signature")):
            log.warning("webhook refused: missing or wrong X-Hub-Signature")
            return _answer(401, "unauthorized", "missing or wrong X-Hub-Signature: sign with the webhook's secret")
        try:
            hint = read_hint(body, request.headers.get("x-atlassian-webhook-identifier"))
        except WebhookBodyError as error:
            return _answer(400, "bad_request", str(error))
        if hint is None:
            return _answer(200, "ignored", "kpiokr does not act on this event")
        return await run_in_threadpool(self._accept, replace(hint, arrived=arrived))

    def _accept(self, hint: Hint) -> JSONResponse:
        now = self.clock()
        keep = timedelta(hours=self.settings.keep_deliveries_hours)
        if not self.store.record_delivery(hint.keys, hint.event, now, keep, (note_of(hint), self.origin)):
            log.info("webhook %s: a delivery already received, answered once", hint.event)
            return _answer(200, "duplicate", "this delivery was already received")
        if self.on_hint is None:
            return _answer(202, "recorded", NO_DAEMON)
        self.on_hint(hint)
        return _answer(202, "accepted", "a pass for the teams this event touches follows")

    async def _body(self, request: Request) -> bytes | None:
        """The body, read up to the size limit; None past it."""
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return None
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)


def _answer(status: int, outcome: str, message: str) -> JSONResponse:
    return JSONResponse({"status": outcome, "message": message}, status)


def webhook_receiver(
    config: Config,
    environ: Mapping[str, str],
    store: Store,
    clock: Callable[[], datetime],
    on_hint: Callable[[Hint], None] | None = None,
    *,
    origin: str,
) -> WebhookReceiver | None:
    """The receiver ``[webhooks]`` asks for in the process ``origin`` (None when not enabled), its secret
    read from the environment or its file; a :class:`ConfigError` when enabled without one."""
    if not config.webhooks.enabled:
        return None
    secret = read_webhook_secret(config.webhooks, environ, Path(config.base_dir))
    return WebhookReceiver(secret, config.webhooks, store, clock, on_hint, origin=origin)
