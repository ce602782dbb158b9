"""Judging pages, API and CLI: permissions, isolation, blind judging, query counts, exports."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from core.db import utcnow
from core.extensions import db
from judging.models import Score
from judging.services import assignment, scoring
from judging.services import notice as notice_service
from judging.services import results as results_service
from judging.services import rounds as rounds_service
from tests import factories
from tests.judging import factories as jf


def setup_world(**kw):
    w = jf.world(**kw)
    assignment.auto_assign(w["round"])
    db.session.commit()
    return w


def form_values(rnd, entry, a, b, action="submit"):
    rc = rounds_service.round_category_for(rnd, entry.category_id)
    return {
        f"criterion-{rc.criteria[0].id}": a,
        f"criterion-{rc.criteria[1].id}": b,
        "comment": "不错",
        "action": action,
    }


def test_organiser_pages_render(client, login):
    w = setup_world()
    rnd, contest = w["round"], w["contest"]
    login(w["organiser"])
    rc = rnd.categories[0]
    for url in [
        "/judging/",
        f"/judging/contests/{contest.id}",
        f"/judging/rounds/{rnd.id}",
        f"/judging/rounds/{rnd.id}/categories/{rc.id}",
        f"/judging/contests/{contest.id}/judges",
        f"/judging/judges/{w['judges'][0].id}",
        f"/judging/rounds/{rnd.id}/assignments",
        f"/judging/rounds/{rnd.id}/coverage",
        f"/judging/rounds/{rnd.id}/results",
        f"/judging/rounds/{rnd.id}/quality",
        f"/judging/rounds/{rnd.id}/import",
        f"/judging/rounds/{rnd.id}/referee",
        f"/judging/contests/{contest.id}/special-awards",
        f"/judging/contests/{contest.id}/notice",
        f"/judging/rounds/{rnd.id}/entries/{w['entries'][0].id}/scores",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert 'style="' not in response.get_data(as_text=True), url
    assert client.get(f"/judging/rounds/{rnd.id}/score-sheets.pdf").data.startswith(b"%PDF")


def test_create_round_and_rubric_through_pages(client, login):
    w = setup_world()
    login(w["organiser"])
    response = client.post(
        f"/judging/contests/{w['contest'].id}",
        data={
            "name": "终评",
            "categories": [w["category"].id],
            "judges_per_entry": 5,
            "method": "zscore_trimmed",
            "n_min": 5,
            "tie_breaks": ["raw_sum"],
            "tie_criterion": "创新性",
            "advancement": "none",
            "award_mode": "percentage",
            "first": "15",
            "second": "25",
            "third": "35",
            "cap": "60",
            "rounding": "half_up",
        },
    )
    assert response.status_code == 302
    rnd = rounds_service.find_round(w["contest"], "终评")
    assert rnd.tie_breaks == ["raw_sum", "criterion:创新性"]
    assert rnd.award_rule["levels"] == [["first", "15"], ["second", "25"], ["third", "35"]]
    rc = rnd.categories[0]
    response = client.post(f"/judging/rounds/{rnd.id}/categories/{rc.id}", data={"t-template": "isef", "t-submit": "1"})
    assert response.status_code == 302
    db.session.refresh(rc)
    assert len(rc.criteria) == 5 and rc.maximum_total == 100
    bad = client.post(
        f"/judging/rounds/{rnd.id}/categories/{rc.id}",
        data={"c-name": "额外", "c-weight": "1", "c-maximum": "10", "c-step": "3", "c-submit": "1"},
    )
    assert bad.status_code == 200 and "满分必须是步长的整数倍" in bad.get_data(as_text=True)


def test_judge_scores_through_page_and_is_audited(client, login):
    w = setup_world(n_entries=2, n_judges=3)
    judge = w["judges"][0]
    rnd = w["round"]
    a = assignment.judge_worklist(rnd, judge)[0]
    login(judge.user)
    page = client.get(f"/judging/rounds/{rnd.id}/my")
    assert page.status_code == 200 and a.entry.code in page.get_data(as_text=True)
    bad = client.post(
        f"/judging/rounds/{rnd.id}/entries/{a.entry_id}/score", data=form_values(rnd, a.entry, "11", "7.3")
    )
    assert bad.status_code == 200
    text = bad.get_data(as_text=True)
    assert "11 超过满分 10" in text and "7.3 不是步长 0.5" in text
    assert db.session.execute(sa.select(Score)).first() is None
    ok = client.post(f"/judging/rounds/{rnd.id}/entries/{a.entry_id}/score", data=form_values(rnd, a.entry, "8.5", "7"))
    assert ok.status_code == 302
    score = db.session.execute(sa.select(Score)).scalar_one()
    assert score.submitted and float(score.total) == 15.5


def test_autosave_json(client, login):
    w = setup_world(n_entries=1, n_judges=3)
    judge = w["judges"][0]
    rnd = w["round"]
    a = assignment.judge_worklist(rnd, judge)[0]
    rc = rounds_service.round_category_for(rnd, a.entry.category_id)
    login(judge.user)
    url = f"/judging/rounds/{rnd.id}/entries/{a.entry_id}/autosave"
    response = client.post(url, json={"values": {str(rc.criteria[0].id): "6.5"}, "comment": "草稿"})
    assert response.status_code == 200 and response.json["saved"] and not response.json["submitted"]
    response = client.post(url, json={"values": {str(rc.criteria[0].id): "6.3"}})
    assert response.status_code == 422
    assert str(rc.criteria[0].id) in response.json["error"]["fields"]


def test_isolation_between_judges_and_contests(client, login):
    w = setup_world(n_entries=3, n_judges=4, k=2)
    rnd = w["round"]
    other_contest = jf.contest(factories.association())
    stranger = jf.judge(other_contest, name="外赛评委")
    db.session.commit()
    entry = w["entries"][0]
    assigned = {a.judge_id for a in assignment.active_assignments(rnd) if a.entry_id == entry.id}
    unassigned = next(j for j in w["judges"] if j.id not in assigned)
    # a judge of another contest sees nothing of this one
    login(stranger.user)
    assert client.get(f"/judging/rounds/{rnd.id}/my").status_code == 403
    assert client.get(f"/judging/rounds/{rnd.id}/entries/{entry.id}/score").status_code == 403
    assert client.get(f"/judging/rounds/{rnd.id}/results").status_code == 403
    assert client.get(f"/judging/contests/{w['contest'].id}").status_code == 403
    client.post("/logout")
    # a judge of this contest cannot open or score an entry not assigned to them, nor organiser pages
    login(unassigned.user)
    assert client.get(f"/judging/rounds/{rnd.id}/entries/{entry.id}/score").status_code == 403
    post = client.post(f"/judging/rounds/{rnd.id}/entries/{entry.id}/score", data=form_values(rnd, entry, "5", "5"))
    assert post.status_code == 403
    assert client.get(f"/judging/rounds/{rnd.id}/results").status_code == 403
    assert client.get(f"/judging/rounds/{rnd.id}/entries/{entry.id}/scores").status_code == 403
    assert db.session.execute(sa.select(Score)).first() is None


def test_blind_until_round_closes(client, login):
    w = setup_world(n_entries=1, n_judges=3, k=3)
    rnd = w["round"]
    for a in assignment.active_assignments(rnd):
        scoring.save_score(
            a, {str(c.id): "5" for c in rnd.categories[0].criteria}, submit=True, comment=f"评语{a.judge_id}"
        )
    db.session.commit()
    judge = w["judges"][0]
    other_names = [j.user.display_name for j in w["judges"][1:]]
    login(judge.user)
    page = client.get(f"/judging/rounds/{rnd.id}/entries/{w['entries'][0].id}/score").get_data(as_text=True)
    assert not any(name in page for name in other_names)
    rnd.status = "closed"
    db.session.commit()
    page = client.get(f"/judging/rounds/{rnd.id}/entries/{w['entries'][0].id}/score").get_data(as_text=True)
    assert all(name in page for name in other_names)


def test_scoring_after_close_refused_via_api(client, login):
    w = setup_world(n_entries=1, n_judges=3)
    rnd = w["round"]
    judge = w["judges"][0]
    a = assignment.judge_worklist(rnd, judge)[0]
    rc = rnd.categories[0]
    login(judge.user)
    url = f"/api/v1/judging/rounds/{rnd.id}/entries/{a.entry_id}/score"
    ok = client.put(url, json={"values": {str(c.id): "4" for c in rc.criteria}, "submit": True})
    assert ok.status_code == 200 and ok.json["total"] == "8.00" or ok.json["total"] == "8"
    rnd.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    late = client.put(url, json={"values": {str(c.id): "9" for c in rc.criteria}, "submit": True})
    assert late.status_code == 409 and late.json["error"]["code"] == "round_closed"
    assert float(db.session.execute(sa.select(Score.total)).scalar_one()) == 8
    listing = client.get(f"/api/v1/judging/rounds/{rnd.id}/assignments")
    assert listing.status_code == 200 and listing.json[0]["submitted"]


def test_worklist_constant_queries(client, login, count_queries):
    def measure(n_entries):
        w = setup_world(n_entries=n_entries, n_judges=3, k=3)
        login(w["judges"][0].user)
        client.get(f"/judging/rounds/{w['round'].id}/my")
        with count_queries() as statements:
            response = client.get(f"/judging/rounds/{w['round'].id}/my")
        assert response.status_code == 200
        client.post("/logout")
        return len(statements)

    small = measure(3)
    large = measure(50)
    assert large == small


def test_public_notice_masks_names_and_takes_objections(client, login):
    w = setup_world(n_entries=2, n_judges=3, k=3)
    rnd = w["round"]
    for a in assignment.active_assignments(rnd):
        scoring.save_score(a, {str(c.id): "5" for c in rnd.categories[0].criteria}, submit=True)
    results_service.close_round(rnd)
    notice_service.start_notice(w["contest"], rnd, days=7)
    db.session.commit()
    w["entries"][1].members[0].student.name = "欧阳娜娜"  # the one rule (core.privacy), as open data shows it
    db.session.commit()
    page = client.get(f"/judging/public/{w['contest'].id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "张*明" in text and "张三明" not in text and "13800138000" not in text
    assert "欧阳**" in text and "欧**娜" not in text  # issue 19: the 公示 page used to show 欧**娜
    assert w["entries"][0].code in text
    response = client.post(
        f"/judging/public/{w['contest'].id}",
        data={"name": "王五", "contact": "wang@example.cn", "reason": "评分过程不透明，请公开评分细则。"},
    )
    assert response.status_code == 302
    login(w["organiser"])
    assert "评分过程不透明" in client.get(f"/judging/contests/{w['contest'].id}/notice").get_data(as_text=True)


def test_cli_results_and_import(runner, tmp_path):
    w = setup_world(n_entries=2, n_judges=3, k=3)
    rnd = w["round"]
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["作品编号", "评委", "科学性", "创新性"])
    for a in assignment.active_assignments(rnd):
        wb.active.append([a.entry.code, a.judge.user.email, 8, 7.5])
    path = tmp_path / "scores.xlsx"
    wb.save(path)
    contest_id = w["contest"].id
    bad = tmp_path / "bad.xlsx"
    wb2 = Workbook()
    wb2.active.append(["作品编号", "评委", "科学性", "创新性"])
    wb2.active.append(["NOPE", "x@y.cn", 99, 1])
    wb2.save(bad)
    result = runner.invoke(args=["judging", "import-scores", "--contest", str(contest_id), "--round", "初评", str(bad)])
    assert result.exit_code == 1 and "row 2" in result.output and "Traceback" not in result.output
    result = runner.invoke(
        args=["judging", "import-scores", "--contest", str(contest_id), "--round", "初评", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "imported 6 scores" in result.output
    results_service.close_round(db.session.get(type(rnd), rnd.id))
    db.session.commit()
    out = tmp_path / "results.csv"
    result = runner.invoke(
        args=[
            "judging",
            "results",
            "--contest",
            str(contest_id),
            "--round",
            "初评",
            "--format",
            "csv",
            "--out",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["作品编号", "类别", "作品名称", "学校", "最终得分", "排名", "奖项", "学生", "辅导教师"]
    assert rows[1][4] == "15.50" and rows[1][5] == "1" and rows[1][6] == ""
    result = runner.invoke(args=["judging", "results", "--contest", "999999", "--format", "csv"])
    assert result.exit_code == 1 and "No contest" in result.output


def test_referee_page_records_run(client, login):
    org = factories.association()
    c = jf.contest(org)
    cat = jf.category(c, code="JQR", name="机器人", scoring_mode="performance")
    e = jf.entry(c, cat, factories.school(parent=org))
    rnd = jf.rubric_round(c, [cat], name="现场赛")
    referee = jf.judge(c, name="裁判")
    db.session.commit()
    login(referee.user)
    response = client.post(
        f"/judging/rounds/{rnd.id}/referee/{e.id}",
        data={"run_number": 1, "points": "150", "time": "1:75.00", "penalty_seconds": 0, "status": "ok"},
    )
    assert response.status_code == 200 and "1:75.00 不是“分:秒.百分秒”（mm:ss.cc）格式的时间" in response.get_data(
        as_text=True
    )
    response = client.post(
        f"/judging/rounds/{rnd.id}/referee/{e.id}",
        data={"run_number": 1, "points": "150", "time": "01:15.30", "penalty_seconds": 20, "status": "ok"},
    )
    assert response.status_code == 302
    assert "01:15.30" in client.get(f"/judging/rounds/{rnd.id}/referee/{e.id}").get_data(as_text=True)


def test_two_tabs_last_write_wins_and_both_audited(app, login):
    w = setup_world(n_entries=1, n_judges=3)
    rnd, judge = w["round"], w["judges"][0]
    a = assignment.judge_worklist(rnd, judge)[0]
    rc = rnd.categories[0]
    tab1, tab2 = app.test_client(), app.test_client()
    for tab in (tab1, tab2):
        tab.post("/login", data={"login": judge.user.email, "password": factories.PASSWORD})
    url = f"/judging/rounds/{rnd.id}/entries/{a.entry_id}/autosave"
    first = tab1.post(url, json={"values": {str(rc.criteria[0].id): "6"}})
    second = tab2.post(url, json={"values": {str(rc.criteria[0].id): "8.5"}})
    assert first.status_code == second.status_code == 200
    assert second.json["version"] == first.json["version"] + 1
    db.session.expire_all()
    score = db.session.execute(sa.select(Score)).scalar_one()
    assert score.values == {str(rc.criteria[0].id): "8.5"}
    from core.models import AuditLog

    rows = (
        db.session.execute(sa.select(AuditLog).where(AuditLog.object_type == "judging_scores").order_by(AuditLog.id))
        .scalars()
        .all()
    )
    assert [r.after["values"] for r in rows] == [{str(rc.criteria[0].id): "6"}, {str(rc.criteria[0].id): "8.5"}]
    assert rows[1].before["values"] == {str(rc.criteria[0].id): "6"}


def test_materials_only_for_assigned_judges(client, login):
    from competitions.models import Material
    from competitions.services.materials import material_path

    w = setup_world(n_entries=2, n_judges=4, k=2)
    rnd = w["round"]
    entry = w["entries"][0]
    stored = "judging-test-material.pdf"
    material_path(stored).write_bytes(b"%PDF-1.4\n%%EOF\n")
    item = Material(
        entry_id=entry.id,
        kind="report",
        original_name="报告.pdf",
        stored_name=stored,
        file_type="pdf",
        size=15,
        sha256="0" * 64,
    )
    db.session.add(item)
    db.session.commit()
    assigned = {a.judge_id for a in assignment.active_assignments(rnd) if a.entry_id == entry.id}
    inside = next(j for j in w["judges"] if j.id in assigned)
    outside = next(j for j in w["judges"] if j.id not in assigned)
    url = f"/judging/rounds/{rnd.id}/entries/{entry.id}/materials/{item.id}"
    login(outside.user)
    assert client.get(url).status_code == 403
    client.post("/logout")
    login(inside.user)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "inline" in response.headers.get("Content-Disposition", "inline")
    page = client.get(f"/judging/rounds/{rnd.id}/entries/{entry.id}/score").get_data(as_text=True)
    assert url in page and "<iframe" in page


def test_cannot_judge_via_page_and_dashboard(client, login):
    w = setup_world(n_entries=1, n_judges=4, k=3)
    rnd = w["round"]
    judge = next(j for j in w["judges"] if assignment.judge_worklist(rnd, j))
    entry_id = assignment.judge_worklist(rnd, judge)[0].entry_id
    login(judge.user)
    assert "judging-panel" in client.get("/dashboard").get_data(as_text=True)
    response = client.post(f"/judging/rounds/{rnd.id}/entries/{entry_id}/decline", data={"reason": "我是该生的亲属"})
    assert response.status_code == 302
    assert assignment.judge_worklist(rnd, judge) == []
    assert len(assignment.active_assignments(rnd)) == 3  # the fourth judge took over


def test_recheck_request_shows_on_judge_page(client, login):
    w = setup_world(n_entries=1, n_judges=3, k=3)
    rnd = w["round"]
    a = assignment.active_assignments(rnd)[0]
    score = scoring.save_score(a, {str(c.id): "5" for c in rnd.categories[0].criteria}, submit=True)
    scoring.request_recheck(score, "请再看一下创新性")
    db.session.commit()
    login(a.judge.user)
    page = client.get("/judging/my").get_data(as_text=True)
    assert "请再看一下创新性" in page and a.entry.code in page


def test_api_refuses_unassigned_and_foreign_judges(client, login):
    w = setup_world(n_entries=2, n_judges=4, k=2)
    rnd = w["round"]
    entry = w["entries"][0]
    assigned = {a.judge_id for a in assignment.active_assignments(rnd) if a.entry_id == entry.id}
    outsider = next(j for j in w["judges"] if j.id not in assigned)
    login(outsider.user)
    url = f"/api/v1/judging/rounds/{rnd.id}/entries/{entry.id}/score"
    response = client.put(url, json={"values": {}, "submit": False})
    assert response.status_code == 403 and response.json["error"]["code"] == "not_assigned"
    assert client.get(f"/api/v1/judging/rounds/{rnd.id}/results").status_code == 403
    codes = {x["code"] for x in client.get(f"/api/v1/judging/rounds/{rnd.id}/assignments").json}
    assert entry.code not in codes


def test_performance_rule_through_page(client, login):
    org = factories.association()
    c = jf.contest(org)
    cat = jf.category(c, code="JQR", name="机器人", scoring_mode="performance")
    rnd = jf.rubric_round(c, [cat], name="现场赛")
    organiser = factories.organiser(org)
    db.session.commit()
    login(organiser)
    rc = rnd.categories[0]
    response = client.post(
        f"/judging/rounds/{rnd.id}/categories/{rc.id}",
        data={
            "p-performance_rule": "sum",
            "p-runs": 3,
            "p-confirm_runs": "y",
            "p-max_points": "250",
            "p-time_limit": "2:30",
            "p-submit": "1",
        },
    )
    assert response.status_code == 302
    db.session.refresh(rc)
    assert (rc.performance_rule, rc.runs, rc.confirm_runs) == ("sum", 3, True)
    assert (rc.max_points, rc.time_limit_cs) == (Decimal("250"), 15000)


@pytest.mark.parametrize("page", ["results", "assignments", "public"])
def test_list_pages_constant_queries(client, login, count_queries, page):
    def measure(n_entries):
        w = setup_world(n_entries=n_entries, n_judges=3, k=3)
        rnd = w["round"]
        for a in assignment.active_assignments(rnd):
            scoring.save_score(a, {str(c.id): "5" for c in rnd.categories[0].criteria}, submit=True)
        results_service.close_round(rnd)
        notice_service.start_notice(w["contest"], rnd, days=7)
        db.session.commit()
        login(w["organiser"])
        url = {
            "results": f"/judging/rounds/{rnd.id}/results",
            "assignments": f"/judging/rounds/{rnd.id}/assignments",
            "public": f"/judging/public/{w['contest'].id}",
        }[page]
        client.get(url)
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        client.post("/logout")
        return len(statements)

    assert measure(3) == measure(30)


def test_autosave_with_csrf_header(app, client, login, csrf_enabled):
    import re

    w = setup_world(n_entries=1, n_judges=3)
    rnd, judge = w["round"], w["judges"][0]
    a = assignment.judge_worklist(rnd, judge)[0]
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
    token = next(g for g in token.groups() if g)
    client.post("/login", data={"login": judge.user.email, "password": factories.PASSWORD, "csrf_token": token})
    page = client.get(f"/judging/rounds/{rnd.id}/entries/{a.entry_id}/score").get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    url = f"/judging/rounds/{rnd.id}/entries/{a.entry_id}/autosave"
    assert client.post(url, json={"values": {}}).status_code == 400  # no token: refused
    assert client.post(url, json={"values": {}}, headers={"X-CSRFToken": meta}).status_code == 200


def test_import_template_round_trip(client, login):
    from openpyxl import load_workbook

    w = setup_world(n_entries=2, n_judges=3, k=3)
    rnd = w["round"]
    login(w["organiser"])
    response = client.get(f"/judging/rounds/{rnd.id}/import-template.xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("作品编号", "评委", "科学性", "创新性") and len(rows) == 7
    for row in sheet.iter_rows(min_row=2):
        row[2].value, row[3].value = 8, 6.5
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    buffer.seek(0)
    response = client.post(
        f"/judging/rounds/{rnd.id}/import", data={"file": (buffer, "scores.xlsx")}, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert db.session.execute(sa.select(sa.func.count()).select_from(Score)).scalar() == 6


def test_concurrent_first_saves_do_not_collide(app):
    """Two tabs saving the very first draft at the same moment: one row, the last write wins, both audited."""
    import threading

    from core.models import AuditLog

    w = setup_world(n_entries=1, n_judges=3)
    rnd, judge = w["round"], w["judges"][0]
    a = assignment.judge_worklist(rnd, judge)[0]
    key = str(rnd.categories[0].criteria[0].id)
    url = f"/judging/rounds/{rnd.id}/entries/{a.entry_id}/autosave"
    clients = [app.test_client(), app.test_client()]
    for c in clients:
        c.post("/login", data={"login": judge.user.email, "password": factories.PASSWORD})
    barrier = threading.Barrier(2)
    statuses = []

    def save(c, value):
        barrier.wait()
        statuses.append(c.post(url, json={"values": {key: value}}).status_code)

    threads = [threading.Thread(target=save, args=(c, v)) for c, v in zip(clients, ["6", "7"], strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [200, 200]
    db.session.expire_all()
    rows = db.session.execute(sa.select(Score)).scalars().all()
    assert len(rows) == 1 and rows[0].version == 2 and rows[0].values[key] in ("6", "7")
    audits = (
        db.session.execute(sa.select(AuditLog).where(AuditLog.object_type == "judging_scores").order_by(AuditLog.id))
        .scalars()
        .all()
    )
    assert len(audits) == 2 and audits[-1].after["values"][key] == rows[0].values[key]


def test_results_page_award_table_totals(client, login):
    w = setup_world(n_entries=4, n_judges=3, k=3)
    rnd = w["round"]
    rnd.award_mode = "percentage"
    rnd.award_rule = {"levels": [["first", "25"], ["second", "25"]], "cap": "50"}
    for a in assignment.active_assignments(rnd):
        value = str(5 + w["entries"].index(a.entry))
        scoring.save_score(a, {str(c.id): value for c in rnd.categories[0].criteria}, submit=True)
    results_service.close_round(rnd)
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/rounds/{rnd.id}/results").get_data(as_text=True)
    footer = page[page.index("<tfoot>") : page.index("</tfoot>")]
    assert "<td>1</td><td>1</td><td>0</td><td>0</td><td>2</td>" in footer.replace("\n", "")


def test_the_judge_profile_lists_schools_in_pinyin_order(client, login):
    """Seen in the season walk: the 回避 school list ran 城关…实验…桃源…白沙 (code point order)."""
    w = setup_world()
    for name in ("青溪县实验小学", "青溪县白沙镇中心小学", "青溪县城关第二小学", "青溪县第一中学"):
        factories.school(parent=w["org"], name=name)
    db.session.commit()
    login(w["organiser"])
    page = client.get(f"/judging/judges/{w['judges'][0].id}").get_data(as_text=True)
    box = page.split('id="conflict_schools"')[1].split("</fieldset>")[0]
    shown = [n for n in re.findall(r">([^<]+)</label>", box) if n.startswith("青溪县")]
    assert shown == ["青溪县白沙镇中心小学", "青溪县城关第二小学", "青溪县第一中学", "青溪县实验小学"]


def test_categories_and_conflicts_are_ticked_not_ctrl_clicked(client, login):
    """Seen in the season walk: a round's categories, a judge's expertise and 回避 schools were multi-selects
    that need Ctrl-click (a plain click drops the other choices); they are checkboxes, like a category's stages."""
    w = setup_world()
    login(w["organiser"])
    profile = client.get(f"/judging/judges/{w['judges'][0].id}").get_data(as_text=True)
    for name in ("expertise", "conflict_schools"):
        assert f'<select class="form-select" id="{name}" multiple' not in profile
        assert re.search(
            rf'<input[^>]*name="{name}"[^>]*type="checkbox"|<input[^>]*type="checkbox"[^>]*name="{name}"', profile
        ), name
    rounds_page = client.get(f"/judging/contests/{w['contest'].id}").get_data(as_text=True)
    assert re.search(
        r'<input[^>]*name="categories"[^>]*type="checkbox"|<input[^>]*type="checkbox"[^>]*name="categories"',
        rounds_page,
    )
    response = client.post(
        f"/judging/judges/{w['judges'][0].id}",
        data={"conflict_schools": [w["schools"][0].id, w["schools"][1].id], "affiliation_id": 0},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert sorted(w["judges"][0].conflict_school_ids) == sorted([w["schools"][0].id, w["schools"][1].id])


def test_the_judges_start_page_counts_progress_in_a_fixed_number_of_queries(client, login, count_queries):
    """Progress per open round comes from two grouped queries, not two per round: a judge with three open rounds
    costs what one with one costs; the figures are right."""
    w = setup_world(n_entries=4, n_judges=3, k=3)
    judge = w["judges"][0]
    a = next(x for x in assignment.active_assignments(w["round"]) if x.judge_id == judge.id)
    scoring.save_score(a, {str(c.id): "5" for c in w["round"].categories[0].criteria}, submit=True)
    db.session.commit()
    login(judge.user)
    with count_queries() as one:
        page = client.get("/judging/my").get_data(as_text=True)
    assert 'aria-valuenow="1"' in page and 'aria-valuemax="4"' in page
    for name in ("复评", "终评"):
        rnd = jf.rubric_round(w["contest"], [w["category"]], name=name)
        assignment.auto_assign(rnd)
    db.session.commit()
    with count_queries() as three:
        client.get("/judging/my")
    assert len(three) == len(one)
