"""Demo organisations and accounts: a city 科协 with a county 科协 below it, 12 schools of mixed stages,
communities, a science base, and one account per role."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from accounts import services
from accounts.models import Organisation, OrganisationKind, User
from core.demo import DemoContext, demo_login, demo_seeder
from core.extensions import db
from core.permissions import Role

CITY = ("江城市科学技术协会", "JC-KX", "江城市")
COUNTY = ("青溪县科学技术协会", "QX-KX", "青溪县")
SCHOOLS = [  # name, code, stage, district
    ("青溪县实验小学", "QX-S01", "primary", "城关镇"),
    ("青溪县城关第二小学", "QX-S02", "primary", "城关镇"),
    ("青溪县桃源镇中心小学", "QX-S03", "primary", "桃源镇"),
    ("青溪县白沙镇中心小学", "QX-S04", "primary", "白沙镇"),
    ("青溪县育才小学", "QX-S05", "primary", "城关镇"),
    ("青溪县第一中学", "QX-S06", "complete", "城关镇"),
    ("青溪县第二中学", "QX-S07", "senior", "城关镇"),
    ("青溪县实验初级中学", "QX-S08", "junior", "城关镇"),
    ("青溪县桃源镇初级中学", "QX-S09", "junior", "桃源镇"),
    ("青溪县白沙镇九年一贯制学校", "QX-S10", "nine_year", "白沙镇"),
    ("青溪县民族中学", "QX-S11", "complete", "龙潭乡"),
    ("青溪县龙潭乡中心小学", "QX-S12", "primary", "龙潭乡"),
]
COMMUNITIES = [("城关镇幸福社区", "QX-C01", "城关镇"), ("桃源镇新村社区", "QX-C02", "桃源镇")]
SCIENCE_BASE = ("青溪县青少年科技馆", "QX-B01", "城关镇")

ACCOUNTS = [  # key, login, name, role label
    ("admin", "admin@kechuang.demo", "系统管理员", "平台管理员 admin"),
    ("organiser", "organiser@kechuang.demo", "王丽华", "县科协组织者 organiser"),
    ("city_organiser", "city@kechuang.demo", "陈建国", "市科协组织者 organiser"),
    ("coordinator", "coordinator@kechuang.demo", "刘芳", "学校联络员 coordinator"),
    ("coordinator2", "coordinator2@kechuang.demo", "赵志强", "学校联络员 coordinator"),
    ("judge", "judge@kechuang.demo", "孙德明", "评委 judge"),
    ("checkin", "checkin@kechuang.demo", "周晓燕", "签到员 check-in staff"),
]
for _key, _login, _name, _label in ACCOUNTS:
    demo_login(_label, _login)


def _org(kind: str, name: str, code: str, district: str, parent: Organisation | None, stage: str | None = None):
    org = db.session.execute(sa.select(Organisation).where(Organisation.code == code)).scalar_one_or_none()
    if org is None:
        org = services.save_organisation(
            None,
            kind=kind,
            name=name,
            code=code,
            district=district,
            parent_id=parent.id if parent else None,
            stage=stage,
        )
    return org


def _user(login: str, name: str) -> User:
    user = services.find_user_by_login(login)
    if user is None:
        user = services.create_user(name=name, email=login, password=current_app.config["DEMO_PASSWORD"])
    return user


@demo_seeder(10, "accounts", _l("accounts and organisations"))
def seed_accounts(ctx: DemoContext) -> None:
    city = _org(OrganisationKind.ASSOCIATION, *CITY, parent=None)
    county = _org(OrganisationKind.ASSOCIATION, *COUNTY, parent=city)
    schools = [
        _org(OrganisationKind.SCHOOL, name, code, district, county, stage) for name, code, stage, district in SCHOOLS
    ]
    communities = [_org(OrganisationKind.COMMUNITY, *c, parent=county) for c in COMMUNITIES]
    base = _org(OrganisationKind.SCIENCE_BASE, *SCIENCE_BASE, parent=county)
    users = {key: _user(login, name) for key, login, name, _label in ACCOUNTS}
    services.grant_role(users["admin"], Role.ADMIN)
    services.grant_role(users["organiser"], Role.ORGANISER, organisation=county)
    services.grant_role(users["city_organiser"], Role.ORGANISER, organisation=city)
    services.grant_role(users["coordinator"], Role.COORDINATOR, organisation=schools[0])
    services.grant_role(users["coordinator2"], Role.COORDINATOR, organisation=schools[5])
    ctx.data.update(city=city, county=county, schools=schools, communities=communities, science_base=base, users=users)
