"""The daemon's configuration file (``config.toml``): a frozen pydantic model, read once.

Secrets are never in the file: it names the environment variable (or the file) that holds them.
Relative paths are read against the directory of the config file.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sync.errors import ConfigError

DEFAULT_CONFIG = Path("config.toml")
CONFIG_ENV = "KPIOKR_CONFIG"


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class JiraSettings(_Section):
    """Where Jira is and how to authenticate to it."""

    url: str = Field(description="Base URL of the site, e.g. https://example.atlassian.net")
    flavor: Literal["auto", "cloud", "datacenter"] = Field(
        "auto", description="Cloud or Data Center; 'auto' asks the site's serverInfo"
    )
    email: str | None = Field(None, description="Cloud: the service account's e-mail (basic auth with an API token)")
    token_env: str = Field(
        "KPIOKR_JIRA_TOKEN", description="Environment variable holding the API token (Cloud) or personal access token"
    )
    token_file: Path | None = Field(None, description="Alternatively, a file holding the token (first line)")
    ca_bundle: Path | None = Field(None, description="A CA bundle for TLS verification (a company proxy's CA)")
    timeout_seconds: float = Field(30.0, gt=0, description="Timeout of one HTTP request")

    @field_validator("url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a local sandbox)")
        if "@" in urlsplit(value).netloc:
            raise ValueError(
                "must not hold credentials (user:token@): write the bare site URL; the token goes in the"
                " environment variable named by jira.token_env or in the file named by jira.token_file, and"
                " the Cloud account's e-mail in jira.email"
            )
        return value.rstrip("/")


class StoreSettings(_Section):
    """Where the state store lives."""

    url: str = Field(
        "sqlite:///kpiokr.sqlite3",
        description="SQLAlchemy URL; a relative SQLite path is next to this file; postgresql://... in production",
    )


class MappingSettings(_Section):
    """Which mapping files to read."""

    paths: tuple[Path, ...] = Field((Path("mappings"),), description="Mapping files or directories of *.toml files")


class SyncSettings(_Section):
    """How often and how the daemon syncs."""

    interval_minutes: float = Field(10.0, gt=0, description="Minutes between incremental syncs")
    reconcile_at: str = Field("03:30", description="Local time of the nightly reconciliation (HH:MM, 24-hour)")
    overlap_minutes: int = Field(
        5, ge=1, description="Minutes the incremental query reaches back before the watermark (clock skew, minute JQL)"
    )
    agile_refresh_minutes: float = Field(60.0, gt=0, description="How often boards and sprints are re-read at most")
    lock_ttl_seconds: int = Field(900, ge=60, description="A lock not refreshed for this long may be taken over")
    lease_seconds: int = Field(
        60,
        ge=3,
        description="Several daemons on one PostgreSQL store: a daemon's teams not renewed for this long "
        "(it renews every third of it) are taken over by the others",
    )

    @field_validator("reconcile_at")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        match = re.fullmatch(r"(\d{2}):(\d{2})", value)
        if match is None or int(match[1]) > 23 or int(match[2]) > 59:
            raise ValueError(f'{value!r} is not a time of day: write HH:MM from 00:00 to 23:59, e.g. "03:30"')
        return value


class RetrySettings(_Section):
    """The retry budget for Jira requests (429, 5xx, connection errors)."""

    max_attempts: int = Field(6, ge=1, description="Attempts per request, the first included")
    max_wait_seconds: float = Field(120.0, gt=0, description="Total seconds one request may spend waiting to retry")
    backoff_seconds: float = Field(
        1.0, gt=0, description="First backoff window after a 5xx or a lost connection; it doubles per attempt"
    )
    max_backoff_seconds: float = Field(30.0, gt=0, description="The longest one backoff may get")
    max_retry_after_seconds: float = Field(
        60.0, ge=0, description="The longest kpiokr waits when a 429 says Retry-After"
    )


class DashboardSettings(_Section):
    """Where ``kpiokr serve`` listens, and who may read it."""

    bind: str = Field("127.0.0.1", description="Address the dashboard listens on; elsewhere than loopback needs access")
    port: int = Field(8040, ge=1, le=65535, description="Port the dashboard listens on")
    base_path: str = Field("", description="Path prefix behind a reverse proxy, e.g. /kpiokr (empty: at the root)")
    token_env: str | None = Field(None, description="Environment variable holding a token readers send as Bearer")
    token_file: Path | None = Field(None, description="Alternatively, a file holding that token (first line)")
    basic_user: str | None = Field(None, description="User name of HTTP basic authentication")
    basic_password_env: str | None = Field(None, description="Environment variable holding the basic-auth password")
    basic_password_file: Path | None = Field(None, description="Alternatively, a file holding that password")
    trusted_header: str | None = Field(
        None, description="A header the reverse proxy sets to the authenticated user (e.g. X-Forwarded-User)"
    )
    public_url: str | None = Field(
        None,
        description="The dashboard's address as readers reach it (e.g. https://kpiokr.example.com/kpiokr); the"
        " properties written into Jira link to it",
    )

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "must be the dashboard's full address as readers reach it, e.g. https://kpiokr.example.com/kpiokr"
            )
        if "@" in parts.netloc:
            raise ValueError(
                "must not hold credentials (user:password@): kpiokr writes this address into Jira, where"
                " everyone who can see the epic reads it; readers authenticate to the dashboard themselves"
            )
        return value.rstrip("/")

    @field_validator("base_path")
    @classmethod
    def _path_prefix(cls, value: str) -> str:
        value = value.rstrip("/")
        if value and not value.startswith("/"):
            raise ValueError(f'{value!r} is not a path: write it with a leading slash, e.g. "/kpiokr"')
        return value

    @property
    def url(self) -> str:
        """Where the dashboard answers when served with these settings."""
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"http://{host}:{self.port}{self.base_path}/"


class WritebackSettings(_Section):
    """How scores are written into Jira."""

    enabled: bool = Field(True, description="False: compute and store scores, write nothing")
    notify_users: bool = Field(False, description="Send Jira notifications for the daemon's edits")
    decimals: int = Field(2, ge=0, le=6, description="Scores are rounded to this many decimals before comparing")
    properties: bool = Field(
        True,
        description="Also write each objective's whole picture as the issue property kpiokr.objective and each"
        " team's as the project property kpiokr.team (read by the Forge app)",
    )


class WebhookSettings(_Section):
    """Live updates: Jira's webhooks at ``POST /webhooks/jira`` drive passes for the teams an edit touches."""

    enabled: bool = Field(
        False, description="Receive Jira's webhooks on the dashboard's server (kpiokr daemon --serve)"
    )
    secret_env: str = Field(
        "KPIOKR_WEBHOOK_SECRET", description="Environment variable holding the webhook secret (HMAC-SHA256 key)"
    )
    secret_file: Path | None = Field(
        None, description="Alternatively, a file holding the secret (kpiokr setup --webhook writes one)"
    )
    max_body_bytes: int = Field(1_000_000, ge=1024, description="Larger webhook bodies are refused (413)")
    quiet_seconds: float = Field(
        0.5, gt=0, le=60, description="A burst of webhooks is one pass once this long passes without one"
    )
    max_wait_seconds: float = Field(
        2.0, gt=0, le=300, description="...and at the latest this long after the first of the burst"
    )
    poll_interval_minutes: float = Field(
        60.0,
        gt=0,
        description="While webhooks are on, the safety-net sync runs this often instead of sync.interval_minutes",
    )
    keep_deliveries_hours: float = Field(
        72.0, gt=0, description="Deliveries are remembered this long: redeliveries and replays are answered once"
    )


class ReviewSettings(_Section):
    """``[reviews]``: where the weekly, monthly and quarterly reviews are written as files."""

    directory: Path = Field(Path("reviews"), description="Directory of the reviews' Markdown and JSON files")


class Config(_Section):
    """The whole configuration file."""

    jira: JiraSettings
    store: StoreSettings = StoreSettings()
    mappings: MappingSettings = MappingSettings()
    sync: SyncSettings = SyncSettings()
    retry: RetrySettings = RetrySettings()
    writeback: WritebackSettings = WritebackSettings()
    dashboard: DashboardSettings = DashboardSettings()
    webhooks: WebhookSettings = WebhookSettings()
    reviews: ReviewSettings = ReviewSettings()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    base_dir: Path = Field(Path("."), exclude=True, description="Directory of the config file (set by the loader)")

    def resolve(self, path: Path) -> Path:
        """A path from the file, made absolute against the config file's directory."""
        return path if path.is_absolute() else self.base_dir / path

    @property
    def store_url(self) -> str:
        """The store URL with a relative SQLite path resolved next to the config file."""
        prefix = "sqlite:///"
        url = self.store.url
        if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite:///:memory:":
            return prefix + str(self.resolve(Path(url.removeprefix(prefix))))
        return url

    @property
    def mapping_paths(self) -> list[Path]:
        """The mapping files and directories, resolved."""
        return [self.resolve(p) for p in self.mappings.paths]


def config_path(explicit: str | os.PathLike[str] | None, environ: Mapping[str, str]) -> Path:
    """``--config``, else ``$KPIOKR_CONFIG``, else ``./config.toml``."""
    if explicit:
        return Path(explicit)
    return Path(environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_config(path: Path) -> Config:
    """Read and validate a config file; every problem is reported with its key."""
    data = _read_toml(path)
    try:
        config = Config.model_validate({**data, "base_dir": path.resolve().parent})
    except ValidationError as error:
        lines = [f"{path}: {'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()]
        raise ConfigError("\n".join(lines)) from None
    bundle = config.jira.ca_bundle
    if bundle is not None and not config.resolve(bundle).is_file():
        raise ConfigError(
            f"{path}: jira.ca_bundle: no such file {config.resolve(bundle)}: point it at your organisation's CA"
            " certificate file (PEM), or remove the setting to verify Jira against the system's CAs"
        )
    return config


def _read_toml(path: Path) -> dict[str, object]:
    """The parsed config file; a missing, unreadable, non-UTF-8 or invalid file is a :class:`ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such config file; copy config.example.toml there, or pass --config / set {CONFIG_ENV}"
        ) from None
    except IsADirectoryError:
        raise ConfigError(
            f"{path} is a directory, not a config file: pass the file itself, e.g. --config {path / 'config.toml'}"
        ) from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {error.object[error.start]:#04x} at offset {error.start}): save the file"
            " as UTF-8"
        ) from None
    except OSError as error:
        raise ConfigError(
            f"{path}: cannot read the config file ({error.strerror or type(error).__name__}): check that it is"
            " a readable file"
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None


def token_origin(settings: JiraSettings, environ: Mapping[str, str], base_dir: Path) -> str:
    """Where :func:`read_token` takes the token from, for messages: the environment variable or the file."""
    if environ.get(settings.token_env, "").strip() or settings.token_file is None:
        return f"the environment variable {settings.token_env}"
    path = settings.token_file if settings.token_file.is_absolute() else base_dir / settings.token_file
    return f"the file {path}"


def read_secret(
    env: str | None, file: Path | None, environ: Mapping[str, str], base_dir: Path, setting: str, *, what: str = "token"
) -> str | None:
    """A secret from the environment variable ``env``, else from the first line of ``file`` (``setting``
    names it in the error when it cannot be read); None when neither holds one."""
    value = environ.get(env, "").strip() if env else ""
    if value or file is None:
        return value or None
    path = file if file.is_absolute() else base_dir / file
    try:
        value = path.read_text(encoding="utf-8").strip().splitlines()[0].strip()
    except (OSError, IndexError):
        raise ConfigError(f"{setting}: cannot read a {what} from {path}") from None
    return value or None


def read_token(settings: JiraSettings, environ: Mapping[str, str], base_dir: Path) -> str:
    """The Jira token from the named environment variable, else from the token file."""
    token = read_secret(settings.token_env, settings.token_file, environ, base_dir, "jira.token_file")
    if token:
        return token
    raise ConfigError(
        f"no Jira token: set the environment variable {settings.token_env}"
        + (f" or put it in {settings.token_file}" if settings.token_file else " (or jira.token_file in the config)")
    )


def read_webhook_secret(settings: WebhookSettings, environ: Mapping[str, str], base_dir: Path) -> str:
    """The webhook secret from the named environment variable, else from the secret file."""
    secret = read_secret(
        settings.secret_env, settings.secret_file, environ, base_dir, "webhooks.secret_file", what="secret"
    )
    if secret:
        return secret
    raise ConfigError(
        f"webhooks.enabled is true but there is no webhook secret: set the environment variable {settings.secret_env}"
        + (f" or put it in {settings.secret_file}" if settings.secret_file else " or webhooks.secret_file")
        + " (kpiokr setup --webhook URL generates one and registers the webhook with it)"
    )
