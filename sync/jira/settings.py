"""How to reach one Jira site: :class:`JiraSettings`, and how its credential is named in messages."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sync.jira.retry import RetryPolicy
from sync.jira.site import Flavor


@dataclass(frozen=True)
class JiraSettings:
    """How to reach one Jira site. ``email`` set means Cloud basic auth, else a personal access token.

    Data Center always gets the token as a Bearer token (``email`` is ignored there).

    ``token_env`` and ``email_env`` are the names of the environment variables the values came
    from, quoted in error messages (``token_origin``, when set, says where the token came from
    instead: "the file /etc/kpiokr/token"); the token itself never appears in a message or a log.
    """

    base_url: str
    token: str = field(repr=False)
    token_env: str = "KPIOKR_JIRA_TOKEN"
    token_origin: str = ""
    email: str | None = None
    email_env: str | None = None
    ca_bundle: str | None = None
    timeout_seconds: float = 30.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    flavor: Flavor | None = None
    notify_users: bool = False

    def secrets(self) -> list[str]:
        """Every form of the credential that could leak into text: the token, the Basic header value,
        credentials written into the base URL."""
        forms = [self.token]
        if self.email:
            forms.append(base64.b64encode(f"{self.email}:{self.token}".encode()).decode())
        userinfo = urlsplit(self.base_url).netloc.rpartition("@")[0]
        return [*forms, userinfo] if userinfo else forms

    def _token_origin(self) -> str:
        return self.token_origin or f"the environment variable {self.token_env}"

    def basic_auth(self, flavor: Flavor | None = None) -> bool:
        """True when the credential goes as Basic ``email:token`` (Cloud with an e-mail), else Bearer."""
        return bool(self.email) and (flavor or self.flavor) != "datacenter"

    def account(self, flavor: Flavor | None = None) -> str:
        """The account the credential belongs to, as messages name it."""
        if self.basic_auth(flavor):
            return str(self.email)
        return f"of the personal access token in {self._token_origin()}"

    def auth_hint(self, flavor: Flavor | None = None) -> str:
        """What to check when Jira answers 401."""
        if self.basic_auth(flavor):
            where = f" (from {self.email_env})" if self.email_env else ""
            return (
                f"Check the Atlassian API token in {self._token_origin()}: it must be a current"
                f" token of the account {self.email}{where} (id.atlassian.com -> Security -> API tokens)."
            )
        return (
            f"Check the personal access token in {self._token_origin()}: it must be a current"
            " Data Center PAT of the service account (Profile -> Personal Access Tokens)."
        )
