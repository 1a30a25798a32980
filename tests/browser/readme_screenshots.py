"""The README's screenshots of the dashboard, taken in the browser tests' headless Chromium from a
served demo: the overview and the MOB team page at 1280 pixels wide, each as long as the page (at
most 1830 pixels: the team page's objectives and its first KPIs).

    .venv/bin/kpiokr demo --dir kpiokr-demo --port 8040
    .venv/bin/kpiokr --config kpiokr-demo/config.toml serve &
    .venv/bin/python -m tests.browser.readme_screenshots http://127.0.0.1:8040 docs/screenshots
"""

import sys
import tempfile
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.browser.browser_support import CHROMEDRIVER, CHROMIUM, FLAGS, Browser, missing_browser

#: Each screenshot's file name and the page it shows.
PAGES = {"overview": "/", "team": "/teams/MOB"}
WIDTH, MOST_HEIGHT = 1280, 1830


def take(base: str, folder: Path) -> list[Path]:
    """Save each page of :data:`PAGES` under ``base`` whole, as ``folder``/NAME.png."""
    with tempfile.TemporaryDirectory() as profile, pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")
        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for flag in (*FLAGS, "--hide-scrollbars", f"--user-data-dir={profile}"):
            options.add_argument(flag)
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            browser = Browser(driver, base.rstrip("/"), folder)
            saved = []
            for name, path in PAGES.items():
                browser.open(path)
                height = min(driver.execute_script("return document.documentElement.scrollHeight"), MOST_HEIGHT)
                metrics = {"width": WIDTH, "height": height, "deviceScaleFactor": 1, "mobile": False}
                driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
                browser.open(path)
                saved.append(browser.screenshot(name))
            return saved
        finally:
            driver.quit()


if __name__ == "__main__":
    if missing_browser() or len(sys.argv) != 3:
        sys.exit(missing_browser() or "usage: python -m tests.browser.readme_screenshots DASHBOARD_URL FOLDER")
    for shot in take(sys.argv[1], Path(sys.argv[2])):
        print(shot)
