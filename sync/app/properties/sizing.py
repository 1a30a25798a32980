"""Keeping a property document within the size kpiokr allows it (24 KB), never failing.

Jira holds at most 32,768 bytes a property value; kpiokr keeps its documents to 24 KB, so the Forge
panel reads them fast and a new optional field never pushes one over. A document that is longer is
cut, step by step, until it fits: first every series keeps fewer points (the newest), then reasons
are fewer and shorter, and as a last resort the longest lists keep their first items. The cuts made
are listed in the document's ``shortened`` array.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

#: The most bytes (UTF-8, compact JSON) a property document may take.
LIMIT_BYTES = 24 * 1024
_SERIES_POINTS = (32, 16, 8, 4, 2, 1, 0)
_REASONS = (3, 1, 0)
_REASON_CHARS = 160


def size(document: Any) -> int:
    """The document's size in bytes as it is sent (compact JSON, UTF-8)."""
    return len(json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode())


def fit(document: dict[str, Any], limit: int = LIMIT_BYTES) -> dict[str, Any]:
    """``document`` when it fits in ``limit`` bytes, else a copy cut until it does (see the module)."""
    if size(document) <= limit:
        return document
    cut: dict[str, Any] = json.loads(json.dumps(document))
    shortened: list[str] = []
    cut["shortened"] = shortened
    for points in _SERIES_POINTS:
        _each(cut, "series", partial(_newest, points))
        shortened[:] = [f"series cut to their newest {points} points"]
        if size(cut) <= limit:
            return cut
    for kept in _REASONS:
        _each(cut, "reasons", partial(_first, kept))
        shortened[:] = ["series left out", f"reasons cut to {kept} each"]
        if size(cut) <= limit:
            return cut
    while size(cut) > limit:
        longest = max(_lists(cut), key=lambda items: (size(items), len(items)), default=None)
        if longest is None or not longest:
            break
        dropped = len(longest) - len(longest) // 2
        del longest[len(longest) // 2 :]
        shortened.append(f"{dropped} list items left out")
    return cut


def _newest(points: int, series: list[Any]) -> list[Any]:
    return series[-points:] if points else []


def _first(kept: int, reasons: list[Any]) -> list[Any]:
    return [_short(r) for r in reasons[:kept]]


def _short(text: Any) -> Any:
    return text[: _REASON_CHARS - 1] + "…" if isinstance(text, str) and len(text) > _REASON_CHARS else text


def _each(node: Any, key: str, change: Callable[[list[Any]], list[Any]]) -> None:
    """Replace every list held under ``key``, at any depth, by ``change(list)``."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key and isinstance(value, list):
                node[name] = change(value)
            else:
                _each(value, key, change)
    elif isinstance(node, list):
        for value in node:
            _each(value, key, change)


def _lists(node: Any) -> Iterator[list[Any]]:
    """Every non-empty list in the document (``shortened`` aside)."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name != "shortened":
                yield from _lists(value)
    elif isinstance(node, list) and node:
        yield node
        for value in node:
            yield from _lists(value)
