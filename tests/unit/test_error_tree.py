"""One exception tree: every exception class of the daemon derives from KpiokrError and is drawn in
the docstring of sync.errors, where the bases of its branches live."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import sync
import sync.errors
from sync.errors import ConfigError, JiraError, KpiokrError, MappingError, RunAbandoned, StoreError

#: Not imported: the module ``python -m sync.cli`` runs, and Alembic's scripts, which run inside Alembic only.
NOT_IMPORTED = ("sync.cli.__main__", "sync.store.migrations")


def exception_classes() -> dict[str, type[BaseException]]:
    """Every exception class defined in a module of ``sync``, by qualified name."""
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(sync.__path__, "sync."):
        if info.name.startswith(NOT_IMPORTED):
            continue
        module = importlib.import_module(info.name)
        for _, member in inspect.getmembers(module, inspect.isclass):
            if issubclass(member, BaseException) and member.__module__ == info.name:
                found[f"{member.__module__}.{member.__qualname__}"] = member
    return found


def test_the_walk_finds_the_exceptions_of_every_room():
    modules = {cls.__module__ for cls in exception_classes().values()}
    assert {"sync.errors", "sync.store.errors", "sync.app.as_of", "sync.app.team_faults"} <= modules


def test_every_exception_class_of_the_daemon_derives_from_kpiokr_error():
    outside = sorted(name for name, cls in exception_classes().items() if not issubclass(cls, KpiokrError))
    assert outside == []


def test_every_exception_class_is_drawn_in_the_tree():
    doc = sync.errors.__doc__ or ""
    missing = sorted(name for name, cls in exception_classes().items() if f" {cls.__name__} " not in doc)
    assert missing == []


def test_the_branches_hang_from_the_root_in_sync_errors():
    for branch in (ConfigError, MappingError, StoreError, JiraError, RunAbandoned):
        assert branch.__bases__ == (KpiokrError,)
        assert branch.__module__ == "sync.errors"


def test_a_config_error_is_no_value_error_a_pydantic_validator_would_swallow():
    assert not issubclass(ConfigError, ValueError)
