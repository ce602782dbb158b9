"""A school coordinator on a phone (390×844) finds the finished contest on the dashboard, its awards and released
comments on the entry page, and downloads the school's certificates as one file, in real headless Chromium."""

import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from certificates import services as cert_services
from core.extensions import db
from tests import factories
from tests.judging import outcomes_world
from tests.judging.outcomes_world import COMMENTS, JUDGE_NAMES

pytestmark = pytest.mark.browser


def _shot(browser, name: str) -> None:
    folder = os.environ.get("KECHUANG_SCREENSHOTS")
    if folder:
        browser.save_screenshot(os.path.join(folder, name))


def _fits(browser) -> bool:
    scroll, width = browser.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    return scroll <= width


def test_a_coordinator_sees_award_and_released_comments_on_a_phone(browser, live_server):
    w = outcomes_world.build()
    w["round"].comments_released = True
    template = cert_services.create_template(w["org"].id, "证书", kind=None)
    for key in ("judging.awards", "competitions.advisors"):
        cert_services.issue_certificates(key, w["contest"].id, template, accept_preflight=True)
    db.session.commit()

    browser.set_window_size(390, 844)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys("wu@school-a.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))

    panel = browser.find_element(By.ID, "outcomes-panel")
    assert "第十届青少年科技创新大赛" in panel.text and "一等奖 1" in panel.text
    browser.execute_script("arguments[0].scrollIntoView({behavior: 'instant'})", panel)
    assert _fits(browser)
    _shot(browser, "outcomes-dashboard-phone.png")

    panel.find_element(By.CSS_SELECTOR, "a").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/outcomes"))
    assert _fits(browser)
    _shot(browser, "outcomes-school-phone.png")
    browser.find_element(By.LINK_TEXT, "校园雨水回收装置").click()
    WebDriverWait(browser, 5).until(lambda d: "/contests/entries/" in d.current_url)

    card = browser.find_element(By.ID, "entry-outcome")
    assert browser.find_element(By.ID, "outcome-award").text.startswith("一等奖")
    assert browser.find_element(By.ID, "outcome-score").text == "18.00"
    assert browser.find_element(By.ID, "outcome-rank").text == "第1名（共4件）"
    for text in COMMENTS:
        assert text in card.text
    assert "评委1：" in card.text and "评委3：" in card.text
    assert not any(name in browser.page_source for name in JUDGE_NAMES)
    assert _fits(browser)
    _shot(browser, "outcomes-entry-phone.png")

    # the school's certificates as one ZIP, built by a background job with its progress page
    browser.back()
    download = browser.find_element(By.CSS_SELECTOR, "#download-all button")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", download)
    download.click()
    WebDriverWait(browser, 10).until(lambda d: "/jobs/" in d.current_url)
    link = WebDriverWait(browser, 15).until(
        lambda d: (
            d.find_element(By.ID, "job-download") if d.find_element(By.ID, "job-download").is_displayed() else None
        )
    )
    assert link.get_attribute("href").endswith("/download")
