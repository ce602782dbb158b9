"""The call set-up page and the results page on a laptop (1366×900), in real headless Chromium: the organiser
builds the form with the field builder, and reads the bands with their rule. KC_SCREENSHOT_DIR keeps the
screenshots for a person to look at."""

import os
from pathlib import Path

import pytest
from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from calls import demo
from core.demo import DemoContext
from tests import factories

pytestmark = pytest.mark.browser


def _shot(browser, tmp_path, name: str) -> None:
    folder = Path(os.environ.get("KC_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(folder / name))


def _click(browser, selector: str, reloads: bool = True) -> None:
    # the page the last click loaded must be complete: a node found while a redirect replaces the document is
    # gone ("does not belong to the document"); under load that can still happen once, so find it again once
    for attempt in (1, 2):
        WebDriverWait(browser, 10).until(lambda d: d.execute_script("return document.readyState") == "complete")
        element = browser.find_element(By.CSS_SELECTOR, selector)
        try:
            browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
            element.click()
            break
        except WebDriverException as exc:
            if attempt == 2 or not (
                isinstance(exc, StaleElementReferenceException) or "does not belong to the document" in str(exc)
            ):
                raise
    if reloads:
        WebDriverWait(browser, 10).until(staleness_of(element))


def _login(browser, live_server, email):
    browser.set_window_size(1366, 900)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))


def test_call_set_up_and_workstation_results_in_bands(browser, live_server, tmp_path):
    city = factories.association("青溪市科学技术协会")
    organiser = factories.organiser(city, email="calls-organiser@example.cn", name="王丽华")
    demo.seed_calls(
        DemoContext(scale=1, echo=lambda _m: None, data={"city": city, "users": {"city_organiser": organiser}})
    )
    factories.commit()
    _login(browser, live_server, "calls-organiser@example.cn")

    browser.get(live_server + "/calls/new")
    browser.find_element(By.NAME, "title").send_keys("十佳科技辅导员评选")
    Select(browser.find_element(By.NAME, "subject")).select_by_value("person")
    Select(browser.find_element(By.NAME, "outcome")).select_by_value("top")
    _click(browser, "#call-form [type=submit]")
    WebDriverWait(browser, 5).until(lambda d: "/calls/new" not in d.current_url)
    browser.find_element(By.NAME, "field-label").send_keys("辅导学生获奖情况")
    Select(browser.find_element(By.NAME, "field-kind")).select_by_value("choice")
    browser.find_element(By.NAME, "field-choices").send_keys("国家级, 省级, 市级")
    _click(browser, "[name=field-required]", reloads=False)
    _click(browser, "#add-field [type=submit]")
    browser.find_element(By.NAME, "field-label").send_keys("事迹材料")
    Select(browser.find_element(By.NAME, "field-kind")).select_by_value("file")
    browser.find_element(By.NAME, "field-accept").send_keys("pdf, docx")
    browser.find_element(By.NAME, "field-max_mb").send_keys("20")
    browser.find_element(By.NAME, "field-max_count").send_keys("3")
    _click(browser, "#add-field [type=submit]")
    fields = browser.find_element(By.ID, "fields").text
    assert "辅导学生获奖情况" in fields and "国家级、省级、市级" in fields and "pdf, docx · ≤ 20 MB · ≤ 3" in fields
    assert "前 10 名" in browser.find_element(By.ID, "outcome-rule").text
    browser.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    _shot(browser, tmp_path, "call-set-up-1366x900.png")

    from calls.models import Call
    from core.extensions import db

    evaluation = db.session.query(Call).filter_by(title=demo.TITLE).one()
    browser.get(f"{live_server}/calls/{evaluation.id}/results")
    assert browser.find_element(By.ID, "rule").text == "优秀 ≥ 90 分，合格 ≥ 60 分，其余为不合格"
    badges = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#summary .badge")]
    assert badges == ["优秀 4", "合格 17", "不合格 1"]
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert len(rows) == 22 and "䶮山竹编工艺专家工作站" in browser.find_element(By.ID, "results").text
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 1366
    _shot(browser, tmp_path, "call-results-1366x900.png")
