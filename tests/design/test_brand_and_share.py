"""Issue 26: an association's brand (colour, logo) on its public pages; share cards, posters and the
"needs me now" panel."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from accounts import branding
from core.db import utcnow
from core.errors import DomainError
from core.extensions import db
from tests import factories
from tests.events import factories as ef


def png(width: int = 600, height: int = 300, colour=(200, 16, 46)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_contrast_ratio_follows_wcag():
    assert branding.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert branding.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert branding.contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the AA grey


def test_brand_colour_must_be_readable_under_white_text():
    county = factories.association("青溪县科协")
    with pytest.raises(DomainError) as exc:
        branding.set_brand(county, colour="#ffd700")  # gold: white text on it is unreadable
    assert exc.value.field == "brand_colour" and "4.5:1" in str(exc.value)
    with pytest.raises(DomainError):
        branding.set_brand(county, colour="red")
    branding.set_brand(county, colour="#C8102E")
    assert county.brand_colour == "#c8102e"


def test_only_associations_carry_a_brand_and_schools_show_their_association():
    county = factories.association("青溪县科协")
    school = factories.school(parent=county, name="青溪县𠮷祥小学")
    with pytest.raises(DomainError):
        branding.set_brand(school, colour="#1d4ed8")
    assert branding.brand_of(school) is None  # nobody has a brand: the neutral look
    branding.set_brand(county, colour="#1d4ed8")
    assert branding.brand_of(school).name == "青溪县科协"
    assert branding.brand_of(county.id).colour == "#1d4ed8"


def test_logo_is_checked_scaled_and_replaced(app):
    county = factories.association("青溪县科协")
    with pytest.raises(DomainError) as exc:
        branding.set_brand(county, colour=None, logo=b"GIF89a not a png")
    assert exc.value.field == "logo"
    branding.set_brand(county, colour=None, logo=png(1600, 800))
    first = branding.logo_path(county)
    with Image.open(first) as img:
        assert max(img.size) == branding.LOGO_MAX_SIDE and img.format == "PNG"
    branding.set_brand(county, colour=None, logo=png(100, 100))
    assert not first.exists() and branding.logo_path(county) != first
    branding.set_brand(county, colour=None, remove_logo=True)
    assert county.logo_file is None


def test_organiser_sets_the_brand_and_public_pages_carry_it(client, login):
    county = factories.association("青溪县科协")
    organiser = factories.organiser(county)
    other = factories.organiser(factories.association("白沙县科协"))
    event = ef.event(county, title="青少年机器人体验日：䶮与𠮷的科学之旅")
    factories.commit()
    login(other)
    assert client.get(f"/organisations/{county.id}/brand").status_code == 403
    client.post("/logout")
    login(organiser)
    response = client.get(f"/organisations/{county.id}/brand")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="brand-form"' in page, re.findall(r"<title>.*</title>|<h1.*</h1>", page)
    response = client.post(
        f"/organisations/{county.id}/brand",
        data={"brand_colour": "#fde68a", "logo": (io.BytesIO(png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and "4.5:1" in response.get_data(as_text=True)  # refused, next to the field
    db.session.expire_all()
    assert db.session.get(type(county), county.id).brand_colour is None
    response = client.post(
        f"/organisations/{county.id}/brand",
        data={"brand_colour": "#0f5132", "logo": (io.BytesIO(png()), "logo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.expire_all()
    county = db.session.get(type(county), county.id)
    client.post("/logout")
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert 'data-brand-colour="#0f5132"' in page and 'id="brand-bar"' in page
    logo_url = re.search(r'<img src="(http[^"]+/brand/[^"]+)"', page).group(1)
    assert logo_url.endswith(county.logo_file)
    logo = client.get(logo_url.split("localhost", 1)[1])
    assert logo.status_code == 200 and logo.mimetype == "image/png"
    assert client.get(f"/brand/{county.id}/other.png").status_code == 404
    # the platform's own pages stay neutral
    assert "brand-bar" not in client.get("/").get_data(as_text=True)


def test_event_page_has_a_share_card_and_a_printable_poster(client):
    county = factories.association("青溪县科协")
    event = ef.event(county, title="全国科普日：走近人工智能")
    draft = ef.event(county, title="草稿活动", status="draft")
    factories.commit()
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert '<meta property="og:title" content="全国科普日：走近人工智能">' in page
    assert f'content="http://localhost/events/{event.id}/share.png"' in page
    share = client.get(f"/events/{event.id}/share.png")
    assert share.status_code == 200
    with Image.open(io.BytesIO(share.data)) as img:
        assert img.size == (1200, 630)
    poster = client.get(f"/events/{event.id}/poster").get_data(as_text=True)
    assert "全国科普日：走近人工智能" in poster and f"/events/{event.id}/qr.png" in poster
    qr = client.get(f"/events/{event.id}/qr.png")
    assert qr.status_code == 200 and qr.mimetype == "image/png"
    from tests.qr import decode_qr

    assert decode_qr(Image.open(io.BytesIO(qr.data)))[0].endswith(f"/events/{event.id}")
    for path in (f"/events/{draft.id}/poster", f"/events/{draft.id}/share.png", f"/events/{draft.id}/qr.png"):
        assert client.get(path).status_code == 404


@pytest.mark.parametrize("path", ["/", "/events/", "/v/", "/events/caravan/request", "/events/my"])
def test_every_public_page_has_open_graph_tags(client, path):
    page = client.get(path).get_data(as_text=True)
    for prop in ("og:title", "og:description", "og:image", "og:url"):
        assert f'property="{prop}"' in page, (path, prop)


def test_needs_me_now_lists_what_waits_with_links(client, login):
    county = factories.association("青溪县科协")
    organiser = factories.organiser(county)
    ef.event(county, title="科普讲座：报名本周截止", registration_closes_at=utcnow() + timedelta(days=2))
    ef.caravan(county)
    ef.visit_request(county, ef.future_day(20))
    factories.commit()
    login(organiser)
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="attention-panel"' in page
    assert 'data-kind="request"' in page and 'href="/events/caravans"' in page
    assert 'data-kind="deadline"' in page and "科普讲座：报名本周截止" in page
    # someone with nothing waiting sees no panel
    client.post("/logout")
    login(factories.organiser(factories.association("白沙县科协")))
    assert 'id="attention-panel"' not in client.get("/dashboard").get_data(as_text=True)


def test_emails_from_a_branded_association_carry_its_band_and_logo(app):
    from notifications import notify
    from notifications.services.addresses import Contact

    county = factories.association("青溪县科协")
    plain = factories.association("白沙县科协")
    branding.set_brand(county, colour="#0f5132", logo=png())
    factories.commit()
    [branded] = notify(
        Contact(email="𠮷田@example.cn"),
        "notifications.test",
        {"sender": "王丽华", "channel": "email"},
        organisation_id=county.id,
    )
    assert "background:#0f5132" in branded.html and "青溪县科协" in branded.html
    assert f"{app.config['BASE_URL'].rstrip('/')}/brand/{county.id}/{county.logo_file}" in branded.html
    [neutral] = notify(
        Contact(email="li@example.cn"),
        "notifications.test",
        {"sender": "王丽华", "channel": "email"},
        organisation_id=plain.id,
    )
    assert "background:" not in neutral.html
