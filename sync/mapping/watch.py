"""Mapping files as a running daemon sees them: re-read when they change, the last valid set kept.

An admin editing a mapping file into an invalid state must not stop a daemon that has run for
months: the errors are logged and the previous mappings stay in force until the file is fixed.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from sync.errors import MappingError
from sync.mapping.loader import load_mappings, mapping_files
from sync.mapping.schema import TeamMapping

log = logging.getLogger(__name__)

Signature = tuple[tuple[str, int, int], ...]


class MappingWatcher:
    """Hands out the current valid mappings, reloading when a file is added, removed or changed."""

    def __init__(self, paths: Sequence[Path]) -> None:
        self._paths = list(paths)
        self._signature: Signature | None = None
        self._teams: tuple[TeamMapping, ...] | None = None
        self.errors: tuple[str, ...] = ()

    def _signature_now(self) -> Signature:
        files, _ = mapping_files(self._paths)
        found = []
        for file in files:
            try:
                stat = file.stat()
            except OSError:
                continue
            found.append((str(file), stat.st_mtime_ns, stat.st_size))
        return tuple(found)

    def current(self) -> tuple[TeamMapping, ...]:
        """The mappings in force. Raises :class:`MappingError` only if no valid set was ever loaded."""
        signature = self._signature_now()
        if signature == self._signature and self._teams is not None:
            return self._teams
        loaded = load_mappings(self._paths)
        self._signature = signature
        for warning in loaded.warnings:
            log.warning("mapping: %s", warning)
        if loaded.errors:
            self.errors = tuple(str(e) for e in loaded.errors)
            if self._teams is None:
                raise MappingError(loaded.errors)
            for error in loaded.errors:
                log.error("mapping: %s", error)
            log.error("mapping files have errors: keeping the last valid mappings until they are fixed")
            return self._teams
        if self._teams is not None:
            log.info("mapping files changed: %d team(s) loaded", len(loaded.teams))
        self.errors = ()
        self._teams = loaded.teams
        return self._teams
