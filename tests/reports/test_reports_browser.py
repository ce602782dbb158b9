"""Chart pages in a real browser (headless Chromium): they load without console errors and draw their charts."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from core.extensions import db
from tests import factories
from tests.reports.factories import build_world

pytestmark = pytest.mark.browser


def _log_in(browser, live_server, email):
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/dashboard"))


def _charts_drawn(browser) -> int:
    """Figures whose Chart.js chart exists (Chart.getChart finds the instance on the canvas)."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('figure[data-chart] canvas'))"
        ".filter(function (c) { return window.Chart && window.Chart.getChart(c); }).length;"
    )


def test_chart_pages_load_without_console_errors(browser, live_server):
    w = build_world()
    school_coordinator = w.coordinator
    db.session.commit()
    _log_in(browser, live_server, w.organiser.email)
    browser.get_log("browser")  # start clean
    pages = [("/reports/", 3), (f"/reports/annual?org={w.city.id}&year=2025", 4)]
    for path, at_least in pages:
        browser.get(live_server + path)
        WebDriverWait(browser, 10).until(lambda d, n=at_least: _charts_drawn(d) >= n)
        assert browser.find_elements(By.CSS_SELECTOR, "table tbody tr"), path  # the numbers, as a table too
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == [], (path, errors)
    browser.delete_all_cookies()
    _log_in(browser, live_server, school_coordinator.email)
    browser.get(live_server + f"/reports/schools/{w.schools[0].id}")
    WebDriverWait(browser, 10).until(lambda d: _charts_drawn(d) >= 1)
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
