"""Browser fixtures: the dashboard served over real HTTP on a free loopback port, over a store filled by
passes against the in-memory Jira, and a fresh headless Chromium per test."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from sync.app import DashboardServer
from sync.config import DashboardSettings
from tests.adapters.dashboard_support import served_world
from tests.browser.browser_support import CHROMEDRIVER, CHROMIUM, FLAGS, Browser, Dashboard
from tests.serving import free_port, wait_until_healthy


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dashboard]:
    """The dashboard of the adapter tests' store (hostile summaries included), served over HTTP."""
    for served in served_world(tmp_path_factory.mktemp("browser")):
        server = DashboardServer(served.client().app, DashboardSettings(port=free_port()))
        server.start()
        try:
            url = server.url.rstrip("/")
            wait_until_healthy(url)
            yield Dashboard(url, served)
        finally:
            server.stop()


@pytest.fixture
def browser(dashboard: Dashboard, tmp_path: Path) -> Iterator[Browser]:
    """Headless Chromium with a fresh profile, logging the console, driven by the system chromedriver."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    try:
        yield Browser(driver, dashboard.url, tmp_path)
    finally:
        driver.quit()
