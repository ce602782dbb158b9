"""Entry lists in official 作品编号 order by default, and on request by 作品名称, 学校 or 第一作者 in pinyin order
(core.names) — the organiser's list, its .xlsx master list, a school's entries and a judge's worklist."""

from __future__ import annotations

import io
import re

import openpyxl

from competitions.models import EntryStatus
from competitions.services import listings as listings_service
from competitions.sorting import entry_sort, sort_entries
from core.extensions import db
from tests import factories
from tests.competitions import factories as cf


def _season():
    county = factories.association("青溪县科协")
    schools = {
        name: factories.school(county, stage="junior", name=name) for name in ("赵庄中学", "安平中学", "曾家中学")
    }
    contest = cf.contest(county)
    category = cf.category(contest, code="KX", quotas=(("school", "junior", "individual", 50),))
    rows = [
        ("KX-2025-0001", "赵庄中学", "水质监测", "张三"),
        ("KX-2025-0002", "安平中学", "智能垃圾桶", "欧阳娜娜"),
        ("KX-2025-0003", "曾家中学", "单车锁", "李四"),
        ("KX-2025-0004", "安平中学", "饮水机", "单田芳"),
    ]
    entries = []
    for code, school, title, author in rows:
        s = cf.student(schools[school], grade=8, name=author)
        entries.append(
            cf.entry(
                contest,
                category,
                schools[school],
                students=[s],
                status=EntryStatus.SUBMITTED.value,
                title=title,
                code=code,
            )
        )
    organiser = factories.organiser(county)
    db.session.commit()
    return {"contest": contest, "schools": schools, "entries": entries, "organiser": organiser}


def _titles(page: str) -> list[str]:
    table = page.split('id="entries-table"')[1].split("</table>")[0]
    return re.findall(r'/contests/entries/\d+">([^<]+)</a>', table)


def test_the_rule_orders_by_code_unless_asked_and_ignores_unknown_sorts(app):
    w = _season()
    codes = lambda es: [e.code for e in es]  # noqa: E731
    assert codes(sort_entries(w["entries"], None)) == codes(w["entries"])
    assert entry_sort("drop table") == "code"
    assert [e.title for e in sort_entries(w["entries"], "title")] == ["单车锁", "水质监测", "饮水机", "智能垃圾桶"]
    assert codes(sort_entries(w["entries"], "school")) == [
        "KX-2025-0002",
        "KX-2025-0004",
        "KX-2025-0003",
        "KX-2025-0001",
    ]
    assert [e.members[0].student.name for e in sort_entries(w["entries"], "author")] == [
        "李四",
        "欧阳娜娜",
        "单田芳",
        "张三",
    ]


def test_the_organiser_list_and_its_master_list_follow_the_chosen_order(client, login):
    w = _season()
    login(w["organiser"])
    contest_id = w["contest"].id
    default = client.get(f"/contests/{contest_id}/entries").get_data(as_text=True)
    assert _titles(default) == ["水质监测", "智能垃圾桶", "单车锁", "饮水机"]  # 作品编号
    assert 'name="sort"' in default and "按作品名称拼音" in default and "按第一作者拼音" in default
    page = client.get(f"/contests/{contest_id}/entries?sort=title").get_data(as_text=True)
    assert _titles(page) == ["单车锁", "水质监测", "饮水机", "智能垃圾桶"]
    assert 'value="title" selected' in page
    assert f"/contests/{contest_id}/entries.xlsx?sort=title" in page  # the export link carries the choice
    by_author = client.get(f"/contests/{contest_id}/entries?sort=author").get_data(as_text=True)
    assert _titles(by_author) == ["单车锁", "智能垃圾桶", "饮水机", "水质监测"]
    data = client.get(f"/contests/{contest_id}/entries.xlsx?sort=school").data
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        "KX-2025-0002",
        "KX-2025-0004",
        "KX-2025-0003",
        "KX-2025-0001",
    ]


def test_the_background_master_list_follows_the_order_too(app):
    w = _season()
    rows = listings_service.master_list_rows(w["contest"], sort="author")
    assert [r[0] for r in rows] == ["KX-2025-0003", "KX-2025-0002", "KX-2025-0004", "KX-2025-0001"]


def test_a_school_sorts_its_entries(client, login):
    w = _season()
    school = w["schools"]["安平中学"]
    login(factories.coordinator(school, name="安平联络员"))
    db.session.commit()
    page = client.get(f"/contests/{w['contest'].id}/school/{school.id}?sort=title").get_data(as_text=True)
    table = page.split('id="school-entries"')[1].split("</table>")[0]
    assert table.index("饮水机") < table.index("智能垃圾桶")
    default = client.get(f"/contests/{w['contest'].id}/school/{school.id}").get_data(as_text=True)
    table = default.split('id="school-entries"')[1].split("</table>")[0]
    assert table.index("智能垃圾桶") < table.index("饮水机")


def test_a_judge_sorts_the_worklist_by_code_or_title_but_never_by_school_or_author(client, login):
    from judging.services import assignment
    from tests.judging import factories as jf

    w = jf.world(n_entries=4, n_judges=1, k=1)
    for entry, title in zip(w["entries"], ("赵州桥模型", "安全头盔", "曾氏滤水器", "白鹭观察"), strict=True):
        entry.title = title
    assignment.auto_assign(w["round"])
    db.session.commit()
    login(w["judges"][0].user)
    url = f"/judging/rounds/{w['round'].id}/my"

    def shown(page):
        return [t for t in re.findall(r"(赵州桥模型|安全头盔|曾氏滤水器|白鹭观察)", page.split('id="worklist"')[1])]

    assert shown(client.get(url).get_data(as_text=True)) == ["赵州桥模型", "安全头盔", "曾氏滤水器", "白鹭观察"]
    page = client.get(url + "?sort=title").get_data(as_text=True)
    assert shown(page) == ["安全头盔", "白鹭观察", "曾氏滤水器", "赵州桥模型"]
    assert 'value="school"' not in page and 'value="author"' not in page
    assert shown(client.get(url + "?sort=school").get_data(as_text=True))[0] == "赵州桥模型"
