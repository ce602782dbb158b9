"""Printed tickets (issue 23, point 3): the platform's embedded font chain, start and end time, the venue's
address, QR codes that decode, and the installation's language whatever the page's."""

import io
import subprocess
from datetime import timedelta

import pypdf
import pytest
from PIL import Image

from events import rendering
from tests import factories
from tests.events import factories as ef
from tests.qr import decode_qr


@pytest.fixture
def org(login):
    organisation = factories.association()
    login(factories.organiser(organisation))
    return organisation


def _fonts(pdf: bytes, tmp_path) -> list[list[str]]:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def test_event_tickets_embed_the_font_chain_and_show_end_time_and_address(client, org, tmp_path):
    venue = ef.venue(org, name="青溪县青少年科技馆", address="城关镇科技路1号·东门")
    start = ef.future_day(10, 9)
    event = ef.event(org, title="科普讲座·走近人工智能", venue_id=venue.id, starts_at=start, hours=2)
    ef.registration(event, name="刘䶮")
    ef.registration(event, name="董𠮷祥", kind="group", head_count=12, school_name="青溪县实验小学")
    factories.commit()
    client.post("/lang/en")  # the organiser's page is in English; the ticket is printed in Chinese
    pdf = client.get(f"/events/{event.id}/tickets.pdf").data
    fonts = _fonts(pdf, tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # emb = yes for every font
    assert not any("STSong" in row[0] for row in fonts)
    text = "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for expected in ("科普讲座·走近人工智能", "刘䶮", "董𠮷祥", "城关镇科技路1号·东门", "09:00–11:00", "12人"):
        assert expected in text.replace(" ", ""), expected
    assert "\ufffd" not in text


def test_printed_ticket_qr_codes_decode(client, org, tmp_path):
    event = ef.event(org)
    codes = [ef.registration(event, name=name).code for name in ("王小明", "李䶮")]
    factories.commit()
    (tmp_path / "t.pdf").write_bytes(client.get(f"/events/{event.id}/tickets.pdf").data)
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", "-singlefile", str(tmp_path / "t.pdf"), str(tmp_path / "t")], check=True
    )
    assert sorted(decode_qr(Image.open(tmp_path / "t.png"))) == sorted(codes)


def test_ticket_time_shows_both_dates_when_a_session_ends_another_day(app):
    class S:
        starts_at = ef.future_day(3, 20)
        ends_at = starts_at + timedelta(hours=14)

    with app.test_request_context():
        text = rendering.ticket_time(S)
    assert text.count("-") == 4 and "–" in text  # 2026-05-20 20:00–2026-05-21 10:00
