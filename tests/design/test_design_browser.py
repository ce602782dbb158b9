"""Issue 26 in a real browser: the public pages and the daily screens fit a phone (390 × 844) and a laptop
(1366 × 900) without horizontal scrolling, and axe-core finds no serious or critical accessibility violation.

The pages are those of the demo data (core.demo: a county's contest with its 公示, events, the caravan,
certificates), so they carry real Chinese names, long titles and codes. Screenshots go to the pytest tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from core.demo import SEEDERS, DemoContext
from core.extensions import db

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
SIZES = ((390, 844), (1366, 900))


def seed_demo() -> None:
    ctx = DemoContext(scale=1, echo=lambda *_a, **_k: None)
    for seeder in SEEDERS:
        seeder.run(ctx)
        db.session.commit()


def public_paths(app) -> dict[str, str]:
    from certificates.models import Certificate
    from competitions.models import Contest
    from events.models import Event
    from events.services import registration as registration_service
    from judging.services import rounds as rounds_service

    event = db.session.execute(sa.select(Event).where(Event.status == "published").order_by(Event.id)).scalars().first()
    registration = registration_service.register(
        event.sessions[0],
        name="李䶮",
        phone="13800138000",
        kind="group",
        head_count=3,
        school_name="青溪县实验小学",
        grade="五年级",
        member_names="王𠮷\n张小明",
        user=None,
    )
    db.session.commit()
    cert = db.session.execute(sa.select(Certificate).order_by(Certificate.id)).scalars().first()
    contest = next(c for c in db.session.execute(sa.select(Contest)).scalars() if rounds_service.notice_of(c))
    with app.test_request_context():
        return {
            "home": url_for("core.home"),
            "events": url_for("events.index"),
            "event": url_for("events.detail", event_id=event.id),
            "ticket": url_for("events.ticket", token=registration.link_token),
            "poster": url_for("events.poster", event_id=event.id),
            "my_registrations": url_for("events.my_registrations"),
            "public_notice": url_for("judging.public_notice", contest_id=contest.id),
            "verify_lookup": url_for("certificates_verify.lookup"),
            "verify": url_for("certificates_verify.verify", token=cert.token),
            "caravan_request": url_for("events.visit_request"),
        }


def log_in(browser, live_server, login: str, password: str) -> None:
    browser.delete_all_cookies()
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys(login)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.execute_script("document.querySelector('#login-form [type=submit]').click()")
    WebDriverWait(browser, 5).until(lambda d: "/login" not in d.current_url)


def serious_violations(browser) -> list[str]:
    """axe-core's WCAG 2 A/AA rules on the current page; the serious and critical ones, described."""
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        ".then(function (r) { done(r.violations); }, function (e) { done([{id: 'axe-error', impact: 'critical',"
        " nodes: [{target: [String(e)]}]}]); });"
    )
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]


def check_pages(browser, live_server, paths: dict[str, str], shots: Path, who: str) -> list[str]:
    problems = []
    for width, height in SIZES:
        browser.set_window_size(width, height)
        for name, path in paths.items():
            browser.get(live_server + path)
            assert "500" not in browser.title, (name, path)
            scroll_width, inner_width = browser.execute_script(
                "return [document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll_width > inner_width:
                problems.append(f"{who} {name} at {width}px: scrollWidth {scroll_width} > innerWidth {inner_width}")
            browser.save_screenshot(str(shots / f"{who}-{name}-{width}.png"))
            if width == 390:
                problems += [f"{who} {name}: {v}" for v in serious_violations(browser)]
    return problems


@pytest.fixture
def demo_browser(app, browser, live_server, tmp_path):
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `make assets` with npm present")
    browser.set_script_timeout(30)
    seed_demo()
    return browser


def test_public_pages_fit_phones_and_laptops_and_pass_axe(app, demo_browser, live_server, tmp_path):
    paths = public_paths(app)
    problems = check_pages(demo_browser, live_server, paths, tmp_path, "public")
    assert not problems, "\n".join(problems)
    # a link pasted in a chat shows the event's title and picture
    demo_browser.get(live_server + paths["event"])
    og = {
        m.get_attribute("property"): m.get_attribute("content")
        for m in demo_browser.find_elements(By.CSS_SELECTOR, "meta[property^='og:']")
    }
    assert og["og:title"] == demo_browser.find_element(By.TAG_NAME, "h1").text
    assert og["og:image"].endswith("/share.png") and og["og:image"].startswith("http")


def test_daily_screens_fit_phones_and_laptops_and_pass_axe(app, demo_browser, live_server, tmp_path):
    from accounts.models import Organisation
    from events.models import Event
    from judging.models import Round

    school = db.session.execute(sa.select(Organisation).where(Organisation.name == "青溪县实验小学")).scalar_one()
    event = db.session.execute(sa.select(Event).where(Event.status == "published").order_by(Event.id)).scalars().first()
    rnd = db.session.execute(sa.select(Round).order_by(Round.id)).scalars().first()
    from competitions.models import Contest

    contest = db.session.execute(sa.select(Contest).order_by(Contest.id.desc())).scalars().first()
    with app.test_request_context():
        screens = {
            "coordinator@kechuang.demo": {
                "students": url_for("competitions.students", school_id=school.id),
                "entries": url_for("competitions.school_entries", contest_id=contest.id, school_id=school.id),
            },
            "judge@kechuang.demo": {"worklist": url_for("judging.my")},
            "checkin@kechuang.demo": {"scanner": url_for("events.scanner", event_id=event.id)},
            "organiser@kechuang.demo": {
                "dashboard": url_for("core.dashboard"),
                "round": url_for("judging.round_detail", round_id=rnd.id),
            },
        }
    problems = []
    for login, paths in screens.items():
        log_in(demo_browser, live_server, login, app.config["DEMO_PASSWORD"])
        problems += check_pages(demo_browser, live_server, paths, tmp_path, login.split("@")[0])
    assert not problems, "\n".join(problems)
