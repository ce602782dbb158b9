"""Pages and API: verification states, school downloads, template validation, fonts, jobs, query counts."""

import io
import zipfile

import pypdf
import pytest
import sqlalchemy as sa

from certificates import services
from certificates.models import Certificate, CertificateTemplate
from core.extensions import db
from tests import factories as f
from tests.certificates import factories as cf
from tests.certificates.helpers import UNCOVERED

# Templates, previews and issuing draw with the system CJK fonts: without them these tests skip, naming the
# command that installs them (the system_faces fixture).
pytestmark = pytest.mark.usefixtures("system_faces")


@pytest.fixture(autouse=True)
def _source():
    cf.install_source()
    cf.BATCHES.clear()
    yield
    cf.BATCHES.clear()


@pytest.fixture
def issued():
    """A county with two schools and five issued award certificates."""
    county = f.association(name="城关县科学技术协会")
    a, b = f.school(county, name="城关第一小学"), f.school(county, name="实验中学")
    cf.contest(
        1, county, cf.holders_for(a, ["王小明", "李䶮"]) + cf.holders_for(b, ["赵大海", "钱多多", "孙悟"], prefix="b")
    )
    template = cf.template(county)
    certs, _ = services.issue_certificates(cf.SOURCE_KEY, 1, template)
    db.session.commit()
    return {"county": county, "a": a, "b": b, "certs": certs, "template": template}


def test_verify_page_valid_masks_minor_name(client, issued):
    cert = issued["certs"][0]
    response = client.get(f"/v/{cert.token}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-status="valid"' in html and cert.number in html
    assert "王*明" in html and "王小明" not in html  # minors masked on the public page
    assert "城关县科学技术协会" in html and "一等奖" in html


def test_verify_page_revoked_shows_date_and_reason(client, issued):
    cert = issued["certs"][1]
    services.revoke_certificate(cert, "作品存在抄袭")
    db.session.commit()
    html = client.get(f"/v/{cert.token}").get_data(as_text=True)
    assert 'data-status="revoked"' in html and "作品存在抄袭" in html
    assert f"{cert.revoked_at.year}年" in html


def test_verify_page_superseded_links_to_replacement(client, issued):
    cert = issued["certs"][2]
    new = services.reissue_certificate(cert, {"holder_name": "赵大江"})
    db.session.commit()
    html = client.get(f"/v/{cert.token}").get_data(as_text=True)
    assert 'data-status="superseded"' in html and f"/v/{new.token}" in html and new.number in html


@pytest.mark.parametrize("token", ["Zm9yZ2VkLXRva2VuLW5vdC1pc3N1ZWQtYnktdXM", "short", "a" * 80])
def test_verify_unknown_or_altered_token_is_404(client, issued, token):
    response = client.get(f"/v/{token}")
    assert response.status_code == 404
    assert 'data-status="unknown"' in response.get_data(as_text=True)
    altered = issued["certs"][0].token[:-1] + ("A" if issued["certs"][0].token[-1] != "A" else "B")
    assert client.get(f"/v/{altered}").status_code == 404


def test_verify_in_english(client, issued):
    client.post("/lang/en", data={"next": "/"})
    html = client.get(f"/v/{issued['certs'][0].token}").get_data(as_text=True)
    assert "This certificate is genuine and valid." in html
    client.post("/lang/zh_CN", data={"next": "/"})
    html = client.get(f"/v/{issued['certs'][0].token}").get_data(as_text=True)
    assert "This certificate is genuine and valid." not in html


def test_verify_api_codes(client, issued):
    valid, revoked = issued["certs"][0], issued["certs"][1]
    services.revoke_certificate(revoked, "撤销")
    db.session.commit()
    body = client.get(f"/api/v1/certificates/verify/{valid.token}").get_json()
    assert body["certificate"]["status"] == "valid" and body["certificate"]["number"] == valid.number
    assert "id" not in body["certificate"]
    response = client.get(f"/api/v1/certificates/verify/{revoked.token}")
    assert response.status_code == 410 and response.get_json()["certificate"]["revoke_reason"] == "撤销"
    assert client.get("/api/v1/certificates/verify/unknownTOKENunknownTOKEN").status_code == 404


def test_lookup_by_number_and_name(client, issued):
    cert = issued["certs"][3]
    ok = client.get("/v/", query_string={"number": cert.number, "name": "钱多多"})
    assert ok.status_code == 200 and 'data-status="valid"' in ok.get_data(as_text=True)
    wrong = client.get("/v/", query_string={"number": cert.number, "name": "钱少少"})
    assert wrong.status_code == 404
    assert client.get("/v/").status_code == 200


def test_verification_is_rate_limited(app, client, issued):
    app.config["RATELIMIT_ENABLED"] = True
    app.config["RATELIMIT_VERIFY"] = "3 per minute"
    from core.extensions import limiter

    limiter.enabled = True
    try:
        limiter.reset()
        codes = [client.get(f"/v/unknownTOKENunknownTOKEN{i}").status_code for i in range(5)]
        assert codes[:3] == [404, 404, 404] and codes[3:] == [429, 429]
    finally:
        limiter.enabled = False
        app.config["RATELIMIT_ENABLED"] = False
        app.config["RATELIMIT_VERIFY"] = "60 per minute"
        limiter.reset()


def test_school_downloads_only_its_own_students(client, login, issued):
    coordinator = f.coordinator(issued["a"])
    db.session.commit()
    login(coordinator)
    assert client.get(f"/certificates/school/{issued['b'].id}").status_code == 403
    assert client.get(f"/certificates/school/{issued['a'].id}").status_code == 200
    other = next(c for c in issued["certs"] if c.school_id == issued["b"].id)
    own = next(c for c in issued["certs"] if c.school_id == issued["a"].id)
    assert client.get(f"/certificates/c/{other.id}.pdf").status_code == 403
    assert client.get(f"/certificates/c/{own.id}.pdf").status_code == 200
    assert (
        client.post(f"/certificates/school/{issued['b'].id}/contest/1/render", data={"fmt": "zip"}).status_code == 403
    )
    response = client.post(f"/certificates/school/{issued['a'].id}/contest/1/render", data={"fmt": "zip"})
    assert response.status_code == 302
    job_url = response.headers["Location"]
    download = client.get(job_url.rstrip("/") + "/download")
    assert download.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert sorted(names) == sorted(
        f"{c.number}_{c.holder_name}.pdf" for c in issued["certs"] if c.school_id == issued["a"].id
    )
    # the API agrees
    api = client.get(
        "/api/v1/certificates", query_string={"scope": "contest", "scope_id": 1, "school_id": issued["b"].id}
    )
    assert api.status_code == 403


def test_organiser_renders_merged_pdf_in_print_order(client, login, issued):
    login(f.organiser(issued["county"]))
    response = client.post("/certificates/contest/1/render", data={"fmt": "pdf"})
    assert response.status_code == 302
    download = client.get(response.headers["Location"].rstrip("/") + "/download")
    reader = pypdf.PdfReader(io.BytesIO(download.data))
    texts = [p.extract_text() for p in reader.pages]
    assert len(texts) == 5
    # ordered by school name, then category, then number
    expected = sorted(issued["certs"], key=lambda c: (c.school_name, c.category_code, c.number))
    assert [next(n for n in [c.holder_name] if n in t) for t, c in zip(texts, expected, strict=False)] == [
        c.holder_name for c in expected
    ]


def test_list_page_query_count_does_not_grow(client, login, issued, count_queries):
    login(f.organiser(issued["county"]))
    with count_queries() as few:
        assert client.get("/certificates/contest/1").status_code == 200
    more = cf.holders_for(issued["a"], [f"学生{i}" for i in range(30)], prefix="more")
    cf.BATCHES[1]["batch"].holders.extend(more)
    services.issue_certificates(cf.SOURCE_KEY, 1, issued["template"])
    db.session.commit()
    with count_queries() as many:
        html = client.get("/certificates/contest/1").get_data(as_text=True)
    assert "学生29" in html or "学生0" in html
    assert len(many) == len(few)


def test_other_organiser_cannot_manage(client, login, issued):
    stranger = f.organiser(f.association())
    db.session.commit()
    login(stranger)
    cert = issued["certs"][0]
    assert client.get(f"/certificates/c/{cert.id}").status_code == 403
    assert client.post(f"/certificates/c/{cert.id}/revoke", data={"reason": "x y"}).status_code == 403
    assert client.get(f"/certificates/templates/{issued['template'].id}").status_code == 403
    assert "王小明" not in client.get("/certificates/contest/1").get_data(as_text=True)


def test_revoke_and_reissue_through_pages(client, login, issued):
    login(f.organiser(issued["county"]))
    cert = issued["certs"][0]
    response = client.post(f"/certificates/c/{cert.id}/revoke", data={"reason": ""})
    assert response.status_code == 422
    cert2 = issued["certs"][1]
    response = client.post(f"/certificates/c/{cert2.id}/reissue", data={"holder_name": "李岩"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, cert2.id).status == "superseded"
    response = client.post(f"/certificates/c/{cert.id}/revoke", data={"reason": "重复颁发", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).revoke_reason == "重复颁发"


def _template_form(**overrides):
    data = {
        "name": "测试模板",
        "kind": "award",
        "number_pattern": "{YEAR}-{CONTEST}-{SEQ:05d}",
        "page_size": "A4",
        "orientation": "landscape",
        "font1": "wqy-microhei-0",
        "font2": "wqy-zenhei-0",
        "offset_x_mm": "0",
        "offset_y_mm": "0",
        "items-0-kind": "text",
        "items-0-x_mm": "20",
        "items-0-y_mm": "20",
        "items-0-width_mm": "200",
        "items-0-text": "{name} {school}",
        "items-0-size_pt": "20",
        "items-0-min_size_pt": "10",
        "items-0-colour": "#000000",
        "items-0-align": "center",
        "items-0-line_spacing": "1.4",
        "items-1-kind": "qr",
        "items-1-x_mm": "250",
        "items-1-y_mm": "160",
        "items-1-width_mm": "30",
        "items-1-colour": "#000000",
        "items-1-align": "left",
        "items-1-size_pt": "16",
        "items-1-min_size_pt": "8",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"items-0-text": "{name} {grade}"}, "{grade}"),
        ({"items-0-x_mm": "120"}, "outside"),
        ({"number_pattern": "{YEAR}-{CONTEST}"}, "{SEQ}"),
    ],
)
def test_template_bad_input_is_rejected_clearly(client, login, overrides, message):
    county = f.association()
    login(f.organiser(county))
    client.post("/lang/en", data={"next": "/"})
    response = client.post("/certificates/templates/new", data=_template_form(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(CertificateTemplate)).scalar_one() == 0


def test_template_background_must_be_an_image(client, login):
    login(f.organiser(f.association()))
    data = _template_form()
    data["background"] = (io.BytesIO(b"%PDF-1.4 this is not an image"), "bg.png")
    response = client.post("/certificates/templates/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and "PNG" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(CertificateTemplate)).scalar_one() == 0


def test_template_create_preview_duplicate(client, login, background_png):
    county = f.association()
    login(f.organiser(county))
    data = _template_form()
    with open(background_png, "rb") as fh:
        data["background"] = (io.BytesIO(fh.read()), "bg.png")
    response = client.post("/certificates/templates/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    template = db.session.execute(sa.select(CertificateTemplate)).scalar_one()
    assert template.spec["background"].startswith("img-") and template.spec["fonts"] == [
        "wqy-microhei-0",
        "wqy-zenhei-0",
    ]
    preview = client.get(f"/certificates/templates/{template.id}/preview.pdf")
    assert preview.status_code == 200 and preview.data.startswith(b"%PDF")
    assert "张三" in pypdf.PdfReader(io.BytesIO(preview.data)).pages[0].extract_text()
    live = client.post(
        "/certificates/templates/live-preview.png", data={**_template_form(), "template_id": template.id}
    )
    assert live.status_code == 200 and live.data.startswith(b"\x89PNG")
    bad = client.post("/certificates/templates/live-preview.png", data=_template_form(**{"items-0-text": "{oops}"}))
    assert bad.status_code == 422 and "{oops}" in bad.get_data(as_text=True)
    response = client.post(f"/certificates/templates/{template.id}/duplicate")
    assert response.status_code == 302
    assert db.session.execute(sa.select(sa.func.count()).select_from(CertificateTemplate)).scalar_one() == 2
    edit = client.get(response.headers["Location"])
    assert edit.status_code == 200 and "live-preview" in edit.get_data(as_text=True)


def test_font_upload_rejects_non_truetype_and_accepts_ttf(client, login, tmp_path):
    from tests.certificates.helpers import build_font

    login(f.organiser(f.association()))
    client.post("/lang/en", data={"next": "/"})
    bad = client.post(
        "/certificates/fonts",
        data={"font": (io.BytesIO(b"OTTO" + b"\0" * 64), "fs.ttf")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 200 and "TrueType" in bad.get_data(as_text=True)
    path = build_font(tmp_path / "fangsong.ttf", "仿宋𠮷", family="Test FangSong")
    with open(path, "rb") as fh:
        good = client.post(
            "/certificates/fonts",
            data={"font": (io.BytesIO(fh.read()), "fangsong.ttf")},
            content_type="multipart/form-data",
        )
    assert good.status_code == 302
    page = client.get("/certificates/fonts").get_data(as_text=True)
    assert "Test FangSong" in page and "WenQuanYi Zen Hei" in page
    assert any(face.family == "Test FangSong" for face in services.uploaded_faces().values())


def test_issue_page_preflight_and_issue(client, login):
    county = f.association()
    school = f.school(county)
    cf.contest(9, county, cf.holders_for(school, ["吉" + UNCOVERED, "王五"]))
    template = cf.template(county)
    login(f.organiser(county))
    db.session.commit()
    form = {"source": cf.SOURCE_KEY, "scope_id": "9", "template_id": str(template.id), "school_id": "0"}
    response = client.post("/certificates/issue", data={**form, "preflight": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and UNCOVERED in html and "吉" + UNCOVERED in html
    assert client.post("/certificates/issue", data={**form, "submit": "1"}).status_code == 200  # refused
    response = client.post("/certificates/issue", data={**form, "submit": "1", "accept_preflight": "y"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/certificates/contest/9")
    assert db.session.execute(sa.select(sa.func.count()).select_from(Certificate)).scalar_one() == 2
    cf.BATCHES[9]["final"] = False
    response = client.post("/certificates/issue", data={**form, "submit": "1", "accept_preflight": "y"})
    assert response.status_code == 200


def test_holder_downloads_own_certificate_from_mine(client, login):
    county = f.association()
    visitor = f.user(name="周游")
    from certificates.sources import Holder

    cf.contest(11, county, [Holder(ref="att:1", name="周游", user_id=visitor.id, minor=False)])
    (cert,), _ = services.issue_certificates(cf.SOURCE_KEY, 11, cf.template(county))
    db.session.commit()
    login(visitor)
    html = client.get("/certificates/mine").get_data(as_text=True)
    assert cert.number in html
    assert client.get(f"/certificates/c/{cert.id}.pdf").status_code == 200


def test_cli_issue_render_fonts(runner, issued, tmp_path):
    cf.BATCHES[1]["batch"].holders.append(cf.holders_for(issued["a"], ["新同学"], prefix="cli")[0])
    result = runner.invoke(args=["certificates", "issue", "--contest", "1", "--source", cf.SOURCE_KEY])
    assert result.exit_code == 0 and "已颁发 1 张证书" in result.output
    result = runner.invoke(args=["certificates", "issue", "--contest", "1", "--source", cf.SOURCE_KEY])
    assert result.exit_code == 0 and "没有需要新颁发的证书" in result.output
    out = tmp_path / "all.pdf"
    result = runner.invoke(args=["certificates", "render", "--contest", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pypdf.PdfReader(str(out)).pages) == 6
    result = runner.invoke(args=["certificates", "fonts"])
    assert result.exit_code == 0 and "wqy-zenhei-0" in result.output and "GB 2312 汉字 6763/6763" in result.output
    cf.BATCHES[1]["final"] = False
    result = runner.invoke(args=["certificates", "issue", "--contest", "1", "--source", cf.SOURCE_KEY])
    assert result.exit_code == 1 and "not final" in result.output


def test_signed_holder_download_for_ticket_pages(app, client):
    from certificates.sources import Holder

    county = f.association()
    cf.contest(
        12,
        county,
        [
            Holder(ref="registration:5:member:0", name="陈一"),
            Holder(ref="registration:5:member:1", name="陈二"),
            Holder(ref="registration:50", name="别人"),
        ],
    )
    services.issue_certificates(cf.SOURCE_KEY, 12, cf.template(county))
    db.session.commit()
    with app.test_request_context():
        certs = services.holder_certificates(cf.SOURCE_KEY, 12, "registration:5")
        assert [c.holder_name for c in certs] == ["陈一", "陈二"]
        url = services.download_url(certs[0])
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(url.replace(".pdf", "").rsplit("/", 1)[0] + "/" + "0" * 32 + ".pdf").status_code == 404
    # the QR token alone is not enough to download
    assert client.get(f"/v/{certs[0].token}.pdf").status_code == 404


def test_template_seal_upload_adds_an_image_item(client, login, background_png):
    login(f.organiser(f.association()))
    data = _template_form(
        page_size="A5",
        orientation="portrait",
        **{"items-0-width_mm": "100", "items-1-x_mm": "100", "items-1-y_mm": "170"},
    )
    with open(background_png, "rb") as fh:
        data["new_image"] = (io.BytesIO(fh.read()), "seal.png")
    response = client.post("/certificates/templates/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[-3000:]
    spec = db.session.execute(sa.select(CertificateTemplate)).scalar_one().spec
    image = [i for i in spec["items"] if i["kind"] == "image"]
    assert len(image) == 1 and image[0]["x_mm"] == 148 - 70 and image[0]["y_mm"] == 210 - 70


def test_archive_template_and_dashboards(client, login, issued):
    login(f.organiser(issued["county"]))
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "certificates-panel" in dashboard and issued["certs"][0].scope_title in dashboard
    assert client.post(f"/certificates/templates/{issued['template'].id}/archive").status_code == 302
    assert issued["template"].name not in client.get("/certificates/").get_data(as_text=True)
    # certificates issued with an archived template still render
    assert client.get(f"/certificates/c/{issued['certs'][0].id}.pdf").status_code == 200


def test_coordinator_dashboard_links_to_school(client, login, issued):
    login(f.coordinator(issued["a"]))
    html = client.get("/dashboard").get_data(as_text=True)
    assert f"/certificates/school/{issued['a'].id}" in html
    assert client.get("/certificates/contest/1").status_code == 403


def test_api_lists_for_organisers_and_schools(client, login, issued):
    login(f.organiser(issued["county"]))
    rows = client.get("/api/v1/certificates", query_string={"scope": "contest", "scope_id": 1, "limit": 3}).get_json()
    assert len(rows) == 3 and {"number", "holder_name", "status"} <= set(rows[0])
    one = client.get(f"/api/v1/certificates/{issued['certs'][0].id}").get_json()
    assert one["number"] == issued["certs"][0].number
    client.post("/logout")
    login(f.coordinator(issued["b"]))
    rows = client.get(
        "/api/v1/certificates", query_string={"scope": "contest", "scope_id": 1, "school_id": issued["b"].id}
    ).get_json()
    assert sorted(r["holder_name"] for r in rows) == ["孙悟", "赵大海", "钱多多"]
    assert client.get(f"/api/v1/certificates/{issued['certs'][0].id}").status_code == 403


def test_calibration_sheet_page(client, login, issued):
    login(f.organiser(issued["county"]))
    response = client.get(f"/certificates/templates/{issued['template'].id}/calibration.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")


def test_live_pdf_preview_of_unsaved_design(client, login):
    login(f.organiser(f.association()))
    response = client.post(
        "/certificates/templates/live-preview.pdf", data=_template_form(**{"items-0-text": "{name}（{school}）获奖"})
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "张三（第一实验小学）获奖" in pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    bad = client.post("/certificates/templates/live-preview.pdf", data=_template_form(**{"items-0-x_mm": "290"}))
    assert bad.status_code == 422


def test_cli_event_scope_attendance(runner, tmp_path):
    from datetime import date

    from certificates.sources import CertificateSource, Holder, SourceBatch, register_source

    county = f.association()
    batch = SourceBatch(
        "科技馆研学开放日",
        "EV7",
        county.id,
        county.name,
        2026,
        [Holder(ref=f"registration:{i}", name=n, minor=False) for i, n in enumerate(["周一", "吴二"])],
        date(2026, 4, 1),
    )
    register_source(CertificateSource("tests.attendees", "attendance", "event", "Test attendees", lambda _id: batch))
    services.create_template(county.id, "参与证明", kind="attendance", spec=services.default_spec(kind="attendance"))
    db.session.commit()
    result = runner.invoke(args=["certificates", "issue", "--event", "7", "--source", "tests.attendees"])
    assert result.exit_code == 0, result.output
    assert "2026-EV7-00001 至 2026-EV7-00002" in result.output
    out = tmp_path / "event.zip"
    result = runner.invoke(args=["certificates", "render", "--event", "7", "--out", str(out)])
    assert result.exit_code == 0 and sorted(zipfile.ZipFile(out).namelist()) == [
        "2026-EV7-00001_周一.pdf",
        "2026-EV7-00002_吴二.pdf",
    ]
    result = runner.invoke(args=["certificates", "issue", "--contest", "1", "--event", "7"])
    assert result.exit_code != 0 and "请只给出" in result.output
    cert = db.session.execute(sa.select(Certificate).where(Certificate.scope == "event")).scalars().first()
    assert cert.kind == "attendance" and services.public_holder_name(cert) == cert.holder_name  # adults unmasked


def _stored_images() -> set[str]:
    return {p.name for p in services.storage_dir("images").iterdir()}


@pytest.mark.parametrize("template_exists", [False, True])
def test_rejected_template_leaves_no_uploaded_image_behind(client, login, background_png, template_exists):
    """QA: a valid background or seal uploaded together with a bad design (unknown placeholder) used to stay
    on disk although nothing was saved."""
    county = f.association()
    login(f.organiser(county))
    url = "/certificates/templates/new"
    if template_exists:
        template = cf.template(county)
        db.session.commit()
        url = f"/certificates/templates/{template.id}"
    before = _stored_images()
    data = _template_form(**{"items-0-text": "{name} {grade}"})
    with open(background_png, "rb") as fh:
        png = fh.read()
    data["background"] = (io.BytesIO(png), "bg.png")
    data["new_image"] = (io.BytesIO(png), "seal.png")
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and "{grade}" in response.get_data(as_text=True)
    assert _stored_images() == before
    # a good background with a non-image seal: the background is removed again as well
    data = _template_form()
    data["background"] = (io.BytesIO(png), "bg.png")
    data["new_image"] = (io.BytesIO(b"not an image"), "seal.png")
    response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 200 and "PNG" in response.get_data(as_text=True)
    assert _stored_images() == before


def test_cli_render_to_an_unwritable_path_is_a_clear_error(runner, issued, tmp_path):
    """QA: `certificates render --out` into a missing directory ended in a traceback."""
    out = tmp_path / "missing-dir" / "all.pdf"
    result = runner.invoke(args=["certificates", "render", "--contest", "1", "--out", str(out)])
    assert result.exit_code == 1
    assert "无法写入" in result.output and str(out) in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_reissue_form_asks_for_the_holders_name(client, login, issued):
    """QA: the reissue form labelled the holder's name 名称 (the name of a thing, as for templates)."""
    login(f.organiser(issued["county"]))
    html = client.get(f"/certificates/c/{issued['certs'][0].id}").get_data(as_text=True)
    assert '<label class="form-label" for="holder_name">持证人姓名</label>' in html


def test_revoke_button_uses_the_same_word_as_the_status(client, login, issued):
    """QA: the button read 吊销 (the accounts catalog's word for API tokens wins for the shared msgid
    "Revoke") while the status reads 已撤销."""
    login(f.organiser(issued["county"]))
    html = client.get(f"/certificates/c/{issued['certs'][0].id}").get_data(as_text=True)
    assert "撤销证书" in html and "吊销" not in html


def test_pdf_download_with_a_vanished_font_explains_instead_of_crashing(app, client, login, issued):
    """QA: when an uploaded font of the template had been removed, downloading one certificate's PDF
    answered 500 (the organiser's page and the holder's signed link alike)."""
    template, cert = issued["template"], issued["certs"][0]
    template.spec = {**template.spec, "fonts": ["upload:removed-font-0"]}
    db.session.commit()
    login(f.organiser(issued["county"]))
    response = client.get(f"/certificates/c/{cert.id}.pdf")
    assert response.status_code == 422 and "upload:removed-font-0" in response.get_data(as_text=True)
    with app.test_request_context():
        url = services.download_url(cert)
    response = client.get(url)
    assert response.status_code == 422 and "upload:removed-font-0" in response.get_data(as_text=True)


def test_issue_for_a_school_without_holders_says_so(client, login):
    """QA: issuing for a school that has no eligible holder flashed "all 0 eligible holders already have a
    certificate"; a mistyped category code did the same."""
    county = f.association()
    school, other = f.school(county), f.school(county)
    cf.contest(19, county, cf.holders_for(school, ["王五"]))
    template = cf.template(county)
    login(f.organiser(county))
    db.session.commit()
    form = {"source": cf.SOURCE_KEY, "scope_id": "19", "template_id": str(template.id), "submit": "1"}
    response = client.post("/certificates/issue", data={**form, "school_id": str(other.id)}, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "没有符合条件的获证者" in html and "已有证书" not in html
    response = client.post("/certificates/issue", data={**form, "school_id": "0", "category_code": "INX"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "INX" in html and "INV" in html
    assert db.session.execute(sa.select(sa.func.count()).select_from(Certificate)).scalar_one() == 0


def test_oversized_background_is_rejected_before_it_is_stored(client, login):
    """QA: a 445 KB PNG of 12000 × 12000 plain pixels was accepted; every preview and print job then
    decoded it (1.5 GB of memory, 7 s per live-preview refresh)."""
    from PIL import Image

    login(f.organiser(f.association()))
    buf = io.BytesIO()
    Image.new("1", (6000, 5000), 1).save(buf, "PNG")  # 30 million pixels, a few KB
    before = _stored_images()
    data = _template_form()
    data["background"] = (io.BytesIO(buf.getvalue()), "huge.png")
    response = client.post("/certificates/templates/new", data=data, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "6000 × 5000" in html and "3508 × 2480" in html
    assert _stored_images() == before
    assert db.session.execute(sa.select(sa.func.count()).select_from(CertificateTemplate)).scalar_one() == 0
    small = io.BytesIO()
    Image.new("RGB", (3508, 2480), (250, 240, 210)).save(small, "JPEG")
    data = _template_form()
    data["background"] = (io.BytesIO(small.getvalue()), "a4.jpg")
    response = client.post("/certificates/templates/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302


def test_issue_page_preselects_award_winners(client, login, monkeypatch):
    """QA: the holders list opened on whichever source sorts first (advisors), not on award winners."""
    import re

    from certificates.sources import SOURCES, CertificateSource

    monkeypatch.setitem(
        SOURCES,
        "aaa.advisors",
        CertificateSource(key="aaa.advisors", kind="advisor", scope="contest", label="Advisors", collect=cf.collect),
    )
    login(f.organiser(f.association()))
    html = client.get("/certificates/issue").get_data(as_text=True)
    selected = re.search(r'<select[^>]*name="source"[^>]*>.*?<option selected value="([^"]+)"', html, re.S).group(1)
    assert SOURCES[selected].kind == "award"
    html = client.get("/certificates/issue?source=aaa.advisors").get_data(as_text=True)
    assert '<option selected value="aaa.advisors">' in html


def test_the_issue_page_lists_schools_in_pinyin_order(client, login, issued):
    """Seen in the season walk: the school choice ran 城关…实验…桃源…民族…白沙 (code point order)."""
    import re

    for name in ("青溪县实验小学", "青溪县白沙镇中心小学", "青溪县城关第二小学"):
        f.school(parent=issued["county"], name=name)
    db.session.commit()
    login(f.organiser(issued["county"]))
    page = client.get("/certificates/issue").get_data(as_text=True)
    box = page.split('name="school_id"')[1].split("</select>")[0]
    shown = [n for n in re.findall(r">([^<]+)</option>", box) if n.startswith("青溪县")]
    assert shown[:3] == ["青溪县白沙镇中心小学", "青溪县城关第二小学", "青溪县实验小学"]
