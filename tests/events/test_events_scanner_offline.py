"""Real Chromium, the offline-first scanner: the page reloads from its service worker with the network off,
decides scans on the device from the ticket list in IndexedDB and queues them; back online the queue uploads and
the server decides each scan with the one rule at the device's time. Two devices admitting the same ticket offline
both list the conflict. The camera does not re-submit a code held in view. A group checks in in two parts."""

import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from core.extensions import db
from events.models import CheckIn, ScanLog
from events.services import staff as staff_service
from events.y4m import write_qr_video
from tests import factories
from tests.conftest import make_browser
from tests.events import factories as ef

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(__file__).resolve().parents[2] / "instance" / "screenshots"


@pytest.fixture
def switchable_server(app):
    """The app over real HTTP that a test can switch off and on again at the same address: offline, the service
    worker's own requests (which DevTools' network emulation of the page does not cover) fail too."""
    import socket
    import threading

    from werkzeug.serving import make_server

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = {}

    def start():
        server = make_server("127.0.0.1", port, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        state.update(server=server, thread=thread)

    def stop():
        state["server"].shutdown()
        state["server"].server_close()
        state["thread"].join(timeout=5)

    start()
    yield {"url": f"http://127.0.0.1:{port}", "start": start, "stop": stop}
    stop()


def _scanner(live_server, event, gate="东门", *extra):
    _link, token = staff_service.create_staff_link(event, label=gate)
    factories.commit()
    driver = make_browser("--window-size=390,844", *extra)
    driver.get(f"{live_server}/events/staff/{token}")
    _wait(driver, lambda d: _attr(d, "data-sw") == "ready" and _attr(d, "data-synced-at"), "the page never got ready")
    return driver


def _attr(driver, name):
    return driver.find_element("id", "scanner").get_attribute(name)


def _wait(driver, condition, what, timeout=30):
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition)
    except Exception as exc:
        raise AssertionError(f"{what}; console={driver.get_log('browser')}") from exc


def _network(driver, offline: bool):
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )


def _type(driver, code, people=""):
    if people:
        box = driver.find_element("id", "headcount-input")
        box.clear()
        box.send_keys(people)
    driver.find_element("id", "code-input").send_keys(code + Keys.ENTER)


def _result(driver):
    element = driver.find_element("id", "result")
    return element.get_attribute("data-status"), element.get_attribute("data-offline")


def _shoot(driver, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / name))


def _count(model, *where):
    db.session.expire_all()
    return db.session.execute(sa.select(sa.func.count(model.id)).where(*where)).scalar()


def test_offline_reload_three_scans_queued_then_synced_with_the_devices_times(switchable_server):
    live_server = switchable_server["url"]
    event = ef.event(capacity=10, title="大篷车进乡村：离线签到")
    people = [ef.registration(event, name=name) for name in ("张𠮷", "李䶮", "王小明")]
    driver = _scanner(live_server, event)
    try:
        _type(driver, people[0].code)
        _wait(driver, lambda d: _result(d) == ("checked_in", ""), "online scan")
        _shoot(driver, "scanner-online.png")
        _network(driver, offline=True)
        assert (
            driver.execute_async_script(
                "var done = arguments[0]; fetch('/api/v1/events/1/counters').then(function () { done('reached'); },"
                " function () { done('offline'); });"
            )
            == "offline"
        )
        switchable_server["stop"]()  # no network at all: the service worker's requests fail too
        driver.refresh()  # the page comes from the service worker's cache
        _wait(driver, lambda d: d.find_element("id", "code-input").is_displayed(), "no page offline")
        _wait(driver, lambda d: _attr(d, "data-synced-at"), "the offline list is gone")
        for registration in people[1:]:
            _type(driver, registration.code)
            _wait(driver, lambda d: _result(d) == ("checked_in", "1") and True, "offline scan")
        _type(driver, people[0].code)  # admitted online before: the synced list knows it
        _wait(driver, lambda d: _result(d) == ("already_checked_in", "1"), "offline rescan")
        _wait(driver, lambda d: _attr(d, "data-queued") == "3", "three queued scans")
        assert driver.find_element("id", "net-state").get_attribute("data-state") == "offline"
        _shoot(driver, "scanner-offline-queued.png")
        assert _count(CheckIn) == 1  # nothing reached the server
        switchable_server["start"]()
        _network(driver, offline=False)
        driver.execute_script("window.kcScanner.sync();")
        _wait(driver, lambda d: _attr(d, "data-queued") == "0", "the queue never uploaded")
    finally:
        driver.quit()
    checkins = db.session.execute(sa.select(CheckIn).order_by(CheckIn.id)).scalars().all()
    assert len(checkins) == 3
    assert all(c.scanned_at is not None and c.checked_in_at == c.scanned_at for c in checkins[1:])
    assert _count(ScanLog, ScanLog.offline_result.is_not(None)) == 3


def test_two_devices_admit_the_same_ticket_offline_and_both_list_the_conflict(live_server):
    event = ef.event(capacity=10, title="两个入口")
    ticket = ef.registration(event, name="欧阳𠮷")
    east, west = _scanner(live_server, event, "东门"), _scanner(live_server, event, "西门")
    try:
        for driver in (east, west):
            _network(driver, offline=True)
            _type(driver, ticket.code)
            _wait(driver, lambda d: _result(d) == ("checked_in", "1"), "offline admission")
        for driver in (east, west):
            _network(driver, offline=False)
            driver.execute_script("window.kcScanner.sync();")
            _wait(driver, lambda d: _attr(d, "data-queued") == "0", "upload")
        for driver in (east, west):
            driver.execute_script("window.kcScanner.sync();")
            _wait(driver, lambda d: _attr(d, "data-conflicts") == "1", "the conflict is not listed")
            assert "欧阳*" in driver.find_element("id", "conflict-list").text
        _shoot(west, "scanner-after-sync-conflict.png")
    finally:
        east.quit()
        west.quit()
    assert _count(CheckIn) == 1
    assert _count(ScanLog, ScanLog.result == "already_checked_in", ScanLog.offline_result == "checked_in") == 1


def test_the_camera_does_not_resubmit_a_code_held_in_view(live_server, tmp_path):
    if not (ROOT / "static" / "vendor" / "qr-scanner" / "qr-scanner.umd.min.js").exists():
        pytest.skip("qr-scanner is not installed in static/vendor (run `make assets`)")
    event = ef.event(capacity=10, title="镜头前停留")
    registration = ef.registration(event, name="举着票的人")
    video = tmp_path / "held.y4m"
    write_qr_video(video, registration.code, width=640, height=480, fps=10, frames=5)
    driver = _scanner(
        live_server,
        event,
        "东门",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    )
    try:
        driver.get(driver.current_url + "?camera=1")
        _wait(driver, lambda d: _result(d)[0] == "checked_in", "camera scan")
        time.sleep(8)  # the code stays in view (the video loops): no second scan may be sent
        assert _result(driver)[0] == "checked_in"
    finally:
        driver.quit()
    assert _count(ScanLog) == 1


def test_a_group_checks_in_in_two_parts(live_server):
    event = ef.event(capacity=40, title="研学团体")
    group = ef.registration(event, name="青溪县实验小学", kind="group", head_count=12)
    driver = _scanner(live_server, event)
    try:
        _type(driver, group.code, people="5")
        _wait(driver, lambda d: _result(d)[0] == "checked_in", "first part")
        assert "5/12" in driver.find_element("id", "result-attendee").text
        _type(driver, group.code)
        _wait(driver, lambda d: "7/12" in d.find_element("id", "result-attendee").text, "second part")
        _type(driver, group.code, people="3")
        _wait(driver, lambda d: _result(d)[0] == "over_count", "over-count")
        driver.find_element("id", "confirm-over").click()
        _wait(driver, lambda d: "3/12" in d.find_element("id", "result-attendee").text, "confirmed over-count")
    finally:
        driver.quit()
    db.session.expire_all()
    checkin = db.session.execute(sa.select(CheckIn)).scalar_one()
    assert (checkin.head_count, checkin.over_count) == (15, True)
