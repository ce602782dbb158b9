"""Roster files: encodings, header aliases, normalisation, errors by row and column, bad files."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competitions.idcard import make_id_number
from competitions.roster.reading import parse_roster
from competitions.roster.values import MAX_ROSTER_BYTES, column_letter, excel_serial_to_date, parse_date, parse_grade
from competitions.roster.writing import write_roster_csv, write_roster_xlsx

pytestmark = pytest.mark.no_app

TODAY = date(2024, 9, 1)
HEADER = ["姓名", "性别", "出生日期", "年级", "班级", "身份证号", "监护人电话"]
ID_GIRL = make_id_number("110105", date(2012, 3, 5), 12, "女")  # 110105201203050125
ID_BOY = make_id_number("330102", date(2013, 7, 9), 31, "男")


def csv_bytes(rows, encoding="utf-8", header=HEADER):
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_bytes(rows, header=HEADER, setup=None):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if setup:
        setup(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def parse(data, name="roster.csv"):
    return parse_roster(data, name, today=TODAY)


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    "text",
    [
        "2012-03-05",
        "2012/3/5",
        "2012年3月5日",
        "2012.03.05",
        "2012年03月05日",
        " 2012-3-5 ",
        "２０１２－０３－０５",
        "20120305",
        "2012/03/05 00:00:00",
        "2012-03-05 00:00",
        "40973",
    ],
)
def test_parse_date_formats(text):
    assert parse_date(text) == date(2012, 3, 5)


def test_parse_date_real_excel_values():
    assert parse_date(datetime(2012, 3, 5, 0, 0)) == date(2012, 3, 5)  # noqa: DTZ001 — Excel cells are naive
    assert parse_date(date(2012, 3, 5)) == date(2012, 3, 5)
    assert parse_date(40973) == date(2012, 3, 5)
    assert parse_date(40973.0) == date(2012, 3, 5)


def test_excel_serials_around_the_fictitious_leap_day():
    assert excel_serial_to_date(1) == date(1900, 1, 1)
    assert excel_serial_to_date(59) == date(1900, 2, 28)
    assert excel_serial_to_date(61) == date(1900, 3, 1)
    assert excel_serial_to_date(36526) == date(2000, 1, 1)


@pytest.mark.parametrize(
    "text,code",
    [
        ("2012-02-30", "date_impossible"),
        ("2011年2月29日", "date_impossible"),
        ("2012-13-01", "date_impossible"),
        ("去年", "date_format"),
        ("3/5/2012", "date_format"),
        ("2012", "date_format"),
    ],
)
def test_parse_date_rejects(text, code):
    with pytest.raises(ValueError) as info:
        parse_date(text)
    assert str(info.value) == code


@pytest.mark.parametrize(
    "text,grade",
    [
        ("一年级", 1),
        ("六年级", 6),
        ("初一", 7),
        ("初三", 9),
        ("七年级", 7),
        ("高一", 10),
        ("高三", 12),
        ("3", 3),
        (3, 3),
        (5.0, 5),
        ("12", 12),
        ("3年级", 3),
        ("小学三年级", 3),
        ("初２", 8),
        (" 高二 ", 11),
        ("初中一年级", 7),
    ],
)
def test_parse_grade(text, grade):
    assert parse_grade(text) == grade


@pytest.mark.parametrize("text", ["0", "13", "大班", "初四", 3.5, "研一"])
def test_parse_grade_rejects(text):
    with pytest.raises(ValueError):
        parse_grade(text)


def test_column_letters():
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 701, 702)] == ["A", "B", "Z", "AA", "AB", "ZZ", "AAA"]


# ------------------------------------------------------------------ encodings


@pytest.mark.parametrize(
    "encoding,expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030"), ("gb18030", "gb18030"), ("utf-16", "utf-16")],
)
def test_csv_encodings(encoding, expected):
    data = csv_bytes(
        [
            ["王小明", "男", "2013-07-09", "五年级", "5班", ID_BOY, "13900000000"],
            ["欧阳娜娜", "女", "2012/3/5", "六年级", "6(2)班", ID_GIRL, "13800138000"],
        ],
        encoding,
    )
    result = parse(data)
    assert result.ok, result.errors
    assert result.encoding == expected
    assert [r.name for r in result.rows] == ["王小明", "欧阳娜娜"]
    assert result.rows[1].class_name == "6(2)班"


def test_gb18030_rare_characters_in_names():
    # 䶮 (CJK extension A) exists in GBK's successor GB18030, 𠮷 (extension B, 4-byte) only in GB18030.
    data = csv_bytes(
        [["刘䶮", "男", "2013-07-09", "五年级", "", "", ""], ["𠮷野家", "女", "2012-03-05", "六年级", "", "", ""]],
        "gb18030",
    )
    result = parse(data)
    assert result.ok, result.errors
    assert [r.name for r in result.rows] == ["刘䶮", "𠮷野家"]


def test_rare_characters_survive_xlsx_and_utf8():
    rows = [
        ["刘䶮", "男", date(2013, 7, 9), "五年级", None, None, None],
        ["𠮷田", "女", date(2012, 3, 5), "六年级", None, None, None],
    ]
    assert [r.name for r in parse(xlsx_bytes(rows), "a.xlsx").rows] == ["刘䶮", "𠮷田"]


def test_undecodable_bytes_are_a_clear_error():
    data = "姓名,性别\n".encode() + b"\x81\x30\xff\xff\xff,\xfe\n"
    result = parse(data)
    assert not result.ok and result.errors[0].code in ("encoding", "not_spreadsheet")
    assert result.rows == []


# ------------------------------------------------------------------ headers


def test_english_headers_and_extra_columns():
    header = ["No.", "name", "gender", "birth_date", "grade", "class", "id_number", "guardian_phone", "备注"]
    data = csv_bytes([["1", "Li Lei", "男", "2013-07-09", "5", "3", ID_BOY, "13900000000", "x"]], header=header)
    result = parse(data)
    assert result.ok, result.errors
    row = result.rows[0]
    assert (row.name, row.gender, row.birth_date, row.grade, row.class_name, row.id_number, row.guardian_phone) == (
        "Li Lei",
        "男",
        date(2013, 7, 9),
        5,
        "3",
        ID_BOY,
        "13900000000",
    )


def test_title_rows_above_header_and_full_width_headers():
    data = ("某某小学2024学年学生名单\n\n姓名 ,＊性别,出生日期（必填）,年级\n张三,男,2013-07-09,五年级\n").encode()
    result = parse(data)
    assert result.ok, result.errors
    assert result.rows[0].row == 4  # spreadsheet numbering: title, blank, header, then the student
    assert result.columns == {"name", "gender", "birth_date", "grade"}


def test_missing_name_column():
    data = csv_bytes([["男", "2013-07-09", "五年级"]], header=["性别", "出生日期", "年级"])
    result = parse(data)
    assert [e.code for e in result.errors] == ["missing_name_column"]
    assert "姓名" in result.errors[0].render()


def test_missing_required_column_reports_every_row():
    data = csv_bytes([["张三", "男", "五年级"], ["李四", "女", "四年级"]], header=["姓名", "性别", "年级"])
    result = parse(data)
    assert [(e.row, e.code, e.header) for e in result.errors] == [
        (2, "required", "出生日期"),
        (3, "required", "出生日期"),
    ]


def test_duplicate_header_column():
    data = csv_bytes(
        [["张三", "男", "2013-07-09", "五年级", "男"]], header=["姓名", "性别", "出生日期", "年级", "gender"]
    )
    assert [e.code for e in parse(data).errors] == ["duplicate_column"]


# ------------------------------------------------------------------ normalisation


def test_normalisation_accepted_not_errors():
    rows = [
        [
            "  张 三  ",
            " 男 ",
            "２０１３年７月９日",
            "五年级",
            " 5班 ",
            ID_BOY.lower()[:-1] + ID_BOY[-1].lower(),
            "139 0000 0000",
        ],
        ["阿卜杜拉・艾力", "女", "2012.03.05", "6", "", "", ""],
        ["", "", "", "", "", "", ""],
        [",", "", "", "", "", "", ""][1:] + [""],
    ]
    data = csv_bytes(rows) + b",,,,,,\r\n,,,,,,\r\n"
    result = parse(data)
    assert result.ok, [e.render() for e in result.errors]
    first, second = result.rows
    assert (first.name, first.gender, first.birth_date, first.class_name, first.guardian_phone) == (
        "张三",
        "男",
        date(2013, 7, 9),
        "5班",
        "13900000000",
    )
    assert first.id_number == ID_BOY
    assert second.name == "阿卜杜拉·艾力"
    assert second.class_name is None and second.id_number is None and second.guardian_phone is None


def test_xlsx_real_dates_serials_and_numbers():
    rows = [
        ["张三", "男", datetime(2013, 7, 9), 5, 3, ID_BOY, 13900000000],  # noqa: DTZ001 — as Excel stores it
        ["李四", "女", 40973, "初一", "1班", None, None],
        [None, None, None, None, None, None, None],
    ]
    result = parse(xlsx_bytes(rows), "r.xlsx")
    assert result.ok, [e.render() for e in result.errors]
    assert result.file_format == "xlsx"
    assert [(r.row, r.birth_date, r.grade, r.class_name, r.guardian_phone) for r in result.rows] == [
        (2, date(2013, 7, 9), 5, "3", "13900000000"),
        (3, date(2012, 3, 5), 7, "1班", None),
    ]


def test_xlsx_trailing_blank_rows_with_formatting():
    def setup(sheet):
        for r in range(3, 60):
            sheet.cell(row=r, column=1).value = "   " if r % 2 else None
            sheet.cell(row=r, column=2).number_format = "@"

    result = parse(xlsx_bytes([["张三", "男", date(2013, 7, 9), 5, None, None, None]], setup=setup), "r.xlsx")
    assert result.ok and len(result.rows) == 1


# ------------------------------------------------------------------ row errors


def test_errors_by_row_and_column():
    wrong_check = ID_GIRL[:-1] + ("0" if ID_GIRL[-1] != "0" else "1")
    rows = [
        ["好学生", "女", "2012-03-05", "六年级", "", ID_GIRL, "13800138000"],  # row 2: fine
        ["甲", "女", "2012-02-30", "六年级", "", "", ""],  # 3: impossible date
        ["乙", "M", "2012-03-05", "六年级", "", "", ""],  # 4: gender
        ["丙", "女", "2012-03-05", "六年级", "", "", "1380013800"],  # 5: phone 10 digits
        ["丁", "女", "2012-03-05", "六年级", "", wrong_check, ""],  # 6: checksum
        ["戊", "女", "2012-03-06", "六年级", "", ID_GIRL.replace("0125", "0125"), ""],  # 7: ID says 03-05
        ["己", "男", "2012-03-05", "六年级", "", ID_GIRL, ""],  # 8: ID says girl (and duplicate ID)
        ["庚", "女", "2012-03-05", "十年级", "", "", ""],  # 9: grade
        ["", "女", "2012-03-05", "六年级", "", "", ""],  # 10: name missing
        ["辛", "女", "2030-01-01", "六年级", "", "", ""],  # 11: future
        ["壬", "女", "2012-03-05", "六年级", "", "12345", ""],  # 12: length
    ]
    result = parse(csv_bytes(rows))
    assert not result.ok and result.rows == []
    got = [(e.row, e.column, e.code) for e in result.errors]
    assert got == [
        (3, "C", "date_impossible"),
        (4, "B", "gender"),
        (5, "G", "phone"),
        (6, "F", "id_checksum"),
        (7, "F", "id_birth_mismatch"),
        (8, "F", "id_gender_mismatch"),
        (9, "D", "grade"),
        (10, "A", "required"),
        (11, "C", "date_future"),
        (12, "F", "id_length"),
    ]
    messages = [e.render() for e in result.errors]
    assert "2012-02-30" in messages[0]
    assert "M" in messages[1] and "男" in messages[1]
    assert "2012-03-05" in messages[4] and "2012-03-06" in messages[4]


def test_duplicate_students_in_one_file():
    rows = [
        ["张三", "男", "2013-07-09", "五年级", "", ID_BOY, ""],
        ["张三", "男", "2013-07-09", "五年级", "", ID_BOY, ""],
        ["李四", "女", "2012-03-05", "六年级", "", "", ""],
        ["李四", "女", "2012-03-05", "六年级", "", "", ""],
    ]
    result = parse(csv_bytes(rows))
    assert [(e.row, e.code, e.params.get("other_row")) for e in result.errors] == [
        (3, "duplicate_id_number", 2),
        (5, "duplicate_student", 4),
    ]


def test_namesakes_told_apart_by_gender_or_class_are_two_students_and_noted():
    rows = [
        ["王伟", "男", "2013-07-09", "五年级", "1班", ID_BOY, ""],
        ["王伟", "女", "2013-07-09", "五年级", "3班", "", ""],  # no ID number: gender tells them apart
        ["刘䶮", "男", "2012-03-05", "六年级", "1班", "", ""],
        ["刘䶮", "男", "2012-03-05", "六年级", "2班", "", ""],  # same gender, another class
        ["𠮷祥", "女", "2012-03-05", "六年级", "", "", ""],
        ["𠮷祥", "女", "2012-03-05", "六年级", "2班", "", ""],
    ]  # a blank class tells nothing: the same girl
    result = parse(csv_bytes(rows))
    assert [(e.row, e.code) for e in result.errors] == [(7, "duplicate_student")]
    result = parse(csv_bytes(rows[:4]))
    assert result.ok and len(result.rows) == 4
    assert [(n.row, n.params["other_row"], n.params["by"]) for n in result.notes] == [
        (3, 2, "gender"),
        (5, 4, "class_name"),
    ]
    assert "王伟" in result.notes[0].render()


def test_plausibility_warnings_are_not_errors():
    from competitions.roster.matching import plausibility_warnings

    rows = [
        ["张三", "男", "2013-07-09", "五年级", "", ID_BOY, ""],  # 11 on 1 September 2024: fine
        ["李四", "女", "2008-03-05", "高二", "", "", ""],  # a 高二 student on a primary school's roster
        ["王五", "男", "2023-01-05", "三年级", "", "", ""],
    ]  # a child born 2023 in 三年级
    result = parse(csv_bytes(rows))
    assert result.ok and len(result.rows) == 3
    warnings = plausibility_warnings(result.rows, TODAY, {"primary"})
    assert [(w.row, w.code) for w in warnings] == [(3, "grade_not_taught"), (4, "age_for_grade")]
    assert "2023-01-05" in warnings[1].render() and "三年级" in warnings[1].render()
    assert [w.code for w in plausibility_warnings(result.rows, TODAY, None)] == ["age_for_grade"]


def test_twins_with_same_name_and_different_ids_are_two_students():
    twin_a = make_id_number("110105", date(2012, 3, 5), 11, "男")
    twin_b = make_id_number("110105", date(2012, 3, 5), 13, "男")
    rows = [
        ["张一", "男", "2012-03-05", "六年级", "", twin_a, ""],
        ["张一", "男", "2012-03-05", "六年级", "", twin_b, ""],
    ]
    assert len(parse(csv_bytes(rows)).rows) == 2


def test_id_number_stored_as_excel_number():
    rows = [
        ["张三", "男", date(2013, 7, 9), 5, None, int(ID_BOY[:-1] + "0") if ID_BOY[-1] == "X" else int(ID_BOY), None]
    ]
    result = parse(xlsx_bytes(rows), "r.xlsx")
    assert [(e.row, e.column, e.code) for e in result.errors] == [(2, "F", "id_number_as_number")]


# ------------------------------------------------------------------ bad files


def test_not_a_spreadsheet_pdf():
    result = parse(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "roster.xlsx")
    assert [e.code for e in result.errors] == ["not_spreadsheet"]


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n" + bytes(range(200)),
        bytes([0x81, 0x01, 0x02, 0x03, 0xFE, 0x05, 0x06, 0x07, 0x10, 0x11]) * 10,
    ],
)
def test_not_a_spreadsheet_binary(data):
    result = parse(data, "roster.csv")
    assert [e.code for e in result.errors] == ["not_spreadsheet"]


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert [e.code for e in parse(buffer.getvalue(), "r.xlsx").errors] == ["not_spreadsheet"]


def test_truncated_xlsx():
    data = xlsx_bytes([["张三", "男", date(2013, 7, 9), 5, None, None, None]])
    assert [e.code for e in parse(data[: len(data) // 2], "r.xlsx").errors] == ["not_spreadsheet"]


def test_old_xls_is_explained():
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert [e.code for e in parse(data, "r.xls").errors] == ["xls"]


@pytest.mark.parametrize("data", [b"", b"   \r\n\r\n"])
def test_empty_file(data):
    assert [e.code for e in parse(data).errors] == ["empty"]


def test_header_only():
    assert [e.code for e in parse(csv_bytes([])).errors] == ["no_rows"]


def test_fifty_megabyte_file():
    data = csv_bytes([["张三", "男", "2013-07-09", "五年级", "", "", ""]]) + b" " * (50 * 1024 * 1024)
    result = parse(data)
    assert [e.code for e in result.errors] == ["too_large"]
    assert result.errors[0].params["limit"] == MAX_ROSTER_BYTES // (1024 * 1024)


def test_formulas_are_refused():
    def setup(sheet):
        sheet["H2"] = "=A2&B2"

    result = parse(xlsx_bytes([["张三", "男", date(2013, 7, 9), 5, None, None, None]], setup=setup), "r.xlsx")
    assert [(e.code, e.params.get("cell")) for e in result.errors] == [("formulas", "H2")]


def test_merged_cells_are_refused():
    def setup(sheet):
        sheet.merge_cells("D2:E2")

    result = parse(xlsx_bytes([["张三", "男", date(2013, 7, 9), 5, None, None, None]], setup=setup), "r.xlsx")
    assert [(e.code, e.params.get("cell")) for e in result.errors] == [("merged_cells", "D2")]


def test_a_merged_title_row_above_the_header_is_read():
    """The file a school really has: its title merged across the columns above the header (seen in the season
    walk: refused as "merged cells at A1"); merges in the header or the data are still refused."""

    def setup(sheet):
        sheet.insert_rows(1)
        sheet["A1"] = "青溪县实验小学 2026 学年学生名单"
        sheet.merge_cells("A1:G1")

    result = parse(xlsx_bytes([["李䶮", "男", date(2013, 7, 9), 5, "5班", None, None]], setup=setup), "r.xlsx")
    assert not result.errors and [r.name for r in result.rows] == ["李䶮"]

    def data_merge(sheet):
        setup(sheet)
        sheet.merge_cells("D3:E3")

    result = parse(xlsx_bytes([["李䶮", "男", date(2013, 7, 9), 5, "5班", None, None]], setup=data_merge), "r.xlsx")
    assert [(e.code, e.params.get("cell")) for e in result.errors] == [("merged_cells", "D3")]


# ------------------------------------------------------------------ round trip


def test_export_round_trip_xlsx_and_csv():
    rows = [
        {
            "name": "刘䶮",
            "gender": "男",
            "birth_date": date(2013, 7, 9),
            "grade": 5,
            "class_name": "5班",
            "id_number": ID_BOY,
            "guardian_phone": "13900000000",
        },
        {
            "name": "𠮷田",
            "gender": "女",
            "birth_date": date(2012, 3, 5),
            "grade": 7,
            "class_name": None,
            "id_number": None,
            "guardian_phone": None,
        },
    ]
    for data, name in (
        (write_roster_xlsx(rows), "x.xlsx"),
        (write_roster_csv(rows), "x.csv"),
        (write_roster_csv(rows, "gb18030"), "x.csv"),
    ):
        result = parse(data, name)
        assert result.ok, result.errors
        assert [(r.name, r.birth_date, r.grade, r.id_number) for r in result.rows] == [
            ("刘䶮", date(2013, 7, 9), 5, ID_BOY),
            ("𠮷田", date(2012, 3, 5), 7, None),
        ]


def test_exported_xlsx_keeps_id_numbers_as_text():
    data = write_roster_xlsx(
        [
            {
                "name": "张三",
                "gender": "男",
                "birth_date": date(2013, 7, 9),
                "grade": 5,
                "class_name": None,
                "id_number": ID_BOY,
                "guardian_phone": "13900000000",
            }
        ]
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet["F2"].value == ID_BOY and sheet["F2"].data_type == "s"
    assert sheet["C2"].is_date


names = st.text(alphabet=st.sampled_from("张王李赵刘䶮𠮷欧阳娜明华"), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            names, st.dates(date(2006, 1, 1), date(2019, 12, 31)), st.integers(1, 12), st.sampled_from(["男", "女"])
        ),
        min_size=1,
        max_size=15,
        unique_by=lambda t: (t[0], t[1]),
    ),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_any_valid_csv_round_trips(students, encoding):
    rows = [
        {
            "name": n,
            "gender": g,
            "birth_date": b,
            "grade": gr,
            "class_name": None,
            "id_number": None,
            "guardian_phone": None,
        }
        for n, b, gr, g in students
    ]
    result = parse(write_roster_csv(rows, encoding))
    assert result.ok
    assert [(r.name, r.birth_date, r.grade, r.gender) for r in result.rows] == [
        (n, b, gr, g) for n, b, gr, g in students
    ]


# ------------------------------------------------------------------ the download template (QA)


def test_template_formats_id_number_and_phone_cells_as_text():
    """QA: the downloaded template had no cell formats, so an ID number typed into it in Excel became a
    number (3.30102E+17) and the import refused the row. Its ID and phone cells are now text, birth dates dates."""
    from competitions.roster.values import TEMPLATE_HEADERS
    from competitions.roster.writing import write_roster_template

    data = write_roster_template(rows=20)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == list(TEMPLATE_HEADERS)
    for row in (2, 21):
        assert sheet[f"F{row}"].number_format == "@" and sheet[f"G{row}"].number_format == "@"
        assert sheet[f"C{row}"].number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["F"].number_format == "@"
    # the formatted but empty rows are trailing blank rows: only "no students" is reported
    assert [e.code for e in parse(data, "模板.xlsx").errors] == ["no_rows"]
    # filled in as Excel stores text cells, an ID number keeps every digit and imports
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"] = "张三", "男", datetime(2013, 7, 9), "五年级"  # noqa: DTZ001 — naive as in Excel
    sheet["F2"] = ID_BOY
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    result = parse(buffer.getvalue(), "模板.xlsx")
    assert result.ok and result.rows[0].id_number == ID_BOY


@pytest.mark.parametrize(
    ("grade", "class_name", "shown"),
    [
        (4, "1班", "四年级1班"),
        (4, "4年级1班", "4年级1班"),  # seen in the season walk as "四年级4年级1班"
        (4, "四年级(1)班", "四年级(1)班"),
        (8, "初二2班", "初二2班"),
        (11, "高二3班", "高二3班"),
        (8, "", "初二"),
        (None, "实验班", "实验班"),
    ],
)
def test_a_class_that_names_its_grade_is_not_prefixed_again(grade, class_name, shown):
    from competitions.roster.values import grade_and_class

    assert grade_and_class(grade, class_name) == shown
