"""A call reviewed on judging's engine, in real headless Chromium: an invited expert logs in on a phone (390×844),
scores an assigned application on judging's scoring page (the applicant's name and unit blotted out), and the
organiser, on a laptop, closes the round, reads the results decided on judging's scores and publishes the 公示,
which the public page shows. KC_SCREENSHOT_DIR keeps the screenshots for a person to look at."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from calls import judging as call_judging
from core.extensions import db
from judging.models import JudgeAssignment, Score
from judging.services import scoring
from tests import factories
from tests.calls.test_browser import _click, _login, _shot
from tests.calls.test_judging_rounds import APPS, BANDS, TOTALS, reviewed_call

pytestmark = pytest.mark.browser


def test_an_expert_scores_on_a_phone_and_the_organiser_publishes(browser, live_server, tmp_path):
    call, rnd, apps, users = reviewed_call("bands", BANDS, APPS)
    expert = users["孙德明"]  # 青溪大学: stands aside from 青溪河水质研究 (青溪大学)
    organiser = factories.organiser(call.organisation, email="review-organiser@example.cn")
    rubric = rnd.categories[0]
    titles = {a.id: a.title for a in apps}
    mine = None
    for a in db.session.execute(sa.select(JudgeAssignment).where(JudgeAssignment.round_id == rnd.id)).scalars():
        if a.judge.user_id == expert.id and mine is None:
            mine = a  # left for the expert to score in the browser
            continue
        half = Decimal(TOTALS[titles[a.entry_id]]) / 2
        scoring.save_score(a, {str(c.id): str(half) for c in rubric.criteria}, submit=True, actor=a.judge.user)
    db.session.commit()
    application = next(x for x in apps if x.id == mine.entry_id)
    total = TOTALS[application.title]
    first, second = rubric.criteria

    browser.set_window_size(390, 844)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys(expert.email)
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))
    browser.get(live_server + "/judging/my")
    assert call.title in browser.find_element(By.TAG_NAME, "main").text
    browser.find_element(By.CSS_SELECTOR, f"a[href$='/judging/rounds/{rnd.id}/my']").click()
    worklist = browser.find_element(By.ID, "worklist").text
    assert application.code in worklist and "青溪河水质研究" not in worklist  # never the same workplace's paper
    browser.find_element(By.CSS_SELECTOR, f"a[href$='/entries/{application.id}/score']").click()
    page = browser.find_element(By.TAG_NAME, "main").text
    assert application.title in page and application.applicant_name.split("、")[0] not in page
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    browser.find_element(By.ID, f"criterion-{first.id}").send_keys(str(Decimal(total) / 2))
    browser.find_element(By.ID, f"criterion-{second.id}").send_keys(str(Decimal(total) / 2))
    _shot(browser, tmp_path, "call-expert-score-390x844.png")
    _click(browser, "#submit-score")
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith(f"/judging/rounds/{rnd.id}/my"))
    db.session.expire_all()
    score = db.session.execute(sa.select(Score).where(Score.assignment_id == mine.id)).scalar_one()
    assert score.submitted and float(score.total) == total
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []

    browser.delete_all_cookies()
    _login(browser, live_server, organiser.email)
    browser.get(f"{live_server}/calls/{call.id}/review")
    _click(browser, "form[action$='/review/close'] [type=submit]")
    results = browser.find_element(By.ID, "review-results").text
    assert "青溪河水质研究" in results and "优秀" in results and "不合格" in results
    _click(browser, "#publish [type=submit]")
    assert browser.find_element(By.ID, "notice-state").text
    _shot(browser, tmp_path, "call-review-1366x900.png")
    browser.get(f"{live_server}/calls/{call.id}/notice")
    public = browser.find_element(By.ID, "notice-results").text
    assert "张三、李四" in public and "青溪河水质研究" in public  # adults' names as published
    assert browser.find_element(By.ID, "objection-form")
    _shot(browser, tmp_path, "call-notice-1366x900.png")
    db.session.expire_all()
    assert call_judging.review_round(call).results_computed_at is not None
