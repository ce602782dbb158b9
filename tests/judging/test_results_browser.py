"""The 公示 page on a phone (390×844) and the results page on a laptop (1366×900), in real headless Chromium.
KC_SCREENSHOT_DIR keeps the screenshots for a person to look at."""

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from core.extensions import db
from judging.services import assignment as assignment_service
from judging.services import notice as notice_service
from judging.services import results as results_service
from tests import factories
from tests.judging import factories as jf
from tests.judging import season_world

pytestmark = pytest.mark.browser


def _shot(browser, tmp_path, name: str) -> None:
    folder = Path(os.environ.get("KC_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(folder / name))


def test_public_notice_on_a_phone_lists_every_category_as_cards(browser, live_server, tmp_path):
    w = season_world.build()
    notice_service.start_notice(w["contest"], w["rubric"], days=7)
    notice_service.start_notice(w["contest"], w["robot"], days=7)
    db.session.commit()
    browser.set_window_size(390, 844)
    browser.get(f"{live_server}/judging/public/{w['contest'].id}")
    table = browser.find_element(By.ID, "public-results")
    text = table.text
    assert "雨水回收装置" in text and "䶮队" in text  # both rounds' categories
    assert "王春华" in text and "欧阳*" in text and "欧阳䶮" not in text
    assert text.index("一等奖") < text.index("二等奖")
    # cards, not a squeezed table: nothing wider than the phone
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    assert browser.find_element(By.CSS_SELECTOR, "#public-results thead").is_displayed() is False
    _shot(browser, tmp_path, "public-notice-390x844.png")


def test_results_page_warns_when_zscores_cannot_normalise(browser, live_server, tmp_path):
    w = jf.world(n_entries=4, n_judges=4, k=1, method="zscore")
    assignment_service.auto_assign(w["round"])
    db.session.flush()
    season_world.score_round(w["round"], {e.id: [10 + i] for i, e in enumerate(w["entries"])})
    results_service.close_round(w["round"])
    w["organiser"].email = "results-organiser@example.cn"
    db.session.commit()
    browser.set_window_size(1366, 900)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys("results-organiser@example.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))
    browser.get(f"{live_server}/judging/rounds/{w['round'].id}/results")
    warning = browser.find_element(By.CSS_SELECTOR, ".normalisation-warning")
    assert warning.is_displayed() and "无法标准化" in warning.text
    _shot(browser, tmp_path, "results-1366x900.png")
