"""The Jira credential never reaches a log line, an error message or the store: not the token, not the
Basic-auth header value, not even when Jira (or a proxy in front of it) echoes them back in an error."""

import base64
import contextlib
import logging
import sqlite3
import zlib
from pathlib import Path

import pytest

from jira_sandbox import Fault
from sync.cli.bootstrap import build_app
from sync.errors import JiraAuthError, JiraBadResponse
from sync.store.store import engine_url
from tests.e2e.conftest import Jira, runner_of
from tests.e2e.resilience_support import config_file, make_config, run_cli

pytestmark = pytest.mark.e2e

BOT, TOKEN, PAT = "kpiokr-bot@example.com", "sandbox-token", "sandbox-pat"


def secrets(flavor: str) -> list[str]:
    """Every form the credential takes on the wire: the token and the Authorization header's value."""
    if flavor == "cloud":
        basic = base64.b64encode(f"{BOT}:{TOKEN}".encode()).decode()
        return [TOKEN, basic, f"Basic {basic}"]
    return [PAT, f"Bearer {PAT}"]


def store_text(store_url: str) -> str:
    """Every row of every table of the SQLite store as text, compressed columns inflated."""
    path = engine_url(store_url).database
    assert path is not None
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert {"issues", "runs", "write_ledger", "team_reports"} <= set(tables)
        cells = []
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                cells.extend(f"{table}: {_text(value)}" for value in row)
        return "\n".join(cells)
    finally:
        connection.close()


def _text(value: object) -> str:
    if not isinstance(value, bytes):
        return str(value)
    with contextlib.suppress(zlib.error):
        value = zlib.decompress(value)
    return value.decode("utf-8", "replace")


def test_no_secret_in_logs_errors_or_the_store(jira: Jira, tmp_path: Path, caplog):
    config = make_config(jira, tmp_path / "kpiokr")
    forms = secrets(jira.flavor)
    echoed = f"Authorization: {forms[-1]} (token {forms[0]})"  # a proxy that echoes the request back
    search = "/rest/api/3/search/jql" if jira.flavor == "cloud" else "/rest/api/2/search"
    api = "/rest/api/3" if jira.flavor == "cloud" else "/rest/api/2"
    faults = jira.server.faults
    faults.add(Fault("status", search, after=1, times=2, status=503, body=f'{{"message": "{echoed}"}}'))
    faults.add(Fault("status", f"{api}/field", times=1, status=429, retry_after=0))
    faults.add(Fault("reset", f"{api}/status", times=1))
    texts: list[str] = []

    with caplog.at_level(logging.DEBUG):
        app = build_app(config, {})
        try:
            runner = runner_of(app, jira)
            planned = runner.run(dry_run=True).planned
            rejected = planned[0].issue_key
            body = f'{{"errorMessages": ["{echoed}"], "errors": {{}}}}'
            faults.add(Fault("status", f"/rest/api/2/issue/{rejected}", method="PUT", status=400, body=body))
            summary = runner.run()
            assert [o.write.issue_key for o in summary.outcomes if not o.ok] == [rejected]
            texts.extend(o.reason for o in summary.outcomes)

            faults.add(Fault("garbage", search, times=1, body=f"<html>{echoed}</html>"))
            with pytest.raises(JiraBadResponse) as bad:
                runner.run(full=True)
            faults.add(Fault("status", "*", times=None, status=401, body=f'{{"errorMessages": ["{echoed}"]}}'))
            with pytest.raises(JiraAuthError) as denied:
                runner.run()
            texts += [str(bad.value), repr(bad.value), str(denied.value), repr(denied.value)]
        finally:
            app.close()

    faults.clear()
    faults.add(Fault("status", search, times=2, status=503, body=f'{{"message": "{echoed}"}}'))
    from_env = run_cli(
        "-v", "--config", str(config_file(config)), "sync", "--once", env={"KPIOKR_DEMO_TOKEN": forms[0]}
    )
    faults.add(Fault("status", "*", times=None, status=401, body=f'{{"errorMessages": ["{echoed}"]}}'))
    denied_cli = run_cli("-v", "--config", str(config_file(config)), "sync", "--once")
    assert from_env.returncode == 0, from_env.stderr[-2000:]
    assert denied_cli.returncode == 1
    assert "Jira rejected the credentials" in denied_cli.stderr

    logged = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert "retrying in" in logged  # the faults did cause retries, errors and rejections
    assert "Jira GET" in logged  # DEBUG logging was on
    assert "***" in " ".join(texts)  # the echoed credential was there, and was redacted
    everything = {
        "log records": logged,
        "error messages": "\n".join(texts),
        "CLI output": "\n".join([from_env.stdout, from_env.stderr, denied_cli.stdout, denied_cli.stderr]),
        "store": store_text(config.store_url),
    }
    for where, text in everything.items():
        for secret in forms:
            assert secret not in text, f"{secret!r} found in the {where}"
