"""Real-browser check-in: Chromium's fake camera shows a ticket's QR code (a .y4m we write), and a USB scanner
"types" a code plus Enter into the always-focused input."""

from pathlib import Path

import pytest
import sqlalchemy as sa

from core.extensions import db
from events.models import CheckIn
from events.services import staff as staff_service
from events.tickets import format_code
from events.y4m import write_qr_video
from tests import factories
from tests.conftest import make_browser
from tests.events import factories as ef

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def _staff_link_scanner_url(live_server, event) -> str:
    _link, token = staff_service.create_staff_link(event, label="东门")
    factories.commit()
    return f"{live_server}/events/staff/{token}"


def _wait_for_status(driver, expected: str, timeout: int = 30) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    def has_status(d):
        return d.find_element("id", "result").get_attribute("data-status") == expected

    try:
        WebDriverWait(driver, timeout).until(has_status)
    except Exception as exc:
        logs = driver.get_log("browser")
        raise AssertionError(
            f"no {expected!r} result; status="
            f"{driver.find_element('id', 'result').get_attribute('data-status')!r}; console={logs}"
        ) from exc


def test_fake_camera_scan_checks_the_attendee_in(live_server, tmp_path):
    if not (ROOT / "static" / "vendor" / "qr-scanner" / "qr-scanner.umd.min.js").exists():
        pytest.skip("qr-scanner is not installed in static/vendor (run `make assets`)")
    event = ef.event(capacity=10, title="摄像头签到测试")
    registration = ef.registration(event, name="镜头前的人")
    url = _staff_link_scanner_url(live_server, event)
    video = write_qr_video(tmp_path / "ticket.y4m", registration.code, width=640, height=480, fps=10, frames=5)
    driver = make_browser(
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    try:
        driver.get(url)  # the staff link unlocks the scanner in this browser, then redirects to it
        assert f"/events/{event.id}/scan" in driver.current_url
        driver.get(f"{live_server}/events/{event.id}/scan?camera=1")
        _wait_for_status(driver, "checked_in")
        assert "镜头前的人" in driver.find_element("id", "result-attendee").text
        toggle = driver.find_element("id", "camera-toggle")  # the button says what it does now
        assert toggle.text == "关闭摄像头" and toggle.get_attribute("aria-pressed") == "true"
        toggle.click()
        assert toggle.text == "使用摄像头扫码" and toggle.get_attribute("aria-pressed") == "false"
        assert "events-result-green" in driver.find_element("id", "result").get_attribute("class")
    finally:
        driver.quit()
    db.session.expire_all()
    checkins = db.session.execute(sa.select(CheckIn)).scalars().all()
    assert [(c.registration_id, c.gate) for c in checkins] == [(registration.id, "东门")]


def test_usb_scanner_types_the_code_and_enter(live_server):
    from selenium.webdriver.common.keys import Keys

    event = ef.event(capacity=10, title="扫码枪签到测试")
    registration = ef.registration(event, name="扫码枪用户")
    url = _staff_link_scanner_url(live_server, event)
    driver = make_browser()
    try:
        driver.get(url)
        # a handheld scanner types into whatever has focus: the page keeps the code input focused
        active = driver.switch_to.active_element
        assert active.get_attribute("id") == "code-input"
        active.send_keys(format_code(registration.code).lower() + Keys.ENTER)
        _wait_for_status(driver, "checked_in")
        assert driver.find_element("id", "result").get_attribute("data-http-status") == "201"
        assert "签到成功" in driver.find_element("id", "result-title").text  # the page's language, not the browser's
        assert driver.find_element("id", "count-checked").text in ("0", "1")  # refreshed asynchronously
        driver.switch_to.active_element.send_keys(registration.code + Keys.ENTER)
        _wait_for_status(driver, "already_checked_in")
        assert "events-result-amber" in driver.find_element("id", "result").get_attribute("class")
        driver.switch_to.active_element.send_keys("NOT-A-REAL-CODE" + Keys.ENTER)
        _wait_for_status(driver, "not_found")
        assert "events-result-red" in driver.find_element("id", "result").get_attribute("class")
    finally:
        driver.quit()
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 1


def test_back_to_back_scans_are_queued_not_lost(live_server):
    import time

    from selenium.webdriver.common.keys import Keys

    event = ef.event(capacity=10, title="连续扫码测试")
    tickets = [ef.registration(event, name=f"访客{n}") for n in range(3)]
    url = _staff_link_scanner_url(live_server, event)
    driver = make_browser()
    try:
        driver.get(url)
        # a handheld scanner fires three tickets faster than the server answers
        driver.switch_to.active_element.send_keys("".join(t.code + Keys.ENTER for t in tickets))
        deadline = time.time() + 30
        while time.time() < deadline:
            db.session.expire_all()
            if db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 3:
                break
            time.sleep(0.3)
        _wait_for_status(driver, "checked_in")
    finally:
        driver.quit()
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 3
