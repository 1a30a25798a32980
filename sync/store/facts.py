"""What a Jira site states about itself, kept between processes (mixed into ``Store``).

``site_facts`` holds the account kpiokr runs as, the field list, the statuses and the board ids
found by name, each with the instant (on Jira's clock) it was read; ``boards.read_at`` says when
each board's configuration and sprints were read. A fresh process starts from these instead of
asking Jira again. Never a credential: the values are Jira's answers about the site.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import Connection, select

from sync.store.models import BoardRow, SiteFactRow
from sync.store.records import SiteFact
from sync.store.tx import dialect_insert


class SiteFactQueries:
    """Reads and writes of the site facts; each its own short transaction."""

    def _read(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def _write_connection(self) -> AbstractContextManager[Connection]:
        raise NotImplementedError

    def site_facts(self) -> dict[str, SiteFact]:
        """Every stored site fact, by name."""
        with self._read() as connection:
            rows = connection.execute(select(SiteFactRow.name, SiteFactRow.value, SiteFactRow.read_at)).all()
        return {row.name: SiteFact(row.name, row.value, row.read_at) for row in rows}

    def set_site_fact(self, name: str, value: object, read_at: datetime) -> None:
        """Keep ``value`` (plain JSON) as the fact ``name``, read at ``read_at``."""
        row = {"name": name, "value": value, "read_at": read_at}
        with self._write_connection() as connection:
            insert = dialect_insert(connection, SiteFactRow).values(row)
            update = {"value": insert.excluded.value, "read_at": insert.excluded.read_at}
            connection.execute(insert.on_conflict_do_update(index_elements=["name"], set_=update))

    def boards_read_at(self) -> dict[int, datetime | None]:
        """When each stored board's configuration and sprints were read (None: not known)."""
        with self._read() as connection:
            rows = connection.execute(select(BoardRow.board_id, BoardRow.read_at)).all()
        return {row.board_id: row.read_at for row in rows}
