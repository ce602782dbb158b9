"""Demo calls, the three of issue 25 (idempotent: each is skipped when it exists):

- the city's yearly performance evaluation of its 院士(专家)工作站 — 22 workstations, each with its 绩效自评表, scored
  by five experts on the indicator system, bands 优秀 ≥ 90, 合格 ≥ 60, 不合格 otherwise: 4 / 17 / 1, as in the
  association's report;
- 自然科学优秀学术论文评选 — papers (full text as PDF) published within the last two years (an eligibility rule),
  double-blind review by experts invited from the city's expert pool, 一/二/三等奖 by quota;
- 十佳科技辅导员评选 — advisors nominated by the county associations within their quotas, the ten best.

The expert pool (专家库) of the city association is seeded with them."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from calls import experts, services
from calls.demo_calls import city_to_seed, demo_pdf, expert_accounts, review_online, seed_pool
from calls.files import Upload
from calls.models import CallStatus
from core.demo import DemoContext, demo_seeder

TITLE = "院士（专家）工作站年度绩效评估"
# (workstation, host unit, indicator score each expert's sheet centres on)
WORKSTATIONS = [
    ("青溪精密制造院士工作站", "青溪精工机械有限公司", 95),
    ("龙泉生物医药院士工作站", "龙泉康元药业股份有限公司", 93),
    ("临江新材料专家工作站", "临江新材科技有限公司", 92),
    ("云岭智慧农业院士工作站", "云岭农业发展集团", 90.5),
    ("嘉陵电子信息专家工作站", "嘉陵微电子有限公司", 88),
    ("白鹭湖生态环境院士工作站", "白鹭湖环境研究院", 86.5),
    ("南山中医药专家工作站", "南山县中医院", 85),
    ("东坪食品安全专家工作站", "东坪食品检测中心", 83),
    ("青溪水利工程院士工作站", "青溪县水利局勘测设计院", 82),
    ("石桥汽车零部件专家工作站", "石桥汽配制造有限公司", 80),
    ("玉带河茶产业专家工作站", "玉带河茶业合作社", 78.5),
    ("北岸建筑节能专家工作站", "北岸建工集团", 77),
    ("凤鸣丝绸工艺专家工作站", "凤鸣丝绸有限公司", 75),
    ("金沙矿产资源院士工作站", "金沙矿业有限公司", 73.5),
    ("桃源畜牧兽医专家工作站", "桃源县畜牧站", 72),
    ("星火软件工程专家工作站", "星火软件园", 70),
    ("清溪口腔医学专家工作站", "清溪口腔医院", 68.5),
    ("古镇文旅数字化专家工作站", "古镇文旅投资公司", 67),
    ("柑橘种质资源专家工作站", "柑橘研究所", 65),
    ("䶮山竹编工艺专家工作站", "䶮山竹编厂", 63.5),
    ("𠮷祥电力设备专家工作站", "𠮷祥电力设备有限公司", 61),
    ("西坝化工安全专家工作站", "西坝化工有限公司", 52),
]
EXPERTS = ["陈志远", "刘晓梅", "张建国", "赵明轩", "孙丽娟"]
# offsets (calls.demo_calls.OFFSETS): the trimmed mean drops the outer two, so each workstation scores its centre


@demo_seeder(35, "calls", _l("calls: the workstation evaluation"))
def seed_calls(ctx: DemoContext) -> None:
    seeding = city_to_seed(ctx, TITLE)
    if seeding is None:
        return
    city, organiser = seeding
    call = services.create_call(
        city,
        year=2026,
        title=TITLE,
        subject="organisation",
        applicants="units",
        outcome="bands",
        outcome_rule={
            "bands": [
                {"label": "优秀", "min": "90", "max": "100"},
                {"label": "合格", "min": "60", "max": "90"},
                {"label": "不合格", "min": "0", "max": "60"},
            ]
        },
        description="依据《院士（专家）工作站绩效评估办法》，专家按指标体系对各工作站年度工作评分。",
        form=[
            {"label": "依托单位", "kind": "text", "required": True},
            {"label": "进站专家人数", "kind": "number", "required": True, "minimum": "1", "maximum": "50"},
            {"label": "建站日期", "kind": "date", "required": True},
            {"label": "年度工作总结", "kind": "long_text", "required": True, "help": "合作项目、人才培养、成果转化"},
            {
                "label": "绩效自评表",
                "kind": "file",
                "required": True,
                "accept": ["pdf", "docx"],
                "max_mb": 10,
                "max_count": 1,
            },
        ],
    )
    services.set_status(call, CallStatus.OPEN)
    centres = {}
    for i, (name, unit, centre) in enumerate(WORKSTATIONS):
        application = services.submit_application(
            call,
            title=name,
            applicant_name=unit,
            unit_name=unit,
            actor=organiser,
            uploads={
                "f5": [
                    Upload(
                        f"{name}绩效自评表.pdf",
                        demo_pdf(
                            f"{name}绩效自评表",
                            [f"依托单位：{unit}", "一、合作项目与技术攻关", "二、人才培养", "三、成果转化与经济效益"],
                        ),
                    )
                ]
            },
            answers={
                "f1": unit,
                "f2": str(3 + i % 5),
                "f3": f"{2015 + i % 9}-0{1 + i % 9}-15",
                "f4": f"{name}本年度与进站专家合作开展技术攻关，培养骨干人才，推进成果转化。",
            },
        )
        services.review_application(application, "accepted", "", organiser)
        centres[application.id] = centre
    services.set_status(call, CallStatus.REVIEW)
    # the indicator system as the rubric; 张建国 (青溪精工机械) stands aside from the workstation his company hosts,
    # and his offset is 0, so its four experts' mean is its centre too
    pool = seed_pool(city, (ctx.data.get("users") or {}).get("judge"))
    expert_accounts(pool, EXPERTS)
    for name in EXPERTS:
        experts.invite_to_call(pool[name], call, organiser)
    indicators = [("合作项目与技术攻关", Decimal(40)), ("人才培养", Decimal(30)), ("成果转化与效益", Decimal(30))]
    review_online(call, organiser, pool, EXPERTS, indicators, centres)
    ctx.echo(
        "  "
        + _(
            "calls: %(title)s with %(n)d workstations scored by %(experts)d experts",
            title=TITLE,
            n=len(WORKSTATIONS),
            experts=len(EXPERTS),
        )
    )
