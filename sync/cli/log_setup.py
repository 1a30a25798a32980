"""Logging for the ``kpiokr`` commands: readable lines or one JSON object a line, kpiokr's own messages only.

Libraries (alembic migrating the store, apscheduler running jobs) log at INFO on every start and
every pass; at the default level only their warnings and errors are shown, and ``-v`` shows all.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal, TextIO

LogFormat = Literal["text", "json"]

#: Libraries whose INFO lines are noise to an admin; ``--verbose`` shows them.
QUIET_LIBRARIES = ("alembic", "apscheduler")

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: The attributes every log record has; any other was given as ``extra=`` and is a field of its own
#: (but uvicorn's ``color_message``, its message again with terminal colours).
RECORD_ATTRIBUTES = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName", "color_message"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record: ``time``, ``level``, ``logger``, ``message``, ``exception`` if any, and
    the fields given as ``extra=`` (``log.info("run %d ended", 4, extra={"outcome": "ok"})``)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        fields = {k: v for k, v in record.__dict__.items() if k not in RECORD_ATTRIBUTES and k not in entry}
        return json.dumps({**entry, **fields}, ensure_ascii=False, default=str)


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is when a record is emitted."""

    @property
    def stream(self) -> TextIO:
        """The current standard error."""
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


def configure_logging(level: str = "INFO", *, verbose: bool = False, fmt: LogFormat = "text") -> None:
    """Send log records to standard error at ``level`` (DEBUG when ``verbose``), as text or JSON lines."""
    handler = _StderrHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else getattr(logging, level))
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.NOTSET if verbose else max(logging.WARNING, root.level))
