"""Screenshots of the public pages (and the organiser dashboard) at phone width, for design reviews.

    .venv/bin/python scripts/screenshots.py OUTDIR [WIDTH] [HEIGHT]

Builds a throw-away instance with the demo data, serves it on a free port, and drives Debian's Chromium. Prints
each page's path with its scrollWidth/innerWidth so horizontal overflow shows up in the log as well.
"""

from __future__ import annotations

import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    import logging

    logging.getLogger("werkzeug").disabled = True
    out = Path(sys.argv[1])
    width = int(sys.argv[2]) if len(sys.argv) > 2 else 390
    height = int(sys.argv[3]) if len(sys.argv) > 3 else 844
    out.mkdir(parents=True, exist_ok=True)
    instance = tempfile.mkdtemp(prefix="kc-shots-")
    from core import create_app
    from core.extensions import db

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{instance}/kc.db",
            "SECRET_KEY": "x" * 40,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,
        },
        instance_path=instance,
    )
    with app.app_context():
        db.create_all()
        from click.testing import CliRunner

        CliRunner().invoke(app.cli, ["seed-demo"], catch_exceptions=False)
        from sqlalchemy import select

        from certificates.models import Certificate
        from competitions.models import Contest
        from events.models import Event
        from judging.services import rounds as rounds_service

        event = (
            db.session.execute(select(Event).where(Event.status == "published").order_by(Event.id)).scalars().first()
        )
        cert = db.session.execute(select(Certificate).order_by(Certificate.id)).scalars().first()
        notice_contest = next(
            (c for c in db.session.execute(select(Contest)).scalars() if rounds_service.notice_of(c) is not None), None
        )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()

    sys.path.insert(0, str(ROOT / "tests"))
    from tests.conftest import make_browser

    driver = make_browser(f"--window-size={width},{height}")
    driver.set_window_size(width, height)
    driver.implicitly_wait(2)

    def shot(name: str, path: str | None = None) -> None:
        if path is not None:
            driver.get(base + path)
        sw = driver.execute_script("return document.documentElement.scrollWidth")
        iw = driver.execute_script("return window.innerWidth")
        full_h = driver.execute_script("return Math.min(document.documentElement.scrollHeight, 4000)")
        driver.set_window_size(width, max(height, full_h))
        driver.save_screenshot(str(out / f"{name}.png"))
        driver.set_window_size(width, height)
        print(
            f"{name:<18} {driver.current_url.replace(base, ''):<50} scrollWidth={sw} innerWidth={iw}"
            f"{'  OVERFLOW' if sw > iw else ''}"
        )

    try:
        shot("home", "/")
        shot("events", "/events/")
        if event is not None:
            shot("event", f"/events/{event.id}")
            from selenium.webdriver.common.by import By

            form = driver.find_elements(By.ID, "registration-form")
            if form:
                for field, value in (("name", "李䶮"), ("phone", "13800138000"), ("email", "liyan@example.cn")):
                    els = driver.find_elements(By.CSS_SELECTOR, f"#registration-form [name={field}]")
                    if els:
                        els[0].send_keys(value)
                shot("registration")
                driver.execute_script("document.querySelector('#registration-form [type=submit]').click()")
                shot("ticket")
            shot("poster", f"/events/{event.id}/poster")
        shot("my_registrations", "/events/my")
        if notice_contest is not None:
            shot("public_notice", f"/judging/public/{notice_contest.id}")
        shot("verify_lookup", "/v/")
        if cert is not None:
            shot("verify", f"/v/{cert.token}")
        shot("caravan_request", "/events/caravan/request")
        if event is not None and (ROOT / "accounts" / "branding.py").exists():  # the brand (issue 26) on an event
            import io

            from PIL import Image, ImageDraw

            with app.app_context():
                from accounts.branding import set_brand
                from events.models import Event as EventModel

                org = db.session.get(EventModel, event.id).organisation
                logo = Image.new("RGB", (256, 256), "#0f5132")
                ImageDraw.Draw(logo).ellipse((40, 40, 216, 216), fill="white")
                buf = io.BytesIO()
                logo.save(buf, "PNG")
                set_brand(org, colour="#0f5132", logo=buf.getvalue())
                db.session.commit()
            shot("event_branded", f"/events/{event.id}")
            shot("poster_branded", f"/events/{event.id}/poster")
        from selenium.webdriver.common.by import By

        driver.get(base + "/login")
        driver.find_element(By.NAME, "login").send_keys("organiser@kechuang.demo")
        driver.find_element(By.NAME, "password").send_keys(app.config["DEMO_PASSWORD"])
        driver.execute_script("document.querySelector('main form [type=submit]').click()")
        shot("dashboard", "/dashboard")
    finally:
        driver.quit()
        server.shutdown()


if __name__ == "__main__":
    main()
