"""Helpers shared by the resilience tests: configs with a fast retry budget, Jira's field values, the CLI."""

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

from jira_sandbox import Site
from sync.cli.commands import setup
from sync.cli.demo_files import write_demo_files
from sync.config import Config, load_config
from tests.e2e.conftest import NOW, Jira

ROOT = Path(__file__).resolve().parents[2]
SCORE_FIELDS = ("Objective score", "Objective status", "Objective summary", "Key result progress")
#: Retries that take milliseconds: the same policy, a smaller budget.
FAST_RETRY = {"max_attempts": 4, "max_wait_seconds": 5, "backoff_seconds": 0.05, "max_backoff_seconds": 0.2}


def toml_section(name: str, values: dict[str, object]) -> str:
    """``[name]`` and its keys, for appending to a config file."""
    lines = [f"\n[{name}]"]
    for key, value in values.items():
        shown = f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else value
        lines.append(f"{key} = {shown}")
    return "\n".join(lines) + "\n"


def make_config(
    jira: Jira,
    directory: Path,
    *,
    retry: dict[str, object] | None = None,
    sections: dict[str, dict[str, object]] | None = None,
    now=NOW,
    create_fields: bool = True,
) -> Config:
    """The demo's config and mappings for ``jira`` in ``directory``, with extra config sections; fields set up."""
    path = write_demo_files(directory, jira.site, jira.server.url, jira.flavor, now)
    extra = {"retry": FAST_RETRY if retry is None else retry, **(sections or {})}
    with path.open("a") as file:
        for name, values in extra.items():
            file.write(toml_section(name, values))
    config = load_config(path)
    if create_fields:
        with contextlib.redirect_stdout(io.StringIO()):
            setup(config, dry_run=False)
    jira.server.clear_request_log()
    return config


def config_file(config: Config) -> Path:
    """The config file a :class:`Config` was loaded from (the demo writes ``config.toml``)."""
    return config.base_dir / "config.toml"


def field_by_name(site: Site, name: str):
    """The sandbox's live field called ``name``."""
    return next(f for f in site.fields.values() if f.name == name and not f.deleted)


def jira_value(site: Site, key: str, name: str) -> object:
    """What Jira shows in field ``name`` of issue ``key`` (a select's option text)."""
    field = field_by_name(site, name)
    value = site.by_key[key].values.get(field.key)
    return field.options.get(value, value) if field.options else value


def score_values(site: Site) -> dict[tuple[str, str], object]:
    """Every score field value Jira holds, by (issue key, field name)."""
    found = {}
    for name in SCORE_FIELDS:
        field = field_by_name(site, name)
        for issue in site.issues:
            value = issue.values.get(field.key)
            if value is not None:
                found[issue.key, name] = field.options.get(value, value) if field.options else value
    return found


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``kpiokr ARGS`` in a subprocess, as an admin runs it."""
    return subprocess.run(
        [sys.executable, "-m", "sync.cli", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
