"""Reviews as Markdown: the files written beside the JSON and what ``--format markdown`` prints."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sync.app.reviews.blocks import Block, Bullets, Heading, Paragraph, Table

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|!])")


def escape(text: str) -> str:
    """``text`` with Markdown's special characters escaped, so Jira text stays text."""
    return _SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def to_markdown(blocks: Sequence[Block]) -> str:
    """The blocks as one Markdown document."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {escape(block.text)}")
        elif isinstance(block, Paragraph):
            parts.append(escape(block.text))
        elif isinstance(block, Bullets):
            parts.append("\n".join(f"- {escape(item)}" for item in block.items))
        else:
            parts.append(_table(block))
    return "\n\n".join(parts) + "\n"


def _table(table: Table) -> str:
    lines = ["| " + " | ".join(escape(cell) for cell in table.header) + " |"]
    lines.append("|" + "---|" * len(table.header))
    lines.extend("| " + " | ".join(escape(cell) for cell in row) + " |" for row in table.rows)
    return "\n".join(lines)
