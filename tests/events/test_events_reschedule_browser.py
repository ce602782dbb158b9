"""Real headless Chromium: an organiser moves a scheduled caravan visit (1366×900), the school sees the one new
time on its phone (390×844), and cancelling asks first. Screenshots go to $KC_SCREENSHOTS when it is set."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from core.extensions import db
from events.caravan import visits as visits_service
from events.caravan.models import CaravanVisit
from events.models import VisitStatus
from tests import factories
from tests.events import factories as ef

pytestmark = pytest.mark.browser


def _shot(browser, name):
    folder = os.environ.get("KC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(folder) / f"{name}.png"))


def _click(browser, selector):
    button = browser.find_element(By.CSS_SELECTOR, selector)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", button)
    button.click()


def _set(browser, element_id, value):
    browser.execute_script("document.getElementById(arguments[0]).value = arguments[1]", element_id, value)


def test_organiser_moves_a_visit_and_the_school_sees_one_time(browser, live_server):
    county = factories.association("青溪县科学技术协会")
    factories.organiser(county, email="caravan@example.cn")
    caravan = ef.caravan(county, crew=[ef.staff(county, "讲解员𠮷祥")])
    visit = ef.visit_request(county, ef.future_day(20, 9), host_name="青溪县䶮山实验小学")
    visits_service.approve_visit(visit, caravan=caravan)
    other = ef.visit_request(county, ef.future_day(21, 9), host_name="桃源镇中心小学")
    visits_service.approve_visit(other, caravan=caravan)
    factories.commit()
    browser.set_window_size(1366, 900)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys("caravan@example.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/dashboard"))
    browser.get(f"{live_server}/events/caravans/visits/{visit.id}")
    # into the other visit's buffer: refused, with the reason, nothing moved
    clash = ef.future_day(21, 8)
    _set(browser, "reschedule-starts_at", clash.strftime("%Y-%m-%dT%H:%M"))
    _set(browser, "reschedule-ends_at", (clash + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    _click(browser, "#reschedule-form [type=submit]")
    alert = WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".alert-danger")))
    assert "桃源镇中心小学" in alert.text and "讲解员𠮷祥" in alert.text
    _shot(browser, "reschedule-refused-1366")
    # a free day: moved
    new = ef.future_day(22, 14)
    _set(browser, "reschedule-starts_at", new.strftime("%Y-%m-%dT%H:%M"))
    _set(browser, "reschedule-ends_at", (new + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    _click(browser, "#reschedule-form [type=submit]")
    WebDriverWait(browser, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".alert-success")))
    _shot(browser, "reschedule-done-1366")
    db.session.expire_all()
    moved = db.session.get(CaravanVisit, visit.id)
    assert moved.starts_at == new and moved.event.starts_at == new and moved.status == VisitStatus.CONFIRMED
    visit_page = browser.find_element(By.TAG_NAME, "body").text
    browser.get(f"{live_server}/events/{moved.event_id}/admin")
    event_page = browser.find_element(By.TAG_NAME, "body").text
    # cancelling asks first; dismissing the question keeps the visit
    browser.get(f"{live_server}/events/caravans/visits/{visit.id}")
    _click(browser, "#cancel-form [type=submit]")
    question = WebDriverWait(browser, 5).until(ec.alert_is_present())
    assert "青溪县䶮山实验小学" in question.text
    question.dismiss()
    db.session.expire_all()
    assert db.session.get(CaravanVisit, visit.id).status == VisitStatus.CONFIRMED
    # the school's status page on a phone shows the same time
    browser.delete_all_cookies()
    browser.set_window_size(390, 844)
    browser.get(f"{live_server}/events/caravan/request/{moved.token}")
    school_page = browser.find_element(By.TAG_NAME, "body").text
    _shot(browser, "reschedule-school-390")
    time_text = "14:00"
    for page in (visit_page, event_page, school_page):
        assert time_text in page
    day = str(new.day)
    assert f"{day}日" in school_page or f"-{new.strftime('%d')}" in school_page or f"/{day}" in school_page
