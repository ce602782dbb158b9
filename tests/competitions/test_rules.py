"""Pure rules: ID numbers, eligibility, materials by magic bytes, entry codes."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competitions.codes import format_entry_code, next_sequence, parse_entry_code
from competitions.eligibility import (
    CategoryRules,
    EntryFacts,
    QuotaCount,
    QuotaRule,
    StudentFacts,
    age_on,
    check_advisors,
    check_age,
    check_allowed_stage,
    check_completion_window,
    check_entry,
    check_grade_range,
    check_materials,
    check_one_entry_per_student,
    check_quota,
    check_same_stage,
    check_team_size,
    months_before,
    stage_of_grade,
)
from competitions.idcard import IdNumberError, check_char, make_id_number, parse_id_number
from competitions.materials import check_material, detect_type, expand_types
from core.privacy import mask_id_number, mask_phone

pytestmark = pytest.mark.no_app

# ------------------------------------------------------------------ ID numbers


def test_known_valid_id_number():
    # The widely published GB 11643 example: 11010519491231002X (born 1949-12-31, woman).
    info = parse_id_number("11010519491231002x")
    assert info.number == "11010519491231002X"
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender == "女"


def test_check_char_hand_computed():
    # 1*7+1*9+0*10+1*5+0*8+5*4+1*2+9*1+4*6+9*3+1*7+2*9+3*10+1*5+0*8+0*4+2*2 = 167; 167 % 11 = 2 -> 'X'
    assert check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    "value,code",
    [
        ("1101051949123100", "id_length"),
        ("11010519491231002Y", "id_format"),
        ("110105194912310021", "id_checksum"),
        ("110105201302300010", "id_birth_date"),
    ],
)
def test_id_number_errors(value, code):
    if code == "id_birth_date":
        value = value[:17] + check_char(value[:17])
    with pytest.raises(IdNumberError) as info:
        parse_id_number(value)
    assert info.value.code == code


@given(st.dates(date(1990, 1, 1), date(2022, 12, 31)), st.integers(0, 999), st.sampled_from(["男", "女"]))
def test_made_id_numbers_parse_back(born, sequence, gender):
    info = parse_id_number(make_id_number("330102", born, sequence, gender))
    assert (info.birth_date, info.gender) == (born, gender)


@given(st.integers(0, 16), st.integers(1, 9))
def test_single_digit_typo_always_fails_checksum(position, delta):
    number = make_id_number("110105", date(2012, 3, 5), 12, "女")
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    with pytest.raises(IdNumberError):
        parse_id_number("".join(digits))


def test_masking():
    assert mask_id_number("11010519491231002X") == "110*************2X"
    assert mask_phone("13800138000") == "138****8000"
    assert mask_id_number(None) == "" and mask_phone("") == ""


# ------------------------------------------------------------------ eligibility

REF = date(2025, 3, 1)


def student(sid, grade, born=date(2012, 3, 5), school=1, name=None):
    return StudentFacts(id=sid, name=name or f"S{sid}", birth_date=born, grade=grade, school_id=school)


TEAM = CategoryRules(code="KX", entry_type="team", min_members=2, max_members=3, max_advisors=2)
SOLO = CategoryRules(code="JQR", entry_type="individual")


def test_stage_and_age():
    assert [stage_of_grade(g) for g in (1, 6, 7, 9, 10, 12)] == ["primary"] * 2 + ["junior"] * 2 + ["senior"] * 2
    with pytest.raises(ValueError):
        stage_of_grade(13)
    assert age_on(date(2012, 3, 5), date(2025, 3, 4)) == 12
    assert age_on(date(2012, 3, 5), date(2025, 3, 5)) == 13
    assert age_on(date(2012, 2, 29), date(2025, 2, 28)) == 12
    assert age_on(date(2012, 2, 29), date(2025, 3, 1)) == 13


def test_months_before():
    assert months_before(date(2025, 3, 1), 24) == date(2023, 3, 1)
    assert months_before(date(2024, 2, 29), 12) == date(2023, 2, 28)
    assert months_before(date(2025, 3, 31), 1) == date(2025, 2, 28)
    assert months_before(date(2025, 1, 15), 1) == date(2024, 12, 15)


def test_team_size():
    assert check_team_size(TEAM, EntryFacts(None, 1, (student(1, 7),)))[0].code == "team_too_small"
    assert check_team_size(TEAM, EntryFacts(None, 1, tuple(student(i, 7) for i in range(3)))) == []
    problem = check_team_size(TEAM, EntryFacts(None, 1, tuple(student(i, 7) for i in range(4))))[0]
    assert (problem.code, problem.params) == ("team_too_large", {"max": 3, "count": 4})
    assert check_team_size(SOLO, EntryFacts(None, 1, ()))[0].code == "no_members"
    assert check_team_size(SOLO, EntryFacts(None, 1, (student(1, 7), student(2, 7))))[0].code == "individual_one_member"
    advisor = CategoryRules(code="FDY", entry_type="advisor")
    assert check_team_size(advisor, EntryFacts(None, 1, ())) == []
    assert check_team_size(advisor, EntryFacts(None, 1, (student(1, 7),)))[0].code == "members_not_allowed"


def test_same_stage_and_allowed_stage():
    mixed = EntryFacts(None, 1, (student(1, 9), student(2, 10)))
    assert check_same_stage(mixed)[0].params == {"stages": "junior, senior"}
    assert check_same_stage(EntryFacts(None, 1, (student(1, 7), student(2, 9)))) == []
    primary_only = CategoryRules(code="X", allowed_stages=frozenset({"primary"}))
    problems = check_allowed_stage(primary_only, EntryFacts(None, 1, (student(5, 7),)))
    assert [(p.code, p.student_id) for p in problems] == [("stage_not_allowed", 5)]


def test_advisors():
    assert check_advisors(TEAM, EntryFacts(None, 1, advisor_count=2)) == []
    assert check_advisors(TEAM, EntryFacts(None, 1, advisor_count=3))[0].params == {"max": 2, "count": 3}
    advisor = CategoryRules(code="FDY", entry_type="advisor")
    assert check_advisors(advisor, EntryFacts(None, 1, advisor_count=1)) == []
    assert check_advisors(advisor, EntryFacts(None, 1, advisor_count=0))[0].code == "advisor_required"


def test_grade_and_age_ranges():
    rules = CategoryRules(code="X", grade_min=4, grade_max=6, age_min=9, age_max=12, reference_date=REF)
    entry = EntryFacts(None, 1, (student(1, 3, born=date(2016, 3, 2)), student(2, 6, born=date(2012, 3, 1))))
    assert [(p.code, p.student_id) for p in check_grade_range(rules, entry)] == [("grade_out_of_range", 1)]
    problems = check_age(rules, entry)
    # student 1 is 8 on 2025-03-01 (birthday the next day); student 2 turned 13 that very day
    assert [(p.code, p.student_id, p.params["age"]) for p in problems] == [("too_young", 1, 8), ("too_old", 2, 13)]


def test_completion_window():
    rules = CategoryRules(code="X", reference_date=REF, completion_months=24)
    ok = EntryFacts(None, 1, work_started_on=date(2023, 3, 1), work_completed_on=date(2025, 3, 1))
    assert check_completion_window(rules, ok) == []
    early = EntryFacts(None, 1, work_started_on=date(2023, 2, 28), work_completed_on=date(2025, 4, 1))
    assert [p.code for p in check_completion_window(rules, early)] == ["started_too_early", "completed_after_reference"]
    assert check_completion_window(rules, EntryFacts(None, 1))[0].code == "completion_missing"
    assert check_completion_window(CategoryRules(code="X"), EntryFacts(None, 1)) == []


def test_one_entry_per_student():
    entry = EntryFacts(None, 1, (student(1, 7), student(2, 7)))
    problems = check_one_entry_per_student(entry, {2: "2025-KX-0003"})
    assert [(p.code, p.student_id, p.params["entry"]) for p in problems] == [
        ("student_in_other_entry", 2, "2025-KX-0003")
    ]


def test_quota_per_school_and_district():
    rules = [QuotaRule("school", "junior", "individual", 2), QuotaRule("district", "junior", "individual", 3)]
    entry = EntryFacts(None, 1, (student(1, 8),))
    counted = [
        QuotaCount(1, "西湖区", "junior", "individual"),
        QuotaCount(2, "西湖区", "junior", "individual"),
        QuotaCount(1, "西湖区", "junior", "team"),
        QuotaCount(1, "西湖区", "primary", "individual"),
    ]
    assert check_quota(rules, entry, "西湖区", counted) == []
    counted.append(QuotaCount(1, "西湖区", "junior", "individual"))
    problems = check_quota(rules, entry, "西湖区", counted)
    assert [(p.params["rule_scope"], p.params["count"], p.params["limit"]) for p in problems] == [
        ("school", 3, 2),
        ("district", 4, 3),
    ]
    # a team entry is counted against team quotas only
    team_entry = EntryFacts(None, 1, (student(1, 8), student(2, 8)))
    assert check_quota(rules, team_entry, "西湖区", counted) == []


def test_materials_required():
    assert [p.params["material"] for p in check_materials(["report", "photos"], ["photos"])] == ["report"]


def test_check_entry_collects_everything():
    rules = CategoryRules(
        code="KX",
        entry_type="team",
        min_members=1,
        max_members=3,
        max_advisors=2,
        allowed_stages=frozenset({"junior", "senior"}),
        reference_date=REF,
        completion_months=24,
    )
    entry = EntryFacts(
        7,
        1,
        (student(1, 9), student(2, 10), student(3, 10, school=2)),
        advisor_count=3,
        work_started_on=date(2024, 1, 1),
    )
    codes = [
        p.code for p in check_entry(rules, entry, other_entries={3: "2025-KX-0001"}, required_materials=["report"])
    ]
    assert codes == ["other_school", "mixed_stages", "too_many_advisors", "student_in_other_entry", "material_missing"]
    assert all(p.render() for p in check_entry(rules, entry, other_entries={3: "x"}, required_materials=["report"]))


# ------------------------------------------------------------------ materials


def _zip(*names):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in names:
            archive.writestr(name, "<x/>")
    return buffer.getvalue()


SAMPLES = {
    "pdf": b"%PDF-1.7\n" + b"0" * 100,
    "png": b"\x89PNG\r\n\x1a\n" + b"\0" * 100,
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\0" * 100,
    "gif": b"GIF89a" + b"\0" * 100,
    "webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\0" * 100,
    "mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00" + b"\0" * 100,
    "mov": b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00" + b"\0" * 100,
    "docx": _zip("word/document.xml"),
    "xlsx": _zip("xl/workbook.xml"),
    "pptx": _zip("ppt/presentation.xml"),
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "WordDocument".encode("utf-16-le") + b"\0" * 100,
}


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_detect_type(kind):
    assert detect_type(SAMPLES[kind]) == kind


def test_detect_type_unknown():
    assert detect_type(b"MZ\x90\x00 this is an exe") is None
    assert detect_type(b"hello, world") is None
    assert detect_type(b"PK\x03\x04 not really a zip") is None
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as archive:
        archive.writestr("a.txt", "x")
    assert detect_type(plain_zip.getvalue()) is None
    assert detect_type(b"\x00\x00\x00\x20ftypXXXX") is None


def test_pdf_renamed_to_docx_is_caught():
    result = check_material(SAMPLES["pdf"], "研究报告.docx", ["document"], 20 * 1024 * 1024)
    assert not result.ok
    assert result.code == "extension_mismatch"
    assert result.render() == "研究报告.docx is really a PDF file, not DOCX. Upload the original file."


def test_material_checks():
    mb = 1024 * 1024
    assert check_material(SAMPLES["png"], "photo.PNG", "image", mb).file_type == "png"
    assert check_material(SAMPLES["jpeg"], "no-extension", "image", mb).ok
    assert check_material(SAMPLES["mp4"], "clip.mp4", "image", mb).code == "type_not_accepted"
    assert check_material(b"", "a.pdf", "pdf", mb).code == "empty"
    big = check_material(SAMPLES["pdf"] + b"0" * mb, "a.pdf", "pdf", mb)
    assert (big.code, big.params["limit"]) == ("too_large", 1.0)
    assert check_material(b"just text", "a.pdf", "pdf", mb).code == "unknown_type"
    assert expand_types(["image", "pdf"]) == {"png", "jpeg", "gif", "webp", "pdf"}
    with pytest.raises(ValueError):
        expand_types("exe")


# ------------------------------------------------------------------ entry codes


def test_entry_codes():
    assert format_entry_code(2024, "jqr", 1) == "2024-JQR-0001"
    assert format_entry_code(2024, "KX2", 10000) == "2024-KX2-10000"
    assert parse_entry_code("2024-JQR-0012").sequence == 12
    for bad in ("2024-JQR-12", "24-JQR-0001", "2024--0001", "x"):
        with pytest.raises(ValueError):
            parse_entry_code(bad)
    with pytest.raises(ValueError):
        format_entry_code(2024, "机器人", 1)
    codes = ["2024-JQR-0001", "2024-JQR-0007", "2024-KX-0009", "2023-JQR-0050", "junk"]
    assert next_sequence(codes, 2024, "jqr") == 8
    assert next_sequence(codes, 2024, "DN") == 1


@given(st.dates(date(1990, 1, 1), date(2030, 12, 31)), st.dates(date(1990, 1, 1), date(2040, 12, 31)))
def test_age_on_matches_the_birthday_definition(born, reference):
    age = age_on(born, reference)
    # the age is the number of birthdays (29 Feb counts on 1 Mar in common years) on or before the reference date
    birthdays = 0
    for year in range(born.year + 1, reference.year + 1):
        try:
            birthday = born.replace(year=year)
        except ValueError:
            birthday = date(year, 3, 1)
        if birthday <= reference:
            birthdays += 1
    if reference >= born:
        assert age == birthdays
    else:
        assert age <= 0


@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.integers(0, 60))
def test_months_before_is_never_later_and_within_the_month(reference, months):
    earlier = months_before(reference, months)
    assert earlier <= reference
    assert (reference.year - earlier.year) * 12 + reference.month - earlier.month == months
    assert earlier.day <= reference.day
