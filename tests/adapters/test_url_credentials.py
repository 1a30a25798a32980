"""Credentials written into the base URL never reach a message, even though the config refuses them."""

import pytest
import responses

from sync.errors import JiraUnavailable
from sync.jira.gateway import JiraRestGateway
from sync.jira.retry import RetryPolicy
from sync.jira.settings import JiraSettings

SECRET = "ATATT3xFfGF0-url-secret"
BASE = f"https://bot:{SECRET}@jira.acme.example"


def test_a_connection_failure_names_the_site_without_its_credentials():
    settings = JiraSettings(BASE, token="pat", flavor="datacenter", retry=RetryPolicy(max_attempts=1))
    gateway = JiraRestGateway(settings, sleep=lambda _: None)
    with responses.RequestsMock(), pytest.raises(JiraUnavailable) as raised:
        gateway.myself()  # nothing registered: the connection is refused
    message = str(raised.value)
    assert "https://***@jira.acme.example" in message
    assert SECRET not in message
    assert "bot:" not in message
