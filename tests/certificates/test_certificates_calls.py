"""Certificates for the results of a call (scope "call", registered by calls): issued once the results are final,
rendered with embedded fonts and a QR code that leads to the verification page, which names an adult holder as
in 公示 and masks a student."""

import io
import subprocess
from urllib.parse import urlsplit

import pypdf
import pytest
import sqlalchemy as sa

from calls import services as call_services
from certificates import services
from certificates.models import Certificate
from certificates.sources import SOURCES
from core.errors import DomainError
from core.extensions import db
from tests import factories as f
from tests.calls.test_services import ANSWERS, FORM, paper
from tests.certificates import factories as cf
from tests.conftest import require_packages
from tests.qr import decode_qr

pytestmark = pytest.mark.usefixtures("system_faces")
SOURCE = "calls.results"


def finished_call(org, subject="person", names=("欧阳䶮", "李建华", "赵明轩"), title="十佳科技辅导员评选"):
    """A call of org whose results are final: top 2 of three scored applications."""
    organiser = f.organiser(org)
    call = call_services.create_call(
        org,
        year=2026,
        title=title,
        subject=subject,
        applicants="units",
        outcome="top",
        outcome_rule={"n": 2},
        form=FORM,
    )
    call_services.set_status(call, "open")
    for i, (name, centre) in enumerate(zip(names, (95, 90, 70), strict=False)):
        app = call_services.submit_application(
            call,
            title=f"{name}的辅导事迹",
            applicant_name=name,
            unit_name=f"青溪第{i + 1}中学",
            answers=ANSWERS,
            uploads=paper(),
            actor=None,
        )
        call_services.review_application(app, "accepted", "", organiser)
        for expert in "甲乙丙丁戊":
            call_services.record_score(app, expert, str(centre), organiser)
    call_services.set_status(call, "review")
    return call, organiser


def _fonts(reader):
    found = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            found[font["/BaseFont"]] = font
            for child in font.get("/DescendantFonts", []):
                child = child.get_object()
                found[child["/BaseFont"]] = child
    return found


def test_a_calls_results_are_certified_and_verified_by_qr(client, tmp_path):
    require_packages("poppler-utils")
    assert "call" in {s.scope for s in SOURCES.values()} and SOURCES[SOURCE].scope == "call"
    city = f.association("青溪市科学技术协会")
    call, _organiser = finished_call(city)
    template = cf.template(city)
    db.session.commit()
    with pytest.raises(DomainError):  # not final yet: nothing issued
        services.issue_certificates(SOURCE, call.id, template)
    db.session.rollback()
    call_services.set_status(call, "finished")
    db.session.commit()
    issued, _plan = services.issue_certificates(SOURCE, call.id, template)
    db.session.commit()
    assert [(c.scope, c.scope_id, c.holder_name, c.award) for c in issued] == [
        ("call", call.id, "欧阳䶮", "前 2 名"),
        ("call", call.id, "李建华", "前 2 名"),
    ]
    assert all(c.scope_title == "十佳科技辅导员评选" and not c.holder_minor for c in issued)

    pdf = services.render_single_pdf(issued[0])
    path = tmp_path / "cert.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), listing  # emb column: every font embedded
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "欧阳䶮" in reader.pages[0].extract_text()
    assert all(
        "/FontFile2" in (font.get("/FontDescriptor") or {})
        for font in _fonts(reader).values()
        if "/FontDescriptor" in font
    )
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(path), str(tmp_path / "page")], check=True)
    from PIL import Image

    image = Image.open(tmp_path / "page.png")
    (url,) = decode_qr(image)
    assert url.endswith(f"/v/{issued[0].token}")
    html = client.get(urlsplit(url).path).get_data(as_text=True)
    assert 'data-status="valid"' in html and "欧阳䶮" in html  # an adult, named as in 公示
    assert "十佳科技辅导员评选" in html and "青溪市科学技术协会" in html

    again, plan = services.issue_certificates(SOURCE, call.id, template)
    assert again == [] and plan.already == 2


def test_students_of_an_entry_call_are_masked_on_verification(client):
    county = f.association("青溪县科学技术协会")
    call, _organiser = finished_call(county, subject="entry", names=("王小明", "李䶮", "赵大海"), title="市长奖评选")
    call_services.set_status(call, "finished")
    issued, _plan = services.issue_certificates(SOURCE, call.id, cf.template(county))
    db.session.commit()
    assert issued[0].holder_minor
    html = client.get(f"/v/{issued[0].token}").get_data(as_text=True)
    assert "王*明" in html and "王小明" not in html
    assert db.session.execute(sa.select(sa.func.count()).select_from(Certificate)).scalar_one() == 2


def test_the_issue_page_offers_the_organisers_finished_calls_by_name(client, login):
    city = f.association("青溪市科学技术协会")
    call, organiser = finished_call(city)
    call_services.set_status(call, "finished")
    draft, _other = finished_call(city, title="优秀科技人才评选")  # under review: not offered
    elsewhere, _theirs = finished_call(f.association("临江市科学技术协会"), title="临江十佳评选")
    call_services.set_status(elsewhere, "finished")
    template = cf.template(city)
    db.session.commit()
    login(organiser)
    page = client.get(f"/certificates/issue?source={SOURCE}").get_data(as_text=True)
    assert f'value="call:{call.id}"' in page and "2026 十佳科技辅导员评选" in page
    assert f'value="call:{draft.id}"' not in page and "临江十佳评选" not in page
    form = {"source": SOURCE, "scope_id": f"call:{call.id}", "template_id": str(template.id), "school_id": "0"}
    response = client.post("/certificates/issue", data={**form, "submit": "1", "accept_preflight": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert response.headers["Location"].endswith(f"/certificates/call/{call.id}")
    listing = client.get(f"/certificates/call/{call.id}").get_data(as_text=True)
    assert "欧阳䶮" in listing and "评选" in listing
    theirs = {**form, "scope_id": f"call:{elsewhere.id}", "submit": "1", "accept_preflight": "y"}
    assert client.post("/certificates/issue", data=theirs).status_code in (200, 403)  # refused
    counted = sa.select(sa.func.count()).select_from(Certificate).where(Certificate.scope_id == elsewhere.id)
    assert db.session.execute(counted).scalar_one() == 0
    services.issue_certificates(SOURCE, elsewhere.id, cf.template(elsewhere.organisation))
    db.session.commit()
    assert "欧阳䶮" not in client.get(f"/certificates/call/{elsewhere.id}").get_data(as_text=True)


def test_the_cli_issues_and_renders_a_calls_certificates(runner, tmp_path):
    """`flask certificates issue|render --call ID`: the call's default source is its results, in Chinese."""
    city = f.association("青溪市科学技术协会")
    call, _organiser = finished_call(city)
    cf.template(city)
    call_services.set_status(call, "finished")
    db.session.commit()
    result = runner.invoke(args=["certificates", "issue", "--call", str(call.id)])
    assert result.exit_code == 0 and "已颁发 2 张证书" in result.output, result.output
    out = tmp_path / "call.pdf"
    result = runner.invoke(args=["certificates", "render", "--call", str(call.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(str(out))
    assert len(reader.pages) == 2 and "欧阳䶮" in reader.pages[0].extract_text()
    result = runner.invoke(args=["certificates", "render", "--call", str(call.id), "--event", "1", "--out", str(out)])
    assert result.exit_code != 0 and "--call ID" in result.output
