"""The webhook endpoint beside the dashboard: ``POST {base_path}/webhooks/jira`` goes to the receiver,
past the dashboard's guard (which answers only reads and asks readers for credentials: Jira signs its
webhooks instead); every other request goes to the dashboard."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from sync.app.webhooks.receive import PATH, WebhookReceiver


def with_webhooks(dashboard: ASGIApp, receiver: WebhookReceiver | None, base_path: str = "") -> ASGIApp:
    """``dashboard`` with the webhook endpoint of ``receiver`` beside it (none: the dashboard alone)."""
    if receiver is None:
        return dashboard
    path = base_path + PATH
    endpoint = Starlette(routes=[Route(path, receiver.receive, methods=["POST"])])

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == path:
            await endpoint(scope, receive, send)
        else:
            await dashboard(scope, receive, send)

    return app
