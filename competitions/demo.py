"""Demo data: ~1,250 × scale students with realistic names in the 12 demo schools, their advisors, the
current county contest in `registration` with entries in every state, and last year's finished edition
(all entries approved; the judging seeder adds scores and results to it)."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from accounts import services as account_services
from competitions.codes import format_entry_code
from competitions.idcard import make_id_number
from competitions.models import (
    Advisor,
    Category,
    CategoryQuota,
    Contest,
    ContestStatus,
    Entry,
    EntryAdvisor,
    EntryMember,
    EntryStatus,
    Material,
    MaterialRequirement,
    Student,
)
from competitions.services import materials as materials_service
from core import audit
from core.demo import DemoContext, demo_seeder
from core.extensions import db
from core.i18n import local_today
from core.permissions import Role

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
DOUBLE_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方")
GIVEN = (
    "子涵",
    "欣怡",
    "梓轩",
    "浩宇",
    "雨桐",
    "思源",
    "一诺",
    "宇轩",
    "可馨",
    "晨曦",
    "俊杰",
    "嘉怡",
    "梓萱",
    "佳琪",
    "博文",
    "雨泽",
    "浩然",
    "诗涵",
    "明轩",
    "若曦",
    "天佑",
    "雅琪",
    "子墨",
    "思琪",
    "语嫣",
    "奕辰",
    "沐阳",
    "锦程",
    "家豪",
    "静怡",
    "紫萱",
    "皓轩",
    "芷若",
    "婉清",
    "泽宇",
    "昊天",
    "欣妍",
    "铭",
    "悦",
    "彤",
    "睿",
    "航",
    "琳",
    "䶮",
    "𠮷祥",
)
TEACHER_GIVEN = ("建华", "丽萍", "志刚", "秀英", "海燕", "国强", "晓东", "春梅", "卫东", "红梅", "文军", "慧敏")
SUBJECTS = ("科学", "信息技术", "物理", "化学", "生物", "数学", "通用技术")
TITLES = ("一级教师", "高级教师", "二级教师", "正高级教师")
GRADES = {
    "primary": range(3, 7),
    "junior": range(7, 10),
    "senior": range(10, 13),
    "complete": range(7, 13),
    "nine_year": range(3, 10),
}
TITLES_OF_WORKS = (
    "校园雨水收集与再利用系统",
    "基于图像识别的垃圾分类装置",
    "本地河流水质变化的调查研究",
    "智能盲杖的设计与制作",
    "蚯蚓处理厨余垃圾的实验",
    "教室二氧化碳浓度监测与通风提醒",
    "青溪县古桥结构调查",
    "太阳能自动追光装置",
    "不同土壤对蒜苗生长的影响",
    "防溺水智能预警手环",
    "家庭用电习惯调查与节能建议",
    "可降解塑料的简易制备",
    "校园鸟类多样性观察",
    "自动浇花机器人",
    "红外测温门禁装置",
    "桥梁承重结构的比较实验",
    "茶叶中茶多酚含量测定",
    "外卖包装浪费情况调查",
    "基于声音识别的课堂噪声提示器",
    "中草药驱蚊香囊效果研究",
)
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

CATEGORIES = [  # code, name, entry_type, min, max, stages, scoring, completion months
    ("CX", "青少年科技创新成果（个人项目）", "individual", 1, 1, ["primary", "junior", "senior"], "rubric", 24),
    ("TD", "青少年科技创新成果（集体项目）", "team", 2, 3, ["primary", "junior", "senior"], "rubric", 24),
    ("JQR", "机器人竞赛", "team", 2, 3, ["primary", "junior", "senior"], "performance", None),
    ("BC", "创意编程", "individual", 1, 1, ["primary", "junior"], "rubric", None),
    ("FDY", "科技辅导员科技教育创新成果", "advisor", 0, 0, ["primary", "junior", "senior"], "rubric", 24),
]


def _name(rng: random.Random) -> str:
    surname = rng.choice(DOUBLE_SURNAMES) if rng.random() < 0.03 else rng.choice(SURNAMES)
    return surname + rng.choice(GIVEN)


def _seed_roster(ctx: DemoContext, rng: random.Random) -> dict[int, list[Student]]:
    """~1,250 × scale students spread over the schools, and 3-6 advisors per school (idempotent per school)."""
    schools = ctx.data["schools"]
    per_school = 1250 * ctx.scale // len(schools) + 1
    roster: dict[int, list[Student]] = {}
    today = local_today()
    for school_index, school in enumerate(schools):
        existing = list(db.session.execute(sa.select(Student).where(Student.school_id == school.id)).scalars())
        if not existing:
            seen = set()
            for n in range(per_school):
                grade = rng.choice(list(GRADES[school.stage]))
                born = date(today.year - 6 - grade, 9, 1) + timedelta(days=rng.randint(0, 364))
                gender = rng.choice("男女")
                name = _name(rng)
                while (name, born) in seen:
                    name = _name(rng)
                seen.add((name, born))
                existing.append(
                    Student(
                        school_id=school.id,
                        name=name,
                        gender=gender,
                        birth_date=born,
                        grade=grade,
                        class_name=f"{rng.randint(1, 8)}班",
                        id_number=make_id_number(f"3301{school_index + 10:02d}", born, 2 * n, gender)
                        if rng.random() < 0.7
                        else None,
                        guardian_phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
                    )
                )
            db.session.add_all(existing)
        roster[school.id] = existing
        if not db.session.execute(sa.select(Advisor.id).where(Advisor.school_id == school.id).limit(1)).first():
            for _advisor in range(rng.randint(3, 6)):
                db.session.add(
                    Advisor(
                        school_id=school.id,
                        name=rng.choice(SURNAMES) + rng.choice(TEACHER_GIVEN),
                        gender=rng.choice("男女"),
                        phone=f"139{rng.randint(10000000, 99999999)}",
                        subject=rng.choice(SUBJECTS),
                        title=rng.choice(TITLES),
                    )
                )
    db.session.flush()
    return roster


def _contest(county, year: int, name: str, status: str, opens: datetime, closes: datetime) -> Contest:
    contest = db.session.execute(
        sa.select(Contest).where(Contest.organisation_id == county.id, Contest.year == year, Contest.name == name)
    ).scalar_one_or_none()
    if contest is not None:
        return contest
    contest = Contest(
        organisation_id=county.id,
        organisation=county,
        year=year,
        name=name,
        status=status,
        description="面向全县中小学生的青少年科技创新大赛，设科技创新成果、机器人、创意编程和科技辅导员项目。",
        registration_opens_at=opens,
        registration_closes_at=closes,
        timezone="Asia/Shanghai",
        reference_date=date(year, 3, 1),
    )
    db.session.add(contest)
    for position, (code, cname, etype, low, high, stages, scoring, months) in enumerate(CATEGORIES):
        category = Category(
            contest=contest,
            code=code,
            name=cname,
            entry_type=etype,
            min_members=low,
            max_members=high,
            allowed_stages=stages,
            max_advisors=1 if etype == "advisor" else 2,
            scoring_mode=scoring,
            completion_months=months,
            position=position,
        )
        category.requirements.append(
            MaterialRequirement(kind="report", label="研究报告（PDF）", accepted=["pdf"], max_mb=20)
        )
        if etype != "advisor":
            category.requirements.append(
                MaterialRequirement(
                    kind="photos",
                    label="作品照片",
                    accepted=["image"],
                    max_mb=10,
                    max_files=5,
                    required=False,
                    position=1,
                )
            )
            for stage in stages:
                category.quotas.append(
                    CategoryQuota(
                        scope="school", stage=stage, kind="team" if etype == "team" else "individual", limit=6
                    )
                )
        db.session.add(category)
    db.session.flush()
    audit.record("create", contest, after={"name": name, "year": year, "seeded": True})
    return contest


def _pick_members(
    rng: random.Random, students: list[Student], used: set[int], size: int, stages: list[str]
) -> list[Student]:
    by_stage: dict[str, list[Student]] = {}
    for s in students:
        if s.id not in used and s.stage in stages:
            by_stage.setdefault(s.stage, []).append(s)
    candidates = [group for group in by_stage.values() if len(group) >= size]
    if not candidates:
        return []
    chosen = rng.sample(rng.choice(candidates), size)
    used.update(s.id for s in chosen)
    return chosen


def _add_entries(
    contest: Contest,
    roster: dict[int, list[Student]],
    advisors: dict[int, list[Advisor]],
    rng: random.Random,
    statuses: list[str],
    count_per_school: int,
) -> int:
    if db.session.execute(sa.select(Entry.id).where(Entry.contest_id == contest.id).limit(1)).first():
        return 0
    sequences: dict[int, int] = {}
    created = 0
    used: set[int] = set()
    now = datetime.now(UTC)
    for school_id, students in roster.items():
        for n in range(count_per_school):
            category = contest.categories[(n + school_id) % len(contest.categories)]
            status = statuses[(created + school_id) % len(statuses)]
            members = (
                []
                if category.entry_type == "advisor"
                else _pick_members(
                    rng,
                    students,
                    used,
                    rng.randint(category.min_members, category.max_members),
                    list(category.allowed_stages),
                )
            )
            if category.entry_type != "advisor" and not members:
                continue
            school_advisors = advisors.get(school_id, [])
            chosen_advisors = rng.sample(
                school_advisors, min(len(school_advisors), 1 if category.entry_type == "advisor" else rng.randint(1, 2))
            )
            entry = Entry(
                contest=contest,
                contest_id=contest.id,
                category=category,
                category_id=category.id,
                school_id=school_id,
                title=rng.choice(TITLES_OF_WORKS),
                status=status,
                abstract="本项目从身边的问题出发，经过调查、设计、制作与反复测试，形成了可推广的解决方案。",
                work_started_on=date(contest.year - 1, rng.randint(3, 9), 1),
                work_completed_on=date(contest.year, 1, 15),
            )
            for position, student in enumerate(members):
                entry.members.append(
                    EntryMember(student=student, student_id=student.id, position=position, is_leader=position == 0)
                )
            for position, advisor in enumerate(chosen_advisors):
                entry.advisors.append(EntryAdvisor(advisor=advisor, advisor_id=advisor.id, position=position))
            if status != EntryStatus.DRAFT.value:
                sequences[category.id] = sequences.get(category.id, 0) + 1
                entry.sequence = sequences[category.id]
                entry.code = format_entry_code(contest.year, category.code, entry.sequence)
                entry.submitted_at = now - timedelta(days=rng.randint(1, 15))
            if status == EntryStatus.RETURNED.value:
                entry.review_reason = "研究报告缺少实验数据记录，请补充后重新提交。"
            elif status == EntryStatus.REJECTED.value:
                entry.review_reason = "作品完成时间早于申报要求的两年期限。"
            # a few submitted entries lack their report, so the review queue has something to flag
            missing_report = status == EntryStatus.SUBMITTED.value and created % 4 == 0
            if (status != EntryStatus.DRAFT.value or n % 2 == 0) and not missing_report:
                stored = f"demo-{contest.id}-{school_id}-{n}.pdf"
                path = materials_service.material_path(stored)
                if not path.exists():
                    path.write_bytes(MINIMAL_PDF)
                entry.materials.append(
                    Material(
                        kind="report",
                        original_name="研究报告.pdf",
                        stored_name=stored,
                        file_type="pdf",
                        size=len(MINIMAL_PDF),
                        sha256=hashlib.sha256(MINIMAL_PDF).hexdigest(),
                    )
                )
            db.session.add(entry)
            created += 1
    db.session.flush()
    return created


@demo_seeder(20, "competitions", _l("contests, schools and entries"))
def seed_competitions(ctx: DemoContext) -> None:
    rng = random.Random(20240601)
    county = ctx.data["county"]
    roster = _seed_roster(ctx, rng)
    advisors: dict[int, list[Advisor]] = {}
    for advisor in db.session.execute(sa.select(Advisor)).scalars():
        advisors.setdefault(advisor.school_id, []).append(advisor)
    today = datetime.now(UTC)
    year = today.year
    previous = _contest(
        county,
        year - 1,
        f"第{year - 2000 - 1}届青溪县青少年科技创新大赛",
        ContestStatus.FINAL.value,
        today - timedelta(days=400),
        today - timedelta(days=370),
    )
    current = _contest(
        county,
        year,
        f"第{year - 2000}届青溪县青少年科技创新大赛",
        ContestStatus.REGISTRATION.value,
        today - timedelta(days=20),
        today + timedelta(days=30),
    )
    made_previous = _add_entries(previous, roster, advisors, rng, [EntryStatus.APPROVED.value], 8 * ctx.scale)
    statuses = [
        EntryStatus.DRAFT.value,
        EntryStatus.SUBMITTED.value,
        EntryStatus.SUBMITTED.value,
        EntryStatus.RETURNED.value,
        EntryStatus.APPROVED.value,
        EntryStatus.APPROVED.value,
        EntryStatus.REJECTED.value,
    ]
    made_current = _add_entries(current, roster, advisors, rng, statuses, 5 * ctx.scale)
    users = ctx.data.get("users", {})
    if "judge" in users:
        account_services.grant_role(users["judge"], Role.JUDGE, scope_id=current.id)
        account_services.grant_role(users["judge"], Role.JUDGE, scope_id=previous.id)
    ctx.data.update(contest=current, previous_contest=previous, students=roster)
    ctx.echo(
        "  "
        + _(
            "competitions: %(students)d students, contests %(previous)d (final, %(made_previous)d new entries) and %(current)d (registration, %(made_current)d new entries)",
            students=sum(len(v) for v in roster.values()),
            previous=previous.id,
            made_previous=made_previous,
            current=current.id,
            made_current=made_current,
        )
    )
