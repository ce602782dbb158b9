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
    WebDriverWait(browser, 30).until(lambda d: image.get_attribute("src") and
                                     d.execute_script("return arguments[0].naturalWidth", image) > 100)
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
