"""How a failure ends the ``kpiokr`` process: one table from the exception tree to exit codes.

Every command runs through :func:`exit_code`; a failure it knows prints one line,
``kpiokr: <what went wrong and the fix>``, never a traceback, and gives the code of its row.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from sync.app import AsOfError
from sync.errors import ConfigError, KpiokrError, MappingError
from sync.store import StoreLocked

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3


def _interrupted(_error: BaseException) -> str:
    return "interrupted"


def _not_utf8(error: BaseException) -> str:
    return f"a file kpiokr read is not UTF-8 text ({error}): save it as UTF-8"


def _os_error(error: BaseException) -> str:
    """An operating-system failure as one sentence with the path and what to check."""
    filename, strerror = getattr(error, "filename", None), getattr(error, "strerror", None)
    where = f" ({filename})" if filename else ""
    what = strerror or str(error) or type(error).__name__
    return f"{what}{where}: check that the path exists and that this account may read and write it"


@dataclass(frozen=True, slots=True)
class Exit:
    """A row of :data:`EXITS`: a failure of type ``kind`` prints ``say(error)`` and ends with ``code``."""

    kind: type[BaseException]
    code: int
    say: Callable[[BaseException], str] = str


#: The first row whose ``kind`` the failure is an instance of applies: subclasses come before their bases.
EXITS: tuple[Exit, ...] = (
    Exit(StoreLocked, EXIT_LOCKED),
    Exit(ConfigError, EXIT_USAGE),
    Exit(MappingError, EXIT_USAGE),
    Exit(AsOfError, EXIT_USAGE),
    Exit(KpiokrError, EXIT_FAILED),
    Exit(KeyboardInterrupt, EXIT_FAILED, _interrupted),
    Exit(UnicodeError, EXIT_USAGE, _not_utf8),
    Exit(OSError, EXIT_FAILED, _os_error),
)


def exit_code(action: Callable[[], int], err: TextIO | None = None) -> int:
    """Run ``action`` and return its exit code; a failure :data:`EXITS` knows is printed to ``err``
    (standard error) and gives its row's code, any other propagates."""
    try:
        return action()
    except BaseException as error:
        row = next((row for row in EXITS if isinstance(error, row.kind)), None)
        if row is None:
            raise
        print(f"kpiokr: {row.say(error)}", file=err or sys.stderr)
        return row.code
