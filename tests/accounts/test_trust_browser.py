"""Real Chromium: a password changed on one device logs the other out; the profile page on a phone."""

import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests import factories
from tests.conftest import make_browser

pytestmark = pytest.mark.browser


def _log_in(browser, base: str, email: str, password: str = factories.PASSWORD) -> None:
    browser.get(base + "/login")
    browser.find_element(By.NAME, "login").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/dashboard"))


def test_a_password_change_on_the_phone_logs_the_laptop_out(browser, live_server):
    factories.coordinator(email="two-devices@example.cn", name="欧阳䶮")
    factories.commit()
    laptop = make_browser()
    try:
        _log_in(laptop, live_server, "two-devices@example.cn")
        browser.set_window_size(390, 844)
        _log_in(browser, live_server, "two-devices@example.cn")
        browser.get(live_server + "/profile")
        assert browser.find_element(By.CSS_SELECTOR, "[name='pw-revoke_tokens']")
        assert "在所有设备上退出" in browser.page_source
        scroll, width = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= width
        if os.environ.get("KECHUANG_SCREENSHOTS"):
            browser.save_screenshot(os.path.join(os.environ["KECHUANG_SCREENSHOTS"], "profile-phone.png"))
        browser.find_element(By.NAME, "pw-current_password").send_keys(factories.PASSWORD)
        browser.find_element(By.NAME, "pw-password").send_keys("新密码-𠮷-2026-夏")
        browser.find_element(By.NAME, "pw-confirm").send_keys("新密码-𠮷-2026-夏")
        browser.find_element(By.NAME, "pw-submit").click()
        WebDriverWait(browser, 10).until(
            lambda d: "密码已修改" in d.page_source
        )  # the hint above the form says 其他所有设备 too
        assert browser.current_url.endswith("/profile")
        laptop.get(live_server + "/profile")
        assert "/login" in laptop.current_url
        if os.environ.get("KECHUANG_SCREENSHOTS"):
            browser.save_screenshot(os.path.join(os.environ["KECHUANG_SCREENSHOTS"], "profile-phone-changed.png"))
    finally:
        laptop.quit()
