"""The one place that builds real objects from the config: Jira gateway, store, mappings, metrics, runner."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from sync.app import Metrics, PassHooks, Progress, Runner
from sync.config import Config, read_token, token_origin
from sync.jira import JiraRestGateway, JiraSettings, RetryPolicy
from sync.mapping import MappingWatcher
from sync.store import Store

MIGRATE_COMMAND = "kpiokr migrate"

#: The daemon keeps the histories a pass translates out of the garbage collector's way while the
#: pass runs: they live long and form no cycles, yet every full collection traces them. While a
#: first sync builds 100,000 of them that cost ~17 s of 90 (36 full collections); frozen batch by
#: batch, each collection traces one batch. Process-wide, so chosen here and not in the pass.
FREEZE_FETCHED = PassHooks(batch_stored=gc.freeze, pass_ended=gc.unfreeze)

#: Builds the Jira gateway from its settings: :class:`JiraRestGateway`, or an in-memory Jira in tests.
GatewayFactory = Callable[[JiraSettings], JiraRestGateway]


def utc_now() -> datetime:
    """The clock the daemon runs on."""
    return datetime.now(UTC)


def gateway_settings(config: Config, environ: Mapping[str, str]) -> JiraSettings:
    """The gateway's settings: the token read from the environment or the token file."""
    jira = config.jira
    return JiraSettings(
        base_url=jira.url,
        token=read_token(jira, environ, config.base_dir),
        token_env=jira.token_env,
        token_origin=token_origin(jira, environ, config.base_dir),
        email=jira.email,
        ca_bundle=str(config.resolve(jira.ca_bundle)) if jira.ca_bundle else None,
        timeout_seconds=jira.timeout_seconds,
        retry=RetryPolicy(**config.retry.model_dump()),
        flavor=None if jira.flavor == "auto" else jira.flavor,
        notify_users=config.writeback.notify_users,
    )


def open_store(config: Config, *, migrate: bool = True) -> Store:
    """The store the config names; an outdated schema is migrated unless ``migrate`` is False."""
    return Store.open(config.store_url, migrate=migrate, migrate_command=f"{MIGRATE_COMMAND} --config <config.toml>")


def build_metrics(store: Store, jira: JiraRestGateway | None = None) -> Metrics:
    """The process's metrics: what ``store`` records, and every request ``jira`` sends when given."""
    metrics = Metrics()
    metrics.read_store(store)
    if jira is not None:
        jira.http.observe(metrics.jira_request)
    return metrics


@dataclass
class App:
    """The wired daemon: one gateway, one store, the mapping files, the metrics of its passes."""

    config: Config
    jira: JiraRestGateway
    store: Store
    mappings: MappingWatcher
    metrics: Metrics

    def runner(
        self,
        stop: threading.Event | None = None,
        progress: Progress | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> Runner:
        """A runner over this app's objects; the garbage collector is tuned for its passes (:data:`FREEZE_FETCHED`)."""
        return Runner(
            self.jira,
            self.store,
            self.mappings,
            self.config,
            clock=clock,
            stop=stop,
            progress=progress,
            hooks=FREEZE_FETCHED,
            observer=self.metrics,
        )

    def close(self) -> None:
        """Release the store's connections."""
        self.store.close()


def build_app(
    config: Config, environ: Mapping[str, str], *, migrate: bool = True, gateways: GatewayFactory = JiraRestGateway
) -> App:
    """Wire the daemon from its config (its gateway built by ``gateways``); nothing is sent to Jira yet."""
    logging.getLogger(__name__).debug("store at %s", config.store_url.split("@")[-1])
    jira = gateways(gateway_settings(config, environ))
    store = open_store(config, migrate=migrate)
    return App(config, jira, store, MappingWatcher(config.mapping_paths), build_metrics(store, jira))


@contextmanager
def opened_app(config: Config, environ: Mapping[str, str], gateways: GatewayFactory = JiraRestGateway) -> Iterator[App]:
    """:func:`build_app` for the ``with`` block; the store is closed after it."""
    app = build_app(config, environ, gateways=gateways)
    try:
        yield app
    finally:
        app.close()
