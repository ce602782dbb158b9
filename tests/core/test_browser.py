"""Real headless Chromium: log in, switch language, see the role's dashboard."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests import factories

pytestmark = pytest.mark.browser


def test_log_in_switch_language_and_see_dashboard(browser, live_server):
    factories.organiser(factories.association("青溪县科学技术协会"), email="browser@example.cn", name="王丽华")
    factories.commit()
    browser.get(live_server + "/login")
    assert "登录" in browser.title
    browser.find_element(By.NAME, "login").send_keys("browser@example.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/dashboard"))
    assert "工作台" in browser.title
    assert "组织者" in browser.find_element(By.ID, "dashboard-roles").text
    browser.find_element(By.ID, "lang-switch").click()
    # read the attribute in one script call: an element found just before the reload would be stale
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.documentElement.lang") == "en")
    assert "Dashboard" in browser.title
    assert "Organiser" in browser.find_element(By.ID, "dashboard-roles").text
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    # Bootstrap and our JS loaded from our own static files (CSP 'self'): no console errors.
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_phone_sized_navigation_collapses_and_opens(browser, live_server):
    factories.coordinator(email="phone@example.cn")
    factories.commit()
    browser.set_window_size(390, 844)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys("phone@example.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/dashboard"))
    toggler = browser.find_element(By.CSS_SELECTOR, ".navbar-toggler")
    assert toggler.is_displayed()
    logout = browser.find_element(By.ID, "logout")
    assert not logout.is_displayed()
    toggler.click()

    WebDriverWait(browser, 5).until(lambda d: d.find_element(By.ID, "logout").is_displayed())


def test_phone_pages_do_not_scroll_sideways(browser, live_server):
    factories.coordinator(email="narrow@example.cn")
    factories.commit()
    browser.set_window_size(390, 844)
    for path in ("/", "/login"):
        browser.get(live_server + path)
        scroll, client = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{path}: page is {scroll}px wide in a {client}px window"
