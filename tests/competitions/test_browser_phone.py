"""A coordinator of a big school on a phone (390×844, real headless Chromium): the roster and the entry list
are cards that fit the screen, and the entry form's student picker finds a student among 2,200 by name,
pinyin initials or class instead of listing every one."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from competitions.models import Entry, Student
from core.extensions import db
from tests import factories
from tests.competitions import factories as cf

pytestmark = pytest.mark.browser
WIDTH, HEIGHT = 390, 844
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "子涵浩宇欣怡梓轩雨萱一诺思远佳琪俊杰诗雨晨阳明轩"


def _big_school(school, count: int = 2200) -> None:
    now = datetime.now(UTC)
    rows = []
    for n in range(count):
        grade = 1 + n % 6
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 20) % len(GIVEN)] + GIVEN[(n // 7) % len(GIVEN)]
        if name == "张思远":
            name = "张思源"  # exactly one 张思远 below
        rows.append(
            {
                "school_id": school.id,
                "name": name,
                "gender": "男女"[n % 2],
                "grade": grade,
                "birth_date": date(2025 - 6 - grade, 1 + n % 12, 1 + n % 28),
                "class_name": f"{1 + n % 9}班",
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(sa.insert(Student), rows)


def _login(browser, live_server, email):
    browser.set_window_size(WIDTH, HEIGHT)
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 5).until(lambda d: d.current_url.endswith("/dashboard"))


def _fits(browser, element) -> None:
    """Inside the viewport's width, and no horizontal scrolling of the page."""
    width = browser.execute_script("return document.documentElement.clientWidth")
    assert browser.execute_script("return document.documentElement.scrollWidth") <= width
    rect = browser.execute_script("var r = arguments[0].getBoundingClientRect(); return [r.left, r.right];", element)
    assert rect[0] >= 0 and rect[1] <= width, (rect, width)


@pytest.fixture
def big_school():
    county = factories.association("青溪县科学技术协会")
    school = factories.school(county, stage="primary", name="青溪县实验小学")
    contest = cf.contest(county, name="第25届青溪县青少年科技创新大赛")
    category = cf.category(contest, code="CX", name="科技创新成果")
    factories.coordinator(school, email="phone-coord@example.cn", name="刘芳")
    _big_school(school)
    target = cf.student(school, name="张思远", grade=3)
    target.class_name = "3班"
    rare = cf.student(school, name="𠮷䶮", grade=4)
    other = cf.student(school, name="欧阳娜娜", grade=4)
    cf.entry(contest, category, school, students=[other], title="校园雨水收集与再利用系统——基于物联网的自动灌溉装置")
    factories.commit()
    return dict(school=school, contest=contest, category=category, target=target, rare=rare)


def test_roster_and_entries_are_cards_on_a_phone(browser, live_server, big_school):
    w = big_school
    _login(browser, live_server, "phone-coord@example.cn")
    browser.get(f"{live_server}/contests/school/{w['school'].id}/students?q=zsy")
    table = browser.find_element(By.ID, "students-table")
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    assert any("赵诗阳" in r.text for r in rows)  # zsy: 张思远 and every other z-s-y name
    row = next(r for r in rows if "张思远" in r.text)
    assert "张思远" in row.text and "三年级" in row.text and "3班" in row.text
    name = row.find_element(By.CSS_SELECTOR, "td.kc-card-title")
    # the name is written on one line, not one character per line
    assert name.size["width"] > 200 and name.size["height"] < 40
    _fits(browser, row)
    _fits(browser, row.find_element(By.LINK_TEXT, "编辑"))
    _fits(browser, row.find_element(By.CSS_SELECTOR, "button.text-danger"))
    assert not table.find_element(By.TAG_NAME, "thead").is_displayed()
    browser.save_screenshot("/tmp/kc_phone_roster.png")

    browser.get(f"{live_server}/contests/{w['contest'].id}/school/{w['school'].id}")
    card = browser.find_element(By.CSS_SELECTOR, "#school-entries tbody tr")
    _fits(browser, card)
    title = card.find_element(By.CSS_SELECTOR, "td.kc-card-title")
    assert title.size["width"] > 200
    students = card.find_element(By.CSS_SELECTOR, "td[data-label]:nth-of-type(4)")
    assert "学生" in browser.execute_script("return getComputedStyle(arguments[0], '::before').content", students)
    _fits(browser, browser.find_element(By.ID, "new-entry"))
    browser.save_screenshot("/tmp/kc_phone_entries.png")


def test_student_picker_searches_by_initials_name_and_class(browser, live_server, big_school):
    w = big_school
    _login(browser, live_server, "phone-coord@example.cn")
    browser.get(f"{live_server}/contests/{w['contest'].id}/school/{w['school'].id}/entries/new")
    # the page no longer carries the roster: a handful of options, not 2,200 per place
    assert len(browser.find_elements(By.TAG_NAME, "option")) < 20
    assert len(browser.page_source.encode()) < 60_000
    browser.find_element(By.NAME, "title").send_keys("纸飞机的滞空时间研究")
    picker = browser.find_element(By.CSS_SELECTOR, ".kc-picker-input[data-for=member_0]")
    _fits(browser, picker)
    picker.send_keys("zsy")
    options = WebDriverWait(browser, 5, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: [o for o in d.find_elements(By.CSS_SELECTOR, ".kc-picker-option") if "张思远" in o.text]
    )
    assert options[0].text == "张思远（三年级3班）"
    browser.save_screenshot("/tmp/kc_phone_picker.png")
    _fits(browser, options[0])
    options[0].click()
    assert picker.get_attribute("value") == "张思远（三年级3班）"
    # a rare character is found by itself
    picker.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)  # as a user clears it (clear() also blurs)
    picker.send_keys("䶮")
    WebDriverWait(browser, 5, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: [o for o in d.find_elements(By.CSS_SELECTOR, ".kc-picker-option") if "𠮷䶮" in o.text]
    )
    picker.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)  # as a user clears it (clear() also blurs)
    picker.send_keys("3班")  # by class: only students of a 3班

    def class_three(d):
        options = [o.text for o in d.find_elements(By.CSS_SELECTOR, ".kc-picker-option")]
        return len(options) == 20 and all("3班" in text for text in options)

    WebDriverWait(browser, 5, ignored_exceptions=(StaleElementReferenceException,)).until(class_three)

    def pick(d):
        target = [o for o in d.find_elements(By.CSS_SELECTOR, ".kc-picker-option") if o.text.startswith("张思远")]
        if target:
            target[0].click()
        return bool(target)

    picker.send_keys(Keys.CONTROL, "a", Keys.BACKSPACE)  # as a user clears it (clear() also blurs)
    picker.send_keys("张思")
    WebDriverWait(browser, 5, ignored_exceptions=(StaleElementReferenceException,)).until(pick)
    assert picker.get_attribute("value") == "张思远（三年级3班）"
    browser.execute_script("arguments[0].value = '2024-03-01';", browser.find_element(By.NAME, "work_started_on"))
    submit = browser.find_element(By.CSS_SELECTOR, "#entry-form [type=submit]")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", submit)
    submit.click()
    WebDriverWait(browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: "/contests/entries/" in d.current_url and "/edit" not in d.current_url
    )
    db.session.expire_all()
    entry = db.session.execute(sa.select(Entry).where(Entry.title == "纸飞机的滞空时间研究")).scalar_one()
    assert [m.student_id for m in entry.members] == [w["target"].id]
    assert [e for e in browser.get_log("browser") if e["level"] == "SEVERE"] == []
