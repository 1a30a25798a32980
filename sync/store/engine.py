"""SQLAlchemy engines for the store: the URL forms accepted, SQLite's settings, errors that say the fix.

Errors are explained at the store's boundary (:func:`sync.store.faults.boundary`), not on the engine.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from sync.store import faults as store_faults
from sync.store.errors import StoreError

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE = "kpiokr_write"  # execution option: this connection's transaction writes


def engine_url(url: str | URL) -> URL:
    """The SQLAlchemy URL for a store URL; ``postgresql://`` (or ``postgres://``) means psycopg 3."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"store URL {url!r} is not a database URL: use sqlite:///path or postgresql://...") from error
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def create_store_engine(url: str | URL) -> Engine:
    """An engine for the store at ``url``; SQLite gets WAL, a busy timeout and foreign keys."""
    sa_url = engine_url(url)
    with store_faults.boundary(sa_url):
        return _engine(sa_url)


def _engine(sa_url: URL) -> Engine:
    backend = sa_url.get_backend_name()
    if backend == "postgresql":
        return create_engine(sa_url, pool_pre_ping=True)
    if backend != "sqlite":
        raise StoreError(f"the store runs on SQLite or PostgreSQL, not {backend}: fix store.url in the config")
    path = store_faults.sqlite_path(sa_url)
    if path is not None:
        store_faults.check_sqlite_file(path)
    engine = create_engine(sa_url, poolclass=StaticPool if path is None else None)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by _sqlite_on_begin
    cursor = dbapi_connection.cursor()
    for pragma in (
        "page_size=8192",  # new files only: ~3 compressed issues a page instead of 1 (-33% size)
        "journal_mode=WAL",  # readers (kpiokr report) never block the daemon, nor it them
        f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
        "foreign_keys=ON",
        "synchronous=NORMAL",  # with WAL: consistent after any crash, durable across process kills
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_on_begin(connection: Connection) -> None:
    # IMMEDIATE takes the write lock at BEGIN, so the busy timeout applies there and a write
    # transaction never fails half-way when another writer got in first.
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(WRITE) else "BEGIN")
