"""Review comments within Jira's size limit: a comment too long for Jira is shortened, never refused.

Jira refuses a comment body over 32,767 characters (an ADF document counted as its JSON). A review
too long for that keeps its header (the blocks before its first section) and as many of its
sections, in order, as fit; a section too long whole keeps its heading and text without its table;
what is left out is named in a closing note that says where the whole review is (its file, the
dashboard).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from sync.app.reviews.blocks import Block, Heading, Paragraph, Table
from sync.app.reviews.jira_formats import comment_body
from sync.jira import CommentBody

#: The most characters Jira takes in a comment body.
COMMENT_LIMIT = 32_767


def body_size(body: CommentBody) -> int:
    """The larger of the body's two sizes as Jira counts them: the ADF document as JSON, the wiki markup."""
    return max(len(json.dumps(body.adf)), len(body.wiki))


def _sections(blocks: Sequence[Block]) -> tuple[list[Block], list[list[Block]]]:
    """The header (the blocks before the first section heading) and the sections, each from its heading."""
    head: list[Block] = []
    sections: list[list[Block]] = []
    for block in blocks:
        if isinstance(block, Heading) and block.level >= 2:
            sections.append([block])
        elif sections:
            sections[-1].append(block)
        else:
            head.append(block)
    return head, sections


def _title(section: list[Block]) -> str:
    first = section[0]
    return first.text if isinstance(first, Heading) else ""


def _note(left_out: Sequence[str], elsewhere: str, limit: int) -> Paragraph:
    named = "; ".join(left_out) if left_out else "nothing"
    return Paragraph(
        f"This review is longer than a Jira comment may be ({limit:,} characters), so this comment leaves out: "
        f"{named}. {elsewhere}".rstrip()
    )


def fitted_body(blocks: Sequence[Block], closing: Block, elsewhere: str, limit: int = COMMENT_LIMIT) -> CommentBody:
    """``blocks`` and then ``closing`` (the comment's marker) as a comment body of at most ``limit`` characters.

    ``elsewhere`` is the sentence saying where the whole review can be read.
    """
    whole = comment_body((*blocks, closing))
    if body_size(whole) <= limit:
        return whole
    head, sections = _sections(blocks)
    # room for the longest note this comment can get: every section named, each as without its table
    widest = _note([f"{_title(s)} (its table)" for s in sections], elsewhere, limit)
    kept: list[Block] = list(head)
    left_out: list[str] = []
    for section in sections:
        brief = [b for b in section if not isinstance(b, Table)]
        for candidate, dropped in ((section, None), (brief, f"{_title(section)} (its table)")):
            if body_size(comment_body((*kept, *candidate, widest, closing))) <= limit:
                kept += candidate
                if dropped is not None:
                    left_out.append(dropped)
                break
        else:
            left_out.append(_title(section))
    fitted = comment_body((*kept, _note(left_out, elsewhere, limit), closing))
    if body_size(fitted) <= limit:
        return fitted
    return comment_body((*head, _note(["every section"], elsewhere, limit), closing))
