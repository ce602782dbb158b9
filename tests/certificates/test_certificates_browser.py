"""Real headless Chromium: the template designer's live preview updates as the organiser edits."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests import factories
from tests.certificates import factories as cf

pytestmark = pytest.mark.browser


def _login(browser, live_server, email):
    browser.get(live_server + "/login")
    browser.find_element(By.NAME, "login").send_keys(email)
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.endswith("/dashboard"))


def test_designer_live_preview_and_error(browser, live_server):
    county = factories.association("青溪县科学技术协会")
    factories.organiser(county, email="designer@example.cn")
    template = cf.template(county)
    factories.commit()
    _login(browser, live_server, "designer@example.cn")
    browser.get(f"{live_server}/certificates/templates/{template.id}")
    image = browser.find_element(By.ID, "live-preview")
    WebDriverWait(browser, 30).until(
        lambda d: image.get_attribute("src") and d.execute_script("return arguments[0].naturalWidth", image) > 100
    )
    first_src = image.get_attribute("src")
    assert first_src.startswith("blob:")
    # a placeholder that does not exist: the preview explains instead of drawing
    field = browser.find_element(By.NAME, "items-1-text")
    field.clear()
    field.send_keys("{nickname}")
    error = browser.find_element(By.ID, "live-preview-error")
    WebDriverWait(browser, 30).until(lambda d: "{nickname}" in error.text)
    field.clear()
    field.send_keys("{name}同学")
    WebDriverWait(browser, 30).until(lambda d: image.get_attribute("src") != first_src and not error.is_displayed())
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "422" not in e["message"]]
    assert errors == []


def test_designer_item_rows_show_their_kind(browser, live_server):
    """QA: the item table squeezed the Kind select to its arrow, so nobody could see which row was the
    text, the text box or the QR code."""
    county = factories.association("青溪县科学技术协会")
    factories.organiser(county, email="designer2@example.cn")
    template = cf.template(county)
    factories.commit()
    _login(browser, live_server, "designer2@example.cn")
    browser.set_window_size(1400, 1000)
    browser.get(f"{live_server}/certificates/templates/{template.id}")
    for name in ("items-0-kind", "items-0-font", "items-0-align"):
        select = browser.find_element(By.NAME, name)
        # the visible width of the select must hold the longest option's text plus the arrow
        needed = browser.execute_script(
            "var s = arguments[0], c = document.createElement('canvas').getContext('2d');"
            "c.font = getComputedStyle(s).font;"
            "return Math.max.apply(null, Array.from(s.options).map(function (o) {"
            "  return c.measureText(o.text).width; }));",
            select,
        )
        width = browser.execute_script("return arguments[0].getBoundingClientRect().width", select)
        if name == "items-0-font":
            needed = min(needed, 120)  # long font names may be cut, but the start must be readable
        assert width >= needed + 20, (name, width, needed)


def test_designer_shows_no_broken_image_when_the_first_preview_fails(browser, live_server):
    """QA: after a rejected save the page reloads with the bad design; the first live preview fails and the
    page showed a broken-image icon with its alt text next to the explanation."""
    county = factories.association("青溪县科学技术协会")
    factories.organiser(county, email="designer3@example.cn")
    template = cf.template(county)
    factories.commit()
    _login(browser, live_server, "designer3@example.cn")
    browser.get(f"{live_server}/certificates/templates/{template.id}")
    field = browser.find_element(By.NAME, "items-1-text")
    field.clear()
    field.send_keys("{nickname}")
    browser.execute_script("document.getElementById('submit').click()")
    error = browser.find_element(By.ID, "live-preview-error")
    WebDriverWait(browser, 30).until(lambda d: "{nickname}" in error.text and error.is_displayed())
    assert not browser.find_element(By.ID, "live-preview").is_displayed()


def test_designer_drag_and_drop_warns_about_overlap(browser, live_server, tmp_path):
    """Issue 23: the organiser drags the school line onto the name line; the form's Y follows the drag, the
    two boxes turn red and the overlap is listed; dragging it back clears the warning."""
    from selenium.webdriver.common.action_chains import ActionChains

    county = factories.association("青溪县科学技术协会")
    factories.organiser(county, email="designer3@example.cn")
    template = cf.template(county)
    factories.commit()
    _login(browser, live_server, "designer3@example.cn")
    browser.set_window_size(1400, 1000)
    browser.get(f"{live_server}/certificates/templates/{template.id}")
    wait = WebDriverWait(browser, 30)
    image = browser.find_element(By.ID, "live-preview")
    wait.until(lambda d: d.execute_script("return arguments[0].naturalWidth", image) > 100)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#designer-overlay .kc-box")) >= 9)
    assert browser.find_element(By.ID, "designer-warnings").text == ""
    school = browser.find_element(By.CSS_SELECTOR, '#designer-overlay .kc-box[data-index="2"]')
    px_per_mm = browser.find_element(By.ID, "designer-overlay").size["width"] / 297.0
    ActionChains(browser).click_and_hold(school).move_by_offset(0, -12 * px_per_mm).release().perform()
    y = float(browser.find_element(By.NAME, "items-2-y_mm").get_attribute("value"))
    assert 64 <= y <= 68  # from 78 mm, 12 mm up, on the 0.5 mm grid
    warnings = browser.find_element(By.ID, "designer-warnings")
    wait.until(lambda d: "重叠" in warnings.text)
    assert "与第 3 项重叠" in warnings.text
    red = browser.find_elements(By.CSS_SELECTOR, "#designer-overlay .kc-box.kc-warn")
    assert sorted(b.get_attribute("data-index") for b in red) == ["1", "2"]
    browser.save_screenshot(str(tmp_path / "designer.png"))
    import os
    import shutil

    if os.environ.get("KC_SCREENSHOTS"):  # for a person to look at: KC_SCREENSHOTS=/some/dir
        shutil.copy(tmp_path / "designer.png", os.path.join(os.environ["KC_SCREENSHOTS"], "designer.png"))
    # arrow keys move the focused box back down, 0.5 mm a press
    box = browser.find_element(By.CSS_SELECTOR, '#designer-overlay .kc-box[data-index="2"]')
    box.click()
    from selenium.webdriver.common.keys import Keys

    for _ in range(int((78 - y) / 0.5)):
        browser.switch_to.active_element.send_keys(Keys.ARROW_DOWN)
    assert float(browser.find_element(By.NAME, "items-2-y_mm").get_attribute("value")) == 78
    wait.until(lambda d: d.find_element(By.ID, "designer-warnings").text == "")
