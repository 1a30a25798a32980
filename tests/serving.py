"""Reaching a dashboard served over real HTTP on loopback: a free port, a GET, waiting until it answers."""

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


def wait_until_healthy(base: str) -> None:
    """Wait (up to 20 s) until ``base``/healthz answers 200."""
    deadline = time.monotonic() + 20
    while True:
        try:
            if get(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
