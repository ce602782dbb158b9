"""Real Chromium, the offline scanner deciding what the server would: an exit scan is decided on the device by
the mirror of decide_checkout (out once, then "already out"), and uploads as the visitor's time out; a scan at an
event that was called off says so on the device, as the server does. Cases shared with the server's rule are in
checkin_cases.json; these walks check the page wires the rule to what the device knows."""

import pytest
import sqlalchemy as sa
from selenium.webdriver.support.ui import Select

from core.extensions import db
from events.models import CheckIn, EventStatus
from tests import factories
from tests.events import factories as ef
from tests.events.test_events_scanner_offline import (
    _attr,
    _network,
    _result,
    _scanner,
    _type,
    _wait,
    switchable_server,  # noqa: F401 (fixture)
)

pytestmark = pytest.mark.browser


def _go_offline(driver, server):
    _network(driver, offline=True)
    server["stop"]()
    driver.refresh()  # the page comes from the service worker's cache
    _wait(driver, lambda d: d.find_element("id", "code-input").is_displayed(), "no page offline")
    _wait(driver, lambda d: _attr(d, "data-synced-at"), "the offline list is gone")


def test_exit_scans_are_decided_offline_and_upload_as_the_time_out(switchable_server):  # noqa: F811
    event = ef.event(capacity=10, title="研学：科技馆半日", exit_scan=True)
    visitor = ef.registration(event, name="欧阳䶮")
    never_in = ef.registration(event, name="司马𠮷")
    driver = _scanner(switchable_server["url"], event, "出口")
    try:
        _type(driver, visitor.code)
        _wait(driver, lambda d: _result(d) == ("checked_in", ""), "online check-in")
        _go_offline(driver, switchable_server)
        Select(driver.find_element("id", "direction-input")).select_by_value("out")
        _type(driver, visitor.code)
        _wait(driver, lambda d: _result(d) == ("checked_out", "1"), "offline exit")
        _type(driver, visitor.code)
        _wait(driver, lambda d: _result(d) == ("already_checked_out", "1"), "second offline exit")
        _type(driver, never_in.code)
        _wait(driver, lambda d: _result(d) == ("not_checked_in", "1"), "exit of a visitor who never came in")
        _wait(driver, lambda d: _attr(d, "data-queued") == "3", "three queued exits")
        switchable_server["start"]()
        _network(driver, offline=False)
        driver.execute_script("window.kcScanner.sync();")
        _wait(driver, lambda d: _attr(d, "data-queued") == "0", "the queue never uploaded")
        assert _attr(driver, "data-conflicts") == "0"  # the server decided each exit as the device did
    finally:
        driver.quit()
    db.session.expire_all()
    checkin = db.session.execute(sa.select(CheckIn).where(CheckIn.registration_id == visitor.id)).scalar_one()
    assert checkin.checked_out_at is not None and checkin.checkout_gate == "出口"
    assert db.session.execute(sa.select(CheckIn).where(CheckIn.registration_id == never_in.id)).first() is None


def test_an_exit_scanned_online_is_remembered_on_the_device(switchable_server):  # noqa: F811
    """An exit the server recorded is remembered like a check-in: a second exit scanned offline before the next
    sync says "already out" on the device, as the server will, and uploads without a conflict."""
    event = ef.event(capacity=10, title="研学：天文馆夜游", exit_scan=True)
    visitor = ef.registration(event, name="上官婉儿")
    driver = _scanner(switchable_server["url"], event, "出口")
    try:
        _type(driver, visitor.code)
        _wait(driver, lambda d: _result(d) == ("checked_in", ""), "online check-in")
        Select(driver.find_element("id", "direction-input")).select_by_value("out")
        _type(driver, visitor.code)
        _wait(driver, lambda d: _result(d) == ("checked_out", ""), "online exit")
        _go_offline(driver, switchable_server)
        Select(driver.find_element("id", "direction-input")).select_by_value("out")
        _type(driver, visitor.code)
        _wait(driver, lambda d: _result(d) == ("already_checked_out", "1"), "offline exit after an online one")
        _wait(driver, lambda d: _attr(d, "data-queued") == "1", "the queued exit")
        switchable_server["start"]()
        _network(driver, offline=False)
        driver.execute_script("window.kcScanner.sync();")
        _wait(driver, lambda d: _attr(d, "data-queued") == "0", "the queue never uploaded")
        assert _attr(driver, "data-conflicts") == "0"  # the server decided the second exit as the device did
    finally:
        driver.quit()


def test_a_scan_at_an_event_called_off_is_refused_on_the_device(switchable_server):  # noqa: F811
    event = ef.event(capacity=10, title="科普讲座（已取消）")
    visitor = ef.registration(event, name="诸葛小明")
    event.status = EventStatus.CANCELLED
    factories.commit()
    driver = _scanner(switchable_server["url"], event)
    try:
        _go_offline(driver, switchable_server)
        _type(driver, visitor.code)
        _wait(driver, lambda d: _result(d) == ("cancelled", "1"), "offline scan at a cancelled event")
        switchable_server["start"]()
        _network(driver, offline=False)
        driver.execute_script("window.kcScanner.sync();")
        _wait(driver, lambda d: _attr(d, "data-queued") == "0", "the queue never uploaded")
        assert _attr(driver, "data-conflicts") == "0"
    finally:
        driver.quit()
    assert db.session.execute(sa.select(sa.func.count(CheckIn.id))).scalar() == 0
