"""The dashboard in a real headless Chromium over HTTP: from the overview to a team, a past date
through the date control, the figures on the page against the JSON API's, the links between KPIs
and the objectives they guard, the charts drawn, Jira's text left inert, the light and dark themes
with every status in words, and no console error."""

import pytest
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.alert import Alert

from sync.app.web.views import number
from tests.adapters.dashboard_support import IMG, SCRIPT
from tests.browser.browser_support import Browser, Dashboard, missing_browser

if missing_browser():
    pytest.skip(missing_browser(), allow_module_level=True)

pytestmark = pytest.mark.browser

TEAM = "MOB"
PAST = "2026-11-01"


def figures_on_team_page(browser: Browser) -> tuple[dict[str, str], dict[str, str]]:
    """Each objective's score and each KPI's value as the team page shows them, by key."""
    scores = {
        s.get_attribute("id").removeprefix("objective-"): browser.find("p strong", s).text
        for s in browser.find_all("section.objective")
    }
    values = {
        s.get_attribute("id").removeprefix("kpi-"): browser.find("p strong", s).text
        for s in browser.find_all("section.kpi")
    }
    return scores, values


def assert_figures_match(browser: Browser, report: dict) -> None:
    """The team page shows each objective's score and each KPI's value as ``report`` has them."""
    scores, values = figures_on_team_page(browser)
    assert scores == {o["key"]: number(o["score"]) for o in report["objectives"]}
    assert values == {k["key"]: number(k["value"], k["unit"]) for k in report["kpis"]}


def test_the_overview_leads_to_every_team_whose_figures_are_the_apis(browser: Browser, dashboard: Dashboard):
    teams = [t["name"] for t in dashboard.api("/api/teams")["teams"]]
    assert len(teams) >= 2
    for team in teams:
        browser.open("/")
        assert browser.find("h1").text == "All teams"
        shown = [a.text for a in browser.find_all("section.team h2 a")]
        assert sorted(shown) == sorted(teams)
        browser.screenshot("overview")
        browser.follow(browser.find(f'section.team h2 a[href="/teams/{team}"]'))
        assert browser.driver.current_url == f"{dashboard.url}/teams/{team}"
        assert browser.find("h1").text.startswith(team)
        assert_figures_match(browser, dashboard.report(team))
        browser.screenshot(f"team-{team}")
    assert browser.console_errors() == []


def test_the_date_control_shows_every_team_as_of_a_past_day_with_the_apis_figures(browser, dashboard):
    for team in [t["name"] for t in dashboard.api("/api/teams")["teams"]]:
        browser.open(f"/teams/{team}")
        today = dashboard.report(team)
        field = browser.find("form.as-of input#as_of")
        browser.driver.execute_script("arguments[0].value = arguments[1]", field, PAST)
        browser.follow(browser.find("form.as-of button[type=submit]"))
        assert browser.driver.current_url == f"{dashboard.url}/teams/{team}?as_of={PAST}"
        assert browser.find("form.as-of input#as_of").get_attribute("value") == PAST
        past = dashboard.report(team, PAST)
        assert past["as_of"][:10] == PAST
        assert past != today
        assert f"as of {past['as_of'][:16].replace('T', ' ')}" in browser.find("h1 small").text
        assert_figures_match(browser, past)
        for link in browser.find_all("section.objective h3 a, section.kpi h3 a"):
            assert link.get_attribute("href").endswith(f"?as_of={PAST}"), "links keep the date"
        browser.screenshot(f"team-{team}-as-of")
    assert browser.console_errors() == []


def test_a_kpi_links_to_the_objectives_it_guards_and_back(browser, dashboard):
    report = dashboard.report(TEAM)
    objective = next(o for o in report["objectives"] if o["guardrails"])
    guard = objective["guardrails"][0]
    browser.open(f"/teams/{TEAM}")
    kpi = browser.find(f"section.kpi#kpi-{guard}")
    browser.find(f'p.guards a[href="#objective-{objective["key"]}"]', kpi).click()
    assert browser.driver.current_url.endswith(f"/teams/{TEAM}#objective-{objective['key']}")
    target = browser.find(f"section.objective#objective-{objective['key']}")
    assert browser.driver.execute_script("var r = arguments[0].getBoundingClientRect(); return r.top", target) < 50
    browser.follow(browser.find(f'a[href="/teams/{TEAM}/kpis/{guard}"]', target))
    assert browser.driver.current_url == f"{dashboard.url}/teams/{TEAM}/kpis/{guard}"
    guarded = {a.get_attribute("href") for a in browser.find_all("p.guards a")}
    assert f"{dashboard.url}/teams/{TEAM}/objectives/{objective['key']}" in guarded
    browser.follow(browser.find(f'p.guards a[href="/teams/{TEAM}/objectives/{objective["key"]}"]'))
    assert browser.find("h1").text.startswith(objective["key"])
    shown = {a.text for a in browser.find_all("section.kpi h3 a")}
    names = {k["key"]: k["name"] for k in report["kpis"]}
    assert shown == {names[g] for g in objective["guardrails"]}
    browser.screenshot("objective")
    assert browser.console_errors() == []


def test_every_trend_chart_is_drawn_by_chart_js_without_a_console_error(browser, dashboard):
    browser.open(f"/teams/{TEAM}")
    report = dashboard.report(TEAM)
    charts = browser.driver.execute_script(
        """return Array.from(document.querySelectorAll("canvas.trend")).map(function (canvas) {
             var chart = Chart.getChart(canvas);
             var pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
             return {drawn: chart !== undefined, width: canvas.width, height: canvas.height,
                     inked: pixels.some(function (v) { return v !== 0; })};
           });"""
    )
    assert len(charts) == len(report["kpis"])
    for chart in charts:
        assert chart["drawn"]
        assert chart["width"] > 0
        assert chart["height"] > 0
        assert chart["inked"]
    browser.screenshot("charts")
    assert browser.console_errors() == []


def test_jira_text_is_shown_as_text_and_never_runs(browser, dashboard):
    browser.open(f"/teams/{TEAM}")
    section = browser.find(f"section.objective#objective-{dashboard.served.objective}")
    assert SCRIPT in browser.find("h3", section).text
    assert IMG in section.text
    assert browser.find_all("section.objective img") == []
    with pytest.raises(NoAlertPresentException):
        Alert(browser.driver).text  # noqa: B018
    assert browser.console_errors() == []


def test_the_issues_behind_a_kpi_link_to_them_in_jira(browser, dashboard):
    report = dashboard.report(TEAM)
    jira = dashboard.served.world.config.jira.url.rstrip("/")
    browser.open(f"/teams/{TEAM}")
    linked: dict[str, str] = {}
    for kpi in report["kpis"]:
        browser.follow(browser.find(f"section.kpi#kpi-{kpi['key']} h3 a"))
        assert browser.find("h1").text.startswith(kpi["name"])
        for link in browser.find_all("section.behind a.issue"):
            assert link.is_displayed()
            linked[link.text] = link.get_attribute("href")
        assert browser.console_errors() == []
        browser.back()
    assert linked, "some KPI page lists the issues behind its value"
    for key, href in linked.items():
        assert href == f"{jira}/browse/{key}"
        issue = dashboard.served.world.site.issue(key)
        assert issue is not None, key
    browser.screenshot("team-after-kpis")


def luminance(css_colour: str) -> float:
    """The relative luminance (0 black to 1 white) of a computed ``rgb(...)`` colour."""
    red, green, blue = (int(part) / 255 for part in css_colour[css_colour.index("(") + 1 : -1].split(",")[:3])
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_theme_follows_the_readers_setting_and_statuses_are_words_in_either(browser, dashboard, scheme):
    browser.driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-color-scheme", "value": scheme}]}
    )
    browser.open(f"/teams/{TEAM}")
    colours = browser.driver.execute_script(
        "var s = getComputedStyle(document.body); return [s.backgroundColor, s.color];"
    )
    background, text = (luminance(colour) for colour in colours)
    assert (background > text) == (scheme == "light"), colours
    assert abs(background - text) > 0.6, "text stands out from the background"
    words = {"on track", "at risk", "off track", "healthy", "warning", "breach", "no data"}
    statuses = browser.find_all(".status")
    assert statuses
    for status in statuses:
        symbol, _, word = status.text.partition(" ")
        assert symbol in {"✓", "!", "✗", "-"}, status.text
        assert word in words, status.text
    browser.screenshot(f"team-{scheme}")
    assert browser.console_errors() == []
