"""Result exports (no app)."""

import csv
import io

from openpyxl import load_workbook

from judging.exports import RESULT_HEADERS, ResultRow, results_csv, results_xlsx

ROWS = [
    ResultRow(
        "2024-KX-0001", "科技创新", "雨水回收装置", "青溪县第一中学", "91.25", 1, "一等奖", "欧阳䶮、刘𠮷", "王老师"
    ),
    ResultRow("2024-KX-0002", "科技创新", "=HYPERLINK(1)", "青溪县实验小学", "", None, ""),
]


def test_csv_has_bom_headers_and_neutralised_formula():
    data = results_csv(ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == RESULT_HEADERS
    assert rows[1] == [
        "2024-KX-0001",
        "科技创新",
        "雨水回收装置",
        "青溪县第一中学",
        "91.25",
        "1",
        "一等奖",
        "欧阳䶮、刘𠮷",
        "王老师",
    ]
    assert RESULT_HEADERS[-2:] == ("学生", "辅导教师")
    assert rows[2][2] == "'=HYPERLINK(1)"


def test_xlsx_round_trip():
    sheet = load_workbook(io.BytesIO(results_xlsx(ROWS))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == RESULT_HEADERS
    assert values[1][4] == 91.25 and values[1][5] == 1
