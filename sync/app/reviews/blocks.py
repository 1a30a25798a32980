"""What a review says, as a few kinds of block every rendering knows: Markdown, ADF and wiki markup.

A review is built once as blocks; each format renders them, so the comment in Jira, the Markdown
file and the dry-run print say the same. Text in blocks is plain: each renderer escapes it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Heading:
    """A heading; ``level`` 1 to 3."""

    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """A bulleted list, one plain-text item each."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table: a header row and rows of plain-text cells."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


Block = Heading | Paragraph | Bullets | Table


def section(title: str, body: list[Block], empty: str) -> list[Block]:
    """A heading and ``body``, or the heading and the sentence ``empty`` when there is no body."""
    return [Heading(title), *(body or [Paragraph(empty)])]
