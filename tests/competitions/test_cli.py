"""`flask contests|schools|students|entries ...`: output, exit codes, all-or-nothing, no tracebacks."""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest

from competitions.idcard import make_id_number
from competitions.services import contests as contests_service
from competitions.services import schools as schools_service
from competitions.services import students as students_service
from core.extensions import db
from tests import factories
from tests.competitions import factories as cf


@pytest.fixture
def setup():
    county = factories.association("青溪县科协")
    county.code = "QX-KX"
    school = factories.school(county, stage="junior", name="青溪县实验初级中学")
    school.code = "QX-S08"
    contest = cf.contest(county, name="第25届青溪县青少年科技创新大赛")
    category = cf.category(contest, code="JQR")
    db.session.commit()
    return dict(county=county, school=school, contest=contest, category=category)


def test_contests_list(runner, setup):
    result = runner.invoke(args=["contests", "list"])
    assert result.exit_code == 0
    assert result.output == f"{setup['contest'].id}, 2025, 第25届青溪县青少年科技创新大赛, 报名中\n"


def test_contests_export_import_round_trip(runner, setup, tmp_path):
    exported = runner.invoke(args=["contests", "export", str(setup["contest"].id)])
    assert exported.exit_code == 0
    path = tmp_path / "f.json"
    path.write_text(exported.output, encoding="utf-8")
    result = runner.invoke(args=["contests", "import", str(path), "--year", "2026", "--name", "第26届"])
    assert result.exit_code == 0, result.output
    assert "2026，第26届，草稿" in result.output  # the CLI speaks the default language, zh_CN
    listing = runner.invoke(args=["contests", "list"]).output.splitlines()
    assert len(listing) == 2 and listing[0].endswith("第26届, 草稿")


def test_contests_import_bad_file(runner, setup, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "kechuang.contest", "version": 1, "contest": {"name": "x", "year": 1999}}))
    result = runner.invoke(args=["contests", "import", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "$.contest.year" in result.output
    (tmp_path / "nojson.json").write_bytes(b"\x89PNG")
    result = runner.invoke(args=["contests", "import", str(tmp_path / "nojson.json")])
    assert result.exit_code == 1 and "不是 JSON 文件" in result.output
    assert len(contests_service.list_contests()) == 1


def _roster(tmp_path, rows, name="r.csv", encoding="gbk"):
    path = tmp_path / name
    path.write_bytes(
        ("姓名,性别,出生日期,年级,班级,身份证号,监护人电话\n" + "\n".join(",".join(r) for r in rows) + "\n").encode(
            encoding
        )
    )
    return path


def test_students_import_and_reimport(runner, setup, tmp_path):
    idn = make_id_number("330102", date(2011, 5, 1), 8, "男")
    path = _roster(
        tmp_path,
        [
            ["张伟", "男", "2011-05-01", "初二", "2班", idn, "13800000001"],
            ["王芳", "女", "2011/6/2", "初二", "", "", ""],
        ],
    )
    result = runner.invoke(args=["students", "import", "--school", "QX-S08", str(path)])
    assert result.exit_code == 0, result.output
    assert "新建 2 名，更新 0 名，未变 0 名" in result.output
    result = runner.invoke(args=["students", "import", "--school", "QX-S08", str(path)])
    assert "新建 0 名，更新 0 名，未变 2 名" in result.output
    assert len(students_service.list_students(setup["school"].id)) == 2


@pytest.mark.parametrize(
    "content,expected",
    [  # the CLI speaks the default language, zh_CN
        (b"", "文件是空的"),
        (b"%PDF-1.4 not a roster", "不是电子表格"),
        ("性别,出生日期\n男,2011-01-01\n".encode(), "姓名"),
    ],
)
def test_students_import_bad_files(runner, setup, tmp_path, content, expected):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    result = runner.invoke(args=["students", "import", "--school", "QX-S08", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert expected in result.output
    assert students_service.list_students(setup["school"].id) == []


def test_students_import_row_errors_exit_nonzero(runner, setup, tmp_path):
    path = _roster(
        tmp_path, [["张伟", "男", "2011-05-01", "初二", "", "", ""], ["李雷", "男", "2011-02-30", "初二", "", "", ""]]
    )
    result = runner.invoke(args=["students", "import", "--school", "QX-S08", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "第 3 行 C 列" in result.output
    assert students_service.list_students(setup["school"].id) == []


def test_students_import_unknown_school(runner, setup, tmp_path):
    result = runner.invoke(args=["students", "import", "--school", "NOPE", str(_roster(tmp_path, []))])
    assert result.exit_code == 1 and "NOPE" in result.output


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_students_export(runner, setup, tmp_path, suffix):
    cf.student(setup["school"], name="刘䶮", grade=8)
    db.session.commit()
    out = tmp_path / f"out.{suffix}"
    result = runner.invoke(args=["students", "export", "--school", "QX-S08", "--out", str(out)])
    assert result.exit_code == 0 and "已将 1 名学生" in result.output
    from competitions.roster.reading import parse_roster

    parsed = parse_roster(out.read_bytes(), out.name)
    assert parsed.ok and parsed.rows[0].name == "刘䶮"


def test_entries_export(runner, setup, tmp_path):
    student = cf.student(setup["school"], grade=8)
    cf.entry(
        setup["contest"],
        setup["category"],
        setup["school"],
        students=[student],
        status="submitted",
        code="2025-JQR-0001",
    )
    db.session.commit()
    out = tmp_path / "entries.xlsx"
    result = runner.invoke(args=["entries", "export", "--contest", str(setup["contest"].id), "--out", str(out)])
    assert result.exit_code == 0 and "已将 1 件参赛作品" in result.output
    sheet = openpyxl.load_workbook(out).active
    assert sheet["A1"].value == "作品编号" and sheet["A2"].value == "2025-JQR-0001"
    result = runner.invoke(args=["entries", "export", "--contest", "999", "--out", str(out)])
    assert result.exit_code == 1


def test_schools_import(runner, setup, tmp_path):
    path = tmp_path / "schools.csv"
    path.write_bytes(
        "学校名称,代码,学段,地区\n青溪县桃源镇中心小学,QX-S03,小学,桃源镇\n青溪县实验初级中学（新）,QX-S08,初中,城关镇\n".encode(
            "gbk"
        )
    )
    result = runner.invoke(args=["schools", "import", str(path), "--org", "QX-KX"])
    assert result.exit_code == 0, result.output
    assert "新建 1 所，更新 1 所" in result.output
    assert schools_service.school_by_code("QX-S03").district == "桃源镇"
    bad = tmp_path / "bad.csv"
    bad.write_bytes("学校名称,代码,学段,地区\n新学校,QX-S99,幼儿园,城关镇\n".encode())
    result = runner.invoke(args=["schools", "import", str(bad), "--org", "QX-KX"])
    assert result.exit_code == 1 and "第 2 行" in result.output
    assert schools_service.school_by_code("QX-S99") is None


def test_exports_to_an_unwritable_path_fail_cleanly(runner, setup, tmp_path):
    """QA: `entries export` / `students export` into a missing folder ended in a FileNotFoundError traceback."""
    out = tmp_path / "no-such-folder" / "x.xlsx"
    for args in (
        ["entries", "export", "--contest", str(setup["contest"].id), "--out", str(out)],
        ["students", "export", "--school", "QX-S08", "--out", str(out)],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "无法写入" in result.output and "Traceback" not in result.output and not out.exists()


def test_entries_export_writes_chinese_status_and_stage(runner, setup, tmp_path):
    """QA: the CLI master list had 'Primary school'-style English stage names (and raw status keywords)."""
    student = cf.student(setup["school"], grade=8)
    cf.entry(
        setup["contest"],
        setup["category"],
        setup["school"],
        students=[student],
        status="submitted",
        code="2025-JQR-0001",
    )
    db.session.commit()
    out = tmp_path / "entries.xlsx"
    assert (
        runner.invoke(args=["entries", "export", "--contest", str(setup["contest"].id), "--out", str(out)]).exit_code
        == 0
    )
    sheet = openpyxl.load_workbook(out).active
    assert (sheet["G2"].value, sheet["H2"].value) == ("已提交", "初中")
