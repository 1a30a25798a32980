"""Reviews in Jira's comment formats: Atlassian Document Format (Cloud) and wiki markup (Data Center).

Jira text (a summary, a KPI's name) is escaped in wiki markup, so it cannot become a link, a macro
or formatting; in ADF it is a text node, which Jira never interprets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sync.app.reviews.blocks import Block, Bullets, Heading, Paragraph
from sync.jira import CommentBody

#: Characters wiki markup gives a meaning to anywhere in a line.
_WIKI_SPECIAL = re.compile(r"([\\{}\[\]|*_^~+!#?])")


def wiki_escape(text: str) -> str:
    """``text`` as wiki markup that shows it as it is (no link, macro, table cell or formatting)."""
    escaped = _WIKI_SPECIAL.sub(r"\\\1", text.replace("\n", " "))
    escaped = escaped.replace("--", "-\\-")
    return "\\-" + escaped[1:] if escaped.startswith("-") else escaped


def to_wiki(blocks: Sequence[Block]) -> str:
    """The blocks as Jira wiki markup."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"h{block.level}. {wiki_escape(block.text)}")
        elif isinstance(block, Paragraph):
            parts.append(wiki_escape(block.text))
        elif isinstance(block, Bullets):
            parts.append("\n".join(f"* {wiki_escape(item)}" for item in block.items))
        else:
            header = "||" + "||".join(wiki_escape(cell) or " " for cell in block.header) + "||"
            rows = ["|" + "|".join(wiki_escape(cell) or " " for cell in row) + "|" for row in block.rows]
            parts.append("\n".join([header, *rows]))
    return "\n\n".join(parts)


def _text(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": text}] if text else []


def _paragraph(text: str) -> dict[str, Any]:
    return {"type": "paragraph", "content": _text(text)}


def _cell(kind: str, text: str) -> dict[str, Any]:
    return {"type": kind, "content": [_paragraph(text)]}


def to_adf(blocks: Sequence[Block]) -> dict[str, Any]:
    """The blocks as an Atlassian Document Format document."""
    content: list[dict[str, Any]] = []
    for block in blocks:
        if isinstance(block, Heading):
            content.append({"type": "heading", "attrs": {"level": block.level}, "content": _text(block.text)})
        elif isinstance(block, Paragraph):
            content.append(_paragraph(block.text))
        elif isinstance(block, Bullets):
            items = [{"type": "listItem", "content": [_paragraph(item)]} for item in block.items]
            content.append({"type": "bulletList", "content": items})
        else:
            rows = [{"type": "tableRow", "content": [_cell("tableHeader", cell) for cell in block.header]}]
            rows += [{"type": "tableRow", "content": [_cell("tableCell", cell) for cell in row]} for row in block.rows]
            content.append({"type": "table", "content": rows})
    return {"type": "doc", "version": 1, "content": content}


def comment_body(blocks: Sequence[Block]) -> CommentBody:
    """The blocks in both of Jira's comment formats."""
    return CommentBody(adf=to_adf(blocks), wiki=to_wiki(blocks))
