"""Real headless Chromium: a school coordinator imports the roster from a GBK CSV, registers an entry,
uploads its report and submits it."""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests import factories
from tests.competitions import factories as cf

pytestmark = pytest.mark.browser


def click(browser, element):
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    try:
        element.click()
    except Exception:
        browser.save_screenshot("/tmp/kc_comp_browser.png")
        raise


def test_coordinator_imports_roster_and_submits_an_entry(browser, live_server, tmp_path):
    county = factories.association("青溪县科学技术协会")
    school = factories.school(county, stage="junior", name="青溪县实验初级中学")
    contest = cf.contest(county, name="第25届青溪县青少年科技创新大赛")
    cf.category(contest, code="CX", name="科技创新成果")
    factories.coordinator(school, email="coord@example.cn", name="刘芳")
    factories.commit()

    roster = tmp_path / "学生名单.csv"
    roster.write_bytes(
        "姓名,性别,出生日期,年级,班级,身份证号,监护人电话\n"
        "王小明,男,2011/3/5,初二,2班,,138 0013 8000\n"
        "欧阳娜娜,女,2011年6月1日,初二,2班,,\n".encode("gbk")
    )
    report = tmp_path / "研究报告.pdf"
    report.write_bytes(cf.PDF)

    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys("coord@example.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))

    # roster: upload, preview, confirm
    browser.get(f"{live_server}/contests/school/{school.id}/students")
    browser.find_element(By.ID, "import-roster").click()
    browser.find_element(By.ID, "roster-file").send_keys(str(roster))
    browser.find_element(By.ID, "roster-check").click()
    WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_elements(By.ID, "roster-preview")
    )
    preview = browser.find_element(By.ID, "roster-preview").text
    assert "王小明" in preview and "欧阳娜娜" in preview
    click(browser, browser.find_element(By.ID, "roster-confirm"))
    WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_elements(By.ID, "students-table")
    )
    table = browser.find_element(By.ID, "students-table").text
    assert "王小明" in table and "138****8000" in table and "13800138000" not in table

    # entry: create, upload the report, submit
    browser.get(f"{live_server}/contests/{contest.id}")  # a coordinator lands on the school's page
    browser.find_element(By.ID, "new-entry").click()
    browser.find_element(By.NAME, "title").send_keys("校园雨水收集与再利用系统")
    # static/js/competitions-entry.js: an individual category shows one student place and no team leader
    assert not browser.find_element(By.ID, "leader-place").is_displayed()
    # static/js/competitions-picker.js: the student place is a search box over the roster
    browser.find_element(By.CSS_SELECTOR, ".kc-picker-input[data-for=member_0]").send_keys("wxm")

    def pick(d):
        found = [o for o in d.find_elements(By.CSS_SELECTOR, ".kc-picker-option") if o.text == "王小明（初二2班）"]
        if found:
            found[0].click()
        return bool(found)

    WebDriverWait(browser, 5, ignored_exceptions=(StaleElementReferenceException,)).until(pick)
    assert (
        Select(browser.find_element(By.NAME, "member_0")).first_selected_option.get_attribute("textContent")
        == "王小明（初二2班）"
    )
    # the date picker's own widget is locale-dependent; set the value the way the picker would
    browser.execute_script("arguments[0].value = '2024-03-01';", browser.find_element(By.NAME, "work_started_on"))
    click(browser, browser.find_element(By.CSS_SELECTOR, "#entry-form [type=submit]"))
    WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: "/contests/entries/" in d.current_url
    )
    assert browser.find_element(By.ID, "entry-status").get_attribute("data-status") == "draft"
    browser.find_element(By.ID, "material-file").send_keys(str(report))
    click(browser, browser.find_element(By.ID, "material-submit"))
    WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".kc-material")
    )
    assert "研究报告.pdf" in browser.find_element(By.CSS_SELECTOR, ".kc-material").text
    click(browser, browser.find_element(By.XPATH, "//form[contains(@action, '/submit')]//button"))
    WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: d.find_element(By.ID, "entry-status").get_attribute("data-status") == "submitted"
    )
    assert browser.find_element(By.ID, "entry-code").text == "2025-CX-0001"
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
