"""The blind-round leak warning in real headless Chromium: the organiser, on a laptop, reads on the call's review
page which application's paper names its author, cannot open the round without ticking the confirmation, ticks
it and opens the round. KC_SCREENSHOT_DIR keeps the screenshots for a person to look at."""

import pytest
from selenium.webdriver.common.by import By

from core.extensions import db
from judging.models import Round
from tests import factories
from tests.calls.test_browser import _click, _login, _shot
from tests.calls.test_leaks import leaking_review

pytestmark = pytest.mark.browser


def test_the_organiser_reads_the_warning_and_confirms_opening(browser, live_server, tmp_path):
    call, rnd, apps, _users = leaking_review()
    organiser = factories.organiser(call.organisation, email="leak-organiser@example.cn")
    factories.commit()
    _login(browser, live_server, organiser.email)
    browser.get(live_server + f"/calls/{call.id}/review")
    warning = browser.find_element(By.ID, "leak-warnings").text
    assert apps[0].code in warning and "文件中出现申报人姓名：欧阳䶮（论文.pdf 第 2 页）" in warning
    assert apps[1].code not in warning
    _shot(browser, tmp_path, "call-review-leak-warning-1366.png")
    _click(browser, "#open-confirm [type=submit]", reloads=False)  # the box is required: nothing is sent
    assert browser.find_element(By.ID, "round-status").text == rnd.status_label
    browser.find_element(By.ID, "confirm-open").click()
    _click(browser, "#open-confirm [type=submit]")
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).status == "open"
    browser.get(live_server + f"/calls/applications/{apps[0].id}")
    assert "欧阳䶮（论文.pdf 第 2 页）" in browser.find_element(By.ID, "leak-warning").text
    _shot(browser, tmp_path, "call-application-leak-warning-1366.png")
