"""What to tell the admin when the site at ``jira.url`` is not the Jira REST API kpiokr expects.

Pure text: the TLS handshake failed (and why: a port speaking plain HTTP, a CA bundle file that
holds no certificate, a certificate nobody vouches for), or a 404 page that is not Jira's answer.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

#: Paths of Jira's web pages that people copy into ``jira.url`` with the site's address.
UI_SEGMENTS = (
    "jira/software", "jira/servicedesk", "jira/core", "jira/your-work", "jira/projects", "jira/dashboards",
    "browse", "secure", "projects", "issues", "plugins", "servicedesk", "login.jsp", "rest",
)  # fmt: skip
PLAIN_HTTP = (
    "WRONG_VERSION_NUMBER",
    "RECORD_LAYER_FAILURE",
    "HTTP_REQUEST",
    "PACKET_LENGTH_TOO_LONG",
    "UNKNOWN_PROTOCOL",
)
NOT_PEM = ("NO_CERTIFICATE_OR_CRL_FOUND", "PEM LIB", "NO START LINE", "NOT_ENOUGH_DATA", "BAD_BASE64_DECODE")
HOST_MISMATCH = ("HOSTNAME MISMATCH", "DOESN'T MATCH", "IP ADDRESS MISMATCH")


def tls_advice(error: str, base_url: str, ca_bundle: str | None) -> str:
    """Why the TLS connection to ``base_url`` failed, from the text of the ``error``, and the fix."""
    reason = error.upper()
    if any(code in reason for code in PLAIN_HTTP):
        http_url = urlunsplit(urlsplit(base_url)._replace(scheme="http"))
        return (
            f"{base_url} does not speak TLS on that port (the answer looks like plain HTTP): use the site's"
            f" HTTPS address in jira.url, or {http_url} if the site really serves plain HTTP there"
        )
    if any(code in reason for code in NOT_PEM):
        where = f"the file {ca_bundle}" if ca_bundle else "the CA bundle file"
        return (
            f"{where} (jira.ca_bundle) holds no certificate kpiokr can read: point it at a PEM file of your"
            " organisation's CA certificates (text between -----BEGIN CERTIFICATE----- and"
            " -----END CERTIFICATE----- lines)"
        )
    if "CA CERTIFICATE BUNDLE" in reason:
        return f"the CA bundle file {ca_bundle or ''} (jira.ca_bundle) does not exist: point it at a PEM file"
    if any(code in reason for code in HOST_MISMATCH):
        host = urlsplit(base_url).hostname
        return f"the TLS certificate of {base_url} is not for the host {host}: use the host name the certificate names"
    if "CERTIFICATE_VERIFY_FAILED" in reason:
        bundle = f" (now {ca_bundle})" if ca_bundle else ""
        return (
            f"the TLS certificate of {base_url} could not be verified: point jira.ca_bundle{bundle} at your"
            " organisation's CA certificate file"
        )
    return f"the TLS handshake with {base_url} failed ({_short(error)}): check jira.url and jira.ca_bundle"


def not_rest_base(base_url: str, path: str) -> str:
    """Why a 404 page that is not Jira's JSON points at ``jira.url``, and the likely fix."""
    parts = urlsplit(base_url)
    tried = f"{parts.path.rstrip('/')}{path}"
    advice = f"{base_url} is not a Jira REST base URL: {tried} is not a Jira REST resource there."
    base_path = parts.path.strip("/")
    for segment in UI_SEGMENTS:
        if base_path == segment or base_path.endswith("/" + segment) or f"/{segment}/" in f"/{base_path}/":
            kept = f"/{base_path}/".split(f"/{segment}/", 1)[0].strip("/")
            fixed = urlunsplit(parts._replace(path=f"/{kept}" if kept else "", query="", fragment=""))
            return f"{advice} It looks like the address of a Jira web page: set jira.url to {fixed}"
    if parts.hostname and parts.hostname.endswith(".atlassian.net") and base_path:
        fixed = urlunsplit(parts._replace(path="", query="", fragment=""))
        return f"{advice} Jira Cloud serves its REST API at the site's root: set jira.url to {fixed}"
    if not base_path:
        return (
            f"{advice} If Jira runs under a context path (https://host/jira), add it to jira.url;"
            " it is the part of the address before /secure or /browse in Jira's own pages"
        )
    return f"{advice} Set jira.url to the address Jira's own pages start with (before /secure or /browse)"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
