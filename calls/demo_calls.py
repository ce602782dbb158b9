"""Demo data of calls beyond the workstation evaluation (calls.demo): the city association's expert pool, the paper
selection (eligibility: published within two years; experts invited from the pool; levels by quota) and 十佳科技辅导员
nominated by the county associations within their quotas (top 10), and the province's 全省十佳科技辅导员评选 open
for the city's recommendations (推荐上报, calls.recommendation). Idempotent: what exists is left alone.

Experts score online on judging's engine (``review_online``): each expert's total is the application's centre
plus the expert's offset, split over the rubric's criteria. The paper round stays open with the demo judge's
(孙德明's) papers to score in the browser; the advisors' round is closed and its 公示 published."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import ROUND_FLOOR, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts.models import Organisation, OrganisationKind
from accounts.services import save_organisation
from calls import experts, nominations, services
from calls import judging as call_judging
from calls.files import Upload
from calls.models import Call, CallStatus
from core.demo import DemoContext, demo_seeder
from core.extensions import db
from core.i18n import local_today

PAPERS_TITLE = "自然科学优秀学术论文评选"
ADVISORS_TITLE = "十佳科技辅导员评选"
PROVINCE = ("四川省科学技术协会", "SC-KX", "四川省")  # name, code, district: the city's parent association
PROVINCE_TITLE = "全省十佳科技辅导员评选"
PROVINCE_QUOTA = 3  # places for the city's recommendations
# (name, title, field, workplace)
POOL = [
    ("孙德明", "教授", "材料科学", "青溪大学材料学院"),
    ("陈志远", "研究员", "材料科学", "市新材料研究院"),
    ("刘晓梅", "教授", "生物医药", "青溪医学院"),
    ("张建国", "高级工程师", "机械工程", "青溪精工机械有限公司"),
    ("赵明轩", "教授", "电子信息", "青溪大学信息学院"),
    ("孙丽娟", "研究员", "农学", "市农业科学院"),
    ("欧阳䶮", "副教授", "环境科学", "青溪大学环境学院"),
    ("吉𠮷祥", "高级农艺师", "农学", "龙泉县农技站"),
    ("王慧敏", "主任医师", "生物医药", "市第一人民医院"),
    ("李文博", "教授", "电子信息", "市电子科学研究所"),
    ("周海涛", "正高级教师", "科学教育", "青溪市第一中学"),
    ("吴丽清", "正高级教师", "科学教育", "市青少年科技馆"),
]
EXPERTS = ["孙德明", "陈志远", "刘晓梅", "赵明轩", "欧阳䶮"]  # invited to review the papers
OFFSETS = (-2, -1, 0, 1, 2)
PAPERS = [  # (title, society, journal, discipline, centre score, months since publication)
    ("嘉陵江上游水体微塑料分布特征研究", "市环境科学学会", "环境科学学报", "理科", 93, 4),
    ("高强铝合金搅拌摩擦焊接头组织与性能", "市机械工程学会", "材料工程", "工科", 91, 7),
    ("柑橘黄龙病早期诊断的近红外光谱方法", "市农学会", "农业工程学报", "农科", 90, 10),
    ("基于深度学习的配电网故障定位", "市电机工程学会", "电力系统自动化", "工科", 88, 3),
    ("䶮山竹资源碳汇计量与经营对策", "市林学会", "林业科学", "农科", 87, 14),
    ("老年人群肌少症社区筛查队列研究", "市医学会", "中华老年医学杂志", "医科", 86, 9),
    ("川渝地区夏季极端降水的时空演变", "市气象学会", "气象学报", "理科", 84, 18),
    ("钙钛矿太阳能电池界面钝化研究", "市物理学会", "物理学报", "理科", 83, 6),
    ("𠮷祥河流域面源污染负荷估算", "市水利学会", "水利学报", "工科", 81, 20),
    ("中药复方抗炎活性成分筛选", "市药学会", "中国中药杂志", "医科", 79, 11),
    ("丘陵山区小型农机适应性评价", "市农业机械学会", "农业机械学报", "农科", 77, 15),
    ("城市地下管廊结构健康监测", "市土木建筑学会", "土木工程学报", "工科", 74, 22),
]
COUNTIES = [
    ("龙泉县科学技术协会", "LQ-KX", "龙泉县"),
    ("临江区科学技术协会", "LJ-KX", "临江区"),
    ("南山县科学技术协会", "NS-KX", "南山县"),
]
QUOTAS = {"青溪县科学技术协会": 6, "龙泉县科学技术协会": 5, "临江区科学技术协会": 5, "南山县科学技术协会": 4}
ADVISOR_NAMES = [
    "何秀英",
    "罗建华",
    "梁晓东",
    "宋美玲",
    "唐志刚",
    "韩雪梅",
    "冯国强",
    "董丽萍",
    "萧文杰",
    "程海燕",
    "曹立新",
    "袁慧芳",
    "邓伟明",
    "许春兰",
    "傅家豪",
    "沈玉珍",
    "曾凡荣",
    "彭晓红",
    "吕国栋",
]
UNIT_TYPES = ["小学", "初中", "高中", "科技馆"]


def demo_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF in the platform's font chain (decision 0006): the material an applicant would upload."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from core.pdffonts import draw_chain_string, platform_chain

    chain, buffer = platform_chain(), io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    width, height = A4
    draw_chain_string(canvas, chain, width / 2, height - 80, title, 16, align="center")
    for i, line in enumerate(lines):
        draw_chain_string(canvas, chain, 60, height - 130 - 24 * i, line, 11)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def city_to_seed(ctx: DemoContext, title: str):
    """(the demo city, its organiser) when a call called `title` is still to be seeded there, else None (no demo
    city: said once; the call exists: seeding again adds nothing)."""
    city, users = ctx.data.get("city"), ctx.data.get("users") or {}
    organiser = users.get("city_organiser")
    if city is None or organiser is None:
        ctx.echo("  " + _("calls: no demo city association, skipped"))
        return None
    if db.session.execute(sa.select(Call.id).where(Call.organisation_id == city.id, Call.title == title)).first():
        return None
    return city, organiser


def seed_pool(city: Organisation, judge) -> dict[str, experts.Expert]:
    existing = {
        e.name: e
        for e in db.session.execute(
            sa.select(experts.Expert).where(experts.Expert.organisation_id == city.id)
        ).scalars()
    }
    for i, (name, title, field, workplace) in enumerate(POOL):
        if name not in existing:
            existing[name] = experts.add_expert(
                city,
                {
                    "name": name,
                    "title": title,
                    "field": field,
                    "workplace": workplace,
                    "email": f"expert{i + 1}@kechuang.demo",
                },
            )
    if judge is not None and existing["孙德明"].user_id is None:  # the demo judge's account reviews papers too
        existing["孙德明"].user_id = judge.id
    db.session.flush()
    return existing


def expert_accounts(pool: dict, names: list[str]) -> None:
    """Experts who score online need an account: one with the demo password for each that has none."""
    from flask import current_app

    from accounts import services as accounts

    for name in names:
        expert = pool[name]
        if expert.user_id is None:
            user = accounts.find_user_by_login(expert.email) or accounts.create_user(
                name=expert.name, email=expert.email, password=current_app.config["DEMO_PASSWORD"]
            )
            expert.user_id = user.id
    db.session.flush()


def split_total(total: Decimal, maxima: list[Decimal]) -> list[Decimal]:
    """A total split over criteria in proportion to their maxima, in steps of 0.5, none above its maximum."""
    whole = sum(maxima)
    parts = [min(m, (total * m / whole * 2).to_integral_value(ROUND_FLOOR) / 2) for m in maxima]
    rest = total - sum(parts)
    for i, m in enumerate(maxima):
        extra = min(rest, m - parts[i])
        parts[i] += extra
        rest -= extra
    return parts


def review_online(call, organiser, pool, names, criteria, centres, *, leave_for=None, close=True, actor=None):
    """The call's experts (``names``, invited, with accounts) score on judging: a round with the rubric
    ``criteria``, 回避 assignment (an expert of an applicant's unit stands aside), each expert's total the
    application's centre (``centres`` by application id) plus their offset; closed and computed when ``close``.
    ``leave_for``: a user whose assignments are left to score in the browser."""
    from judging.models import JudgeAssignment
    from judging.services import results as results_service
    from judging.services import rounds as rounds_service
    from judging.services import scoring

    rnd = call_judging.create_review_round(call, name="专家评审", criteria=criteria, judges_per_entry=len(names))
    call_judging.assign_experts(rnd, actor=organiser)
    rounds_service.open_round(rnd, actor=organiser)
    offsets = {pool[name].user_id: Decimal(o) for name, o in zip(names, OFFSETS, strict=True)}
    criteria_rows = rnd.categories[0].criteria
    maxima = [c.maximum for c in criteria_rows]
    for a in db.session.execute(sa.select(JudgeAssignment).where(JudgeAssignment.round_id == rnd.id)).scalars():
        if leave_for is not None and a.judge.user_id == leave_for.id:
            continue
        total = min(sum(maxima), Decimal(str(centres[a.entry_id])) + offsets[a.judge.user_id])
        values = {str(c.id): str(v) for c, v in zip(criteria_rows, split_total(total, maxima), strict=True)}
        scoring.save_score(a, values, submit=True, actor=a.judge.user)
    if close:
        results_service.close_round(rnd, actor=organiser)
    return rnd


def _papers(city: Organisation, organiser, pool: dict, judge=None) -> None:
    call = services.create_call(
        city,
        year=2026,
        title=PAPERS_TITLE,
        subject="paper",
        applicants="units",
        outcome="levels",
        outcome_rule={"levels": [["first", "10"], ["second", "20"], ["third", "30"]]},
        description="各学会推荐本会会员近两年公开发表的论文；专家双盲评审（评审专家看不到作者、单位与致谢），"
        "按一、二、三等奖比例评定。",
        form=[
            {"label": "期刊名称", "kind": "text", "required": True},
            {"label": "发表日期", "kind": "date", "required": True, "help": "须为近两年内公开发表"},
            {"label": "学科", "kind": "choice", "required": True, "choices": ["理科", "工科", "农科", "医科"]},
            {"label": "摘要", "kind": "long_text", "required": False},
            {
                "label": "论文全文",
                "kind": "file",
                "required": True,
                "accept": ["pdf"],
                "max_mb": 20,
                "max_count": 1,
                "help": "匿名版：删去作者、单位与致谢",
            },
        ],
    )
    services.add_rule(call, {"kind": "within_years", "field": "f2", "years": 2})
    services.set_status(call, CallStatus.OPEN)
    expert_accounts(pool, EXPERTS)
    for name in EXPERTS:
        experts.invite_to_call(pool[name], call, organiser)
    experts.declare_conflict(pool["刘晓梅"], "与市医学会推荐论文作者为同一课题组", call)
    today = local_today()
    centres = {}
    for title, society, journal, discipline, centre, months in PAPERS:
        application = services.submit_application(
            call,
            title=title,
            applicant_name=society,
            unit_name=society,
            actor=organiser,
            answers={
                "f1": journal,
                "f2": (today - timedelta(days=30 * months)).isoformat(),
                "f3": discipline,
                "f4": f"{title}：研究背景、方法与主要结论。",
            },
            uploads={"f5": [Upload(f"{title}.pdf", demo_pdf(title, [f"{journal}", "摘要", "正文（匿名版）"]))]},
        )
        services.review_application(application, "accepted", "", organiser)
        centres[application.id] = centre
    services.set_status(call, CallStatus.REVIEW)
    criteria = [("科学性", Decimal(40)), ("创新性", Decimal(30)), ("学术价值", Decimal(30))]
    review_online(call, organiser, pool, EXPERTS, criteria, centres, leave_for=judge, close=judge is None)


ADVISOR_EXPERTS = ["周海涛", "吴丽清", "孙丽娟", "张建国", "赵明轩"]


def _advisors(city: Organisation, county: Organisation, users: dict, pool: dict) -> None:
    counties = [county] + [
        db.session.execute(sa.select(Organisation).where(Organisation.code == code)).scalar_one_or_none()
        or save_organisation(
            None, kind=OrganisationKind.ASSOCIATION, name=name, code=code, district=district, parent_id=city.id
        )
        for name, code, district in COUNTIES
    ]
    call = services.create_call(
        city,
        year=2026,
        title=ADVISORS_TITLE,
        subject="person",
        applicants="nominations",
        outcome="top",
        outcome_rule={"n": 10},
        description="各区县科协在名额内推荐；年龄不超过 60 周岁，任教于中小学或科技馆。",
        form=[
            {"label": "工作单位", "kind": "text", "required": True},
            {"label": "出生日期", "kind": "date", "required": True},
            {"label": "单位类型", "kind": "choice", "required": True, "choices": [*UNIT_TYPES, "其他"]},
            {"label": "辅导年限", "kind": "number", "required": True, "minimum": "1", "maximum": "45"},
            {"label": "主要事迹", "kind": "long_text", "required": True},
            {
                "label": "事迹材料",
                "kind": "file",
                "required": False,
                "accept": ["pdf", "docx"],
                "max_mb": 10,
                "max_count": 2,
            },
        ],
    )
    services.add_rule(call, {"kind": "age_between", "field": "f2", "max": "60", "reference": "2026-12-31"})
    services.add_rule(call, {"kind": "one_of", "field": "f3", "values": UNIT_TYPES})
    services.set_status(call, CallStatus.OPEN)
    nominations.set_quotas(call, {c.id: QUOTAS[c.name] for c in counties})
    names, k, centres = iter(ADVISOR_NAMES), 0, {}
    for index, association in enumerate(counties):
        actor = users["organiser"] if association.id == county.id else users["city_organiser"]
        # 青溪县 leaves its last place open: the browser walk nominates into it, and one more is refused
        for n in range(QUOTAS[association.name] - (1 if association.id == county.id else 0)):
            name = next(names)
            unit = f"{association.district}第{n + 1}中学" if n % 2 else f"{association.district}实验小学"
            application = nominations.nominate(
                call,
                association.id,
                actor,
                title=name,
                applicant_name=name,
                unit_name=unit,
                answers={
                    "f1": unit,
                    "f2": f"{1970 + (index * 5 + n) % 25}-0{1 + n % 9}-12",
                    "f3": "初中" if n % 2 else "小学",
                    "f4": str(5 + (index + n) % 20),
                    "f5": f"{name}长期辅导学生开展科技创新活动，所辅导学生多次在青少年科技创新大赛中获奖。",
                },
            )
            services.review_application(application, "accepted", "", users["city_organiser"])
            centres[application.id] = 70 + k * 7 % 19  # 19 different scores
            k += 1
    services.set_status(call, CallStatus.REVIEW)
    organiser = users["city_organiser"]
    expert_accounts(pool, ADVISOR_EXPERTS)
    for name in ADVISOR_EXPERTS:
        experts.invite_to_call(pool[name], call, organiser)
    criteria = [("辅导成效", Decimal(50)), ("创新实践", Decimal(30)), ("示范作用", Decimal(20))]
    rnd = review_online(call, organiser, pool, ADVISOR_EXPERTS, criteria, centres)
    from judging.services import notice as notice_service

    notice_service.start_notice(call, rnd, days=7, mask_names=False, actor=organiser)


def _province_call(city: Organisation) -> Call | None:
    """The province above the demo city (made here when the city has no parent) with its own 十佳 call, open for
    nominations, where the city has PROVINCE_QUOTA places: the city's organiser makes its 十佳 results final and
    recommends the best upward (推荐上报). The advisors' form is copied, so every answer carries over."""
    if city.parent_id is None:
        name, code, district = PROVINCE
        province = db.session.execute(
            sa.select(Organisation).where(Organisation.code == code)
        ).scalar_one_or_none() or save_organisation(
            None, kind=OrganisationKind.ASSOCIATION, name=name, code=code, district=district, parent_id=None
        )
        city.parent = province
        db.session.flush()
    province = city.parent
    if db.session.execute(
        sa.select(Call.id).where(Call.organisation_id == province.id, Call.title == PROVINCE_TITLE)
    ).first():
        return None
    advisors = db.session.execute(
        sa.select(Call).where(Call.organisation_id == city.id, Call.title == ADVISORS_TITLE)
    ).scalar_one()
    call = services.create_call(
        province,
        year=2026,
        title=PROVINCE_TITLE,
        subject="person",
        applicants="nominations",
        outcome="top",
        outcome_rule={"n": 10},
        description="各市（州）科协在名额内推荐本级评选结果。",
        form=advisors.form_fields,
    )
    services.set_status(call, CallStatus.OPEN)
    nominations.set_quotas(call, {city.id: str(PROVINCE_QUOTA)})
    return call


@demo_seeder(36, "calls: pool, papers, advisors", _l("calls: expert pool, papers, advisors"))
def seed_more_calls(ctx: DemoContext) -> None:
    city, county, users = ctx.data.get("city"), ctx.data.get("county"), ctx.data.get("users") or {}
    organiser = users.get("city_organiser")
    if city is None or county is None or organiser is None:
        ctx.echo("  " + _("calls: no demo city association, skipped"))
        return
    pool = seed_pool(city, users.get("judge"))
    done = set(db.session.execute(sa.select(Call.title).where(Call.organisation_id == city.id)).scalars())
    if PAPERS_TITLE not in done:
        _papers(city, organiser, pool, users.get("judge"))
        ctx.echo(
            "  "
            + _(
                "calls: %(title)s with %(papers)d papers, %(experts)d experts from a pool of %(pool)d",
                title=PAPERS_TITLE,
                papers=len(PAPERS),
                experts=len(EXPERTS),
                pool=len(POOL),
            )
        )
    if ADVISORS_TITLE not in done:
        _advisors(city, county, users, pool)
        ctx.echo(
            "  "
            + _(
                "calls: %(title)s nominated by %(n)d county associations within quotas",
                title=ADVISORS_TITLE,
                n=len(QUOTAS),
            )
        )
    if _province_call(city) is not None:
        ctx.echo(
            "  "
            + _(
                "calls: %(title)s takes %(n)d recommendations from %(city)s",
                title=PROVINCE_TITLE,
                n=PROVINCE_QUOTA,
                city=city.name,
            )
        )
