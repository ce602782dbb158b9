"""Pages and API of the competitions area: school isolation on every route, query counts on list pages,
roster import through the UI, deadline enforcement, review, materials access."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from competitions.models import Advisor, Entry, EntryStatus, Material, Student
from competitions.services import advisors as advisors_service
from competitions.services import categories as categories_service
from competitions.services import checks as checks_service
from competitions.services import contests as contests_service
from competitions.services import entries as entries_service
from competitions.services import listings as listings_service
from competitions.services import materials as materials_service
from competitions.services import review as review_service
from competitions.services import schools as schools_service
from competitions.services import students as students_service
from core.errors import DomainError
from core.extensions import db
from tests import factories
from tests.competitions import factories as cf


@pytest.fixture
def two_schools():
    county = factories.association("青溪县科协")
    school_a = factories.school(county, stage="junior", name="甲中学")
    school_b = factories.school(county, stage="junior", name="乙中学")
    contest = cf.contest(county)
    category = cf.category(contest, code="JQR", quotas=(("school", "junior", "individual", 50),))
    a_student = cf.student(school_a, grade=8, name="甲同学")
    b_student = cf.student(school_b, grade=8, name="乙秘密同学")
    b_advisor = cf.advisor(school_b, name="乙老师")
    a_entry = entries_service.create_entry(
        contest, school_a, category, title="甲的作品", student_ids=[a_student.id], work_started_on=date(2024, 1, 1)
    )
    b_entry = entries_service.create_entry(
        contest,
        school_b,
        category,
        title="乙的秘密作品",
        student_ids=[b_student.id],
        advisor_ids=[b_advisor.id],
        work_started_on=date(2024, 1, 1),
    )
    b_material = materials_service.add_material(b_entry, "report", "乙报告.pdf", cf.PDF)
    coordinator_a = factories.coordinator(school_a, name="甲联络员")
    coordinator_b = factories.coordinator(school_b, name="乙联络员")
    organiser = factories.organiser(county)
    db.session.commit()
    return dict(
        county=county,
        a=school_a,
        b=school_b,
        contest=contest,
        category=category,
        a_student=a_student,
        b_student=b_student,
        b_advisor=b_advisor,
        a_entry=a_entry,
        b_entry=b_entry,
        b_material=b_material,
        coordinator_a=coordinator_a,
        coordinator_b=coordinator_b,
        organiser=organiser,
    )


def _snapshot(w):
    db.session.expire_all()
    entry = db.session.get(Entry, w["b_entry"].id)
    student = db.session.get(Student, w["b_student"].id)
    return (
        entry.title,
        entry.status,
        entry.code,
        len(entry.materials),
        student.name,
        student.grade,
        db.session.get(Advisor, w["b_advisor"].id) is not None,
        db.session.get(Material, w["b_material"].id) is not None,
    )


OWNED_PARAMS = {"school_id", "entry_id", "student_id", "advisor_id", "material_id", "category_id"}


def test_coordinator_of_school_a_cannot_read_or_change_school_b(app, client, login, two_schools):
    """Every competitions route (pages and API), GET and POST, with school B's objects."""
    w = two_schools
    login(w["coordinator_a"])
    values = {
        "contest_id": w["contest"].id,
        "school_id": w["b"].id,
        "entry_id": w["b_entry"].id,
        "student_id": w["b_student"].id,
        "advisor_id": w["b_advisor"].id,
        "material_id": w["b_material"].id,
        "category_id": w["category"].id,
        "fmt": "xlsx",
    }
    before = _snapshot(w)
    tried = 0
    for rule in app.url_map.iter_rules():
        if not (rule.endpoint.startswith("competitions.") or rule.endpoint.startswith("competitions_api.")):
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = re.sub(rf"<(?:\w+:)?{arg}>", str(values[arg]), url)
        owned = bool(rule.arguments & OWNED_PARAMS)
        for method in sorted(rule.methods & {"GET", "POST"}):
            data = {
                "title": "被改了",
                "name": "被改了",
                "action": "approve",
                "reason": "x",
                "status": "closed",
                "grade": "9",
                "gender": "男",
                "birth_date": "2011-01-01",
                "token": "x",
                "entry_ids": [str(w["b_entry"].id)],
            }
            if "/api/" in url and method == "POST":
                response = client.open(
                    url, method=method, json={"status": "closed"} if url.endswith("/status") else {"action": "approve"}
                )
            else:
                response = client.open(url, method=method, data=data if method == "POST" else None)
            tried += 1
            body = response.get_data(as_text=True)
            assert response.status_code < 500, (method, url, response.status_code)
            assert "乙秘密同学" not in body and "乙的秘密作品" not in body, (method, url)
            if owned:
                assert response.status_code in (403, 404), (method, url, response.status_code)
            else:
                assert response.status_code in (200, 302, 403, 404), (method, url, response.status_code)
    assert tried > 40
    assert _snapshot(w) == before


def test_coordinator_b_and_organiser_do_see_school_b(client, login, two_schools):
    w = two_schools
    login(w["coordinator_b"])
    assert "乙的秘密作品" in client.get(f"/contests/entries/{w['b_entry'].id}").get_data(as_text=True)
    assert client.get(f"/contests/materials/{w['b_material'].id}").data == cf.PDF
    client.post("/logout")
    login(w["organiser"])
    page = client.get(f"/contests/{w['contest'].id}/entries").get_data(as_text=True)
    assert "乙的秘密作品" in page and "甲的作品" in page
    assert client.get(f"/contests/materials/{w['b_material'].id}").status_code == 200


def test_materials_hidden_from_anonymous_and_other_judges(app, client, login, two_schools):
    w = two_schools
    response = client.get(f"/contests/materials/{w['b_material'].id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    judge = factories.judge(w["contest"].id + 1000)
    db.session.commit()
    login(judge)
    assert client.get(f"/contests/materials/{w['b_material'].id}").status_code == 403


def test_an_area_can_register_a_material_viewer(client, login, two_schools):
    from competitions import policies as permissions

    w = two_schools
    judge = factories.judge(w["contest"].id)
    db.session.commit()
    login(judge)
    assert client.get(f"/contests/materials/{w['b_material'].id}").status_code == 403

    def assigned(user, entry):
        return user.id == judge.id and entry.id == w["b_entry"].id

    permissions.ENTRY_MATERIAL_VIEWERS.append(assigned)
    try:
        assert client.get(f"/contests/materials/{w['b_material'].id}").status_code == 200
    finally:
        permissions.ENTRY_MATERIAL_VIEWERS.remove(assigned)


def test_api_lists_are_masked_and_scoped(client, login, two_schools):
    w = two_schools
    login(w["coordinator_a"])
    data = client.get(f"/api/v1/competitions/contests/{w['contest'].id}/entries").get_json()
    assert [e["title"] for e in data["items"]] == ["甲的作品"]
    students = client.get(f"/api/v1/competitions/schools/{w['a'].id}/students").get_json()
    assert students[0]["id_number"].count("*") >= 10
    assert students[0]["guardian_phone"].count("*") == 4
    assert client.get(f"/api/v1/competitions/schools/{w['b'].id}/students").status_code == 403


def test_roster_page_masks_minors_data(client, login, two_schools):
    w = two_schools
    login(w["coordinator_a"])
    page = client.get(f"/contests/school/{w['a'].id}/students").get_data(as_text=True)
    assert w["a_student"].id_number not in page and w["a_student"].guardian_phone not in page
    assert w["a_student"].masked_id_number in page


# ------------------------------------------------------------------ query counts


def _many_entries(w, n, start=100):
    school = w["a"]
    for i in range(start, start + n):
        s = cf.student(school, grade=8)
        cf.entry(
            w["contest"],
            w["category"],
            school,
            students=[s],
            advisors=[cf.advisor(school)],
            status="submitted",
            code=f"2025-JQR-{i:04d}",
        )
    db.session.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/contests/{c}/entries",
        "/contests/{c}/review",
        "/contests/{c}/summary",
        "/api/v1/competitions/contests/{c}/entries",
        "/contests/school/{a}/students",
        "/contests/{c}/school/{a}",
    ],
)
def test_list_pages_run_a_constant_number_of_queries(client, login, two_schools, count_queries, path):
    w = two_schools
    login(w["organiser"])
    url = path.format(c=w["contest"].id, a=w["a"].id)
    _many_entries(w, 3)
    client.get(url)  # warm-up
    with count_queries() as few:
        assert client.get(url).status_code == 200
    _many_entries(w, 25, start=200)
    client.get(url)  # warm-up again after the data changed
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), (url, len(few), len(many))


# ------------------------------------------------------------------ roster import UI


def _csv(rows, encoding="gb18030"):
    return ("姓名,性别,出生日期,年级,班级,身份证号,监护人电话\n" + "\n".join(",".join(r) for r in rows)).encode(
        encoding
    )


def test_oversized_roster_upload_reports_its_real_size(client, login, two_schools):
    """QA: a 52 MB upload was reported as "too large (10.0 MB); the limit is 10 MB" because only the first
    10 MB + 1 byte were read; the message now gives the file's real size."""
    w = two_schools
    login(w["coordinator_a"])
    data = _csv([["张三", "男", "2013-03-05", "初一", "1班", "", "13800000001"]], "utf-8") + b"," * (12 * 1024 * 1024)
    page = client.post(
        f"/contests/school/{w['a'].id}/students/import",
        data={"file": (io.BytesIO(data), "名单.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "12.0 MB" in page and "10 MB" in page


def test_roster_import_preview_then_confirm(client, login, two_schools):
    w = two_schools
    login(w["coordinator_a"])
    data = _csv(
        [
            ["王小明", "男", "2011/3/5", "初二", "2班", "", "13800000000"],
            ["李䶮", "女", "2011年6月1日", "初二", "", "", ""],
        ]
    )
    response = client.post(
        f"/contests/school/{w['a'].id}/students/import",
        data={"file": (io.BytesIO(data), "名单.csv")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert 'id="roster-preview"' in page
    assert students_service.list_students(w["a"].id) == [w["a_student"]]  # nothing written yet
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(f"/contests/school/{w['a'].id}/students/import/confirm", data={"token": token})
    assert response.status_code == 302
    names = {s.name for s in students_service.list_students(w["a"].id)}
    assert {"王小明", "李䶮"} <= names
    # a replayed token is refused
    response = client.post(f"/contests/school/{w['a'].id}/students/import/confirm", data={"token": token})
    assert response.status_code == 302 and len(students_service.list_students(w["a"].id)) == 3


def test_roster_is_parsed_once_between_preview_and_confirm(client, login, two_schools, monkeypatch):
    """Issue 19: the confirm step parsed the upload a second time (a hostile file cost twice); it now imports
    the rows checked at preview."""
    import competitions.roster.reading as roster

    calls = []
    real = roster.read_table
    monkeypatch.setattr(roster, "read_table", lambda *a, **k: calls.append(1) or real(*a, **k))
    w = two_schools
    login(w["coordinator_a"])
    data = _csv([["欧阳𠮷", "男", "2011/3/5", "初二", "2班", "", "13800000000"]])
    page = client.post(
        f"/contests/school/{w['a'].id}/students/import",
        data={"file": (io.BytesIO(data), "名单.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    assert calls == [1]
    response = client.post(f"/contests/school/{w['a'].id}/students/import/confirm", data={"token": token})
    assert response.status_code == 302 and calls == [1]
    assert "欧阳𠮷" in {s.name for s in students_service.list_students(w["a"].id)}


def test_roster_preview_warns_and_takes_namesakes_as_two(client, login, two_schools):
    w = two_schools  # school a is a junior secondary school (初中)
    login(w["coordinator_a"])
    born = date.today().year - 13  # noqa: DTZ011 — the roster check ages pupils by the same date.today()
    data = _csv(
        [
            ["王伟", "男", f"{born}-03-05", "初二", "2班", "", ""],
            ["王伟", "女", f"{born}-03-05", "初二", "5班", "", ""],
            ["李四", "女", f"{born - 3}-03-05", "高二", "1班", "", ""],
            ["赵六", "男", f"{born + 10}-01-05", "初一", "1班", "", ""],
        ]
    )
    page = client.post(
        f"/contests/school/{w['a'].id}/students/import",
        data={"file": (io.BytesIO(data), "名单.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="roster-errors"' not in page and 'id="roster-preview"' in page
    box = page.split('id="roster-warnings"')[1].split("</div>")[0]
    assert "王伟" in box and "性别" in box  # the namesakes, told apart by gender
    assert "高二" in box and "初中" in box  # not taught at this school
    assert "赵六" not in box and "初一" in box  # a 3-year-old in 初一
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    client.post(f"/contests/school/{w['a'].id}/students/import/confirm", data={"token": token})
    assert [s.gender for s in students_service.list_students(w["a"].id) if s.name == "王伟"] == ["男", "女"]


def test_roster_import_errors_listed_and_nothing_imported(client, login, two_schools):
    w = two_schools
    login(w["coordinator_a"])
    data = _csv([["王小明", "男", "2011/2/30", "初二", "", "", ""], ["李雷", "M", "2011-01-01", "初二", "", "", "123"]])
    page = client.post(
        f"/contests/school/{w['a'].id}/students/import",
        data={"file": (io.BytesIO(data), "a.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="roster-errors"' in page and 'id="roster-preview"' not in page
    assert page.count("<tr><td>2</td>") == 1 and page.count("<tr><td>3</td>") == 2
    pdf = client.post(
        f"/contests/school/{w['a'].id}/students/import",
        data={"file": (io.BytesIO(cf.PDF), "名单.xlsx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="roster-errors"' in pdf
    assert students_service.list_students(w["a"].id) == [w["a_student"]]


# ------------------------------------------------------------------ deadline and review over HTTP


def test_deadline_enforced_on_the_server(client, login, two_schools):
    w = two_schools
    login(w["coordinator_a"])
    w["contest"].registration_closes_at = cf.NOW - timedelta(minutes=1)
    db.session.commit()
    student = cf.student(w["a"], grade=8)
    db.session.commit()
    response = client.post(
        f"/contests/{w['contest'].id}/school/{w['a'].id}/entries/new",
        data={"category_id": w["category"].id, "title": "迟交", "member_0": student.id},
        follow_redirects=True,
    )
    assert "迟交" not in {e.title for e in listings_service.list_entries(w["contest"].id)}
    assert response.status_code == 200
    response = client.post(f"/contests/entries/{w['a_entry'].id}/submit", follow_redirects=True)
    db.session.expire_all()
    assert db.session.get(Entry, w["a_entry"].id).status == "draft"


def test_new_entry_form_is_not_offered_after_the_deadline(client, login, two_schools):
    """QA: after the deadline the empty entry form was still shown; only saving it failed."""
    w = two_schools
    login(w["coordinator_a"])
    url = f"/contests/{w['contest'].id}/school/{w['a'].id}/entries/new"
    assert client.get(url).status_code == 200
    w["contest"].registration_closes_at = cf.NOW - timedelta(minutes=1)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/contests/{w['contest'].id}/school/{w['a'].id}"
    )
    assert "本赛事当前不在报名时间内" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_entry_page_names_accepted_file_types_in_chinese(client, login, two_schools):
    """QA: the material list showed the raw keywords "(pdf, ≤ 20 MB)" / "(image, …)" in the Chinese UI."""
    from competitions.models import MaterialRequirement

    w = two_schools
    w["category"].requirements.append(
        MaterialRequirement(kind="photos", label="作品照片", accepted=["image"], max_mb=10, required=False, position=1)
    )
    db.session.commit()
    login(w["coordinator_a"])
    page = client.get(f"/contests/entries/{w['a_entry'].id}").get_data(as_text=True)
    assert "图片（PNG、JPEG、GIF、WebP）, ≤ 10 MB" in page and "(image," not in page


def test_submit_and_review_through_pages(client, login, two_schools):
    w = two_schools
    login(w["coordinator_a"])
    client.post(
        f"/contests/entries/{w['a_entry'].id}/materials",
        data={"kind": "report", "file": (io.BytesIO(cf.PDF), "报告.pdf")},
        content_type="multipart/form-data",
    )
    client.post(f"/contests/entries/{w['a_entry'].id}/submit")
    db.session.expire_all()
    entry = db.session.get(Entry, w["a_entry"].id)
    assert entry.status == "submitted" and entry.code == "2025-JQR-0001"
    client.post("/logout")
    login(w["organiser"])
    client.post(f"/contests/entries/{entry.id}/review", data={"action": "return", "reason": "请补充照片"})
    db.session.expire_all()
    entry = db.session.get(Entry, w["a_entry"].id)
    assert entry.status == "returned" and entry.review_reason == "请补充照片"
    client.post("/logout")
    login(w["coordinator_a"])
    assert "请补充照片" in client.get(f"/contests/entries/{entry.id}").get_data(as_text=True)


def test_pdf_renamed_docx_upload_is_refused(client, login, two_schools):
    w = two_schools
    login(w["coordinator_a"])
    page = client.post(
        f"/contests/entries/{w['a_entry'].id}/materials",
        data={"kind": "report", "file": (io.BytesIO(cf.PDF), "报告.docx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "报告.docx" in page
    db.session.expire_all()
    assert db.session.get(Entry, w["a_entry"].id).materials == []


def test_student_already_in_another_entry_is_refused_in_the_form(client, login, two_schools):
    w = two_schools
    login(w["coordinator_a"])
    page = client.post(
        f"/contests/{w['contest'].id}/school/{w['a'].id}/entries/new",
        data={"category_id": w["category"].id, "title": "第二个作品", "member_0": w["a_student"].id},
    ).get_data(as_text=True)
    assert "甲同学" in page and "2" not in [e.title for e in listings_service.list_entries(w["contest"].id)]
    assert len(listings_service.list_entries(w["contest"].id, school_id=w["a"].id)) == 1


def test_organiser_moves_contest_and_it_is_audited(client, login, two_schools):
    from core.models import AuditLog

    w = two_schools
    login(w["organiser"])
    client.post(f"/contests/{w['contest'].id}/status?status=closed")
    db.session.expire_all()
    assert w["contest"].status == "closed"
    assert db.session.execute(sa.select(AuditLog).where(AuditLog.action == "status")).scalar_one().after == {
        "status": "closed"
    }
    client.post("/logout")
    login(w["coordinator_a"])
    assert client.post(f"/contests/{w['contest'].id}/status?status=judging").status_code == 403
    assert (
        client.post(f"/api/v1/competitions/contests/{w['contest'].id}/status", json={"status": "judging"}).status_code
        == 403
    )


def test_definition_export_and_import_in_the_ui(client, login, two_schools):
    w = two_schools
    login(w["organiser"])
    body = client.get(f"/contests/{w['contest'].id}/definition.json").data
    response = client.post(
        "/contests/import",
        data={"file": (io.BytesIO(body), "d.json"), "organisation_id": w["county"].id, "year": 2026, "name": "第二届"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert [c.year for c in contests_service.list_contests()] == [2026, 2025]
    bad = client.post(
        "/contests/import",
        data={"file": (io.BytesIO(b'{"format": "x"}'), "d.json"), "organisation_id": w["county"].id},
        content_type="multipart/form-data",
    )
    assert 'id="definition-errors"' in bad.get_data(as_text=True)


def test_entry_statuses_all_render(client, login, two_schools):
    w = two_schools
    login(w["organiser"])
    for status in EntryStatus:
        w["b_entry"].status = status.value
        db.session.commit()
        assert client.get(f"/contests/entries/{w['b_entry'].id}").status_code == 200


def test_large_roster_is_imported_by_a_background_job(client, login, two_schools, monkeypatch):
    from competitions.views import school as views
    from core.models import Job

    monkeypatch.setattr(views, "JOB_THRESHOLD_ROWS", 1)
    w = two_schools
    login(w["coordinator_a"])
    data = _csv(
        [["王小明", "男", "2011/3/5", "初二", "2班", "", ""], ["李小红", "女", "2011/4/5", "初二", "2班", "", ""]]
    )
    page = client.post(
        f"/contests/school/{w['a'].id}/students/import",
        data={"file": (io.BytesIO(data), "a.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(f"/contests/school/{w['a'].id}/students/import/confirm", data={"token": token})
    assert "/jobs/" in response.headers["Location"]
    db.session.expire_all()
    job = db.session.execute(sa.select(Job)).scalar_one()
    assert job.status == "done", job.error
    assert job.result == {"school_id": w["a"].id, "created": 2, "updated": 0, "unchanged": 0}
    assert "2" in job.message
    assert {"王小明", "李小红"} <= {s.name for s in students_service.list_students(w["a"].id)}
    assert client.get(response.headers["Location"]).status_code == 200


def test_category_form_with_materials_and_quotas(client, login, two_schools):
    """Materials and quotas are repeated rows of fields (no `report | pdf | 20` mini-language)."""
    w = two_schools
    login(w["organiser"])
    data = {
        "code": "td",
        "name": "集体项目",
        "entry_type": "team",
        "min_members": 2,
        "max_members": 3,
        "allowed_stages": ["junior", "senior"],
        "max_advisors": 2,
        "scoring_mode": "rubric",
        "materials-0-kind": "report",
        "materials-0-label": "研究报告",
        "materials-0-accepted": "pdf",
        "materials-0-max_mb": 20,
        "materials-0-max_files": 1,
        "materials-0-required": "y",
        "materials-1-kind": "photos",
        "materials-1-label": "照片",
        "materials-1-accepted": "image",
        "materials-1-max_mb": 10,
        "materials-1-max_files": 5,
        "materials-2-kind": "",
        "materials-2-max_mb": 20,  # a blank row is left out
        "quotas-0-scope": "school",
        "quotas-0-stage": "junior",
        "quotas-0-kind": "team",
        "quotas-0-limit": 3,
        "quotas-1-scope": "district",
        "quotas-1-stage": "junior",
        "quotas-1-kind": "team",
        "quotas-1-limit": 10,
        "quotas-2-scope": "school",
        "quotas-2-stage": "senior",
        "quotas-2-kind": "team",
        "quotas-2-limit": "",
    }
    response = client.post(f"/contests/{w['contest'].id}/categories/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    category = next(c for c in w["contest"].categories if c.code == "TD")
    assert [(r.kind, r.label, r.accepted, r.max_mb, r.max_files, r.required) for r in category.requirements] == [
        ("report", "研究报告", ["pdf"], 20, 1, True),
        ("photos", "照片", ["image"], 10, 5, False),
    ]
    assert [(q.scope, q.limit) for q in category.quotas] == [("school", 3), ("district", 10)]
    bad = client.post(
        f"/contests/{w['contest'].id}/categories/new", data={**data, "code": "X2", "quotas-0-stage": "college"}
    ).get_data(as_text=True)
    assert "X2" not in [c.code for c in w["contest"].categories] and "kc-rows-error" in bad
    # the edit form shows the saved rows as fields, in Chinese, plus blank rows to add more
    page = client.get(f"/contests/{w['contest'].id}/categories/{category.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="materials-1-label"[^>]*value="照片"', page)
    assert 'name="materials-3-kind"' in page and 'name="quotas-3-limit"' in page
    assert "report |" not in page and "每校" in page and "研究报告（PDF）" in page
    assert page.count('type="checkbox" value="junior"') == 1  # stages are checkboxes, not a multiple select


def test_a_team_category_needs_at_least_two_members(client, login, two_schools):
    w = two_schools
    login(w["organiser"])
    data = {
        "code": "T1",
        "name": "集体项目",
        "entry_type": "team",
        "min_members": 1,
        "max_members": 3,
        "allowed_stages": ["junior"],
        "max_advisors": 0,
        "scoring_mode": "rubric",
    }
    page = client.post(f"/contests/{w['contest'].id}/categories/new", data=data).get_data(as_text=True)
    assert "T1" not in [c.code for c in w["contest"].categories] and "is-invalid" in page
    with pytest.raises(DomainError) as exc:
        categories_service.save_category(
            w["contest"], None, code="T2", name="集体", entry_type="team", min_members=1, max_members=3
        )
    assert exc.value.field == "min_members"
    # 0 advisors is a value, not a missing one
    response = client.post(f"/contests/{w['contest'].id}/categories/new", data={**data, "min_members": 2})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]


def test_dashboard_panels(client, login, two_schools):
    w = two_schools
    login(w["organiser"])
    assert 'id="competitions-panel"' in client.get("/dashboard").get_data(as_text=True)
    client.post("/logout")
    login(w["coordinator_a"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'id="competitions-panel"' in page and "甲中学" in page


def test_student_and_advisor_forms(client, login, two_schools):
    w = two_schools
    login(w["coordinator_a"])
    url = f"/contests/school/{w['a'].id}/students/new"
    bad = client.post(
        url,
        data={
            "name": "赵六",
            "gender": "男",
            "birth_date": "2011-05-01",
            "grade": 8,
            "id_number": "330102201105010070",
        },
    ).get_data(as_text=True)
    assert "GB 11643" in bad or "校验位" in bad
    assert (
        client.post(
            url,
            data={
                "name": "赵 六",
                "gender": "男",
                "birth_date": "2011-05-01",
                "grade": 8,
                "guardian_phone": "138 0000 0000",
            },
        ).status_code
        == 302
    )
    student = next(s for s in students_service.list_students(w["a"].id) if s.name == "赵六")
    assert student.guardian_phone == "13800000000"
    response = client.post(
        f"/contests/school/{w['a'].id}/advisors/new", data={"name": "钱老师", "phone": "13900000000", "subject": "科学"}
    )
    assert response.status_code == 302
    assert [a.name for a in advisors_service.list_advisors(w["a"].id)] == ["钱老师"]
    # a student in an entry stays on the roster
    client.post(f"/contests/school/{w['a'].id}/students/{w['a_student'].id}/delete")
    assert db.session.get(Student, w["a_student"].id) is not None


def test_large_master_list_is_exported_by_a_background_job(client, login, two_schools, monkeypatch):
    import openpyxl

    from competitions.views import management as views
    from core.models import Job

    monkeypatch.setattr(views, "EXPORT_JOB_THRESHOLD", 1)
    w = two_schools
    login(w["organiser"])
    response = client.post(f"/contests/{w['contest'].id}/entries.xlsx")  # the page's button
    assert "/jobs/" in response.headers["Location"]
    db.session.expire_all()
    job = db.session.execute(sa.select(Job)).scalar_one()
    assert job.status == "done", job.error
    download = client.get(f"/jobs/{job.id}/download")
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    assert {sheet["D2"].value, sheet["D3"].value} == {"甲的作品", "乙的秘密作品"}
    client.post("/logout")
    login(w["coordinator_a"])
    assert client.get(f"/jobs/{job.id}/download").status_code == 403


def test_master_list_get_never_writes(client, login, two_schools, monkeypatch):
    """Issue 24: a GET of a long master list enqueued a job and committed (a GET that wrote). A GET now only
    downloads a short list or points to the page, whose button (a POST) prepares a long one."""
    from competitions.views import management as views
    from core.models import Job

    w = two_schools
    login(w["organiser"])
    short = client.get(f"/contests/{w['contest'].id}/entries.xlsx")
    assert short.status_code == 200 and short.mimetype.endswith("spreadsheetml.sheet")
    monkeypatch.setattr(views, "EXPORT_JOB_THRESHOLD", 1)
    response = client.get(f"/contests/{w['contest'].id}/entries.xlsx?status=draft")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/contests/{w['contest'].id}/entries?status=draft")
    assert db.session.execute(sa.select(sa.func.count()).select_from(Job)).scalar() == 0
    page = client.get(f"/contests/{w['contest'].id}/entries?status=draft").get_data(as_text=True)
    assert re.search(
        r'<form method="post" action="[^"]*/entries\.xlsx\?status=draft"[^>]*>\s*'
        r'<input type="hidden" name="csrf_token"[^>]*>\s*<button[^>]*id="export-xlsx"',
        page,
    )


def test_api_organiser_moves_contest_and_reviews(client, login, two_schools):
    w = two_schools
    materials_service.add_material(w["a_entry"], "report", "r.pdf", cf.PDF)
    review_service.submit_entry(w["a_entry"])
    db.session.commit()
    login(w["organiser"])
    body = client.post(f"/api/v1/competitions/entries/{w['a_entry'].id}/review", json={"action": "return"})
    assert body.status_code == 400 and body.get_json()["error"]["code"] == "invalid"  # a reason is required
    assert body.get_json()["error"]["details"] == {"field": "reason"}  # core.api's one DomainError body
    body = client.post(f"/api/v1/competitions/entries/{w['a_entry'].id}/review", json={"action": "approve"}).get_json()
    assert body["status"] == "approved" and body["code"] == "2025-JQR-0001"
    body = client.post(f"/api/v1/competitions/contests/{w['contest'].id}/status", json={"status": "closed"}).get_json()
    assert body["status"] == "closed"
    response = client.post(f"/api/v1/competitions/contests/{w['contest'].id}/status", json={"status": "final"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "bad_transition"
    definition = client.get(f"/api/v1/competitions/contests/{w['contest'].id}/definition").get_json()
    assert definition["format"] == "kechuang.contest" and definition["categories"][0]["code"] == "JQR"


def test_schools_import_page(client, login, two_schools):
    w = two_schools
    login(w["organiser"])
    good = "学校名称,代码,学段,地区\n青溪县桃源镇中心小学,QX-S03,小学,桃源镇\n".encode("gbk")
    page = client.post(
        "/contests/schools/import",
        data={"file": (io.BytesIO(good), "s.csv"), "organisation_id": w["county"].id},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert schools_service.school_by_code("QX-S03").parent_id == w["county"].id
    bad = "学校名称,代码,学段,地区\n新学校,QX-S99,幼儿园,城关镇\n".encode()
    page = client.post(
        "/contests/schools/import",
        data={"file": (io.BytesIO(bad), "s.csv"), "organisation_id": w["county"].id},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert 'id="import-errors"' in page and "幼儿园" in page
    assert schools_service.school_by_code("QX-S99") is None
    huge = good + b"," * (11 * 1024 * 1024)  # QA: the size in the message is the file's, not the 10 MB read
    page = client.post(
        "/contests/schools/import",
        data={"file": (io.BytesIO(huge), "s.csv"), "organisation_id": w["county"].id},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "11.0 MB" in page
    client.post("/logout")
    login(w["coordinator_a"])
    assert (
        client.post(
            "/contests/schools/import", data={"file": (io.BytesIO(good), "s.csv")}, content_type="multipart/form-data"
        ).status_code
        == 403
    )


def test_posts_without_csrf_token_are_refused(client, two_schools, csrf_enabled):
    w = two_schools
    with client.session_transaction() as s:  # logged in (the login form itself would need the token)
        s["_user_id"] = w["organiser"].get_id()
        s["_fresh"] = True
    response = client.post(f"/contests/{w['contest'].id}/status?status=closed")
    assert response.status_code == 400
    db.session.expire_all()
    assert w["contest"].status == "registration"


def test_a_missing_material_is_named_as_the_category_names_it(client, login, two_schools):
    from competitions.models import MaterialRequirement

    w = two_schools
    w["category"].requirements.append(
        MaterialRequirement(
            kind="declaration", label="参赛承诺书", accepted=["pdf"], max_mb=5, required=True, position=5
        )
    )
    db.session.commit()
    problems = [checks_service.render_problem(p) for p in checks_service.entry_problems(w["a_entry"])]
    assert any("参赛承诺书" in p for p in problems) and not any("声明材料" in p for p in problems)
    login(w["coordinator_a"])
    page = client.get(f"/contests/entries/{w['a_entry'].id}").get_data(as_text=True)
    box = page.split('id="entry-problems"')[1].split("</div>")[0]
    assert "参赛承诺书" in box and "声明材料" not in box


def test_an_approved_entry_is_shown_read_only_with_the_reason(client, login, two_schools):
    w = two_schools
    w["a_entry"].status = EntryStatus.APPROVED.value
    db.session.commit()
    login(w["coordinator_a"])
    response = client.get(f"/contests/entries/{w['a_entry'].id}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/contests/entries/{w['a_entry'].id}")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'id="entry-locked"' in page and "资格审核" in page.split('id="entry-locked"')[1][:300]
    assert 'id="edit-entry"' not in page
    # a save that arrives anyway changes nothing
    client.post(f"/contests/entries/{w['a_entry'].id}/edit", data={"category_id": w["category"].id, "title": "改过的"})
    db.session.expire_all()
    assert db.session.get(Entry, w["a_entry"].id).title == "甲的作品"


def test_a_school_past_its_deadline_is_not_told_registration_is_open(client, login, two_schools):
    from datetime import UTC, datetime

    w = two_schools
    w["contest"].registration_closes_at = datetime.now(UTC) - timedelta(hours=1)
    db.session.commit()
    login(w["coordinator_a"])
    page = client.get(f"/contests/{w['contest'].id}/school/{w['a'].id}").get_data(as_text=True)
    state = page.split('id="school-contest-state">')[1].split("<")[0]
    assert state == "本校报名已截止" and "报名中" not in state
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "本校报名已截止" in dashboard


def test_contest_form_speaks_of_beijing_time_and_takes_0_as_a_value(client, login, two_schools):
    w = two_schools
    login(w["organiser"])
    page = client.get(f"/contests/{w['contest'].id}/edit").get_data(as_text=True)
    assert "北京时间" in page and ">Asia/Shanghai<" not in page
    contest_page = client.get(f"/contests/{w['contest'].id}").get_data(as_text=True)
    assert "北京时间" in contest_page and "Asia/Shanghai" not in contest_page
    bad = client.post(
        f"/contests/{w['contest'].id}/edit",
        data={"name": "赛事", "year": 0, "timezone": "Asia/Shanghai", "organisation_id": w["county"].id},
    ).get_data(as_text=True)
    assert "该字段是必填字段" not in bad and "2000" in bad


def test_the_import_page_describes_the_format_instead_of_pointing_at_a_repository_file(client, login, two_schools):
    login(two_schools["organiser"])
    page = client.get("/contests/import").get_data(as_text=True)
    assert "docs/contest-format.md" not in page and ".md" not in page
    assert 'id="definition-help"' in page and "导出赛事设置（JSON）" in page


def test_the_audit_log_speaks_chinese_with_a_readable_before_and_after(client, login, two_schools):
    w = two_schools
    student = w["a_student"]
    students_service.save_student(
        w["a"],
        student,
        name="甲同学",
        gender="男",
        birth_date=student.birth_date,
        grade=9,
        class_name="3班",
        id_number=student.id_number,
        guardian_phone=student.guardian_phone,
    )
    w["a_entry"].status = EntryStatus.SUBMITTED.value
    review_service.approve_entry(w["a_entry"])
    db.session.commit()
    login(w["organiser"])
    page = client.get("/audit").get_data(as_text=True)
    body = page.split("<tbody>")[1]
    assert "学生 #" in body and "作品 #" in body and "students #" not in body and "entries #" not in body
    assert "审核通过" in body and ">approve<" not in body
    assert "年级：</span><del>初二</del> → 初三" in body
    assert '{"' not in body  # no raw JSON
    assert "状态：</span><del>已提交</del> → 审核通过" in body
    options = page.split('name="object_type"')[1].split("</select>")[0]
    assert ">学生<" in options and ">students<" not in options


def test_rosters_and_their_exports_are_in_pinyin_order(client, login, two_schools):
    w = two_schools
    for name in ("赵六", "张三", "曾小明", "李四", "王五", "单田芳", "欧阳娜娜"):
        s = cf.student(w["a"], name=name, grade=8)
        s.class_name = "8班"
    db.session.commit()
    expected = ["李四", "欧阳娜娜", "单田芳", "王五", "曾小明", "张三", "赵六"]
    login(w["coordinator_a"])
    page = client.get(f"/contests/school/{w['a'].id}/students").get_data(as_text=True)
    shown = [
        n
        for n in re.findall(r'kc-card-title">([^<]+)<', page.split('id="students-table"')[1].split("</table>")[0])
        if n in expected
    ]
    assert shown == expected
    csv = client.get(f"/contests/school/{w['a'].id}/students/export.csv").get_data().decode("utf-8-sig")
    assert [line.split(",")[0] for line in csv.splitlines()[1:] if line.split(",")[0] in expected] == expected
    # the picker's look-up finds by pinyin initials, in the same order
    found = client.get(f"/contests/school/{w['a'].id}/students/search?q=z").get_json()["students"]
    assert [s["label"].split("（")[0] for s in found] == ["曾小明", "张三", "赵六"]
    assert client.get(f"/contests/school/{w['b'].id}/students/search?q=z").status_code == 403


def test_an_open_schools_deadline_names_beijing_time_without_nested_brackets(client, login, two_schools):
    """Seen in the season walk: "报名截止时间：…（北京时间（UTC+8））" — brackets inside brackets."""
    from datetime import UTC, datetime

    w = two_schools
    w["contest"].registration_closes_at = datetime.now(UTC) + timedelta(days=3)
    db.session.commit()
    login(w["coordinator_a"])
    page = client.get(f"/contests/{w['contest'].id}/school/{w['a'].id}").get_data(as_text=True)
    assert "北京时间（UTC+8）" in page and "（北京时间（" not in page


def test_the_roster_preview_reads_as_cards_on_a_phone(client, login, two_schools):
    """Seen in the season walk: the preview table squeezed names to two characters a line at 390 px; it is on the
    one phone-card pattern (kc-stack), each value under its column's name."""
    w = two_schools
    login(w["coordinator_a"])
    data = "姓名,性别,出生日期,年级,班级\n欧阳䶮,男,2013-05-01,初一,1班\n".encode()
    page = client.post(
        f"/contests/school/{w['a'].id}/students/import",
        data={"file": (io.BytesIO(data), "名单.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    table = page.split('id="roster-preview-rows"')[0].rsplit("<table", 1)[1]
    assert "kc-stack" in table
    assert '<td class="kc-card-title">欧阳䶮</td>' in page and 'data-label="班级">1班' in page
