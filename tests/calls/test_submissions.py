"""A call's application judged as a submission of kind "application": experts read the answers with every
applicant's and unit's name blotted out (double-blind), and 回避 keeps authors, co-authors and colleagues of the
same unit away — through judging's one assignment rule."""

from collections import Counter

from calls import services
from calls.submissions import REDACTED, expert_keys, load_applications
from core import conflicts
from core.extensions import db
from judging import assignment, submissions
from judging.services.judges import submission_info
from tests import factories
from tests.calls.test_services import ANSWERS, make_call, paper


def _apply(call, n, **kwargs):
    services.set_status(call, "open")
    return [
        services.submit_application(
            call,
            title=kwargs.get("title", f"论文{i}"),
            applicant_name=kwargs.get("applicant", f"作者{i}、合著者{i % 7}"),
            unit_name=kwargs.get("unit", f"单位{i % 5}"),
            answers=ANSWERS,
            uploads=paper(),
            actor=None,
        )
        for i in range(n)
    ]


def test_applications_load_as_submissions_in_one_query(count_queries):
    call = make_call()
    apps = _apply(call, 3)
    ids = [a.id for a in apps]
    db.session.expire_all()
    with count_queries() as queries:
        found = submissions.load_submissions("application", ids)
        [s.materials for s in found.values()]  # the call's form comes with them
    assert len(queries) == 1
    sub = found[apps[0].id]
    assert isinstance(sub, submissions.Submission)
    assert (sub.kind, sub.code, sub.group, sub.organisation_id) == ("application", apps[0].code, call.id, None)
    assert sub.conflict_keys == {
        conflicts.person_key("作者0"),
        conflicts.person_key("合著者0"),
        conflicts.unit_key("单位0"),
    }
    assert submissions.submission_kind("application").load is load_applications


def test_a_blind_round_shows_no_author_or_unit_even_inside_an_answer():
    call = make_call()
    services.set_status(call, "open")
    answers = {**ANSWERS, "f2": "本研究由王小明与李四完成，感谢青溪大学化学系的支持。"}
    application = services.submit_application(
        call,
        title="青溪大学化学系的水质研究",
        applicant_name="王小明；李四",
        unit_name="青溪大学化学系",
        answers=answers,
        uploads=paper(),
        actor=None,
    )
    sub = load_applications([application.id])[0]
    shown = sub.title + " ".join(f"{label} {text}" for label, text in sub.materials)
    for secret in ("王小明", "李四", "青溪大学化学系"):
        assert secret not in shown
    assert f"本研究由{REDACTED}与{REDACTED}完成，感谢{REDACTED}的支持。" in shown
    assert "摘要" in shown and "2025-06-01" in shown  # the rest of the answers, under the form's labels


def test_same_names_written_differently_are_one_conflict_key():
    assert conflicts.unit_key("青溪大学 化学系") == conflicts.unit_key("青溪大学化学系")
    assert conflicts.person_key("Zhang San") == conflicts.person_key("ＺＨＡＮＧ　ＳＡＮ")
    assert conflicts.unit_key("  ") is None


def test_experts_never_review_their_own_paper_a_co_authors_or_a_colleagues():
    call = make_call()
    apps = _apply(call, 60)
    subs = [submission_info(s) for s in load_applications([a.id for a in apps])]
    experts = [
        assignment.JudgeInfo(f"e{i}", None, expert_keys(f"专家{i}", f"单位{i}" if i < 5 else "外单位"))
        for i in range(12)
    ]
    experts.append(assignment.JudgeInfo("coauthor", None, expert_keys("合著者3", "外单位")))
    plan = assignment.assign_judges(subs, experts, 5)
    assert not plan.shortfalls
    by_id = {e.id: e for e in experts}
    for sub in subs:
        for expert in plan.assignments[sub.id]:
            assert not sub.conflict_keys & by_id[expert].conflict_keys
    unit_of = {a.id: a.unit_name for a in apps}
    assert all(unit_of[s] != "单位1" for s, js in plan.assignments.items() if "e1" in js)
    assert all(
        "合著者3" not in next(a for a in apps if a.id == s).applicant_name
        for s, js in plan.assignments.items()
        if "coauthor" in js
    )
    loads = Counter(j for js in plan.assignments.values() for j in js)
    assert max(loads.values()) - min(loads.values()) <= 1  # balanced


def test_organisers_see_what_experts_will_read_and_nobody_else_does(client, login):
    call = make_call()
    services.set_status(call, "open")
    applicant = factories.coordinator(name="王小明")
    application = services.submit_application(
        call,
        title="青溪大学化学系的水质研究",
        applicant_name="王小明、李四",
        unit_name="青溪大学化学系",
        answers={**ANSWERS, "f2": "感谢青溪大学化学系的支持。"},
        uploads=paper(),
        actor=applicant,
    )
    organiser = factories.organiser(call.organisation)
    factories.commit()
    url = f"/calls/applications/{application.id}/experts-view"
    login(applicant)
    assert client.get(url).status_code == 403  # the applicant sees their own application, not the experts' side
    client.post("/logout")
    assert client.get(url).status_code == 302  # to the login page
    login(organiser)
    assert 'id="experts-view-link"' in client.get(f"/calls/applications/{application.id}").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    view = page[page.index('id="expert-view"') : page.index('id="stand-aside"')]
    assert "青溪大学化学系" not in view and "王小明" not in view and f"感谢{REDACTED}的支持。" in view
    assert "被涂去的姓名或单位名称：2 处" in page  # the title and the acknowledgement named the unit
    assert "王小明、李四" in page[page.index('id="stand-aside"') :]
