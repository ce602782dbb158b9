"""Demo data of an on-site presentation round (路演): 农村乡土人才创新创业大赛, whose applicants present their
projects in two rooms before panels of the city's pool experts (judging.presentations). One applicant comes from
青溪医学院, where 刘晓梅 works: she stands aside, so the project is heard in the other room. The round is open:
the demo judge (孙德明) sees his slots in 我的评审 and scores there. Idempotent: an existing call is left alone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from calls import experts, services
from calls import judging as call_judging
from calls.demo_calls import city_to_seed, expert_accounts, seed_pool
from calls.models import Call, CallStatus
from core.demo import DemoContext, demo_seeder
from core.errors import DomainError
from core.i18n import installation_zone, local_today

TITLE = "农村乡土人才创新创业大赛"
PANELS = {"第一路演厅": ["孙德明", "陈志远"], "第二路演厅": ["刘晓梅", "赵明轩"]}
PROJECTS = [  # (project, applicant, unit)
    ("高山生态茶园与民宿融合", "李春花", "青溪县白鹤镇茶叶合作社"),
    ("稻渔综合种养示范", "王德贵", "青溪县石桥村"),
    ("竹编非遗工艺品电商", "陈秀英", "青溪县竹编协会"),
    ("中药材林下种植", "周永林", "青溪医学院"),
    ("柑橘冷链与产地初加工", "黄建军", "青溪县柑橘专业合作社"),
    ("乡村光伏与智慧灌溉", "吴小龙", "临江县新能源服务站"),
]
SLOT = timedelta(minutes=40)


@demo_seeder(37, "calls: on-site presentations", _l("calls: on-site presentations"))
def seed_roadshow(ctx: DemoContext) -> None:
    seeding = city_to_seed(ctx, TITLE)
    if seeding is None:
        return
    city, organiser = seeding
    call = services.create_call(
        city,
        year=2026,
        title=TITLE,
        subject="project",
        applicants="units",
        outcome="top",
        outcome_rule={"n": 3},
        description="乡土人才现场路演，专家评审组当场评分，取前三名。",
        form=[
            {"label": "项目简介", "kind": "long_text", "required": True},
            {"label": "带动就业人数", "kind": "number", "required": True, "minimum": "0", "maximum": "10000"},
        ],
    )
    services.set_status(call, CallStatus.OPEN)
    applications = []
    for i, (project, applicant, unit) in enumerate(PROJECTS):
        application = services.submit_application(
            call,
            title=project,
            applicant_name=applicant,
            unit_name=unit,
            actor=organiser,
            answers={"f1": f"{project}：带动周边农户增收。", "f2": str(12 + 7 * i)},
        )
        services.review_application(application, "accepted", "", organiser)
        applications.append(application)
    services.set_status(call, CallStatus.REVIEW)
    pool = seed_pool(city, (ctx.data.get("users") or {}).get("judge"))
    names = [name for panel in PANELS.values() for name in panel]
    expert_accounts(pool, names)
    for name in names:
        experts.invite_to_call(pool[name], call, organiser)
    schedule_roadshow(call, applications, organiser)
    ctx.echo(
        "  "
        + _("calls: %(title)s with %(n)d projects in %(rooms)d rooms", title=TITLE, n=len(PROJECTS), rooms=len(PANELS))
    )


def schedule_roadshow(call: Call, applications: list, organiser) -> None:
    """The 路演 round: two rooms, three 40-minute slots each from 09:00 a fortnight from today (China time), one
    project a slot; a project goes to the first free slot whose panel need not stand aside from it."""
    from judging.presentations import services as presentations
    from judging.services import judges as judges_service
    from judging.services import rounds as rounds_service

    experts.link_accepted_invitations(call)
    by_name = {j.user.display_name: j for j in judges_service.sync_judges(call)}
    rnd = call_judging.create_review_round(
        call,
        name="现场路演",
        criteria=[("项目创新", Decimal(40)), ("带动效益", Decimal(40)), ("现场答辩", Decimal(20))],
        judges_per_entry=2,
        actor=organiser,
    )
    start = datetime.combine(local_today() + timedelta(days=14), time(9), installation_zone()).astimezone(UTC)
    slots = []
    for room_name, panel in PANELS.items():
        room = presentations.add_room(rnd, room_name, actor=organiser)
        for n in range(3):
            begins = start + n * SLOT
            slots.append(
                presentations.add_slot(rnd, room, begins, begins + SLOT, [by_name[p] for p in panel], actor=organiser)
            )
    free = sorted(slots, key=lambda s: (s.starts_at, s.room_id))
    for application in applications:
        for slot in free:
            try:
                presentations.place_submission(slot, application.id, actor=organiser)
            except DomainError:
                continue  # a panel member stands aside: the next free slot
            free.remove(slot)
            break
    rounds_service.open_round(rnd, actor=organiser)
