"""Webhook deliveries already received (mixed into ``Store``): Jira delivers at least once, and
anyone who captured a signed body may send it again, so each delivery is acted on once.

``webhook_deliveries`` holds each delivery's key (Jira's webhook identifier, else the issue,
changelog and instant the body names) with its event and when it expires; expired rows are
removed as new ones arrive. Never a body, never a secret. A delivery acted on leaves its hint
(:mod:`sync.store.hints`) in the same transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete

from sync.store.hints import HintNote, HintQueries, add_hint
from sync.store.models import WebhookDeliveryRow
from sync.store.tx import dialect_insert


class DeliveryQueries(HintQueries):
    """The record of webhook deliveries and the hints they leave; each call its own short transaction."""

    def _write_connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def record_delivery(
        self,
        keys: Collection[str],
        event: str,
        received_at: datetime,
        keep: timedelta,
        hint: tuple[HintNote, str] | None = None,
    ) -> bool:
        """Note a delivery (an ``event``) under each of ``keys`` (Jira's identifier, what its body names)
        as received at ``received_at``, for ``keep``; False when any of them was already noted and has
        not expired (a redelivery or a replay). A new delivery leaves ``hint`` (what it names, the
        receiving process) for the daemons, in the same transaction."""
        rows = [
            {"delivery": key[:200], "event": event[:100], "received_at": received_at, "expires_at": received_at + keep}
            for key in dict.fromkeys(keys)
        ]
        added = 0
        with self._write_connection() as connection:
            connection.execute(delete(WebhookDeliveryRow).where(WebhookDeliveryRow.expires_at <= received_at))
            insert = dialect_insert(connection, WebhookDeliveryRow)
            for row in rows:
                added += connection.execute(
                    insert.values(row)
                    .on_conflict_do_nothing(index_elements=["delivery"])
                    .execution_options(preserve_rowcount=True)  # else psycopg reports -1 for an INSERT
                ).rowcount
            if hint is not None and added == len(rows):
                add_hint(connection, *hint, received_at, keep)
        return added == len(rows)
