"""Messages for a ``jira.url`` that does not lead to Jira's REST API: TLS failures and foreign 404 pages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import responses

from sync.errors import JiraNotFound, JiraRequestRejected, JiraTlsError
from sync.jira.gateway import JiraRestGateway
from sync.jira.http import ErrorHint
from sync.jira.retry import RetryPolicy
from sync.jira.settings import JiraSettings

TOKEN = "secret-pat-for-advice-tests"
HTML_404 = "<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Oops</h1></body></html>"


class _PlainHttp(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def plain_http_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PlainHttp)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def gateway(url: str, **settings: object) -> JiraRestGateway:
    config = JiraSettings(url, token=TOKEN, flavor="datacenter", retry=RetryPolicy(max_attempts=1), **settings)
    return JiraRestGateway(config, sleep=[].append)


def test_https_to_a_port_speaking_plain_http_says_so_and_does_not_blame_the_ca_bundle(plain_http_port):
    with pytest.raises(JiraTlsError) as caught:
        gateway(f"https://127.0.0.1:{plain_http_port}").myself()
    message = caught.value.message
    assert "does not speak TLS on that port" in message
    assert f"http://127.0.0.1:{plain_http_port}" in message
    assert "CA" not in message
    assert ".." not in message


def test_a_ca_bundle_file_that_is_not_pem_is_named_as_the_problem(plain_http_port, tmp_path):
    bundle = tmp_path / "company-ca.pem"
    bundle.write_text("this is not a certificate\n")
    with pytest.raises(JiraTlsError) as caught:
        gateway(f"https://127.0.0.1:{plain_http_port}", ca_bundle=str(bundle)).myself()
    message = caught.value.message
    assert f"the file {bundle} (jira.ca_bundle) holds no certificate" in message
    assert "-----BEGIN CERTIFICATE-----" in message
    assert "does not speak TLS" not in message


def test_a_ca_bundle_path_that_does_not_exist_is_a_tls_error_not_a_crash(plain_http_port, tmp_path):
    missing = tmp_path / "nowhere.pem"
    with pytest.raises(JiraTlsError) as caught:
        gateway(f"https://127.0.0.1:{plain_http_port}", ca_bundle=str(missing)).myself()
    assert f"the CA bundle file {missing} (jira.ca_bundle) does not exist" in caught.value.message


@pytest.mark.parametrize(
    ("url", "fix"),
    [
        (
            "https://acme.atlassian.net/jira/software/projects/SHOP/boards/1",
            "set jira.url to https://acme.atlassian.net",
        ),
        ("https://jira.acme.example/jira/secure/Dashboard.jspa", "set jira.url to https://jira.acme.example/jira"),
        ("https://jira.acme.example/rest/api/2", "set jira.url to https://jira.acme.example"),
        ("https://acme.atlassian.net/wiki", "Jira Cloud serves its REST API at the site's root"),
        ("https://jira.acme.example", "If Jira runs under a context path (https://host/jira), add it to jira.url"),
    ],
)
def test_a_404_html_page_says_the_url_is_not_a_jira_rest_base_and_the_likely_fix(url, fix):
    with responses.RequestsMock() as rsps:
        rsps.get(f"{url}/rest/api/2/myself", status=404, body=HTML_404, content_type="text/html")
        with pytest.raises(JiraNotFound) as caught:
            gateway(url).myself()
    message = caught.value.message
    assert f"{url} is not a Jira REST base URL" in message
    assert "/rest/api/2/myself is not a Jira REST resource there" in message
    assert fix in message
    assert "<html" not in message.lower()
    assert ".." not in message


def test_jira_messages_and_fixes_ending_in_a_full_stop_are_not_doubled():
    base = "https://jira.acme.example"
    with responses.RequestsMock() as rsps:
        said = {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}
        rsps.get(f"{base}/rest/api/2/myself", status=404, json=said)
        rsps.get(f"{base}/rest/api/2/field", status=400, json={"errorMessages": ["Bad request."]})
        site = gateway(base)
        with pytest.raises(JiraNotFound) as not_found:
            site.myself()
        hint = ErrorHint(subject="read the fields", fix="ask an administrator.")
        with pytest.raises(JiraRequestRejected) as rejected:
            site.http.call("GET", "/rest/api/2/field", hint=hint)
    assert not_found.value.message.endswith("permission to see it.")
    assert rejected.value.message == "Jira rejected read the fields (400): Bad request. Ask an administrator."
