"""Where things are in a TOML text: the line and column of every key, table and array element.

``tomllib`` returns plain dicts without positions, and pydantic reports errors by path
(``("objective", 1, "key_result", 0, "target")``). :func:`toml_positions` scans the text once and
records the position of every path so an error can be shown as ``file:line:column``. The scanner
assumes the text already parsed with ``tomllib``; it recognises structure, it does not validate.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass

Loc = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]\}\n#]")
_SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_SYNTAX_AT_END = re.compile(r"\s*\(at end of document\)$")
_KEY_TUPLE = re.compile(r"\(('[^']*'(?:, '[^']*')*),?\)")


@dataclass(frozen=True)
class TomlPositions:
    """The 1-based ``(line, column)`` of each path recorded in one TOML text."""

    entries: Mapping[Loc, tuple[int, int]]

    def find(self, loc: Loc) -> tuple[int, int]:
        """The position of ``loc``, else of its longest recorded prefix, else ``(1, 1)``."""
        for end in range(len(loc), 0, -1):
            position = self.entries.get(loc[:end])
            if position is not None:
                return position
        return (1, 1)


def syntax_error_position(error: tomllib.TOMLDecodeError, text: str) -> tuple[int, int, str]:
    """``(line, column, message)`` of a ``tomllib`` error, whose position is only in its message."""
    message = _KEY_TUPLE.sub(lambda m: "[" + ".".join(re.findall(r"'([^']*)'", m[1])) + "]", str(error))
    found = _SYNTAX_POSITION.search(message)
    if found:
        return int(found[1]), int(found[2]), message[: found.start()]
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1, _SYNTAX_AT_END.sub("", message)


def toml_positions(text: str) -> TomlPositions:
    """Scan ``text`` (valid TOML) and record where every key, table and array element starts."""
    scanner = _Scanner(text)
    scanner.document()
    return TomlPositions(scanner.entries)


class _Scanner:
    """A single pass over the text, tracking the current table like a TOML parser does."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.entries: dict[Loc, tuple[int, int]] = {}
        self.array_tables: dict[Loc, int] = {}

    def position(self, index: int) -> tuple[int, int]:
        line = bisect_right(self.line_starts, index)
        return line, index - self.line_starts[line - 1] + 1

    def record(self, loc: Loc, index: int) -> None:
        self.entries.setdefault(loc, self.position(index))

    def peek(self, count: int = 1) -> str:
        return self.text[self.i : self.i + count]

    def skip_blanks(self, newlines: bool) -> None:
        """Skip spaces and tabs, and with ``newlines`` also line breaks and comments."""
        while self.i < len(self.text):
            char = self.text[self.i]
            if char in " \t\r" or (newlines and char == "\n"):
                self.i += 1
            elif char == "#" and newlines:
                end = self.text.find("\n", self.i)
                self.i = len(self.text) if end < 0 else end
            else:
                return

    def document(self) -> None:
        table: Loc = ()
        while True:
            self.skip_blanks(newlines=True)
            if self.i >= len(self.text):
                return
            if self.peek() == "[":
                table = self.header()
            else:
                self.key_value(table)

    def header(self) -> Loc:
        start = self.i
        is_array = self.peek(2) == "[["
        self.i += 2 if is_array else 1
        parts = [key for key, _ in self.dotted_key()]
        self.i += 2 if is_array else 1
        resolved = self.resolve(parts[:-1] if is_array else parts)
        if not is_array:
            self.record(resolved, start)
            return resolved
        array = (*resolved, parts[-1])
        index = self.array_tables.get(array, 0)
        self.array_tables[array] = index + 1
        self.record(array, start)
        self.record((*array, index), start)
        return (*array, index)

    def resolve(self, parts: list[str]) -> Loc:
        """A header's path with the last element of each array of tables it passes through."""
        loc: Loc = ()
        for part in parts:
            loc = (*loc, part)
            if loc in self.array_tables:
                loc = (*loc, self.array_tables[loc] - 1)
        return loc

    def dotted_key(self) -> list[tuple[str, int]]:
        """The parts of a (possibly dotted, possibly quoted) key, each with its start index."""
        parts: list[tuple[str, int]] = []
        while True:
            self.skip_blanks(newlines=False)
            start = self.i
            if self.peek() in ("'", '"'):
                self.i = self.string_end(start)
                parts.append((tomllib.loads(f"k = {self.text[start : self.i]}")["k"], start))
            else:
                found = _BARE_KEY.match(self.text, self.i)
                end = found.end() if found else self.i + 1
                parts.append((self.text[self.i : end], start))
                self.i = end
            self.skip_blanks(newlines=False)
            if self.peek() != ".":
                return parts
            self.i += 1

    def key_value(self, table: Loc) -> None:
        loc = table
        for key, start in self.dotted_key():
            loc = (*loc, key)
            self.record(loc, start)
        self.skip_blanks(newlines=False)
        self.i += 1  # "="
        self.skip_blanks(newlines=False)
        self.value(loc)

    def value(self, loc: Loc) -> None:
        char = self.peek()
        if char == "[":
            self.i += 1
            self.items(loc, "]", newlines=True)
        elif char == "{":
            self.i += 1
            self.items(loc, "}", newlines=False)
        elif char in ("'", '"'):
            self.i = self.string_end(self.i)
        else:
            found = _SCALAR_END.search(self.text, self.i)
            self.i = found.start() if found else len(self.text)

    def items(self, loc: Loc, close: str, newlines: bool) -> None:
        """The elements of an array, or the key/value pairs of an inline table, up to ``close``."""
        index = 0
        while True:
            self.skip_blanks(newlines=newlines)
            if self.i >= len(self.text) or self.peek() == close:
                self.i += 1
                return
            if self.peek() == ",":
                self.i += 1
                continue
            if close == "]":
                self.record((*loc, index), self.i)
                self.value((*loc, index))
                index += 1
            else:
                self.key_value(loc)

    def string_end(self, start: int) -> int:
        """The index just after the string literal starting at ``start``."""
        quote = self.text[start]
        delimiter = quote * 3 if self.text.startswith(quote * 3, start) else quote
        i = start + len(delimiter)
        while True:
            if quote == '"' and self.text[i] == "\\":
                i += 2
                continue
            if self.text.startswith(delimiter, i):
                end = i + len(delimiter)
                while len(delimiter) == 3 and end < len(self.text) and self.text[end] == quote and end - i < 5:
                    end += 1
                return end
            i += 1
