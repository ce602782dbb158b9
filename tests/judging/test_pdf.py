"""Score sheet and award list PDFs: Chinese text extractable (no app)."""

import io

from pypdf import PdfReader

from judging import pdf
from judging.pdf import AwardListCategory, ScoreSheet, SheetEntry, award_list_pdf, score_sheets_pdf

LABELS = {
    "title": "评分表",
    "contest": "赛事",
    "round": "轮次",
    "category": "类别",
    "judge": "评委",
    "code": "作品编号",
    "entry": "作品名称",
    "total": "总分",
    "comment": "评语",
    "signature": "评委签名",
    "date": "日期",
    "school": "学校",
    "award": "奖项",
    "students": "学生",
    "advisors": "辅导教师",
}


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_score_sheet_pdf_one_page_per_judge():
    sheets = [
        ScoreSheet(
            "青溪县第十届青少年科技创新大赛",
            "初评",
            "科技创新",
            name,
            [("科学性", "25"), ("创新性", "25")],
            [SheetEntry("2024-KX-0001", "雨水<回收>装置", ["20.5", ""], "20.5", "")],
        )
        for name in ("孙德明", "李华")
    ]
    data = score_sheets_pdf(sheets, LABELS)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    text = text_of(data)
    assert "孙德明" in text and "李华" in text and "2024-KX-0001" in text and "雨水<回收>装置" in text


def test_award_list_pdf():
    data = award_list_pdf(
        "获奖名单",
        [
            AwardListCategory(
                "机器人", [("2024-JQR-0001", "巡线小车", "青溪县第一中学", "欧阳䶮、刘𠮷", "王春华", "一等奖")]
            )
        ],
        LABELS,
    )
    text = text_of(data)
    assert "巡线小车" in text and "一等奖" in text
    assert "学生" in text and "辅导教师" in text and "王春华" in text


PDF_LABELS = {
    "title": "评分表",
    "contest": "赛事",
    "round": "轮次",
    "category": "类别",
    "judge": "评委",
    "code": "作品编号",
    "entry": "作品名称",
    "total": "总分",
    "comment": "评语",
    "signature": "评委签名",
    "date": "日期",
}


def test_score_sheet_signature_on_every_page_never_alone():
    """Bug: a sheet of 14 entries pushed the signature line onto a page of its own (40 pages for 20 sheets)."""
    import io

    entries = [
        pdf.SheetEntry(f"2025-CX-{i:04d}", "太阳能自动追光装置", ["20.00"] * 4, "80.00", "研究过程完整，数据翔实。")
        for i in range(1, 15)
    ]
    sheets = [
        pdf.ScoreSheet(
            "第25届青溪县青少年科技创新大赛",
            "终评",
            "个人项目",
            name,
            [("科学性", "25"), ("创新性", "25"), ("实用性", "25"), ("规范性", "25")],
            entries,
        )
        for name in ("孙德明", "李文博")
    ]
    reader = PdfReader(io.BytesIO(pdf.score_sheets_pdf(sheets, PDF_LABELS)))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) == 2  # one page per judge
    assert all("评委签名" in t and "2025-CX-0014" in t for t in texts)
