"""``kpiokr setup --webhook URL``: registers (or updates) kpiokr's admin webhook in Jira for the mapped
projects, signed with a secret kept like the Jira token: in the environment variable ``[webhooks]``
names, else in its secret file (written 0600 when kpiokr generates the secret). The secret is never
printed in full."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from sync.app import REGISTERED_EVENTS
from sync.cli.bootstrap import GatewayFactory, opened_app
from sync.config import Config, read_secret
from sync.errors import ConfigError, MappingError
from sync.jira import JiraRestGateway, WebhookRegistration, project_clause
from sync.mapping import load_mappings

NAME = "kpiokr"
DEFAULT_SECRET_FILE = Path("webhook-secret")


def setup_webhook(config: Config, url: str, *, dry_run: bool, gateways: GatewayFactory = JiraRestGateway) -> int:
    """Register kpiokr's webhook at ``url`` (the daemon's ``/webhooks/jira``) for the mapped projects."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.path.endswith("/webhooks/jira"):
        raise ConfigError(
            f"--webhook {url!r} is not the address of kpiokr's webhook endpoint: give the URL Jira reaches"
            " `kpiokr daemon --serve` at, ending in /webhooks/jira (https://kpiokr.example.com/webhooks/jira)"
        )
    loaded = load_mappings(config.mapping_paths)
    if loaded.errors:
        raise MappingError(loaded.errors)
    projects = {p for team in loaded.teams for p in team.team.projects}
    if not projects:
        raise ConfigError("no mapping file names a project: write the mapping files first (see mappings/README.md)")
    jql = project_clause(projects)
    if dry_run:
        print(f"would register the webhook {NAME!r} at {url} for {jql}, events: {', '.join(REGISTERED_EVENTS)}")
        return 0
    secret, where = _secret(config)
    registration = WebhookRegistration(NAME, url, REGISTERED_EVENTS, jql, secret)
    with opened_app(config, os.environ, gateways) as app:
        done, address = app.jira.register_webhook(registration)
    print(f"{done}: webhook {NAME!r} at {url} for {jql} ({address})")
    print(f"secret: {secret[:4]}... ({where}); Jira signs each webhook with it (X-Hub-Signature)")
    settings = config.webhooks
    if not settings.enabled or (where.startswith("the file") and settings.secret_file is None):
        print(
            "Turn webhooks on in the config and run `kpiokr daemon --serve`:\n"
            f'[webhooks]\nenabled = true\nsecret_file = "{DEFAULT_SECRET_FILE}"'
        )
    return 0


def _secret(config: Config) -> tuple[str, str]:
    """The webhook secret in force (environment or file), else a new one written 0600 to the secret file."""
    settings = config.webhooks
    if os.environ.get(settings.secret_env, "").strip():
        return os.environ[settings.secret_env].strip(), f"the environment variable {settings.secret_env}"
    path = config.resolve(settings.secret_file or DEFAULT_SECRET_FILE)
    if path.is_file() and path.read_text(encoding="utf-8").strip():
        found = read_secret(None, path, os.environ, config.base_dir, "webhooks.secret_file", what="secret")
        if found:
            return found, f"the file {path}"
    secret = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(secret + "\n")
    os.chmod(path, 0o600)
    return secret, f"the file {path}, generated"
