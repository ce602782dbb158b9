"""Issue 23, the printing half: names that still miss a glyph are listed before printing, texts are printed in
the installation's language whatever the entry point, revoking asks for confirmation, the issue form picks a
contest or event, and a lookup by number alone explains what is missing."""

import pytest
import sqlalchemy as sa
from flask_babel import gettext

from certificates import services
from certificates.models import Certificate
from certificates.sources import CertificateSource, Holder, SourceBatch, register_source
from core.extensions import db
from tests import factories as f
from tests.certificates import factories as cf
from tests.certificates.helpers import UNCOVERED


@pytest.fixture(autouse=True)
def _source():
    cf.install_source()
    cf.BATCHES.clear()
    yield
    cf.BATCHES.clear()


@pytest.fixture
def rare():
    """Three award certificates: 董𠮷祥 and 刘䶮 print from the fallback chain, 吉<Ext G> cannot print."""
    county = f.association(name="青溪县科学技术协会")
    school = f.school(county, name="青溪县实验小学")
    cf.contest(3, county, cf.holders_for(school, ["董𠮷祥", "刘䶮", "吉" + UNCOVERED]))
    template = cf.template(county)
    certs, _plan = services.issue_certificates(cf.SOURCE_KEY, 3, template, accept_preflight=True)
    db.session.commit()
    return {"county": county, "school": school, "certs": certs}


def test_seeded_and_new_templates_carry_the_fallback_chain():
    spec = services.default_spec()
    assert spec["fonts"][:4] == ["wqy-microhei-0", "wqy-zenhei-0", "hanamina-0", "hanaminb-0"]


def test_print_check_lists_only_holders_whose_names_still_miss_a_glyph(rare):
    missing = services.print_check("contest", 3)
    assert [(m.holder, m.chars) for m in missing] == [("吉" + UNCOVERED, (UNCOVERED,))]
    assert missing[0].number == rare["certs"][2].number and missing[0].codes == "U+30000"


def test_organiser_sees_the_list_before_printing(client, login, rare):
    login(f.organiser(rare["county"]))
    html = client.get("/certificates/contest/3").get_data(as_text=True)
    assert 'id="missing-glyphs"' in html and "吉" + UNCOVERED in html and "U+30000" in html
    assert "董𠮷祥" not in html.split('id="missing-glyphs"')[1].split("</div>")[0]


def test_cli_render_and_job_report_the_holders(runner, rare, tmp_path, app):
    out = tmp_path / "c.pdf"
    result = runner.invoke(args=["certificates", "render", "--contest", "3", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert rare["certs"][2].number in result.output and "U+30000" in result.output
    assert "董𠮷祥" not in result.output
    # in the installation's language (zh_CN): the warning and the summary
    assert "已安装的字体都没有" in result.output and "已将 3 张证书生成到" in result.output

    class Progress:
        def update(self, done, total):
            pass

        def claim_file(self, path):  # core.jobs removes a claimed file if the worker dies
            pass

    job = services.run_render(Progress(), scope="contest", scope_id=3)
    assert job["missing_glyphs"] == [
        {"number": rare["certs"][2].number, "holder": "吉" + UNCOVERED, "chars": UNCOVERED}
    ]


def test_texts_are_stored_in_the_installations_language_from_an_english_page(client, login):
    county = f.association()
    school = f.school(county)

    def collect(contest_id):
        # what a source does: labels through gettext in the current locale
        return SourceBatch(
            scope_title="第五届大赛",
            scope_code="KC",
            organisation_id=county.id,
            org_name=county.name,
            year=2026,
            holders=[
                Holder(ref="h1", name="王小明", school_id=school.id, school=school.name, award=gettext("First prize"))
            ],
        )

    register_source(CertificateSource(key="tests.lang", kind="award", scope="contest", label="t", collect=collect))
    template = cf.template(county)
    login(f.organiser(county))
    db.session.commit()
    client.post("/lang/en")
    response = client.post(
        "/certificates/issue",
        data={
            "source": "tests.lang",
            "scope_id": "contest:5",
            "template_id": str(template.id),
            "school_id": "0",
            "submit": "1",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    cert = db.session.execute(sa.select(Certificate).where(Certificate.source_key == "tests.lang")).scalar_one()
    assert cert.award == "一等奖"


def test_revoking_needs_an_explicit_confirmation(client, login, rare):
    login(f.organiser(rare["county"]))
    cert = rare["certs"][0]
    page = client.get(f"/certificates/c/{cert.id}").get_data(as_text=True)
    form_tag = page.split('id="revoke-form"')[1].split(">")[0]
    assert "data-confirm=" in form_tag and cert.number in form_tag and "董𠮷祥" in form_tag
    response = client.post(f"/certificates/c/{cert.id}/revoke", data={"reason": "重复颁发"})
    assert response.status_code == 422 and "撤销后无法恢复为有效" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).status == "valid"
    response = client.post(f"/certificates/c/{cert.id}/revoke", data={"reason": "重复颁发", "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Certificate, cert.id).status == "revoked"


def test_issue_form_picks_the_organisers_contests_instead_of_a_raw_id(client, login):
    county, other = f.association(name="青溪县科协"), f.association(name="别县科协")
    register_source(
        CertificateSource(
            key="tests.picker",
            kind="award",
            scope="contest",
            label="t",
            collect=cf.collect,
            scopes=lambda ids: [
                (i, t)
                for i, t, org in ((9, "2026 第九届青少年科技创新大赛", county.id), (10, "2026 别县大赛", other.id))
                if ids is None or org in ids
            ],
        )
    )
    cf.template(county)
    login(f.organiser(county))
    db.session.commit()
    html = client.get("/certificates/issue?source=tests.picker&scope_id=9").get_data(as_text=True)
    assert 'type="number"' not in html
    assert '<option selected value="contest:9">2026 第九届青少年科技创新大赛</option>' in html
    assert "别县大赛" not in html


def test_issue_form_refuses_an_event_for_contest_holders(client, login):
    county = f.association()
    cf.contest(4, county, cf.holders_for(f.school(county), ["王五"]))
    template = cf.template(county)
    login(f.organiser(county))
    db.session.commit()
    response = client.post(
        "/certificates/issue",
        data={
            "source": cf.SOURCE_KEY,
            "scope_id": "event:4",
            "template_id": str(template.id),
            "school_id": "0",
            "submit": "1",
        },
    )
    assert response.status_code == 200 and "活动参与者请选择活动" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(sa.func.count()).select_from(Certificate)).scalar_one() == 0


def test_lookup_by_number_without_a_name_says_what_is_missing(client, rare):
    response = client.get("/v/", query_string={"number": rare["certs"][0].number})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "证书上印的持有人姓名" in html


def test_cli_speaks_the_installations_language(runner, rare, tmp_path):
    """`flask certificates …` prints in zh_CN (the default language), errors and listings alike."""
    wrong = runner.invoke(args=["certificates", "render", "--out", str(tmp_path / "x.pdf")])
    assert wrong.exit_code != 0 and "请只给出 --contest" in wrong.output
    again = runner.invoke(args=["certificates", "issue", "--contest", "3", "--source", cf.SOURCE_KEY])
    assert again.exit_code == 0 and "没有需要新颁发的证书；3 人已有证书。" in again.output, again.output
    fonts = runner.invoke(args=["certificates", "fonts"])
    assert fonts.exit_code == 0 and "中日韩统一表意文字扩展A区" in fonts.output and "系统已安装" in fonts.output
    assert "CJK Extension" not in fonts.output


def test_fonts_page_names_unicode_blocks_in_the_readers_language(client, login):
    login(f.organiser(f.association()))
    page = client.get("/certificates/fonts").get_data(as_text=True)
    assert "中日韩统一表意文字扩展B区" in page and "CJK Extension B" not in page
    client.post("/lang/en", data={"next": "/"})
    assert "CJK Extension B" in client.get("/certificates/fonts").get_data(as_text=True)
