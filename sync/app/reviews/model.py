"""A review as made: its data (the JSON document), its blocks, and the comments it posts where."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sync.app.reviews.blocks import Block
from sync.app.reviews.periods import Period


@dataclass(frozen=True)
class Review:
    """One team's review of one period, evaluated at ``as_of``.

    ``data`` is the JSON document; ``blocks`` the whole review for people (files, the terminal);
    ``comments`` the (issue key, blocks) pairs posted to Jira, one comment per issue.
    """

    team: str
    period: Period
    as_of: datetime
    data: dict[str, Any]
    blocks: tuple[Block, ...]
    comments: tuple[tuple[str, tuple[Block, ...]], ...]

    @property
    def kind(self) -> str:
        """``weekly``, ``monthly`` or ``quarterly``."""
        return self.period.kind
