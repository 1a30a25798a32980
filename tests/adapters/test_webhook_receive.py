"""The webhook endpoint over a real SQLite store: signatures, size limit, deliveries answered once,
events kpiokr does not act on, and the answer where no daemon runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from sync.app.webhooks import PATH, Hint, WebhookReceiver, signature_of
from sync.config import WebhookSettings
from sync.store import Store

SECRET = "s3cret-for-tests"
NOW = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


def _body(event: str = "jira:issue_updated", *, changelog: str = "10500", project: str = "MOB") -> bytes:
    issue = {"id": "10042", "key": f"{project}-7", "fields": {"project": {"key": project}}}
    data = {"timestamp": int(NOW.timestamp() * 1000), "webhookEvent": event, "issue": issue}
    data["changelog"] = {"id": changelog, "items": []}
    return json.dumps(data).encode()


@pytest.fixture
def hints() -> list[Hint]:
    return []


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        yield opened


def _client(store: Store, sink: list[Hint] | None, **settings: int) -> TestClient:
    receiver = WebhookReceiver(
        SECRET, WebhookSettings(enabled=True, **settings), store, lambda: NOW, None if sink is None else sink.append
    )
    return TestClient(Starlette(routes=[Route(PATH, receiver.receive, methods=["POST"])]))


def _post(client: TestClient, body: bytes, signature: str | None, **headers: str) -> tuple[int, str]:
    sent = {"content-type": "application/json", **headers}
    if signature is not None:
        sent["x-hub-signature"] = signature
    answer = client.post(PATH, content=body, headers=sent)
    return answer.status_code, answer.json()["status"]


def test_a_signed_event_is_accepted_once_and_its_hint_names_the_project(store: Store, hints: list[Hint]) -> None:
    client, body = _client(store, hints), _body()
    assert _post(client, body, signature_of(SECRET, body)) == (202, "accepted")
    assert _post(client, body, signature_of(SECRET, body)) == (200, "duplicate")
    assert [(h.event, h.project, h.issue_id) for h in hints] == [("jira:issue_updated", "MOB", "10042")]


def test_unsigned_and_wrongly_signed_bodies_are_refused_and_not_recorded(store: Store, hints: list[Hint]) -> None:
    client, body = _client(store, hints), _body()
    assert _post(client, body, None) == (401, "unauthorized")
    assert _post(client, body, signature_of("another secret", body)) == (401, "unauthorized")
    assert _post(client, body, "sha1=" + signature_of(SECRET, body).removeprefix("sha256=")) == (401, "unauthorized")
    assert _post(client, body + b" ", signature_of(SECRET, body)) == (401, "unauthorized")
    assert hints == []
    assert _post(client, body, signature_of(SECRET, body)) == (202, "accepted")


def test_a_body_over_the_limit_is_refused_whatever_its_content_length_says(store: Store, hints: list[Hint]) -> None:
    client = _client(store, hints, max_body_bytes=2048)
    big = _body(changelog="x" * 4000)
    assert _post(client, big, signature_of(SECRET, big)) == (413, "too_large")
    chunks = iter([big[:1000], big[1000:]])  # streamed: no Content-Length at all
    answer = client.post(PATH, content=chunks, headers={"x-hub-signature": signature_of(SECRET, big)})
    assert answer.status_code == 413
    assert hints == []


def test_a_redelivery_is_known_by_its_identifier_and_a_replay_by_what_its_body_names(
    store: Store, hints: list[Hint]
) -> None:
    client = _client(store, hints)
    first, other = _body(changelog="1"), _body(changelog="2")
    assert _post(client, first, signature_of(SECRET, first), **{"x-atlassian-webhook-identifier": "a"})[0] == 202
    assert _post(client, other, signature_of(SECRET, other), **{"x-atlassian-webhook-identifier": "a"})[1] == (
        "duplicate"
    )
    assert _post(client, first, signature_of(SECRET, first), **{"x-atlassian-webhook-identifier": "b"})[1] == (
        "duplicate"
    )
    assert len(hints) == 1


def test_deliveries_are_remembered_by_the_store_across_restarts(store: Store) -> None:
    body = _body()
    assert _post(_client(store, []), body, signature_of(SECRET, body))[0] == 202
    assert _post(_client(store, []), body, signature_of(SECRET, body)) == (200, "duplicate")


def test_other_events_are_ignored_and_signed_garbage_is_a_bad_request(store: Store, hints: list[Hint]) -> None:
    client = _client(store, hints)
    comment = json.dumps({"webhookEvent": "comment_created", "timestamp": 1}).encode()
    assert _post(client, comment, signature_of(SECRET, comment)) == (200, "ignored")
    assert _post(client, b"not json", signature_of(SECRET, b"not json")) == (400, "bad_request")
    assert hints == []


def test_without_a_daemon_the_webhook_leaves_its_hint_and_the_answer_says_who_acts(store: Store) -> None:
    body = _body()
    answer = _client(store, None).post(PATH, content=body, headers={"x-hub-signature": signature_of(SECRET, body)})
    assert answer.status_code == 202
    assert answer.json()["status"] == "recorded"
    assert "`kpiokr daemon`" in answer.json()["message"]
    assert "within a second" in answer.json()["message"]
    assert [(h.origin, h.note.project, h.note.issue_id) for h in store.hints_after(0)] == [("serve", "MOB", "10042")]
