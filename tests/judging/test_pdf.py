"""Score sheet and award list PDFs: Chinese text extractable (no app)."""
import io

from pypdf import PdfReader

from judging.pdf import AwardListCategory, ScoreSheet, SheetEntry, award_list_pdf, score_sheets_pdf

LABELS = {"title": "评分表", "contest": "赛事", "round": "轮次", "category": "类别", "judge": "评委",
          "code": "作品编号", "entry": "作品名称", "total": "总分", "comment": "评语", "signature": "评委签名",
          "date": "日期", "school": "学校", "award": "奖项", "students": "学生", "advisors": "辅导教师"}


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_score_sheet_pdf_one_page_per_judge():
    sheets = [ScoreSheet("青溪县第十届青少年科技创新大赛", "初评", "科技创新", name,
                         [("科学性", "25"), ("创新性", "25")],
                         [SheetEntry("2024-KX-0001", "雨水<回收>装置", ["20.5", ""], "20.5", "")])
              for name in ("孙德明", "李华")]
    data = score_sheets_pdf(sheets, LABELS)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    text = text_of(data)
    assert "孙德明" in text and "李华" in text and "2024-KX-0001" in text and "雨水<回收>装置" in text


def test_award_list_pdf():
    data = award_list_pdf("获奖名单", [AwardListCategory("机器人", [
        ("2024-JQR-0001", "巡线小车", "青溪县第一中学", "欧阳䶮、刘𠮷", "王春华", "一等奖")])], LABELS)
    text = text_of(data)
    assert "巡线小车" in text and "一等奖" in text
    assert "学生" in text and "辅导教师" in text and "王春华" in text
