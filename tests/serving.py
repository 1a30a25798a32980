"""Reaching a dashboard served over real HTTP on loopback: a free port, a GET, waiting until it answers;
and a figure written as the pages print it."""

import socket
import time
import urllib.error
import urllib.request


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(url: str) -> tuple[int, str, dict[str, str]]:
    """Status, body and headers of a GET, error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode(), dict(answer.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), dict(error.headers)


def wait_until_healthy(base: str, patience: float = 20.0) -> None:
    """Wait (up to ``patience`` seconds) until ``base``/healthz answers 200; fail saying its last answer."""
    deadline = time.monotonic() + patience
    while True:
        try:
            status, body, _ = get(f"{base}/healthz")
        except OSError as error:
            status, body = None, str(error)
        if status == 200:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{base}/healthz did not answer 200 within {patience:g} s: {status} {body}")
        time.sleep(0.1)
