"""The command line's one table from failures to exit codes: a case per row, and what it prints."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest

from sync.app import AsOfError
from sync.cli.exit_codes import EXITS, exit_code
from sync.errors import ConfigError, JiraAuthError, MappingError, RunAbandoned, StoreError
from sync.mapping import MappingProblem
from sync.store import StoreLocked

SINCE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LOCKED = StoreLocked("daemon", "daemon@host:4242", SINCE, SINCE.replace(hour=13))
PROBLEM = MappingProblem("mappings/mob.toml", 14, 3, "kpi[0].window", "must be at most 1826 (5 years)")

#: (failure, exit code, the line printed): one case per row of EXITS, in its order.
CASES = [
    (LOCKED, 3, f"kpiokr: {LOCKED}"),
    (ConfigError("config.toml: jira.url: must start with https://"), 2, "kpiokr: config.toml: jira.url: must start"),
    (MappingError([PROBLEM]), 2, "kpiokr: 1 error in the mapping files:\nmappings/mob.toml:14:3: kpi[0].window"),
    (AsOfError("--cycle 2026-Q9 is not a [[past_cycle]]"), 2, "kpiokr: --cycle 2026-Q9 is not a [[past_cycle]]"),
    (JiraAuthError("Jira rejected the credentials"), 1, "kpiokr: Jira rejected the credentials"),
    (KeyboardInterrupt(), 1, "kpiokr: interrupted"),
    (
        UnicodeDecodeError("utf-8", b"\xe9", 0, 1, "invalid continuation byte"),
        2,
        "kpiokr: a file kpiokr read is not UTF-8 text ('utf-8' codec can't decode byte 0xe9 in position 0:",
    ),
    (
        PermissionError(13, "Permission denied", "/var/lib/kpiokr"),
        1,
        "kpiokr: Permission denied (/var/lib/kpiokr): check that the path exists and that this account may",
    ),
]


def _raising(error: BaseException):
    def action() -> int:
        raise error

    return action


@pytest.mark.parametrize(("error", "code", "printed"), CASES, ids=[type(e).__name__ for e, _, _ in CASES])
def test_a_failure_prints_one_line_and_ends_with_its_rows_code(error, code, printed):
    err = io.StringIO()
    assert exit_code(_raising(error), err) == code
    assert err.getvalue().startswith(printed)
    assert err.getvalue().count("kpiokr:") == 1
    assert "Traceback" not in err.getvalue()


def test_every_row_has_its_case():
    first_rows = [next(row for row in EXITS if isinstance(error, row.kind)) for error, _, _ in CASES]
    assert first_rows == list(EXITS)


@pytest.mark.parametrize("error", [StoreError("the disk holding x is full"), RunAbandoned("stopped on request")])
def test_every_other_kpiokr_error_is_a_failure(error):
    err = io.StringIO()
    assert exit_code(_raising(error), err) == 1
    assert err.getvalue() == f"kpiokr: {error}\n"


def test_a_command_that_ends_gives_its_own_code_and_prints_nothing():
    err = io.StringIO()
    assert exit_code(lambda: 0, err) == 0
    assert exit_code(lambda: 1, err) == 1
    assert err.getvalue() == ""


def test_a_failure_no_row_knows_keeps_its_traceback():
    with pytest.raises(ZeroDivisionError):
        exit_code(lambda: 1 // 0, io.StringIO())
