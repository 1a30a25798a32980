"""What goes wrong under the store (a damaged file, permissions, a full disk, PostgreSQL away), said with the fix.

:func:`check_sqlite_file` looks at a SQLite store before anything opens it for writing, read-only,
so a file that is not a kpiokr store is refused untouched (opening it normally would already
rewrite its header). :func:`boundary` is the store's one error boundary: every public method of
:class:`~sync.store.store.Store` reaches the database inside it, so the errors SQLAlchemy, the
database driver and the operating system raise leave the store as :class:`StoreError` s whose
message says what to do (:func:`explain`), the original kept as their ``__cause__``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL
from sqlalchemy.exc import DatabaseError, DBAPIError, InternalError, OperationalError, SQLAlchemyError

from sync.store.errors import StoreError

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"
DAMAGED = ("file is not a database", "malformed", "file is encrypted", "not a database")
FULL = ("database or disk is full", "no space left on device", "could not extend file", "disk full")
READ_ONLY = ("readonly database", "read-only", "permission denied")
UNREACHABLE = ("connection refused", "could not translate host name", "timeout expired", "no route to host")
LOCKED = ("database is locked", "database table is locked")
NO_SCHEMA = ("no such table", "no such column", "undefinedtable", "undefinedcolumn")
LOST = (
    "server closed the connection",
    "terminating connection",
    "connection is closed",
    "connection already closed",
    "connection is lost",
    "ssl syscall error",
    "consuming input failed",
    "could not receive data",
)
#: Errors of the store's surroundings (disk, file system, server, network), not of kpiokr's statements:
#: the boundary turns these into :class:`StoreError` s, with the fix when :func:`describe` knows it.
ENVIRONMENT = (OperationalError, InternalError, sqlite3.OperationalError, OSError)


@contextmanager
def boundary(url: URL) -> Iterator[None]:
    """Run the block; the store faults it raises leave it as :class:`StoreError` s that say the fix.

    A fault of the surroundings always does (:data:`ENVIRONMENT`, a lost connection, a damaged
    file); any other database error only when :func:`describe` explains it (a table gone, a
    privilege missing): one that is not is a fault of kpiokr's, and keeps its traceback.
    """
    try:
        yield
    except (SQLAlchemyError, sqlite3.Error, OSError) as error:
        explained = explain(error, url)
        if explained is None:
            raise
        log.debug("the store's fault in detail", exc_info=True)  # what -v shows
        raise explained from error


def explain(error: BaseException, url: URL) -> StoreError | None:
    """The :class:`StoreError` that ``error``, raised by the store at ``url``, amounts to, with the fix.

    None for an error that is no fault of the surroundings and that :func:`describe` cannot explain.
    """
    path = sqlite_path(url)
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    lost = isinstance(error, DBAPIError) and error.connection_invalidated
    known = describe(str(cause), path=path, url=None if path is not None else url, lost=lost)
    if known is not None:
        return known
    if path is not None and isinstance(error, FileNotFoundError) and not path.parent.is_dir():
        return _missing_directory(path)
    if not isinstance(error, ENVIRONMENT) and type(cause) not in (sqlite3.DatabaseError, DatabaseError):
        return None
    where = str(path) if path is not None else url.render_as_string(hide_password=True)
    return StoreError(
        f"the store at {where} failed ({type(cause).__name__}: {_first_line(str(cause))}): kpiokr knows no fix"
        " for this fault; run the command again with -v to log its details"
    )


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite store; None for PostgreSQL and for a SQLite database in memory."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


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


def describe(text: str, *, path: Path | None = None, url: URL | None = None, lost: bool = False) -> StoreError | None:
    """The store error that database error ``text`` amounts to, or None for one kpiokr cannot explain.

    ``path`` is a SQLite store's file, ``url`` a PostgreSQL store's address; ``lost``: the driver
    found the connection gone.
    """
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
    if any(s in lower for s in NO_SCHEMA) or ("does not exist" in lower and ("relation" in lower or "column" in lower)):
        return StoreError(
            f"{where} lacks part of kpiokr's schema ({_first_line(text)}): something other than kpiokr changed"
            " its tables. Restore it from a backup, or start over: move the store away (or point store.url at an"
            " empty database) and the next `kpiokr sync` fills a new one with a full sync from Jira"
        )
    if path is not None and any(lock in lower for lock in LOCKED):
        return StoreError(
            f"the store {path} stayed locked by another program longer than kpiokr waits (database is locked):"
            " a program other than kpiokr (an sqlite3 shell, a backup tool) holds a write transaction on it;"
            " end that transaction and run again"
        )
    if path is not None and "disk i/o error" in lower:
        return StoreError(
            f"reading or writing the store {path} failed (disk I/O error): check the disk and its file system"
            " (the kernel log says more), and keep the store off network file systems, which SQLite does not"
            " support"
        )
    if url is None:
        return None
    shown = url.render_as_string(hide_password=True)
    if "permission denied for" in lower:
        return StoreError(
            f"the user of the PostgreSQL store at {shown} lacks a privilege ({_first_line(text)}): connect as"
            " the owner of kpiokr's database, or grant that user all privileges on it and its tables"
        )
    if lost or any(gone in lower for gone in LOST):
        return StoreError(
            f"lost the connection to the PostgreSQL store at {shown} ({_first_line(text)}): the server stopped,"
            " restarted or dropped the connection; check that it is running and reachable, then run again"
            " (nothing half-done was committed: the next run starts where this one stopped)"
        )
    if any(u in lower for u in UNREACHABLE) or ("connection" in lower and "failed" in lower):
        return StoreError(
            f"cannot reach the PostgreSQL store at {shown} ({_first_line(text)}): check that the server is"
            " running and reachable from this machine, and the host, port, database, user and password of"
            " store.url"
        )
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no answer"


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
