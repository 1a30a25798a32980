"""Store fixtures: every store test runs on SQLite, and on PostgreSQL too when ``KPIOKR_TEST_PG_URL``
names a server (each test then gets a schema of its own, dropped afterwards); and every adapter test
gets the process's signal handlers back after it."""

import os
import signal
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from sync.store.store import Store, engine_url
from tests.adapters.store_support import FakeClock, sqlite_url

PG_ENV = "KPIOKR_TEST_PG_URL"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set: set it to a PostgreSQL URL (postgresql://postgres@127.0.0.1:5432/test)")
    schema = f"kpiokr_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(engine_url(base))
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = engine_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(store_url: str, store_clock: FakeClock) -> Iterator[Store]:
    with Store.open(store_url, clock=store_clock) as opened:
        yield opened


@pytest.fixture(autouse=True)
def keep_signal_handlers() -> Iterator[None]:
    """Commands such as ``sync`` and ``daemon`` install SIGTERM/SIGINT handlers: the test process gets its own back."""
    handlers = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    yield
    for number, handler in handlers.items():
        signal.signal(number, handler)
