"""Competitions services against the database: lifecycle, window, entries, review, roster, materials,
contest definition JSON, schools import, advancement."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from competitions.definition import validate_definition
from competitions.idcard import make_id_number
from competitions.models import ContestStatus, Entry
from competitions.roster.reading import parse_roster
from competitions.services import advancement as advancement_service
from competitions.services import checks as checks_service
from competitions.services import contests as contests_service
from competitions.services import definitions as definitions_service
from competitions.services import entries as entries_service
from competitions.services import listings as listings_service
from competitions.services import materials as materials_service
from competitions.services import review as review_service
from competitions.services import schools as schools_service
from competitions.services import students as students_service
from core.errors import DomainError
from core.extensions import db
from core.models import AuditLog
from tests import factories
from tests.competitions import factories as cf

NOW = datetime.now(UTC)


def png_bytes(size=(640, 480)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGBA", size, (200, 30, 30, 128)).save(buffer, "PNG")
    return buffer.getvalue()


PNG_1PX = png_bytes()


def audit_actions(object_type: str) -> list[str]:
    return list(
        db.session.execute(
            sa.select(AuditLog.action).where(AuditLog.object_type == object_type).order_by(AuditLog.id)
        ).scalars()
    )


@pytest.fixture
def world():
    county = factories.association("测试县科协")
    school = factories.school(county, stage="junior", district="城关镇")
    other = factories.school(county, stage="junior", district="城关镇")
    contest = cf.contest(county)
    solo = cf.category(contest, code="JQR", quotas=(("school", "junior", "individual", 2),))
    team = cf.category(contest, code="KX", entry_type="team", min_members=2, max_members=3)
    return dict(county=county, school=school, other=other, contest=contest, solo=solo, team=team)


def make_ready_entry(w, grade=8, **kw):
    s = cf.student(w["school"], grade=grade)
    e = entries_service.create_entry(
        w["contest"],
        w["school"],
        w["solo"],
        title="智能垃圾分类机器人",
        student_ids=[s.id],
        work_started_on=date(2024, 1, 1),
        **kw,
    )
    materials_service.add_material(e, "report", "报告.pdf", cf.PDF)
    return e


# ------------------------------------------------------------------ lifecycle


def test_lifecycle_moves_forward_only_and_is_audited(world):
    contest = cf.contest(world["county"], status="draft")
    cf.category(contest, code="A")
    for target in ("registration", "closed", "judging", "notice", "final", "archived"):
        contests_service.move_contest(contest, target)
    assert contest.status == "archived"
    assert audit_actions("contests").count("status") == 6
    with pytest.raises(DomainError) as info:
        contests_service.move_contest(contest, "draft")
    assert info.value.code == "bad_transition"
    # the refusal names the statuses in the reader's words, not their keywords
    assert str(info.value) == "赛事不能从 已归档 变为 草稿。"


def test_lifecycle_rejects_skips_and_allows_the_two_steps_back(world):
    contest = world["contest"]
    with pytest.raises(DomainError):
        contests_service.move_contest(contest, ContestStatus.JUDGING)
    contests_service.move_contest(contest, "closed")
    contests_service.move_contest(contest, "registration")
    assert contest.status == "registration"


def test_opening_registration_needs_categories_and_window(world):
    contest = cf.contest(world["county"], status="draft")
    with pytest.raises(DomainError):
        contests_service.move_contest(contest, "registration")


# ------------------------------------------------------------------ registration window


def test_window_enforced_and_extension_for_one_school(world):
    contest, school, other = world["contest"], world["school"], world["other"]
    closes = contest.registration_closes_at
    after = closes + timedelta(hours=1)
    assert contests_service.registration_open_for(contest, school.id, closes)
    assert not contests_service.registration_open_for(contest, school.id, after)
    s = cf.student(school, grade=8)
    with pytest.raises(DomainError) as info:
        entries_service.create_entry(contest, school, world["solo"], title="迟到的作品", student_ids=[s.id], now=after)
    assert info.value.code == "closed"
    contests_service.extend_deadline(contest, school, closes + timedelta(days=2), reason="暴雨停课")
    assert contests_service.registration_open_for(contest, school.id, after)
    assert not contests_service.registration_open_for(contest, other.id, after)
    contests_service.move_contest(contest, "closed")
    assert contests_service.registration_open_for(contest, school.id, after)
    assert not contests_service.registration_open_for(contest, other.id, after)
    assert "extend_deadline" in audit_actions("contests")


def test_window_not_yet_open(world):
    contest = world["contest"]
    contest.registration_opens_at = NOW + timedelta(days=1)
    assert not contests_service.registration_open_for(contest, world["school"].id)


def test_local_time_conversion():
    # A form's wall-clock time is naive: the conversion is what gives it a timezone.
    utc = contests_service.local_to_utc(datetime(2025, 3, 31, 17, 0), "Asia/Shanghai")  # noqa: DTZ001
    assert utc == datetime(2025, 3, 31, 9, 0, tzinfo=UTC)
    assert contests_service.utc_to_local(utc, "Asia/Shanghai") == datetime(2025, 3, 31, 17, 0)  # noqa: DTZ001


# ------------------------------------------------------------------ entries


def test_submit_assigns_stable_codes_per_category(world):
    first, second = make_ready_entry(world), make_ready_entry(world)
    review_service.submit_entry(second)
    review_service.submit_entry(first)
    assert (second.code, first.code) == ("2025-JQR-0001", "2025-JQR-0002")
    review_service.return_entry(first, "请补充研究日志")
    review_service.submit_entry(first)
    assert first.code == "2025-JQR-0002"  # stable through return and resubmission


def test_student_in_two_entries_is_refused(world):
    s = cf.student(world["school"], grade=8, name="张三")
    entries_service.create_entry(world["contest"], world["school"], world["solo"], title="一", student_ids=[s.id])
    with pytest.raises(DomainError) as info:
        entries_service.create_entry(world["contest"], world["school"], world["solo"], title="二", student_ids=[s.id])
    assert info.value.code == "student_taken"
    assert "张三" in str(info.value)


def test_students_of_another_school_are_refused(world):
    stranger = cf.student(world["other"], grade=8)
    with pytest.raises(DomainError):
        entries_service.create_entry(
            world["contest"], world["school"], world["solo"], title="x", student_ids=[stranger.id]
        )


def test_submit_runs_every_check(world):
    s1, s2 = cf.student(world["school"], grade=9), cf.student(world["school"], grade=10)
    e = entries_service.create_entry(
        world["contest"],
        world["school"],
        world["team"],
        title="跨学段团队",
        student_ids=[s1.id, s2.id],
        work_started_on=date(2024, 1, 1),
    )
    with pytest.raises(DomainError) as info:
        review_service.submit_entry(e)
    assert info.value.code == "ineligible"
    assert e.status == "draft" and e.code is None


def test_quota_per_school(world):
    for _ in range(2):
        review_service.submit_entry(make_ready_entry(world))
    third = make_ready_entry(world)
    with pytest.raises(DomainError) as info:
        review_service.submit_entry(third)
    assert "2" in str(info.value)
    # a rejected entry frees its place
    first = db.session.execute(sa.select(Entry).where(Entry.code == "2025-JQR-0001")).scalar_one()
    review_service.reject_entry(first, "不符合要求")
    review_service.submit_entry(third)
    assert third.status == "submitted"


def test_missing_material_blocks_submission(world):
    s = cf.student(world["school"], grade=8)
    e = entries_service.create_entry(
        world["contest"],
        world["school"],
        world["solo"],
        title="无报告",
        student_ids=[s.id],
        work_started_on=date(2024, 1, 1),
    )
    with pytest.raises(DomainError):
        review_service.submit_entry(e)


def test_edit_after_deadline_only_when_returned(world):
    e = make_ready_entry(world)
    review_service.submit_entry(e)
    after = world["contest"].registration_closes_at + timedelta(minutes=1)
    with pytest.raises(DomainError):
        entries_service.update_entry(e, title="改名", now=after)
    contests_service.move_contest(world["contest"], "closed")
    review_service.return_entry(e, "题目与内容不符")
    entries_service.update_entry(e, title="改好的题目", now=after)
    review_service.submit_entry(e, now=after)
    assert e.status == "submitted" and e.title == "改好的题目"


def test_review_actions_are_audited_and_need_reasons(world):
    a, b, c = make_ready_entry(world), make_ready_entry(world), make_ready_entry(world)
    world["solo"].quotas.clear()
    for e in (a, b, c):
        review_service.submit_entry(e)
    with pytest.raises(DomainError):
        review_service.return_entry(a, "  ")
    review_service.approve_entry(a)
    review_service.return_entry(b, "缺少研究日志")
    review_service.reject_entry(c, "抄袭")
    assert (a.status, b.status, c.status) == ("approved", "returned", "rejected")
    assert b.review_reason == "缺少研究日志"
    actions = audit_actions("entries")
    assert {"approve", "returned", "rejected"} <= set(actions)
    with pytest.raises(DomainError):
        review_service.approve_entry(c)


def test_review_queue_flags_and_bulk_approve_skips_problem_entries(world):
    clean = make_ready_entry(world)
    review_service.submit_entry(clean)
    # a submitted entry whose student was later put in another entry by hand (data fixed by organisers)
    s = cf.student(world["school"], grade=8)
    twice_a = cf.entry(
        world["contest"],
        world["team"],
        world["school"],
        students=[s, cf.student(world["school"], grade=8)],
        status="submitted",
        code="2025-KX-0001",
    )
    cf.entry(world["contest"], world["solo"], world["school"], students=[s], status="submitted", code="2025-JQR-0009")
    queue = dict((e.id, [p.code for p in problems]) for e, problems in review_service.review_queue(world["contest"]))
    assert queue[clean.id] == []
    assert "student_in_other_entry" in queue[twice_a.id]
    approved, skipped = review_service.bulk_approve_clean(world["contest"])
    assert (approved, skipped) == (1, 2)
    assert clean.status == "approved" and twice_a.status == "submitted"


def test_review_queue_counts_quota_in_submission_order(world):
    entries = [make_ready_entry(world) for _ in range(3)]
    for e in entries:
        e.status = "submitted"
        e.submitted_at = NOW + timedelta(minutes=len(e.title) + entries.index(e))
    db.session.flush()
    flagged = [
        e
        for e, problems in review_service.review_queue(world["contest"])
        if any(p.code == "quota_exceeded" for p in problems)
    ]
    assert flagged == [entries[2]]


def test_review_checks_match_the_single_entry_checks_and_pages_load_only_their_entries(world):
    """QA: the queue's checks are now computed from plain rows once per request; they must say exactly what
    entry_problems says of each entry (no quota in play here), and a page loads only its own entries."""
    clean = make_ready_entry(world)
    review_service.submit_entry(clean)
    s = cf.student(world["school"], grade=8)
    mixed_stages = cf.entry(
        world["contest"],
        world["team"],
        world["school"],
        students=[s, cf.student(world["school"], grade=11)],
        status="submitted",
        code="2025-KX-0001",
    )
    twice = cf.entry(
        world["contest"], world["solo"], world["school"], students=[s], status="submitted", code="2025-JQR-0009"
    )
    db.session.flush()
    checks = dict(review_service.review_checks(world["contest"]))
    assert set(checks) == {clean.id, mixed_stages.id, twice.id}
    for entry in (clean, mixed_stages, twice):
        assert [p.code for p in checks[entry.id]] == [p.code for p in checks_service.entry_problems(entry)], entry.title
    assert checks[clean.id] == [] and checks[mixed_stages.id] and checks[twice.id]
    page = review_service.review_queue(world["contest"], offset=1, limit=1)
    order = [entry_id for entry_id, _p in review_service.review_checks(world["contest"])]
    assert [e.id for e, _p in page] == [order[1]]
    assert page[0][1] == checks[order[1]]
    only_team = review_service.review_checks(world["contest"], world["team"].id)
    assert [entry_id for entry_id, _p in only_team] == [mixed_stages.id]


def test_advisor_limit(world):
    advisors = [cf.advisor(world["school"]) for _ in range(3)]
    s = cf.student(world["school"], grade=8)
    with pytest.raises(DomainError):
        entries_service.create_entry(
            world["contest"],
            world["school"],
            world["solo"],
            title="x",
            student_ids=[s.id],
            advisor_ids=[a.id for a in advisors],
        )


def test_advisor_track_entry(world):
    track = cf.category(world["contest"], code="FDY", entry_type="advisor", min_members=0, max_members=0)
    teacher = cf.advisor(world["school"], name="陈老师")
    e = entries_service.create_entry(
        world["contest"],
        world["school"],
        track,
        title="校本课程开发",
        advisor_ids=[teacher.id],
        work_started_on=date(2024, 1, 1),
    )
    materials_service.add_material(e, "report", "成果.pdf", cf.PDF)
    review_service.submit_entry(e)
    assert e.code == "2025-FDY-0001"


# ------------------------------------------------------------------ materials


def test_material_type_by_content_and_thumbnail(world, app):
    e = make_ready_entry(world)
    world["solo"].requirements.append(
        __import__("competitions.models", fromlist=["MaterialRequirement"]).MaterialRequirement(
            kind="photos", accepted=["image"], max_mb=5, max_files=3
        )
    )
    db.session.flush()
    with pytest.raises(DomainError) as info:
        materials_service.add_material(e, "report", "研究报告.docx", cf.PDF)
    assert info.value.code == "extension_mismatch"
    photo = materials_service.add_material(e, "photos", "现场.png", PNG_1PX)
    assert photo.file_type == "png" and photo.thumbnail_name
    from PIL import Image

    with Image.open(materials_service.material_path(photo.thumbnail_name)) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) == 320
    path = materials_service.material_path(photo.stored_name)
    assert path.exists() and path.read_bytes() == PNG_1PX
    assert "现场" not in photo.stored_name and len(photo.stored_name) >= 32
    materials_service.remove_material(photo)
    assert not path.exists()


def test_material_size_limit(world):
    e = make_ready_entry(world)
    with pytest.raises(DomainError) as info:
        materials_service.add_material(e, "other", "big.pdf", cf.PDF + b"0" * (21 * 1024 * 1024))
    assert info.value.code == "too_large"


# ------------------------------------------------------------------ roster


def roster_csv(rows):
    lines = ["姓名,性别,出生日期,年级,班级,身份证号,监护人电话"] + [",".join(r) for r in rows]
    return "\n".join(lines).encode("gb18030")


def test_roster_import_and_reimport_never_duplicates(world):
    school = world["school"]
    idn = make_id_number("330102", date(2011, 5, 1), 7, "男")
    data = roster_csv(
        [
            ["张伟", "男", "2011-05-01", "初二", "2班", idn, "13800000001"],
            ["王芳", "女", "2011/6/2", "初二", "2班", "", ""],
        ]
    )
    result = parse_roster(data, "r.csv")
    counts = students_service.import_roster(school, result)
    assert (counts["create"], counts["update"]) == (2, 0)
    # same file again: nothing changes
    counts = students_service.import_roster(school, parse_roster(data, "r.csv"))
    assert (counts["create"], counts["update"], counts["unchanged"]) == (0, 0, 2)
    # updated file: matched by ID number (name corrected) and by name + birth date (class changed)
    data2 = roster_csv(
        [
            ["张 伟", "男", "2011-05-01", "初三", "3班", idn, "13800000001"],
            ["王芳", "女", "2011-06-02", "初三", "3班", "", "13900000002"],
        ]
    )
    plan = students_service.plan_roster_import(school, parse_roster(data2, "r.csv"))
    assert [(i.action, sorted(i.changes)) for i in plan.items] == [
        ("update", ["class_name", "grade"]),
        ("update", ["class_name", "grade", "guardian_phone"]),
    ]
    students_service.import_roster(school, parse_roster(data2, "r.csv"))
    students = students_service.list_students(school.id)
    assert len(students) == 2 and {s.grade for s in students} == {9}
    assert "roster_import" in audit_actions("roster")


def test_roster_with_errors_imports_nothing(world):
    bad = parse_roster(
        roster_csv([["张伟", "男", "2011-05-01", "初二", "", "", ""], ["李雷", "X", "2011-05-01", "初二", "", "", ""]]),
        "r.csv",
    )
    with pytest.raises(DomainError):
        students_service.import_roster(world["school"], bad)
    assert students_service.list_students(world["school"].id) == []


def test_roster_missing_column_keeps_existing_values(world):
    school = world["school"]
    students_service.import_roster(
        school, parse_roster(roster_csv([["张伟", "男", "2011-05-01", "初二", "2班", "", "13800000001"]]), "r.csv")
    )
    data = "姓名,性别,出生日期,年级\n张伟,男,2011-05-01,初三\n".encode()
    students_service.import_roster(school, parse_roster(data, "r.csv"))
    student = students_service.list_students(school.id)[0]
    assert (student.grade, student.class_name, student.guardian_phone) == (9, "2班", "13800000001")


def test_save_student_validates_like_a_row(world):
    with pytest.raises(DomainError):
        students_service.save_student(
            world["school"],
            None,
            name="赵六",
            gender="男",
            birth_date="2011-05-01",
            grade="初二",
            id_number="330102201105010070",
        )
    s = students_service.save_student(
        world["school"], None, name="赵六", gender="男", birth_date="2011-05-01", grade="初二"
    )
    assert s.grade == 8


# ------------------------------------------------------------------ definition JSON


def test_definition_round_trip_and_year_shift(world):
    contest = world["contest"]
    contest.registration_closes_at = datetime(2025, 3, 31, 9, 0, tzinfo=UTC)
    contest.registration_opens_at = datetime(2025, 3, 1, 0, 0, tzinfo=UTC)
    world["team"].allowed_stages = ["junior", "senior"]
    doc = definitions_service.export_contest_definition(contest)
    assert doc["contest"]["registration_closes_at"] == "2025-03-31T17:00"
    text = json.dumps(doc, ensure_ascii=False)
    clone = definitions_service.import_contest_definition(json.loads(text), world["county"], year=2026, name="第二届")
    assert clone.status == "draft" and clone.year == 2026
    assert clone.registration_closes_at == datetime(2026, 3, 31, 9, 0, tzinfo=UTC)
    again = definitions_service.export_contest_definition(clone)
    assert again["categories"] == doc["categories"]
    assert again["contest"]["reference_date"] == "2026-03-01"


def test_definition_errors_name_the_path(world):
    doc = definitions_service.export_contest_definition(world["contest"])
    doc["categories"][1]["entry_type"] = "group"
    doc["categories"][0]["materials"][0]["accepted"] = ["exe"]
    doc["categories"][0]["quotas"][0]["stage"] = "college"
    _definition, errors = validate_definition(doc)
    assert [e.path for e in errors] == [
        "$.categories[0].materials[0].accepted",
        "$.categories[0].quotas[0].stage",
        "$.categories[1].entry_type",
    ]
    with pytest.raises(definitions_service.DefinitionInvalid):
        definitions_service.import_contest_definition(doc, world["county"], year=2030)
    assert (
        db.session.execute(
            sa.select(sa.func.count()).select_from(__import__("competitions.models", fromlist=["Contest"]).Contest)
        ).scalar()
        == 1
    )


# ------------------------------------------------------------------ schools import


def school_file(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["学校名称", "代码", "学段", "地区"])
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_schools_import_creates_updates_and_is_all_or_nothing(world):
    county = world["county"]
    result = schools_service.import_schools(
        school_file([["城关第一小学", "S001", "小学", "城关镇"], ["实验中学", "S002", "完全中学", "城关镇"]]),
        "s.xlsx",
        county,
    )
    assert (result.created, result.updated, result.problems) == (2, 0, [])
    result = schools_service.import_schools(
        school_file([["城关第一小学（新校区）", "S001", "小学", "城南"]]), "s.xlsx", county
    )
    assert (result.created, result.updated) == (0, 1)
    assert schools_service.school_by_code("S001").name == "城关第一小学（新校区）"
    bad = schools_service.import_schools(
        school_file([["新学校", "S003", "小学", "x"], ["坏学校", "S004", "大学", "x"]]), "s.xlsx", county
    )
    assert [row for row, _m in bad.problems] == [3]
    assert schools_service.school_by_code("S003") is None


# ------------------------------------------------------------------ lists and exports


def test_master_list_and_summary(world):
    e = make_ready_entry(world)
    review_service.submit_entry(e)
    rows = listings_service.master_list_rows(world["contest"])
    assert rows[0][0] == "2025-JQR-0001" and rows[0][4] == world["school"].name
    assert all(e.members[0].student.id_number not in str(cell) for cell in rows[0])
    summary = {s.school.id: s for s in listings_service.school_summaries(world["contest"])}[world["school"].id]
    assert summary.entries["submitted"] == 1 and summary.students == 1
    assert [(q.limit, used) for _c, q, used in summary.quota_use] == [(2, 1)]
    data = listings_service.master_list_xlsx(world["contest"])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "2025-JQR-0001"


def test_master_list_shows_status_and_stage_labels_not_keywords(world):
    """QA: the master list showed the raw keywords 'submitted' and 'junior' to organisers."""
    from competitions.models import ENTRY_STATUS_LABELS, EntryStatus

    e = make_ready_entry(world)
    review_service.submit_entry(e)
    row = listings_service.master_list_rows(world["contest"])[0]
    assert row[6] == str(ENTRY_STATUS_LABELS[EntryStatus.SUBMITTED]) == "已提交"
    assert e.members[0].student.stage == "junior" and row[7] == "初中"


def test_quota_use_lists_only_the_stages_a_school_has(world):
    """QA: every school saw every quota of every stage (a primary school read 11 lines incl. senior quotas)."""
    cat = cf.category(
        world["contest"],
        code="CX",
        quotas=(
            ("school", "primary", "individual", 6),
            ("school", "junior", "individual", 6),
            ("school", "senior", "individual", 6),
        ),
    )
    nine_year = factories.school(world["county"], stage="nine_year", district="城关镇")
    cf.entry(
        world["contest"],
        cat,
        world["school"],
        students=[cf.student(world["school"], grade=8)],
        status="submitted",
        code="2025-CX-0001",
    )
    db.session.flush()
    use = {
        s.school.id: [(c.code, q.stage, used) for c, q, used in s.quota_use]
        for s in listings_service.school_summaries(world["contest"], [world["school"].id, nine_year.id])
    }
    assert [u for u in use[world["school"].id] if u[0] == "CX"] == [("CX", "junior", 1)]
    assert [u for u in use[nine_year.id] if u[0] == "CX"] == [("CX", "primary", 0), ("CX", "junior", 0)]


def test_list_search_and_filters(world):
    s = cf.student(world["school"], name="欧阳䶮", grade=8)
    cf.entry(world["contest"], world["solo"], world["school"], students=[s], title="水质检测")
    cf.entry(
        world["contest"],
        world["solo"],
        world["other"],
        students=[cf.student(world["other"], grade=8)],
        title="风力发电",
    )
    assert [e.title for e in listings_service.list_entries(world["contest"].id, search="䶮")] == ["水质检测"]
    assert [e.title for e in listings_service.list_entries(world["contest"].id, school_id=world["other"].id)] == [
        "风力发电"
    ]
    assert listings_service.list_entries(world["contest"].id, status="approved") == []


# ------------------------------------------------------------------ advancement


def test_advance_entries_copies_and_links(world, app):
    e = make_ready_entry(world)
    review_service.submit_entry(e)
    review_service.approve_entry(e)
    for target in ("closed", "judging", "notice", "final"):
        contests_service.move_contest(world["contest"], target)
    city = factories.association("市科协")
    world["county"].parent_id = city.id
    city_contest = cf.contest(city, year=2025, name="市青少年科技创新大赛")
    city_cat = cf.category(city_contest, code="CX")
    created = advancement_service.advance_entries(
        world["contest"], city_contest, [e.id], {world["solo"].id: city_cat.id}
    )
    assert len(created) == 1
    copy = created[0]
    assert copy.advanced_from_id == e.id and copy.code == "2025-CX-0001" and copy.status == "submitted"
    assert [m.student_id for m in copy.members] == [m.student_id for m in e.members]
    assert copy.materials[0].stored_name != e.materials[0].stored_name
    assert materials_service.material_path(copy.materials[0].stored_name).read_bytes() == cf.PDF
    # running it again does not duplicate
    assert (
        advancement_service.advance_entries(world["contest"], city_contest, [e.id], {world["solo"].id: city_cat.id})
        == []
    )


# ------------------------------------------------------------------ certificate sources


def test_certificate_sources(world):
    from certificates.sources import SourceNotReady, get_source

    teacher = cf.advisor(world["school"], name="陈老师")
    e = make_ready_entry(world, advisor_ids=[teacher.id])
    review_service.submit_entry(e)
    review_service.approve_entry(e)
    draft = make_ready_entry(world)
    participants = get_source("competitions.participants")
    with pytest.raises(SourceNotReady):
        participants.collect(world["contest"].id)
    for target in ("closed", "judging", "notice", "final"):
        contests_service.move_contest(world["contest"], target)
    batch = participants.collect(world["contest"].id)
    assert [h.ref for h in batch.holders] == [f"entry:{e.id}:student:{e.members[0].student_id}"]
    assert batch.holders[0].minor and batch.holders[0].advisors == "陈老师"
    assert draft.id not in {int(h.ref.split(":")[1]) for h in batch.holders}
    advisors = get_source("competitions.advisors").collect(world["contest"].id)
    assert [(h.name, h.minor) for h in advisors.holders] == [("陈老师", False)]


def test_exports_never_write_formulas(world):
    s = cf.student(world["school"], grade=8)
    cf.entry(
        world["contest"],
        world["solo"],
        world["school"],
        students=[s],
        title='=HYPERLINK("http://x","点我")',
        status="submitted",
        code="2025-JQR-0001",
    )
    sheet = openpyxl.load_workbook(io.BytesIO(listings_service.master_list_xlsx(world["contest"]))).active
    assert sheet["D2"].value.startswith("=HYPERLINK") and sheet["D2"].data_type == "s"
    from competitions.roster.writing import write_roster_csv

    data = write_roster_csv(
        [
            {
                "name": "=1+1",
                "gender": "男",
                "birth_date": date(2011, 1, 1),
                "grade": 8,
                "class_name": "@x",
                "id_number": None,
                "guardian_phone": None,
            }
        ]
    ).decode("utf-8-sig")
    assert "'=1+1" in data and "'@x" in data


def test_update_members_and_advisors_keeps_order_and_leader(world):
    a, b, c = (cf.student(world["school"], grade=8) for _ in range(3))
    t1, t2 = cf.advisor(world["school"]), cf.advisor(world["school"])
    e = entries_service.create_entry(
        world["contest"],
        world["school"],
        world["team"],
        title="团队",
        student_ids=[a.id, b.id],
        advisor_ids=[t1.id],
        work_started_on=date(2024, 1, 1),
    )
    entries_service.update_entry(e, student_ids=[c.id, a.id, b.id], leader_id=a.id, advisor_ids=[t2.id, t1.id])
    db.session.expire_all()
    e = db.session.get(Entry, e.id)
    assert [m.student_id for m in e.members] == [c.id, a.id, b.id]
    assert [m.student_id for m in e.members if m.is_leader] == [a.id]
    assert [x.advisor_id for x in e.advisors] == [t2.id, t1.id]
    entries_service.update_entry(e, student_ids=[a.id, b.id], leader_id=None)
    db.session.expire_all()
    e = db.session.get(Entry, e.id)
    assert [(m.student_id, m.is_leader) for m in e.members] == [(a.id, True), (b.id, False)]


def test_blank_cells_never_erase_stored_values(world):
    school = world["school"]
    idn = make_id_number("330102", date(2011, 5, 1), 8, "男")
    students_service.import_roster(
        school, parse_roster(roster_csv([["张伟", "男", "2011-05-01", "初二", "2班", idn, "13800000001"]]), "r.csv")
    )
    plan = students_service.plan_roster_import(
        school, parse_roster(roster_csv([["张伟", "男", "2011-05-01", "初三", "", "", ""]]), "r.csv")
    )
    assert [(i.action, sorted(i.changes)) for i in plan.items] == [("update", ["grade"])]
    students_service.import_roster(
        school, parse_roster(roster_csv([["张伟", "男", "2011-05-01", "初三", "", "", ""]]), "r.csv")
    )
    student = students_service.list_students(school.id)[0]
    assert (student.grade, student.class_name, student.id_number, student.guardian_phone) == (
        9,
        "2班",
        idn,
        "13800000001",
    )


def test_summary_shows_district_quota_use(world):
    world["solo"].quotas.append(
        __import__("competitions.models", fromlist=["CategoryQuota"]).CategoryQuota(
            scope="district", stage="junior", kind="individual", limit=3
        )
    )
    db.session.flush()
    review_service.submit_entry(make_ready_entry(world))
    s = cf.student(world["other"], grade=8)
    e = entries_service.create_entry(
        world["contest"],
        world["other"],
        world["solo"],
        title="邻校作品",
        student_ids=[s.id],
        work_started_on=date(2024, 1, 1),
    )
    materials_service.add_material(e, "report", "r.pdf", cf.PDF)
    review_service.submit_entry(e)
    summary = listings_service.school_summaries(world["contest"], [world["school"].id])[0]
    assert [(q.scope, used) for _c, q, used in summary.quota_use] == [("school", 1), ("district", 2)]


def test_a_photo_with_too_many_pixels_is_refused_before_its_thumbnail(world):
    from competitions.models import Material, MaterialRequirement
    from tests.hostile import huge_png

    e = make_ready_entry(world)
    world["solo"].requirements.append(MaterialRequirement(kind="photos", accepted=["image"], max_mb=5, max_files=3))
    db.session.flush()
    with pytest.raises(DomainError) as refused:
        materials_service.add_material(e, "photos", "航拍.png", huge_png(13000, 13000))
    assert refused.value.code == "image_too_large" and refused.value.field == "file"
    assert [m.kind for m in db.session.execute(sa.select(Material)).scalars()] == ["report"]


def test_definition_errors_are_strict_about_json_types_and_read_in_chinese(world):
    from flask_babel import force_locale, gettext

    doc = definitions_service.export_contest_definition(world["contest"])
    doc["contest"]["name"] = "第十届䶮𠮷杯"
    doc["contest"]["year"] = True  # a boolean is not a year
    doc["categories"][0]["min_members"] = 11  # out of range, and still compared with max_members
    doc["categories"][0]["quotas"].append(dict(doc["categories"][0]["quotas"][0]))
    _definition, errors = validate_definition(doc)
    found = {(e.path, e.message) for e in errors}
    assert ("$.contest.year", "has the wrong type") in found
    assert ("$.categories[0].min_members", "must be between %(min)s and %(max)s") in found
    assert ("$.categories[0].max_members", "must not be smaller than min_members") in found
    assert (
        f"$.categories[0].quotas[{len(doc['categories'][0]['quotas']) - 1}]",
        "the same quota appears twice",
    ) in found
    with force_locale("zh_CN"):
        rendered = [e.render(gettext) for e in errors]
    assert "$.contest.year: 类型不正确" in rendered
    assert "$.categories[0].min_members: 必须在 0 到 10 之间" in rendered
