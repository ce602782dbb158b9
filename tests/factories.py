"""Factories for domain objects in tests: small functions with sensible Chinese defaults, all flushed."""

from __future__ import annotations

import itertools

from accounts import services as account_services
from accounts.models import Organisation, OrganisationKind, User
from core.extensions import db
from core.permissions import Role

PASSWORD = "correct-horse-电池"
_seq = itertools.count(1)


def organisation(
    kind: str = OrganisationKind.ASSOCIATION,
    name: str | None = None,
    parent: Organisation | None = None,
    stage: str | None = None,
    code: str | None = None,
    district: str = "城关镇",
) -> Organisation:
    n = next(_seq)
    org = Organisation(
        kind=kind,
        name=name or f"测试单位{n}",
        code=code or f"T{n:04d}",
        parent_id=parent.id if parent else None,
        stage=stage,
        district=district,
    )
    db.session.add(org)
    db.session.flush()
    return org


def association(name: str | None = None, parent: Organisation | None = None) -> Organisation:
    return organisation(OrganisationKind.ASSOCIATION, name or f"测试县科学技术协会{next(_seq)}", parent)


def school(
    parent: Organisation | None = None, stage: str = "primary", name: str | None = None, district: str = "城关镇"
) -> Organisation:
    return organisation(
        OrganisationKind.SCHOOL, name or f"测试实验小学{next(_seq)}", parent, stage=stage, district=district
    )


def user(name: str = "李䶮", email: str | None = None, mobile: str | None = None, password: str = PASSWORD) -> User:
    n = next(_seq)
    if email is None and mobile is None:
        email = f"user{n}@example.cn"
    return account_services.create_user(name=name, email=email, mobile=mobile, password=password)


def admin(**kwargs) -> User:
    u = user(name=kwargs.pop("name", "管理员"), **kwargs)
    account_services.grant_role(u, Role.ADMIN)
    return u


def organiser(org: Organisation | None = None, **kwargs) -> User:
    org = org or association()
    u = user(name=kwargs.pop("name", "王丽华"), **kwargs)
    account_services.grant_role(u, Role.ORGANISER, organisation=org)
    return u


def coordinator(school_org: Organisation | None = None, **kwargs) -> User:
    school_org = school_org or school()
    u = user(name=kwargs.pop("name", "刘芳"), **kwargs)
    account_services.grant_role(u, Role.COORDINATOR, organisation=school_org)
    return u


def judge(contest_id: int, **kwargs) -> User:
    u = user(name=kwargs.pop("name", "孙德明"), **kwargs)
    account_services.grant_role(u, Role.JUDGE, scope_id=contest_id)
    return u


def checkin_staff(event_id: int, **kwargs) -> User:
    u = user(name=kwargs.pop("name", "周晓燕"), **kwargs)
    account_services.grant_role(u, Role.CHECKIN, scope_id=event_id)
    return u


def commit() -> None:
    db.session.commit()
