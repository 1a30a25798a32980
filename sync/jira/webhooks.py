"""Admin webhooks over REST: ``/rest/webhooks/1.0/webhook``, the same on Cloud and Data Center.

This is what an administrator's API token (Cloud) or personal access token (Data Center) may use.
Cloud's ``/rest/api/3/webhook`` is for Connect and OAuth 2.0 apps only, and its webhooks are not
signed, so kpiokr does not use it. A webhook kpiokr registered is found again by its name or its URL
and updated in place, so running ``kpiokr setup --webhook`` again changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sync.jira.http import ErrorHint, JiraHttp

WEBHOOKS = "/rest/webhooks/1.0/webhook"
FILTER = "issue-related-events-section"
_HINT = ErrorHint(
    subject="register kpiokr's webhook",
    permission="the 'Administer Jira' global permission (admin webhooks are registered by administrators)",
    fix="or create it by hand in Jira settings > System > WebHooks with the URL, JQL and secret kpiokr printed",
)


@dataclass(frozen=True)
class WebhookRegistration:
    """What kpiokr registers: where Jira sends events, which, for which issues, signed with what."""

    name: str
    url: str
    events: Sequence[str]
    jql: str
    secret: str

    def body(self) -> dict[str, Any]:
        """The REST body (the secret included: Jira keeps it and never shows it again)."""
        return {
            "name": self.name,
            "url": self.url,
            "events": list(self.events),
            "filters": {FILTER: self.jql},
            "excludeBody": False,
            "enabled": True,
            "secret": self.secret,
        }


def register_webhook(http: JiraHttp, registration: WebhookRegistration) -> tuple[str, str]:
    """Create the webhook, or update the one with the same name or URL; ("created" or "updated", its URL)."""
    listed = http.call("GET", WEBHOOKS, hint=_HINT, expect=list)
    hooks = [w for w in listed if isinstance(w, dict)]
    same = next((w for w in hooks if w.get("name") == registration.name), None) or next(
        (w for w in hooks if w.get("url") == registration.url), None
    )
    if same is not None and str(same.get("self", "")).rstrip("/").rsplit("/", 1)[-1].isdigit():
        number = str(same["self"]).rstrip("/").rsplit("/", 1)[-1]
        answer = http.call("PUT", f"{WEBHOOKS}/{number}", json_body=registration.body(), hint=_HINT, expect=dict)
        return "updated", str(answer.get("self", same["self"]))
    answer = http.call("POST", WEBHOOKS, json_body=registration.body(), hint=_HINT, idempotent=False, expect=dict)
    return "created", str(answer.get("self", ""))
