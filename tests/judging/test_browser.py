"""A judge scores on a phone-sized viewport in real headless Chromium: autosave, step check, submit."""

import pytest
import sqlalchemy as sa
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from core.extensions import db
from judging.models import PerformanceRun, Score
from judging.services import assignment, scoring
from tests import factories
from tests.judging import factories as jf

pytestmark = pytest.mark.browser


def test_judge_scores_on_a_phone(browser, live_server):
    w = jf.world(n_entries=2, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    judge = w["judges"][0]
    judge.user.email = "phonejudge@example.cn"
    db.session.commit()
    rnd = w["round"]
    entry_id = assignment.judge_worklist(rnd, judge)[0].entry_id
    rc = rnd.categories[0]
    first, second = rc.criteria[0].id, rc.criteria[1].id

    browser.set_window_size(390, 844)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys("phonejudge@example.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))

    browser.get(f"{live_server}/judging/rounds/{rnd.id}/my")
    assert "0/2" in browser.find_element(By.ID, "progress-count").text
    browser.find_element(By.CSS_SELECTOR, f"a[href$='/entries/{entry_id}/score']").click()

    a = browser.find_element(By.ID, f"criterion-{first}")
    b = browser.find_element(By.ID, f"criterion-{second}")
    # fits the phone: inputs and buttons inside the viewport width, no horizontal scrolling
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    # an off-step value is flagged in the page before anything is sent
    a.send_keys("7.3")
    WebDriverWait(browser, 3).until(lambda d: "is-invalid" in a.get_attribute("class"))
    a.clear()
    a.send_keys("7.5")
    WebDriverWait(browser, 3).until(lambda d: "is-invalid" not in a.get_attribute("class"))
    # draft autosave: the server holds the partial score without any click
    WebDriverWait(browser, 6).until(
        lambda d: d.find_element(By.ID, "autosave-status").text.strip() in ("草稿已保存", "Draft saved")
    )
    db.session.expire_all()
    draft = db.session.execute(sa.select(Score)).scalar_one()
    assert not draft.submitted and draft.values == {str(first): "7.5"}
    b.send_keys("9")
    WebDriverWait(browser, 3).until(lambda d: d.find_element(By.ID, "score-total").text == "16.50")
    submit = browser.find_element(By.ID, "submit-score")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", submit)
    submit.click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith(f"/judging/rounds/{rnd.id}/my"))
    assert "1/2" in browser.find_element(By.ID, "progress-count").text
    db.session.expire_all()
    score = db.session.execute(sa.select(Score)).scalar_one()
    assert score.submitted and float(score.total) == 16.5
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_revising_a_submitted_score_on_a_phone_says_it_was_updated(browser, live_server):
    """QA bug: autosaving a change to a submitted score said "Draft saved" (it updates the submitted score), and
    an invalid value silently saved nothing."""
    w = jf.world(n_entries=1, n_judges=3, k=3)
    assignment.auto_assign(w["round"])
    judge = w["judges"][0]
    judge.user.email = "revisingjudge@example.cn"
    rnd = w["round"]
    a = assignment.judge_worklist(rnd, judge)[0]
    rc = rnd.categories[0]
    first = rc.criteria[0].id
    scoring.save_score(a, {str(first): "5", str(rc.criteria[1].id): "5"}, submit=True)
    db.session.commit()

    browser.set_window_size(390, 844)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys("revisingjudge@example.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))
    browser.get(f"{live_server}/judging/rounds/{rnd.id}/entries/{a.entry_id}/score")
    status = browser.find_element(By.ID, "autosave-status")
    field = browser.find_element(By.ID, f"criterion-{first}")
    field.clear()
    field.send_keys("11")  # above the maximum of 10
    WebDriverWait(browser, 6).until(lambda d: status.text.strip() in ("未保存", "Not saved"))
    field.clear()
    field.send_keys("6.5")
    WebDriverWait(browser, 6).until(lambda d: status.text.strip() in ("已提交的评分已更新", "Submitted score updated"))
    db.session.expire_all()
    score = db.session.execute(sa.select(Score)).scalar_one()
    assert score.submitted and score.values[str(first)] == "6.5"


def test_referee_records_runs_on_a_phone(browser, live_server):
    """Issue 22: after saving run 1 the form opens on run 2, empty; a DNF needs no points and the page says
    which run counts and why."""
    from tests.judging.test_runs_referees import _robot_world

    w = _robot_world()
    w["referee"].email = "phonereferee@example.cn"
    db.session.commit()
    rnd, entry = w["round"], w["slip"]

    browser.set_window_size(390, 844)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys("phonereferee@example.cn")
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))

    browser.get(f"{live_server}/judging/rounds/{rnd.id}/referee/{entry.id}")
    assert browser.find_element(By.NAME, "run_number").get_attribute("value") == "1"
    browser.find_element(By.NAME, "points").send_keys("180")
    browser.find_element(By.NAME, "time").send_keys("01:05.20")
    _tap(browser, "form [type=submit][name=submit]")
    WebDriverWait(browser, 5, ignored_exceptions=[StaleElementReferenceException]).until(  # the page reloads
        lambda d: d.find_element(By.NAME, "run_number").get_attribute("value") == "2"
    )
    assert browser.find_element(By.NAME, "points").get_attribute("value") == ""
    assert browser.find_element(By.NAME, "time").get_attribute("value") == ""
    # run 2: did not finish — no points needed
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.NAME, "status")).select_by_value("dnf")
    _tap(browser, "form [type=submit][name=submit]")
    WebDriverWait(browser, 5, ignored_exceptions=[StaleElementReferenceException]).until(  # the page reloads
        lambda d: d.find_element(By.NAME, "run_number").get_attribute("value") == "3"
    )
    counting = browser.find_element(By.ID, "counting").text
    assert "计入成绩：第 1 轮" in counting and "第 2 轮：未完成或取消成绩" in counting
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.save_screenshot("/tmp/judging_referee_phone.png")
    db.session.expire_all()
    recorded = {r.run_number: r for r in db.session.execute(sa.select(PerformanceRun)).scalars()}
    assert recorded[1].points == 180 and recorded[2].status == "dnf" and recorded[2].points == 0


def _tap(browser, selector: str) -> None:
    element = browser.find_element(By.CSS_SELECTOR, selector)
    # Bootstrap scrolls smoothly: jump, so the element is where the click lands
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element)
    element.click()
