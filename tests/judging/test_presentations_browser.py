"""The organiser's presentation schedule on a phone (390×844), in real headless Chromium: rooms as headings, each
slot a card (kc-stack) with its time, panel and projects; placing a project from the card. KC_SCREENSHOT_DIR keeps
the screenshot for a person to look at (docs/screenshots/after/present-*.png)."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from judging.presentations import services as presentations
from tests import factories
from tests.calls.test_browser import _click, _login, _shot
from tests.judging.test_presentations import at, presentation_round

pytestmark = pytest.mark.browser


def test_the_organiser_places_a_project_on_the_schedule_on_a_phone(browser, live_server, tmp_path):
    call, rnd, apps, _users, judges, room_a, room_b = presentation_round()
    first = presentations.add_slot(rnd, room_a, at(0), at(30), [judges["王建国"], judges["刘晓梅"]])
    presentations.add_slot(rnd, room_a, at(30), at(60), [judges["王建国"], judges["刘晓梅"]])
    presentations.add_slot(rnd, room_b, at(0), at(30), [judges["孙德明"], judges["陈志远"]])
    presentations.place_submission(first, apps[1].id)
    factories.organiser(call.organisation, email="schedule-phone@example.cn")
    factories.commit()

    _login(browser, live_server, "schedule-phone@example.cn")
    browser.set_window_size(390, 844)
    browser.get(f"{live_server}/judging/rounds/{rnd.id}/schedule")
    card = browser.find_elements(By.CSS_SELECTOR, f"#room-{room_b.id} tr.presentation-slot")[0]
    assert "孙德明、陈志远" in card.text
    Select(card.find_element(By.NAME, "submission")).select_by_value(str(apps[4].id))
    _click(browser, f"#room-{room_b.id} tr.presentation-slot button")
    assert "已安排到该时段" in browser.find_element(By.CSS_SELECTOR, ".alert-success").text
    assert apps[4].title in browser.find_element(By.ID, f"room-{room_b.id}").text
    assert browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth") <= 0
    browser.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    _shot(browser, tmp_path, "present-schedule-390x844.png")
