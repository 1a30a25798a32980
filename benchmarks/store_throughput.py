"""Store throughput: upsert, stream and size of N realistic issues, raw JSON zlib-compressed or not.

    .venv/bin/python benchmarks/store_throughput.py [N] [postgresql://postgres@127.0.0.1:5432/test]

Issues are copies of a real recorded one (tests/fixtures/jira-samples, SP-10: 11 changelog entries,
~20 KB of JSON). "stored" is zlib level 0: the same code path, the JSON kept as it is.
On PostgreSQL the tables are made in a scratch schema, dropped afterwards.
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

from sync.store import tx as store_tx
from sync.store.store import Store, engine_url

SAMPLE = Path(__file__).resolve().parents[1] / "tests/fixtures/jira-samples/jirametrics/spec/testdata/SP-10.json"


def issues(count: int) -> list[dict]:
    base = json.loads(SAMPLE.read_text())
    start = datetime(2025, 1, 1, tzinfo=UTC)
    out = []
    for n in range(count):
        raw = copy.deepcopy(base)
        raw["id"], raw["key"] = str(100000 + n), f"SP-{n}"
        raw["fields"]["updated"] = (start + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        raw["fields"]["summary"] = f"{raw['fields']['summary']} #{n}"
        out.append(raw)
    return out


def measure(url: str, batch: list[dict], level: int) -> None:
    store_tx.ZLIB_LEVEL = level
    with Store.open(url) as store:
        began = time.perf_counter()
        for chunk in store_tx.chunks(batch, 1000):
            store.upsert_issues(chunk)
        upsert = time.perf_counter() - began
        began = time.perf_counter()
        streamed = sum(1 for _ in store.iter_issues())
        stream = time.perf_counter() - began
        size = _size(store, url)
    label = "zlib-1" if level else "stored"
    print(
        f"{store.dialect:10} {label:6} upsert {len(batch) / upsert:8.0f} issues/s   "
        f"stream {streamed / stream:8.0f} issues/s   issues table {size / 1e6:7.1f} MB"
    )


def _size(store: Store, url: str) -> int:
    with store._engine.connect() as connection:
        if store.dialect == "sqlite":
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            return Path(engine_url(url).database or "").stat().st_size
        return int(connection.execute(text("SELECT pg_total_relation_size('issues')")).scalar() or 0)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    batch = issues(count)
    text_mb = sum(len(json.dumps(i, separators=(",", ":"))) for i in batch) / 1e6
    print(f"{count} issues, {text_mb:.1f} MB of compact JSON")
    for level in (store_tx.ZLIB_LEVEL, 0):
        with tempfile.TemporaryDirectory() as directory:
            measure(f"sqlite:///{directory}/bench.sqlite3", batch, level)
        if len(sys.argv) > 2:
            schema = f"kpiokr_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(engine_url(sys.argv[2]))
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                url = engine_url(sys.argv[2]).update_query_dict({"options": f"-csearch_path={schema}"})
                measure(url.render_as_string(hide_password=False), batch, level)
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
