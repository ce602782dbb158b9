"""The blind-round leak warning (issue 25): an uploaded PDF's text is read once and the applicants' and unit's
names found in it are kept with the file; the organiser is warned on the application page and on the call's
review page, opening the round over a leaking file asks for confirmation, and experts never get the files."""

import functools
import io
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from calls import leaks, services
from calls.files import Upload, files_of
from calls.models import Call
from core.extensions import db
from judging.models import JudgeAssignment, Round
from tests import factories
from tests.calls.test_judging_rounds import BANDS, reviewed_call
from tests.calls.test_services import ANSWERS, make_call
from tests.certificates.helpers import build_font

FONT = "KCLeakTest"
NAME = "欧阳䶮"  # 䶮: CJK Extension A
BROKEN_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"  # passes the magic-byte check, no pages


@functools.cache
def cjk_font() -> str:
    """A real TrueType font covering the tests' characters, embedded by ReportLab (with its ToUnicode map);
    registered once per test process."""
    path = build_font(
        Path(tempfile.mkdtemp(prefix="kc-leak-font-")) / "leak.ttf", "欧阳䶮李四论文致谢青溪大学河水质研究摘要"
    )
    pdfmetrics.registerFont(TTFont(FONT, path))
    return FONT


def pdf(*pages: list[str]) -> bytes:
    """A PDF with one page per list of lines, written in the embedded CJK font."""
    buffer = io.BytesIO()
    sheet = canvas.Canvas(buffer)
    for lines in pages:
        sheet.setFont(cjk_font(), 12)
        for i, line in enumerate(lines):
            sheet.drawString(72, 720 - 20 * i, line)
        sheet.showPage()
    sheet.save()
    return buffer.getvalue()


def upload(data: bytes, name: str = "论文.pdf") -> dict:
    return {"f6": [Upload(name, data)]}


def submit(data: bytes, applicant: str = f"{NAME}、李四", unit: str = "青溪大学"):
    call = make_call()
    services.set_status(call, "open")
    application = services.submit_application(
        call,
        title="青溪河水质研究",
        applicant_name=applicant,
        unit_name=unit,
        answers=ANSWERS,
        uploads=upload(data),
        actor=None,
    )
    [stored] = files_of(application)["f6"]
    return application, stored


@pytest.mark.parametrize(
    "lines",
    [
        ["致谢：欧阳䶮"],
        ["致谢：欧阳", "䶮"],  # the name split by a line break
        ["致谢：欧 阳 䶮"],  # spaces between the characters
    ],
)
def test_a_pdf_naming_an_applicant_is_flagged_with_its_page(app, lines):
    _application, stored = submit(pdf(["青溪河水质研究", "摘要"], lines))
    assert stored.leaks == [{"name": NAME, "kind": "person", "pages": [2]}]
    with force_locale("zh_CN"):
        assert leaks.describe(stored) == ["文件中出现申报人姓名：欧阳䶮（论文.pdf 第 2 页）"]
    with force_locale("en"):
        assert leaks.describe(stored) == ["Applicant's name in a file: 欧阳䶮 (论文.pdf, page 2)"]


def test_a_unit_named_in_a_pdf_is_flagged_and_a_clean_pdf_is_not(app):
    _application, stored = submit(pdf(["青溪河水质研究"], ["青溪大学 河水质研究"]))
    assert stored.leaks == [{"name": "青溪大学", "kind": "unit", "pages": [2]}]
    with force_locale("zh_CN"):
        assert leaks.describe(stored) == ["文件中出现申报单位名称：青溪大学（论文.pdf 第 2 页）"]
    _application, clean = submit(pdf(["青溪河水质研究", "摘要"], ["致谢"]))
    assert clean.leaks == [] and leaks.describe(clean) == []


def test_an_unreadable_pdf_is_stored_with_a_note_to_check_it_by_hand(app, client, login):
    application, stored = submit(BROKEN_PDF)
    assert stored.leaks is None
    with force_locale("zh_CN"):
        assert leaks.describe(stored) == ["论文.pdf：无法读取其文本，请人工检查其中是否出现姓名。"]
    with force_locale("en"):
        assert leaks.describe(stored) == ["论文.pdf: its text could not be read; check it for names by hand."]
    login(factories.organiser(application.call.organisation))
    factories.commit()
    page = client.get(f"/calls/applications/{application.id}")
    assert page.status_code == 200
    assert "论文.pdf：无法读取其文本" in page.get_data(as_text=True)


def test_an_applicant_uploading_a_damaged_pdf_gets_no_error(app, client, login):
    call = make_call()
    call.applicants = "individuals"
    services.set_status(call, "open")
    applicant = factories.user("申报人", email="applicant@example.cn")
    login(applicant)
    factories.commit()
    response = client.post(
        f"/calls/{call.id}/apply",
        data={
            "title": "青溪河水质研究",
            "applicant_name": NAME,
            "unit_name": "青溪大学",
            **{k: v for k, v in ANSWERS.items()},
            "f6": (io.BytesIO(BROKEN_PDF), "论文.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    [application] = db.session.get(Call, call.id).applications
    [stored] = files_of(application)["f6"]
    assert stored.leaks is None


def leaking_review(open_it=False):
    """A call whose first application's paper names its author on page 2; the second is clean."""
    return reviewed_call(
        "bands",
        BANDS,
        [
            ("青溪河水质研究", f"{NAME}、李四", "青溪大学", upload(pdf(["青溪河水质研究"], ["致谢：欧阳", "䶮"]))),
            ("稻田固碳研究", "王五", "临江农科所", upload(pdf(["论文"], ["致谢"]), "固碳.pdf")),
        ],
        open_it=open_it,
    )


def test_the_organiser_is_warned_and_confirms_before_opening_the_blind_round(app, client, login):
    call, rnd, apps, _users = leaking_review()
    login(factories.organiser(db.session.get(Call, call.id).organisation))
    factories.commit()
    page = client.get(f"/calls/applications/{apps[0].id}").get_data(as_text=True)
    assert 'id="leak-warning"' in page and "文件中出现申报人姓名：欧阳䶮（论文.pdf 第 2 页）" in page
    assert 'id="leak-warning"' not in client.get(f"/calls/applications/{apps[1].id}").get_data(as_text=True)
    review = client.get(f"/calls/{call.id}/review").get_data(as_text=True)
    assert 'id="leak-warnings"' in review and 'id="open-confirm"' in review
    assert apps[0].code in review and apps[1].code not in review.split('id="leak-warnings"')[1].split("</div>")[0]
    assert "文件中出现申报人姓名：欧阳䶮（论文.pdf 第 2 页）" in review
    # not confirmed: asked again, the round stays in set-up
    response = client.post(f"/calls/{call.id}/review/open", follow_redirects=True)
    assert "请确认后再开启评审" in response.get_data(as_text=True)
    assert db.session.get(Round, rnd.id).status == "setup"
    # confirmed: the organiser accepts the file and opens the round
    client.post(f"/calls/{call.id}/review/open", data={"confirm": "1"})
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).status == "open"
    # the organiser decided: the review page no longer repeats the warning, the application page still says it
    assert 'id="leak-warnings"' not in client.get(f"/calls/{call.id}/review").get_data(as_text=True)
    assert 'id="leak-warning"' in client.get(f"/calls/applications/{apps[0].id}").get_data(as_text=True)


def test_a_clean_call_opens_without_confirmation(app, client, login):
    call, rnd, _apps, _users = reviewed_call(
        "bands", BANDS, [("稻田固碳研究", "王五", "临江农科所", upload(pdf(["论文"], ["致谢"])))], open_it=False
    )
    login(factories.organiser(db.session.get(Call, call.id).organisation))
    factories.commit()
    review = client.get(f"/calls/{call.id}/review").get_data(as_text=True)
    assert 'id="leak-warnings"' not in review and 'id="open-confirm"' not in review
    client.post(f"/calls/{call.id}/review/open")
    db.session.expire_all()
    assert db.session.get(Round, rnd.id).status == "open"


def test_an_expert_of_the_blind_round_cannot_get_the_leaking_file(app, client, login):
    call, rnd, apps, _users = leaking_review(open_it=True)
    [stored] = files_of(apps[0])["f6"]
    assert stored.leaks
    assignment = (
        db.session.execute(
            sa.select(JudgeAssignment).where(JudgeAssignment.round_id == rnd.id, JudgeAssignment.entry_id == apps[0].id)
        )
        .scalars()
        .first()
    )
    login(assignment.judge.user)
    score_page = client.get(f"/judging/rounds/{rnd.id}/entries/{apps[0].id}/score")
    assert score_page.status_code == 200
    text = score_page.get_data(as_text=True)
    assert "论文.pdf" not in text and f"/calls/files/{stored.id}" not in text and NAME not in text
    assert client.get(f"/calls/files/{stored.id}").status_code == 403
    assert client.get(f"/judging/rounds/{rnd.id}/entries/{apps[0].id}/materials/{stored.id}").status_code == 404
