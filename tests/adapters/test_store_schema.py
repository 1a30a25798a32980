"""The store's schema is made and versioned by the packaged Alembic migrations."""

from importlib.resources import files
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, text

from sync.store.migrations import VERSION_TABLE, SchemaState, head_revision, upgrade
from sync.store.models import Base
from sync.store.store import Store, StoreError, StoreNewerThanCode, StoreOutdated, engine_url, upgrade_url
from tests.adapters.store_support import issue


def test_an_empty_database_gets_the_newest_schema(store_url: str):
    with Store.open(store_url, migrate=False) as store:
        status = store.schema_status()
        assert (status.state, status.current) == (SchemaState.CURRENT, (head_revision(),))
        store.upsert_issues([issue(1)])
        assert store.issue_keys() == ["MOB-1"]


def test_the_migrations_build_exactly_the_tables_the_models_describe(store: Store, store_url: str):
    engine = create_engine(engine_url(store_url))
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()

    assert differences == []


def test_a_store_made_by_revision_0001_keeps_its_data_across_migrate(store_url: str):
    engine = create_engine(engine_url(store_url))
    try:
        with engine.begin() as connection:
            upgrade(connection, "0001")
            connection.execute(
                text("INSERT INTO watermarks (scope, updated, committed_at) VALUES ('MOB', :at, :at)"),
                {"at": "2026-01-05 09:00:00.000000"},
            )
    finally:
        engine.dispose()

    with pytest.raises(StoreOutdated, match=f"revision 0001, this kpiokr needs {head_revision()}"):
        Store.open(store_url, migrate=False)
    assert upgrade_url(store_url) == ("0001", head_revision())
    with Store.open(store_url, migrate=False) as store:
        assert store.migrate() == (head_revision(), head_revision())
        assert store.watermarks().keys() == {"MOB"}
    assert upgrade_url(store_url) == (head_revision(), head_revision())


def test_a_store_migrated_by_a_newer_kpiokr_is_refused(store: Store, store_url: str):
    with store.transaction() as tx:
        tx.connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = '0099'"))

    with pytest.raises(StoreNewerThanCode, match=r"revision 0099, which this kpiokr does not know .* upgrade kpiokr"):
        Store.open(store_url)
    with pytest.raises(StoreNewerThanCode):
        store.migrate()


def test_a_database_with_kpiokr_tables_but_no_version_is_refused(store: Store, store_url: str):
    with store.transaction() as tx:
        tx.connection.execute(text(f"DROP TABLE {VERSION_TABLE}"))

    with pytest.raises(StoreError, match="no kpiokr_schema_version: it was not made by kpiokr"):
        Store.open(store_url)


def test_store_outdated_says_which_command_to_run():
    error = StoreOutdated("0001", "0002", "kpiokr migrate --config /etc/kpiokr.toml")

    assert str(error) == (
        "the store's schema is at revision 0001, this kpiokr needs 0002: "
        "back up the store, then run `kpiokr migrate --config /etc/kpiokr.toml`"
    )


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        ("postgresql://u:p@db:5432/kpiokr", "postgresql+psycopg"),
        ("postgres://u@db/kpiokr", "postgresql+psycopg"),
        ("postgresql+psycopg://u@db/kpiokr", "postgresql+psycopg"),
        ("sqlite:////var/lib/kpiokr/kpiokr.sqlite3", "sqlite"),
    ],
)
def test_plain_postgresql_urls_mean_psycopg_3(url: str, driver: str):
    assert engine_url(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "is not a database URL"),
        ("mysql://u@db/kpiokr", "runs on SQLite or PostgreSQL, not mysql"),
    ],
)
def test_unusable_urls_say_what_to_fix(url: str, message: str):
    with pytest.raises(StoreError, match=message):
        Store.open(url)


def test_an_unreachable_database_says_what_to_check(tmp_path: Path):
    with pytest.raises(StoreError, match=r"the directory .*no-such-dir of the store .* fix store\.url"):
        Store.open(f"sqlite:///{tmp_path / 'no-such-dir' / 'kpiokr.sqlite3'}")


def test_the_migrations_ship_inside_the_package():
    migrations = files("sync.store.migrations")

    assert migrations.joinpath("env.py").is_file()
    assert migrations.joinpath("script.py.mako").is_file()
    assert migrations.joinpath("versions", "0001_initial.py").is_file()
