"""A headless Chromium driven through the system's chromedriver against the dashboard served over
HTTP. Nothing is downloaded: the browser and the driver are Debian's, Selenium Manager stays offline."""

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from tests.adapters.dashboard_support import Served

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
)


def missing_browser() -> str | None:
    """Why no browser test can run here, or None."""
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if not missing:
        return None
    return f"{' and '.join(missing)} missing: install Debian's chromium and chromium-driver (.ci/run does)"


@dataclass
class Dashboard:
    """The served dashboard: its base URL and the world behind it."""

    url: str
    served: Served

    def api(self, path: str) -> Any:
        """The JSON the dashboard's API answers at ``path``."""
        with urllib.request.urlopen(f"{self.url}{path}", timeout=10) as answer:
            return json.loads(answer.read())

    def report(self, team: str, as_of: str | None = None) -> dict[str, Any]:
        """The team's report as ``/api/teams/{team}/report`` answers it."""
        (document,) = self.api(f"/api/teams/{team}/report" + (f"?as_of={as_of}" if as_of else ""))["teams"]
        return dict(document)


@dataclass
class Browser:
    """A Chromium session against the dashboard, saving screenshots into the test's folder."""

    driver: webdriver.Chrome
    base: str
    shots: Path

    def open(self, path: str) -> None:
        """Load a page of the dashboard and wait until its scripts have run."""
        self.driver.get(f"{self.base}{path}")
        self.settle()

    def follow(self, element: WebElement) -> None:
        """Click a link or a submit button and wait until the next page has loaded."""
        self._leave(element.click)

    def back(self) -> None:
        """Go back a page, as the browser's button does, and wait until it has loaded."""
        self._leave(self.driver.back)

    def _leave(self, action: Callable[[], None]) -> None:
        page = self.find("html")
        action()
        WebDriverWait(self.driver, 10).until(expected_conditions.staleness_of(page))
        self.settle()

    def settle(self) -> None:
        """Wait until the page has loaded (deferred scripts included)."""
        WebDriverWait(self.driver, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")

    def find(self, css: str, within: WebElement | None = None) -> WebElement:
        """The first element ``css`` selects (within ``within``, else the page); fails when there is none."""
        return (within or self.driver).find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str, within: WebElement | None = None) -> list[WebElement]:
        """Every element ``css`` selects (within ``within``, else the page)."""
        return (within or self.driver).find_elements(By.CSS_SELECTOR, css)

    def console_errors(self) -> list[dict[str, Any]]:
        """The console's errors since the last call (a CSP violation is one)."""
        return [entry for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE"]

    def screenshot(self, name: str) -> Path:
        """The page as it is now, saved as ``name``.png in the test's folder."""
        path = self.shots / f"{name}.png"
        assert self.driver.save_screenshot(str(path))
        return path
