"""Real Chromium on a phone (390×844): a visitor asks for a code, reads it from the real SMTP server's mailbox,
registers and lands on the page they came for."""

import os
import re

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.notifications.conftest import smtp_server, text_of  # noqa: F401 — fixture

pytestmark = pytest.mark.browser


def _shot(browser, name: str) -> None:
    if os.environ.get("KECHUANG_SCREENSHOTS"):
        browser.save_screenshot(os.path.join(os.environ["KECHUANG_SCREENSHOTS"], name))


def _fits(browser) -> bool:
    scroll, width = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return scroll <= width


def test_the_two_steps_of_registering_on_a_phone(browser, live_server, smtp_server):  # noqa: F811
    browser.set_window_size(390, 844)
    browser.get(live_server + "/login?next=/calls/")
    browser.find_element(By.CSS_SELECTOR, "#signup-link a").click()
    WebDriverWait(browser, 10).until(lambda d: "/signup" in d.current_url)
    assert "注册账号" in browser.page_source and _fits(browser)
    browser.find_element(By.NAME, "contact").send_keys("zhou.min@qingxi.example.cn")
    _shot(browser, "signup-1-address.png")
    browser.find_element(By.CSS_SELECTOR, "#signup-start-form [type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/signup/details"))
    code = re.search(r"\b(\d{6})\b", text_of(smtp_server.to("zhou.min@qingxi.example.cn")[-1])).group(1)
    browser.find_element(By.NAME, "code").send_keys(code)
    browser.find_element(By.NAME, "name").send_keys("周敏")
    browser.execute_script("document.querySelector('[name=birth_date]').value = '1988-03-09'")
    browser.find_element(By.NAME, "password").send_keys("青溪-夜航船-2718")
    browser.find_element(By.NAME, "confirm").send_keys("青溪-夜航船-2718")
    assert "zh***@qingxi.example.cn" in browser.page_source and _fits(browser)
    _shot(browser, "signup-2-details.png")
    browser.execute_script("document.querySelector('#signup-form [type=submit]').click()")
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/calls/"))
    assert "欢迎！您的账号已创建。" in browser.page_source
    _shot(browser, "signup-3-done.png")
