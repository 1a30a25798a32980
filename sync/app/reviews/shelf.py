"""The reviews written so far, read back from their JSON files (for the dashboard).

A review's JSON file is ``<directory>/<team>/<kind>-<period>.json`` (:mod:`sync.app.reviews.files`);
its ``period`` is the slug of the period's label (``week-of-2026-11-16``, ``2026-11``, ``2026-q4``).
A file that cannot be read as a review is left out of the list, with a warning in the log.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sync.app.reviews.blocks import Block
from sync.app.reviews.monthly import check_in_blocks
from sync.app.reviews.periods import slug
from sync.app.reviews.quarterly import quarterly_blocks
from sync.app.reviews.weekly import digest_blocks

_NAME = re.compile(r"^(weekly|monthly|quarterly)-([a-z0-9][a-z0-9-]*)$")
_BLOCKS = {"weekly": digest_blocks, "monthly": check_in_blocks, "quarterly": quarterly_blocks}

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WrittenReview:
    """One review file: its kind, period (slug and label, first day), the instant it is as of, when written."""

    kind: str
    period: str
    label: str
    start: str
    as_of: str
    written: datetime


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        log.warning("%s: not read as a review: %s", path, error)
        return None
    if not isinstance(data, dict) or data.get("review") not in _BLOCKS or not isinstance(data.get("period"), dict):
        log.warning("%s: not read as a review: it holds no review document", path)
        return None
    return data


class ReviewShelf:
    """The review files under ``directory``, read back for the dashboard."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def written(self, team: str) -> list[WrittenReview]:
        """``team``'s reviews written so far, newest period first."""
        found = []
        for path in sorted((self.directory / slug(team)).glob("*.json")):
            name = _NAME.match(path.stem)
            data = _load(path) if name else None
            if name is None or data is None:
                continue
            written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            period = data["period"]
            label, start = str(period.get("label")), str(period.get("start"))
            found.append(WrittenReview(name[1], name[2], label, start, str(data.get("as_of")), written))
        return sorted(found, key=lambda r: (r.start, r.kind), reverse=True)

    def read(self, team: str, kind: str, period: str) -> dict[str, Any] | None:
        """The JSON document of ``team``'s review of ``kind`` for ``period`` (its slug); ``None`` when none
        is written."""
        if _NAME.match(f"{kind}-{period}") is None:
            return None
        path = self.directory / slug(team) / f"{kind}-{period}.json"
        return _load(path) if path.is_file() else None

    @staticmethod
    def blocks(data: dict[str, Any]) -> list[Block]:
        """The whole review for people, from its JSON document (as its Markdown file and comments say it)."""
        return _BLOCKS[data["review"]](data)
