"""Score sheet reading (.xlsx) without the database."""

import io

from openpyxl import Workbook

from judging.importing import read_score_sheet

CRITERIA = ["科学性", "创新性"]


def xlsx(rows, merge=None):
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def codes(result):
    return [(p.row, p.column, p.code) for p in result.errors]


def test_reads_criterion_columns():
    data = xlsx(
        [
            ["作品编号", "评委", "科学性", "创新性"],
            ["2024-KX-0001", "Judge@Example.com ", 20.5, "18"],
            [None, None, None, None],
        ]
    )
    result = read_score_sheet(data, CRITERIA)
    assert result.ok and not result.uses_total
    assert len(result.rows) == 1
    row = result.rows[0]
    assert (row.row, row.entry_code, row.judge_login) == (2, "2024-KX-0001", "judge@example.com")
    assert row.values == {"科学性": 20.5, "创新性": "18"}


def test_reads_total_column_and_english_aliases():
    result = read_score_sheet(xlsx([["entry_code", "judge", "total"], ["A", "j@x.cn", 88]]), CRITERIA)
    assert result.ok and result.uses_total
    assert result.rows[0].values == {"总分": 88}


def test_every_error_reported_and_no_rows():
    data = xlsx(
        [
            ["作品编号", "评委", "科学性", "创新性"],
            ["A", "j@x.cn", "abc", 10],
            ["B", "", 1, "=1+1"],
            ["A", "j@x.cn", 1, 2],
        ]
    )
    result = read_score_sheet(data, CRITERIA)
    assert result.rows == []
    assert codes(result) == [
        (2, "科学性", "not_a_number"),
        (3, "评委", "blank"),
        (3, "创新性", "formula"),
        (4, None, "duplicate_row"),
    ]
    assert result.errors[-1].message() == "This entry and judge already appear in row 2."


def test_header_problems():
    assert codes(read_score_sheet(xlsx([["作品编号", "科学性", "创新性"], ["A", 1, 2]]), CRITERIA)) == [
        (1, "评委", "missing_column")
    ]
    assert codes(read_score_sheet(xlsx([["作品编号", "评委", "科学性"], ["A", "j", 1]]), CRITERIA)) == [
        (1, "创新性", "missing_column")
    ]
    assert codes(read_score_sheet(xlsx([["作品编号", "评委", "总分", "科学性"], ["A", "j", 1, 1]]), CRITERIA)) == [
        (1, "总分", "mixed_total")
    ]
    assert codes(read_score_sheet(xlsx([["作品编号", "评委", "颜值"], ["A", "j", 1]]), CRITERIA))[0] == (
        1,
        "颜值",
        "unknown_column",
    )
    assert codes(read_score_sheet(xlsx([["作品编号", "评委"], ["A", "j"]]), CRITERIA)) == [
        (1, None, "no_score_columns")
    ]


def test_bad_files():
    assert codes(read_score_sheet(b"%PDF-1.4 not a sheet", CRITERIA)) == [(None, None, "not_xlsx")]
    assert codes(read_score_sheet(b"PK\x03\x04garbage", CRITERIA)) == [(None, None, "not_xlsx")]
    assert codes(read_score_sheet(xlsx([["作品编号", "评委", "总分"]]), CRITERIA)) == [(None, None, "empty")]
    assert codes(read_score_sheet(b"PK" + b"0" * (11 * 1024 * 1024), CRITERIA)) == [(None, None, "too_large")]
    merged = xlsx([["作品编号", "评委", "总分"], ["A", "j", 1], ["B", "j", 2]], merge="A2:A3")
    assert codes(read_score_sheet(merged, CRITERIA)) == [(None, None, "merged_cells")]


def test_partial_mode_allows_other_rubrics_columns_blank():
    data = xlsx(
        [
            ["作品编号", "评委", "科学性", "创新性", "研究问题"],
            ["A", "j@x.cn", 8, 9, None],
            ["B", "j@x.cn", None, None, 7],
        ]
    )
    strict = read_score_sheet(data, ["科学性", "创新性", "研究问题"])
    assert [p.code for p in strict.errors] == ["blank", "blank", "blank"]
    result = read_score_sheet(data, ["科学性", "创新性", "研究问题", "设计"], partial=True)
    assert result.ok
    assert result.rows[0].values == {"科学性": 8, "创新性": 9} and result.rows[1].values == {"研究问题": 7}
