"""The store's schema migrations (Alembic), run from code: no ``alembic.ini`` is needed.

:class:`sync.store.store.Store` calls :func:`schema_status` when it opens a store and :func:`upgrade` to
bring it to the newest revision. The version is kept in the table ``kpiokr_schema_version`` (not
``alembic_version``, so a database shared with another Alembic project does not mix them up).

To add a revision after changing ``sync/store/models.py``, upgrade a scratch SQLite file to the
current head, then let Alembic compare it with the models::

    .venv/bin/python -c "from alembic import command; from sync.store.migrations import alembic_config as c; \\
        u = 'sqlite:///scratch.sqlite3'; command.upgrade(c(u), 'head'); \\
        command.revision(c(u), 'what changed', autogenerate=True, rev_id='0002')"

then read and edit ``versions/0002_what_changed.py``: keep it portable (SQLite and PostgreSQL) and
keep the data (``op.batch_alter_table`` for SQLite, data moves in ``upgrade()``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from alembic.util.exc import CommandError
from sqlalchemy import Connection, inspect

from sync.store.models import Base

VERSION_TABLE = "kpiokr_schema_version"
_HERE = Path(__file__).resolve().parent


class SchemaState(enum.Enum):
    """Where a database stands relative to the migrations this code ships."""

    EMPTY = "empty"  # no kpiokr tables and no version: create everything
    CURRENT = "current"  # at the newest revision
    BEHIND = "behind"  # at an older revision: migrate
    AHEAD = "ahead"  # at a revision this code does not know: a newer kpiokr migrated it
    UNVERSIONED = "unversioned"  # kpiokr tables but no version row: not made by these migrations


@dataclass(frozen=True, slots=True)
class SchemaStatus:
    """The state, the revision(s) the database is at, and the newest revision of this code."""

    state: SchemaState
    current: tuple[str, ...]
    head: str

    @property
    def current_text(self) -> str:
        """The database's revision(s) for a message, ``none`` when it has none."""
        return ", ".join(self.current) or "none"


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic config for these migrations, on ``url`` or on an open ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(_HERE))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision this code ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships 0001
        raise RuntimeError("sync/store/migrations/versions holds no revision")
    return head


def schema_status(connection: Connection) -> SchemaStatus:
    """Compare the database behind ``connection`` with this code's migrations."""
    script = ScriptDirectory.from_config(alembic_config())
    head = head_revision()
    current = tuple(MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_heads())
    if not current:
        ours = set(inspect(connection).get_table_names()) & set(Base.metadata.tables)
        state = SchemaState.UNVERSIONED if ours else SchemaState.EMPTY
    elif not all(_known(script, revision) for revision in current):
        state = SchemaState.AHEAD
    elif current == (head,):
        state = SchemaState.CURRENT
    else:
        state = SchemaState.BEHIND
    return SchemaStatus(state, current, head)


def upgrade(connection: Connection, target: str = "head") -> None:
    """Run the migrations up to ``target`` on ``connection`` (inside the caller's transaction)."""
    command.upgrade(alembic_config(connection=connection), target)


def _known(script: ScriptDirectory, revision: str) -> bool:
    try:
        return script.get_revision(revision) is not None
    except (RevisionError, CommandError):
        return False
