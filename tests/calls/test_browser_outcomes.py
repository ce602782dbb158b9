"""The outcomes of the 十佳科技辅导员 demo call, walked on a phone (390×844) in real headless Chromium: its organiser
makes the results final, issues certificates for them from the certificates issue page (the call picked by name),
and recommends the best results upward to the province's call — refused beyond the quota with the places left,
then accepted. KC_SCREENSHOT_DIR keeps the screenshots (docs/screenshots/after/calls-*.png)."""

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from accounts.models import Organisation
from calls import demo_calls
from calls.models import Call, CallApplication
from certificates.models import Certificate
from core.demo import DemoContext
from core.extensions import db
from tests import factories
from tests.calls.test_browser import _click, _login, _shot
from tests.certificates import factories as cf

pytestmark = pytest.mark.browser


def _overflow(browser) -> int:
    return browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")


def test_the_advisors_organiser_certifies_and_recommends_upward_on_a_phone(browser, live_server, tmp_path):
    province = factories.association("四川省科学技术协会")
    city = factories.association("青溪市科学技术协会", parent=province)
    county = factories.association("青溪县科学技术协会", parent=city)
    organiser = factories.organiser(city, email="advisors-organiser@example.cn", name="陈建国")
    province_organiser = factories.organiser(province, name="省科协管理员")
    county_organiser = factories.organiser(county, name="王丽华")
    demo_calls.seed_more_calls(
        DemoContext(
            scale=1,
            echo=lambda _m: None,
            data={
                "city": city,
                "county": county,
                "users": {"city_organiser": organiser, "organiser": county_organiser},
            },
        )
    )
    advisors = db.session.execute(sa.select(Call).where(Call.title == demo_calls.ADVISORS_TITLE)).scalar_one()
    parent = db.session.execute(  # seeded in the city's parent with 3 places for the city
        sa.select(Call).where(Call.organisation_id == province.id, Call.title == demo_calls.PROVINCE_TITLE)
    ).scalar_one()
    template = cf.template(city, name="十佳科技辅导员证书")
    factories.commit()

    _login(browser, live_server, "advisors-organiser@example.cn")
    browser.set_window_size(390, 844)
    browser.get(f"{live_server}/calls/{advisors.id}")
    _click(browser, "form[action$='/status'] input[value=finished] + button")
    assert browser.find_element(By.ID, "call-status").text == "评审结果确定"
    browser.get(f"{live_server}/calls/{advisors.id}/results")
    assert browser.find_element(By.ID, "recommend-link").is_displayed()
    assert _overflow(browser) <= 0
    _shot(browser, tmp_path, "calls-results-final-390.png")

    _click(browser, "#certificates-link")
    Select(browser.find_element(By.NAME, "template_id")).select_by_value(str(template.id))
    picker = Select(browser.find_element(By.NAME, "scope_id"))
    assert picker.first_selected_option.get_attribute("value") == f"call:{advisors.id}"
    assert "2026 十佳科技辅导员评选" in picker.first_selected_option.text
    _shot(browser, tmp_path, "calls-certificates-issue-390.png")
    _click(browser, "#issue-form [name=submit]")
    if "/certificates/call/" not in browser.current_url:  # the preflight asks to accept missing glyphs
        _click(browser, "[name=accept_preflight]", reloads=False)
        _click(browser, "#issue-form [name=submit]")
    assert browser.current_url.endswith(f"/certificates/call/{advisors.id}")
    issued = db.session.execute(
        sa.select(sa.func.count()).select_from(Certificate).where(Certificate.scope == "call")
    ).scalar_one()
    assert issued == 10
    assert "评选" in browser.find_element(By.TAG_NAME, "main").text
    _shot(browser, tmp_path, "calls-certificates-issued-390.png")

    browser.get(f"{live_server}/calls/{advisors.id}/recommend")
    assert "全省十佳科技辅导员评选" in browser.find_element(By.ID, "parent_id").text
    boxes = browser.find_elements(By.CSS_SELECTOR, "#recommend-rows input[type=checkbox]")
    assert len(boxes) == 10
    for box in boxes[:4]:
        browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", box)
        box.click()
    _click(browser, "#recommend-form [type=submit]")
    error = browser.find_element(By.ID, "recommend-error").text
    assert "剩余 3 个名额" in error and "青溪市科学技术协会" in error
    assert _overflow(browser) <= 0
    _shot(browser, tmp_path, "calls-recommend-refused-390.png")
    boxes = browser.find_elements(By.CSS_SELECTOR, "#recommend-rows input[type=checkbox]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", boxes[3])
    boxes[3].click()  # untick the fourth: three places
    _click(browser, "#recommend-form [type=submit]")
    assert "已向全省十佳科技辅导员评选推荐 3 项结果" in browser.find_element(By.CSS_SELECTOR, ".alert-success").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#recommend-rows .recommended")) == 3
    browser.execute_script("window.scrollTo({top: 0, behavior: 'instant'})")
    _shot(browser, tmp_path, "calls-recommend-done-390.png")
    db.session.expire_all()
    made = db.session.execute(sa.select(CallApplication).where(CallApplication.call_id == parent.id)).scalars().all()
    assert len(made) == 3 and {a.nominated_by_id for a in made} == {city.id}
    assert db.session.get(Organisation, province.id) is not None and province_organiser.id
