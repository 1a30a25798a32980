"""Live updates from Jira's webhooks: the ``POST /webhooks/jira`` endpoint (signature, size limit,
deliveries answered once) and the passes it leads to for the teams an event touches."""

from sync.app.webhooks.events import REGISTERED_EVENTS, Hint
from sync.app.webhooks.live import LiveUpdates
from sync.app.webhooks.receive import PATH, WebhookReceiver, webhook_receiver
from sync.app.webhooks.route import with_webhooks
from sync.app.webhooks.signature import signature_of

__all__ = [
    "PATH",
    "REGISTERED_EVENTS",
    "Hint",
    "LiveUpdates",
    "WebhookReceiver",
    "signature_of",
    "webhook_receiver",
    "with_webhooks",
]
