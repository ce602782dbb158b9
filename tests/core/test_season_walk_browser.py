"""Defects met walking a season end to end in Chromium (issue 22), each pinned in the browser where it was seen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from core.extensions import db
from tests import factories
from tests.competitions import factories as cf

pytestmark = pytest.mark.browser


def log_in(browser, live_server, login: str) -> None:
    browser.delete_all_cookies()
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys(login)
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.execute_script("document.querySelector('#login-form [type=submit]').click()")
    WebDriverWait(browser, 5).until(lambda d: "/login" not in d.current_url)


def test_a_toast_icon_is_icon_sized_on_a_laptop(browser, live_server):
    """app.css left its phone-cards @media block open, so on a 1366 px screen the toast's check icon filled
    the page (1050 × 1050 px) and every rule after the block applied to phones only."""
    county = factories.association("青溪县科协")
    contest = cf.contest(county, name="第39届青溪县青少年科技创新大赛")
    organiser = factories.organiser(county)
    db.session.commit()
    browser.set_window_size(1366, 900)
    log_in(browser, live_server, organiser.email)
    browser.get(f"{live_server}/contests/{contest.id}/edit")
    browser.execute_script("document.querySelector('main form [type=submit]').click()")
    WebDriverWait(browser, 5).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".kc-toast svg"))
    width, height = browser.execute_script(
        "const r = document.querySelector('.kc-toast svg').getBoundingClientRect(); return [r.width, r.height]"
    )
    assert width <= 32 and height <= 32, (width, height)
    skip = browser.execute_script("return getComputedStyle(document.querySelector('.kc-skip')).position")
    assert skip == "absolute"  # the skip link's rule (after the block) applies on a laptop too


def test_an_organisers_menu_keeps_its_words_whole_on_a_laptop(browser, live_server):
    """With every area's menu an organiser's navbar at 1366 px squeezed 工作台 into 工作/台 and 评审管理 into
    评审/管理 (two lines per item); it stays one line of whole words, or folds into the menu button."""
    county = factories.association("青溪县科协")
    organiser = factories.organiser(county, name="欧阳娜娜")
    db.session.commit()
    for width in (1366, 1100):
        browser.set_window_size(width, 900)
        log_in(browser, live_server, organiser.email)
        links = browser.execute_script("""return Array.from(document.querySelectorAll('#mainnav .nav-link'))
            .filter(a => a.offsetParent !== null)
            .map(a => [a.textContent.trim(), a.getBoundingClientRect().height, a.scrollWidth > a.clientWidth])""")
        squeezed = [name for name, height, overflow in links if height > 48 or overflow]
        assert not squeezed, (width, squeezed)
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width
