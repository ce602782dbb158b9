"""An organiser sets up a category in real headless Chromium: stages as checkboxes, materials and quotas as
rows of fields, one more row added with the button, the team minimum held at 2."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from competitions.models import Category
from core.extensions import db
from tests import factories
from tests.competitions import factories as cf

pytestmark = pytest.mark.browser


def _click(browser, element):
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element)
    element.click()


def test_organiser_sets_up_a_team_category_with_rows(browser, live_server):
    county = factories.association("青溪县科学技术协会")
    contest = cf.contest(county, name="第25届青溪县青少年科技创新大赛")
    factories.organiser(county, email="org@example.cn")
    factories.commit()
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys("org@example.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))

    browser.get(f"{live_server}/contests/{contest.id}/categories/new")
    browser.find_element(By.NAME, "code").send_keys("TD")
    browser.find_element(By.NAME, "name").send_keys("青少年科技创新成果（集体项目）")
    Select(browser.find_element(By.NAME, "entry_type")).select_by_value("team")
    minimum = browser.find_element(By.NAME, "min_members")
    assert minimum.is_displayed()
    minimum.clear()
    minimum.send_keys("1")
    _click(browser, browser.find_element(By.CSS_SELECTOR, "#allowed-stages input[value=primary]"))  # untick 小学
    Select(browser.find_element(By.NAME, "materials-0-kind")).select_by_value("report")
    # two blank rows came with the page; the button adds a third
    _click(browser, browser.find_element(By.CSS_SELECTOR, "[data-rows=material-rows]"))
    Select(browser.find_element(By.NAME, "materials-2-kind")).select_by_value("declaration")
    browser.find_element(By.NAME, "materials-2-label").send_keys("参赛承诺书")
    browser.find_element(By.NAME, "quotas-0-limit").send_keys("2")
    Select(browser.find_element(By.NAME, "quotas-0-kind")).select_by_value("team")
    Select(browser.find_element(By.NAME, "quotas-0-stage")).select_by_value("junior")
    _click(browser, browser.find_element(By.CSS_SELECTOR, "#category-form [type=submit]"))
    # a team of one is refused, next to the field, and nothing typed is lost
    WebDriverWait(browser, 5, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: "is-invalid" in d.find_element(By.NAME, "min_members").get_attribute("class")
    )
    assert browser.find_element(By.NAME, "materials-2-label").get_attribute("value") == "参赛承诺书"
    minimum = browser.find_element(By.NAME, "min_members")
    minimum.clear()
    minimum.send_keys("2")
    _click(browser, browser.find_element(By.CSS_SELECTOR, "#category-form [type=submit]"))
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith(f"/contests/{contest.id}"))
    db.session.expire_all()
    category = db.session.execute(sa.select(Category).where(Category.code == "TD")).scalar_one()
    assert (category.min_members, category.allowed_stages) == (2, ["junior", "senior"])
    assert [(r.kind, r.label) for r in category.requirements] == [("report", ""), ("declaration", "参赛承诺书")]
    assert [(q.scope, q.stage, q.kind, q.limit) for q in category.quotas] == [("school", "junior", "team", 2)]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
