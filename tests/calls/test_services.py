"""Calls: the organiser-built form (definitions and answers), applications and review, experts' scores, results
of each outcome shape; nothing half-saved when a definition or rule is wrong."""

from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from calls import fields, services
from calls.files import Upload
from calls.models import Call, CallApplication
from core.errors import DomainError
from core.extensions import db
from tests import factories

FORM = [
    {"label": "论文题目", "kind": "text", "required": True},
    {"label": "摘要", "kind": "long_text", "required": False, "help": "300 字以内"},
    {"label": "发表日期", "kind": "date", "required": True},
    {"label": "作者人数", "kind": "number", "required": True, "minimum": "1", "maximum": "10"},
    {"label": "学科", "kind": "choice", "required": True, "choices": ["理科", "工科", "农科"]},
    {"label": "论文全文", "kind": "file", "required": True, "accept": ["pdf"], "max_mb": 20, "max_count": 1},
]
BANDS = {
    "bands": [
        {"label": "优秀", "min": "90", "max": "100"},
        {"label": "合格", "min": "60", "max": "90"},
        {"label": "不合格", "min": "0", "max": "60"},
    ]
}


def make_call(outcome="bands", rule=None, form=None, **kwargs):
    org = factories.association("青溪市科学技术协会")
    return services.create_call(
        org,
        year=2026,
        title="自然科学优秀学术论文评选",
        subject="paper",
        applicants="units",
        outcome=outcome,
        outcome_rule=rule or BANDS,
        form=FORM if form is None else form,
        **kwargs,
    )


@pytest.mark.parametrize(
    "definition, message",
    [
        ({"kind": "text"}, "请填写字段名称"),
        ({"label": "学科", "kind": "choice", "choices": ["理科"]}, "单选字段至少需要两个选项"),
        ({"label": "全文", "kind": "file", "accept": ["pdf"], "max_mb": 20}, "文件字段须注明可上传几个文件"),
        ({"label": "全文", "kind": "file", "max_mb": 20, "max_count": 1}, "文件字段须注明允许的文件类型"),
        ({"label": "全文", "kind": "file", "accept": ["pdf"], "max_mb": 500, "max_count": 1}, "大小上限为 1 至 60 MB"),
        ({"label": "人数", "kind": "number", "minimum": "10", "maximum": "1"}, "最小值大于最大值"),
        ({"label": "日期", "kind": "date", "choices": ["a", "b"]}, "只有单选字段可以设置选项"),
        ({"label": "标题", "kind": "table"}, "请选择字段类型"),
    ],
)
def test_incomplete_field_definitions_are_refused_in_chinese(definition, message):
    with force_locale("zh_CN"), pytest.raises(DomainError) as exc:
        fields.check_field(definition)
    assert message in str(exc.value)


def test_a_wrong_definition_or_rule_saves_nothing():
    with pytest.raises(DomainError):
        make_call(form=[*FORM, {"label": "学科", "kind": "text"}])  # a label used twice
    with pytest.raises(DomainError):
        make_call(
            rule={"bands": [{"label": "优秀", "min": "90", "max": "100"}, {"label": "合格", "min": "0", "max": "80"}]}
        )
    assert db.session.execute(sa.select(sa.func.count()).select_from(Call)).scalar() == 0


def test_fields_get_keys_and_the_form_changes_only_before_anyone_applies():
    call = make_call()
    assert [f["key"] for f in call.form_fields] == ["f1", "f2", "f3", "f4", "f5", "f6"]
    services.remove_field(call, "f2")
    added = services.add_field(call, {"label": "推荐单位意见", "kind": "long_text"})
    assert added["key"] == "f7"
    services.set_status(call, "open")
    services.set_status(call, "draft")  # nobody applied yet
    services.set_status(call, "open")
    services.submit_application(
        call, title="论文", applicant_name="张三", unit_name="", answers=ANSWERS, uploads=paper(), actor=None
    )
    with pytest.raises(DomainError):
        services.set_status(call, "draft")


def open_call(**kwargs):
    call = make_call(**kwargs)
    services.set_status(call, "open")
    return call


def paper(name="全文.pdf"):
    """The answer to the form's required file field (论文全文, PDF)."""
    return {"f6": [Upload(name, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")]}


ANSWERS = {"f1": "𠮷祥河流域水质研究", "f2": "", "f3": "2025-06-01", "f4": "3", "f5": "理科"}


def test_answers_are_checked_against_the_form():
    call = open_call()
    applicant = factories.user("李䶮")
    application = services.submit_application(
        call,
        title="𠮷祥河流域水质研究",
        applicant_name="李䶮",
        unit_name="䶮山学会",
        answers=ANSWERS,
        uploads=paper(),
        actor=applicant,
    )
    assert application.code == f"SB2026-{call.id}-001"
    assert application.answers == {"f1": "𠮷祥河流域水质研究", "f3": "2025-06-01", "f4": "3", "f5": "理科"}
    with force_locale("zh_CN"):
        for change, message in [
            ({"f3": ""}, "请填写发表日期"),
            ({"f3": "2025年6月"}, "发表日期须为日期"),
            ({"f4": "三"}, "作者人数须为数字"),
            ({"f4": "11"}, "作者人数应在 1 至 10 之间"),
            ({"f5": "文科"}, "请从学科的选项中选择一项"),
        ]:
            with pytest.raises(DomainError) as exc:
                services.submit_application(
                    call,
                    title="x",
                    applicant_name="李䶮",
                    unit_name="",
                    answers={**ANSWERS, **change},
                    uploads=paper(),
                    actor=applicant,
                )
            assert message in str(exc.value), change
    assert len(services.applications_of(call)) == 1


def test_a_draft_call_takes_no_applications_and_the_form_freezes_when_open():
    call = make_call()
    with pytest.raises(DomainError):
        services.submit_application(
            call, title="x", applicant_name="y", unit_name="", answers=ANSWERS, uploads=paper(), actor=None
        )
    services.set_status(call, "open")
    with pytest.raises(DomainError):
        services.add_field(call, {"label": "备注", "kind": "text"})


def test_review_needs_a_reason_to_return_or_reject_and_only_accepted_ones_are_scored():
    call = open_call()
    organiser = factories.organiser(call.organisation)
    application = services.submit_application(
        call, title="论文", applicant_name="张三", unit_name="", answers=ANSWERS, uploads=paper(), actor=None
    )
    with pytest.raises(DomainError):
        services.review_application(application, "returned", "  ", organiser)
    with pytest.raises(DomainError):
        services.record_score(application, "陈志远", "88", organiser)
    services.review_application(application, "returned", "缺少单位推荐意见", organiser)
    assert application.status == "returned" and application.review_reason == "缺少单位推荐意见"
    services.review_application(application, "accepted", "", organiser)
    services.record_score(application, "陈志远", "88", organiser)
    services.record_score(application, "陈志远", "86.5", organiser)  # the same expert again replaces the total
    assert [(s.expert_name, s.total) for s in application.scores] == [("陈志远", Decimal("86.5"))]
    with pytest.raises(DomainError):
        services.record_score(application, "刘晓梅", "101", organiser)


def scored_call(outcome, rule, centres):
    call = open_call(outcome=outcome, rule=rule)
    organiser = factories.organiser(call.organisation)
    apps = []
    for i, centre in enumerate(centres):
        app = services.submit_application(
            call,
            title=f"申报{i + 1}",
            applicant_name=f"单位{i + 1}",
            unit_name=f"单位{i + 1}",
            answers=ANSWERS,
            uploads=paper(),
            actor=None,
        )
        services.review_application(app, "accepted", "", organiser)
        for expert, offset in zip(["甲", "乙", "丙", "丁", "戊"], (-2, -1, 0, 1, 2), strict=True):
            services.record_score(app, expert, str(centre + offset), organiser)
        apps.append(app)
    return call, apps


def test_results_in_bands_use_the_trimmed_mean():
    call, apps = scored_call("bands", BANDS, [95, 92, 90, 89.5, 75, 60, 52])
    # one expert's outlier is dropped by the trimmed mean: still 优秀
    services.record_score(apps[2], "戊", "40", factories.organiser(call.organisation))
    results = services.compute_results(call)
    assert [(r.application.title, r.result) for r in results.rows] == [
        ("申报1", "优秀"),
        ("申报2", "优秀"),
        ("申报4", "合格"),
        ("申报3", "合格"),
        ("申报5", "合格"),
        ("申报6", "合格"),
        ("申报7", "不合格"),
    ]
    assert results.summary == [("优秀", 2), ("合格", 4), ("不合格", 1)]


def test_results_of_top_n_and_levels():
    call, _apps = scored_call("top", {"n": 2}, [70, 90, 80])
    with force_locale("zh_CN"):
        rows = services.compute_results(call).rows
    assert [(r.application.title, r.rank, r.result) for r in rows] == [
        ("申报2", 1, "前 2 名"),
        ("申报3", 2, "前 2 名"),
        ("申报1", 3, None),
    ]
    call, _apps = scored_call("levels", {"levels": [["first", "20"], ["second", "40"]]}, [70, 90, 80, 60, 50])
    with force_locale("zh_CN"):
        rows = services.compute_results(call).rows
    assert [r.result for r in rows] == ["一等奖", "二等奖", "二等奖", None, None]


def test_unscored_accepted_applications_come_last_without_a_result():
    call, _apps = scored_call("bands", BANDS, [80])
    organiser = factories.organiser(call.organisation)
    late = services.submit_application(
        call, title="迟到的申报", applicant_name="王五", unit_name="", answers=ANSWERS, uploads=paper(), actor=None
    )
    services.review_application(late, "accepted", "", organiser)
    rows = services.compute_results(call).rows
    assert [(r.application.title, r.result) for r in rows] == [("申报1", "合格"), ("迟到的申报", None)]
    assert db.session.get(CallApplication, late.id) is late
