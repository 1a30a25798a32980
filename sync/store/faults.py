"""What goes wrong under the store (a damaged file, permissions, a full disk, PostgreSQL away), said with the fix.

:func:`check_sqlite_file` looks at a SQLite store before anything opens it for writing, read-only,
so a file that is not a kpiokr store is refused untouched (opening it normally would already
rewrite its header). :func:`install` turns the database errors SQLAlchemy raises later into
:class:`StoreError` s whose message says what to do.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import URL, Engine, event
from sqlalchemy.engine import ExceptionContext

from sync.store.errors import StoreError

SQLITE_MAGIC = b"SQLite format 3\x00"
DAMAGED = ("file is not a database", "malformed", "file is encrypted", "not a database")
FULL = ("database or disk is full", "no space left on device", "could not extend file", "disk full")
READ_ONLY = ("readonly database", "read-only", "permission denied")
UNREACHABLE = ("connection refused", "could not translate host name", "timeout expired", "no route to host")


def not_a_store(path: Path, reason: str) -> StoreError:
    """The error for a store file that is no SQLite database kpiokr can read."""
    return StoreError(
        f"{path} is not a kpiokr store ({reason}): it is not a SQLite database, or it is damaged, and kpiokr"
        f" has left it as it is. To start over, move it away (mv {path} {path}.broken); the next `kpiokr sync`"
        " creates a new store there and fills it with a full sync from Jira (the history of runs and writes"
        " starts afresh). Or point store.url at the right file."
    )


def check_sqlite_file(path: Path) -> None:
    """Refuse, without writing to it, a store file that is not a SQLite database kpiokr can read."""
    if not path.parent.is_dir():
        raise _missing_directory(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_MAGIC))
    except PermissionError:
        raise _no_permission(path) from None
    if header != SQLITE_MAGIC:
        raise not_a_store(path, "it does not start like a SQLite database")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "kpiokr_schema_version" in tables:
                connection.execute("SELECT * FROM kpiokr_schema_version").fetchall()
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        explained = describe(str(error), path=path)
        if explained is None:
            raise not_a_store(path, str(error)) from None
        raise explained from None
    except sqlite3.DatabaseError as error:
        raise not_a_store(path, str(error)) from None


def describe(text: str, *, path: Path | None = None, url: URL | None = None) -> StoreError | None:
    """The store error that database error ``text`` amounts to, or None for one kpiokr cannot explain."""
    lower = text.lower()
    where = str(path) if path is not None else "the store"
    if path is not None and any(d in lower for d in DAMAGED):
        return not_a_store(path, text.strip())
    if any(f in lower for f in FULL):
        return StoreError(
            f"the disk holding {where} is full: free some space there (the store grows as issues and scores"
            " are added), or move the store to a larger disk and point store.url at it; nothing was lost,"
            " the next run starts where this one stopped"
        )
    if path is not None and "unable to open database file" in lower:
        if not path.parent.is_dir():
            return _missing_directory(path)
        return _no_permission(path)
    if path is not None and any(r in lower for r in READ_ONLY):
        return _no_permission(path)
    if url is not None and (any(u in lower for u in UNREACHABLE) or ("connection" in lower and "failed" in lower)):
        shown = url.render_as_string(hide_password=True)
        first = text.strip().splitlines()[0] if text.strip() else "no answer"
        return StoreError(
            f"cannot reach the PostgreSQL store at {shown} ({first}): check that the server is running and"
            " reachable from this machine, and the host, port, database, user and password of store.url"
        )
    return None


def _missing_directory(path: Path) -> StoreError:
    return StoreError(
        f"the directory {path.parent} of the store {path.name} does not exist: create it"
        f" (mkdir -p {path.parent}) or fix store.url in the config"
    )


def _no_permission(path: Path) -> StoreError:
    return StoreError(
        f"kpiokr may not read and write the store {path} (permission denied): give the user running kpiokr"
        f" read and write access to the file and to its directory {path.parent}, which holds the store's"
        " -wal and -shm files"
    )


def install(engine: Engine) -> None:
    """Raise a :class:`StoreError` saying the fix for the database errors :func:`describe` explains."""
    url = engine.url
    path = (
        Path(url.database)
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
        else None
    )

    @event.listens_for(engine, "handle_error")
    def _explain(context: ExceptionContext) -> None:
        original = context.original_exception
        explained = describe(str(original), path=path, url=None if path is not None else url)
        if explained is not None:
            raise explained from context.sqlalchemy_exception
