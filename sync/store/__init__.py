"""The state store: SQLAlchemy models, transactions, the lock, site facts, and Alembic migrations,
on SQLite and PostgreSQL."""

from sync.store.errors import StoreLocked
from sync.store.hints import HintNote, StoredHint
from sync.store.leases import DaemonsShareStore, LeaseLost
from sync.store.lock import default_owner
from sync.store.records import KeyResultScoreRecord, KpiValueRecord, LedgerEntry, ObjectiveScoreRecord
from sync.store.series import DailyPoint
from sync.store.store import Store, create_store_engine

__all__ = [
    "DaemonsShareStore",
    "DailyPoint",
    "HintNote",
    "KeyResultScoreRecord",
    "KpiValueRecord",
    "LeaseLost",
    "LedgerEntry",
    "ObjectiveScoreRecord",
    "Store",
    "StoreLocked",
    "StoredHint",
    "create_store_engine",
    "default_owner",
]
