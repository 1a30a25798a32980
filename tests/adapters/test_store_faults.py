"""A store file that is not a kpiokr store, and database errors at the store boundary, say the fix."""

from __future__ import annotations

import hashlib
import os
import random
from pathlib import Path

import pytest
from sqlalchemy import event

from sync.store.errors import StoreError
from sync.store.store import Store, create_store_engine
from tests.adapters.store_support import issue


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def real_store(path: Path) -> bytes:
    Store.open(f"sqlite:///{path}").close()
    return path.read_bytes()


def garbage(size: int) -> bytes:
    noise = random.Random(7)
    return bytes(noise.randrange(256) for _ in range(size))


def header_then_garbage(tmp_path: Path) -> bytes:
    """A valid first page (header and schema) of a store in rollback mode, then garbage."""
    data = bytearray(real_store(tmp_path / "model.sqlite3"))
    data[18] = data[19] = 1  # rollback journal: opening it normally would rewrite these bytes
    return bytes(data[:8192]) + garbage(len(data) - 8192)


@pytest.mark.parametrize(
    "content",
    [
        lambda tmp: b"kpiokr store? no: a text file someone saved here\n" * 40,
        lambda tmp: b"SQLite format 3\x00" + garbage(8000),
        header_then_garbage,
    ],
    ids=["not-sqlite", "header-only", "header-and-schema-page"],
)
def test_a_file_that_is_not_a_kpiokr_store_is_refused_untouched_with_how_to_start_over(tmp_path, content):
    path = tmp_path / "kpiokr.sqlite3"
    path.write_bytes(content(tmp_path))
    before = digest(path)
    with pytest.raises(StoreError) as caught:
        Store.open(f"sqlite:///{path}")
    message = str(caught.value)
    assert f"{path} is not a kpiokr store" in message
    assert f"mv {path} {path}.broken" in message
    assert "full sync" in message
    assert "\n" not in message
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("kpiokr")) == ["kpiokr.sqlite3"]


def test_a_store_in_a_directory_that_does_not_exist_names_the_directory(tmp_path):
    missing = tmp_path / "var" / "lib" / "kpiokr"
    with pytest.raises(StoreError) as caught:
        Store.open(f"sqlite:///{missing / 'kpiokr.sqlite3'}")
    assert f"the directory {missing} of the store kpiokr.sqlite3 does not exist" in str(caught.value)
    assert f"mkdir -p {missing}" in str(caught.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads and writes whatever the permissions say")
def test_a_store_kpiokr_may_not_write_says_which_access_to_give(tmp_path):
    path = tmp_path / "kpiokr.sqlite3"
    real_store(path)
    path.chmod(0o400)
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(StoreError) as caught, Store.open(f"sqlite:///{path}") as store:
            store.upsert_issues([issue(1)])
    finally:
        tmp_path.chmod(0o700)
    assert "permission denied" in str(caught.value)


def test_a_full_disk_is_a_store_error_that_says_to_free_space(tmp_path):
    path = tmp_path / "kpiokr.sqlite3"
    real_store(path)
    engine = create_store_engine(f"sqlite:///{path}")
    pages = path.stat().st_size // 8192

    @event.listens_for(engine, "connect")
    def _small_disk(dbapi_connection, _record):  # the file may not grow past its current size
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    with Store(engine) as store, pytest.raises(StoreError) as caught:
        store.upsert_issues([issue(n, summary="x" * 20_000) for n in range(200)])
    assert f"the disk holding {path} is full: free some space there" in str(caught.value)


def test_an_unreachable_postgresql_names_the_server_without_its_password():
    with pytest.raises(StoreError) as caught:
        Store.open("postgresql://kpiokr:s3cret-pw@127.0.0.1:1/kpiokr")
    message = str(caught.value)
    assert "cannot reach the PostgreSQL store at postgresql+psycopg://kpiokr:***@127.0.0.1:1/kpiokr" in message
    assert "check that the server is running" in message
    assert "s3cret-pw" not in message
