"""Walks of issue 25 in real headless Chromium: the organiser builds a call with a file field and an eligibility
rule and invites an expert from the pool; an applicant applies with a file (refused first by the rule, with the
field named); a county nominates within its quota (refused beyond it) and the city sees the nominations by
association. KC_SCREENSHOT_DIR keeps the screenshots for a person to look at."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from calls import experts, nominations, services
from calls.models import Call, CallApplication
from core.extensions import db
from tests import factories
from tests.calls.test_browser import _click, _login, _shot
from tests.calls.test_services import BANDS, FORM, paper

pytestmark = pytest.mark.browser


def _logout(browser, live_server):
    browser.delete_all_cookies()


def test_organiser_builds_a_call_and_an_applicant_applies_with_a_file(browser, live_server, tmp_path):
    city = factories.association("青溪市科学技术协会")
    factories.organiser(city, email="paper-organiser@example.cn", name="陈建国")
    experts.add_expert(
        city,
        {
            "name": "孙德明",
            "title": "教授",
            "field": "材料科学",
            "workplace": "青溪大学",
            "mobile": "13800138000",
            "email": "sun@example.cn",
        },
    )
    factories.coordinator(email="applicant@example.cn", name="欧阳䶮")
    factories.commit()
    _login(browser, live_server, "paper-organiser@example.cn")

    browser.get(live_server + "/calls/new")
    browser.find_element(By.NAME, "title").send_keys("自然科学优秀学术论文评选")
    Select(browser.find_element(By.NAME, "subject")).select_by_value("paper")
    Select(browser.find_element(By.NAME, "outcome")).select_by_value("top")
    _click(browser, "#call-form [type=submit]")
    WebDriverWait(browser, 5).until(lambda d: "/calls/new" not in d.current_url)
    call_url = browser.current_url
    browser.find_element(By.NAME, "field-label").send_keys("发表日期")
    Select(browser.find_element(By.NAME, "field-kind")).select_by_value("date")
    _click(browser, "[name=field-required]", reloads=False)
    _click(browser, "#add-field [type=submit]")
    browser.find_element(By.NAME, "field-label").send_keys("论文全文")
    Select(browser.find_element(By.NAME, "field-kind")).select_by_value("file")
    browser.find_element(By.NAME, "field-accept").send_keys("pdf")
    browser.find_element(By.NAME, "field-max_mb").send_keys("10")
    browser.find_element(By.NAME, "field-max_count").send_keys("1")
    _click(browser, "[name=field-required]", reloads=False)
    _click(browser, "#add-field [type=submit]")
    assert "论文全文" in browser.find_element(By.ID, "fields").text

    _click(browser, "#call-pages a[href$='/rules']")
    Select(browser.find_element(By.NAME, "kind")).select_by_value("within_years")
    browser.find_element(By.NAME, "years").send_keys("2")
    browser.find_element(By.NAME, "reference").send_keys("2026-12-31")
    _click(browser, "#add-rule [type=submit]")
    assert "发表日期：在2026-12-31前 2 年内" in browser.find_element(By.ID, "rules").text
    _shot(browser, tmp_path, "calls-rules.png")

    browser.get(call_url)
    _click(browser, "#call-pages a[href$='/experts']")
    _click(browser, "#pool button[type=submit]")
    assert "已发送账号邀请" in browser.find_element(By.ID, "invited").text
    _shot(browser, tmp_path, "calls-experts-invited.png")
    browser.get(call_url)
    _click(browser, "form[action$='/status'] button")  # open the call
    assert "正在申报" in browser.find_element(By.ID, "call-status").text

    _logout(browser, live_server)
    _login(browser, live_server, "applicant@example.cn")
    call = db.session.execute(db.select(Call)).scalar_one()
    browser.get(f"{live_server}/calls/{call.id}/apply")
    pdf = tmp_path / "论文全文.pdf"
    pdf.write_bytes(paper()["f6"][0].data)
    browser.find_element(By.NAME, "title").send_keys("嘉陵江上游水体微塑料分布特征研究")
    browser.execute_script("document.getElementById('f1').value = '2021-03-01'")
    browser.find_element(By.NAME, "f2").send_keys(str(pdf))
    _click(browser, "#apply-form [type=submit]")
    error = browser.find_element(By.CSS_SELECTOR, "#f1 ~ .invalid-feedback").text
    assert "不符合申报条件" in error and "发表日期" in error
    _shot(browser, tmp_path, "calls-apply-refused.png")
    assert db.session.query(CallApplication).count() == 0
    browser.execute_script("document.getElementById('f1').value = '2025-09-01'")
    browser.find_element(By.NAME, "f2").send_keys(str(pdf))  # the browser forgets a file after a refused post
    _click(browser, "#apply-form [type=submit]")
    assert "论文全文.pdf" in browser.find_element(By.ID, "answers").text
    _shot(browser, tmp_path, "calls-application-with-file.png")


def test_a_county_nominates_within_its_quota(browser, live_server, tmp_path):
    city = factories.association("青溪市科学技术协会")
    county = factories.association("青溪县科学技术协会", parent=city)
    other = factories.association("龙泉县科学技术协会", parent=city)
    factories.organiser(city, email="city@example.cn", name="陈建国")
    county_organiser = factories.organiser(county, email="county@example.cn", name="王丽华")
    call = services.create_call(
        city,
        year=2026,
        title="十佳科技辅导员评选",
        subject="person",
        applicants="nominations",
        outcome="top",
        outcome_rule={"n": 10},
        form=[{"label": "工作单位", "kind": "text", "required": True}],
    )
    services.set_status(call, "open")
    nominations.set_quotas(call, {county.id: "2", other.id: "3"})
    nominations.nominate(
        call,
        county.id,
        county_organiser,
        title="何秀英",
        applicant_name="何秀英",
        unit_name="",
        answers={"f1": "青溪县实验小学"},
    )
    factories.commit()

    _login(browser, live_server, "county@example.cn")
    browser.set_window_size(390, 844)
    browser.get(f"{live_server}/calls/{call.id}/apply")
    assert "已推荐 1 / 2" in browser.find_element(By.ID, "nominated_by").text
    browser.find_element(By.NAME, "title").send_keys("罗建华")
    browser.find_element(By.NAME, "applicant_name").clear()
    browser.find_element(By.NAME, "applicant_name").send_keys("罗建华")
    browser.find_element(By.NAME, "f1").send_keys("青溪县第二中学")
    _click(browser, "#apply-form [type=submit]")
    WebDriverWait(browser, 5).until(lambda d: "/applications/" in d.current_url)
    browser.get(f"{live_server}/calls/{call.id}/apply")
    browser.find_element(By.NAME, "title").send_keys("梁晓东")
    browser.find_element(By.NAME, "f1").send_keys("青溪县第三中学")
    _click(browser, "#apply-form [type=submit]")
    error = browser.find_element(By.CSS_SELECTOR, "#nominated_by ~ .invalid-feedback").text
    assert "青溪县科学技术协会" in error and "名额" in error
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    _shot(browser, tmp_path, "calls-nomination-refused-phone.png")

    _logout(browser, live_server)
    _login(browser, live_server, "city@example.cn")
    browser.get(f"{live_server}/calls/{call.id}/nominations")
    text = browser.find_element(By.ID, "by-association").text
    assert "何秀英" in text and "罗建华" in text and "梁晓东" not in text and "已推荐 2 / 2" in text
    _shot(browser, tmp_path, "calls-nominations-by-association.png")


def test_the_pool_on_a_phone_masks_contacts_and_fits(browser, live_server, tmp_path):
    city = factories.association("青溪市科学技术协会")
    organiser = factories.organiser(city, email="pool@example.cn", name="陈建国")
    call = services.create_call(
        city,
        year=2026,
        title="自然科学优秀学术论文评选",
        subject="paper",
        applicants="units",
        outcome="bands",
        outcome_rule=BANDS,
        form=FORM,
    )
    for i, (n, t, f, w) in enumerate(
        [
            ("孙德明", "教授", "材料科学", "青溪大学材料学院"),
            ("欧阳䶮", "副教授", "环境科学", "青溪大学环境学院"),
            ("吉𠮷祥", "高级农艺师", "农学", "龙泉县农技站"),
        ]
    ):
        e = experts.add_expert(
            city,
            {
                "name": n,
                "title": t,
                "field": f,
                "workplace": w,
                "mobile": f"1380013800{i}",
                "email": f"expert{i}@example.cn",
            },
        )
        experts.invite_to_call(e, call, organiser)
    experts.declare_conflict(e, "与某申报单位有合作关系", call)
    factories.commit()
    _login(browser, live_server, "pool@example.cn")
    browser.set_window_size(390, 844)
    browser.get(live_server + "/calls/experts")
    assert "138****8000" in browser.find_element(By.ID, "experts").text
    assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    _shot(browser, tmp_path, "calls-pool-phone.png")
    browser.set_window_size(1366, 900)
    browser.get(live_server + f"/calls/experts/{e.id}")
    _shot(browser, tmp_path, "calls-expert.png")
