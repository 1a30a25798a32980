"""The ``X-Hub-Signature`` of Jira's admin webhooks: ``sha256=<hex>``, HMAC-SHA256 of the raw body
keyed on the webhook's secret (the WebSub ``method=signature`` form)."""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="


def signature_of(secret: str, body: bytes) -> str:
    """The header value Jira sends with ``body`` for a webhook registered with ``secret``."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """True when ``header`` is the signature of ``body`` under ``secret``, compared in constant time."""
    if not header:
        return False
    method, _, digest = header.strip().partition("=")
    if method.lower() != "sha256" or not digest:
        return False
    expected = signature_of(secret, body).removeprefix(PREFIX)
    return hmac.compare_digest(digest.lower().encode("ascii", "replace"), expected.encode())
