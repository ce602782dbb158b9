"""A judge's profile is made when the judge role is granted (accounts' grant hook, judging and calls register it),
so the pages that show judges only read: the organiser's judges page and the judge's start page never write."""

import sqlalchemy as sa
from flask_migrate import upgrade

from accounts import invitations as account_invitations
from accounts import services as account_services
from accounts.models import Membership
from core import create_app
from core.extensions import db
from core.permissions import Role
from judging.models import Judge
from tests import factories as f
from tests.core.test_migrations import empty_database_url  # noqa: F401  (fixture)
from tests.judging import factories as jf


def _profiles(contest_id: int) -> int:
    return db.session.execute(sa.select(sa.func.count()).where(Judge.contest_id == contest_id)).scalar()


def test_granting_the_judge_role_makes_the_profile_at_once():
    c = jf.contest()
    u = f.user(name="欧阳䶮")
    account_services.grant_role(u, Role.JUDGE, scope_id=c.id)
    judge = db.session.execute(sa.select(Judge).where(Judge.contest_id == c.id, Judge.user_id == u.id)).scalar_one()
    assert judge.active and judge.owner_kind == "contest"


def test_an_accepted_invitation_makes_the_profile():
    c = jf.contest()
    organiser = f.organiser(c.organisation)
    _, token = account_invitations.create_invitation(role=Role.JUDGE, created_by=organiser, scope_id=c.id, email="")
    user = account_invitations.accept_invitation(
        token, name="董𠮷祥", password="Kechuang-2026!", email="dong@example.cn", mobile=None
    )
    assert db.session.execute(sa.select(Judge).where(Judge.contest_id == c.id, Judge.user_id == user.id)).scalar()


def test_the_judges_page_and_the_judges_start_page_only_read(client, login):
    c = jf.contest()
    organiser = f.organiser(c.organisation)
    holder = f.user(name="孙德明")
    db.session.add(Membership(user=holder, role=Role.JUDGE.value, scope_id=c.id))  # a role with no profile
    db.session.commit()
    login(organiser)
    assert client.get(f"/judging/contests/{c.id}/judges").status_code == 200
    assert _profiles(c.id) == 0  # before: the GET made the profile and committed
    client.post("/logout")
    login(holder)
    html = client.get("/judging/my").get_data(as_text=True)
    assert c.name in html
    assert _profiles(c.id) == 0


def test_the_migration_makes_profiles_for_role_holders_without_one(empty_database_url, tmp_path):  # noqa: F811
    app = create_app(
        {"TESTING": True, "DATABASE_URL": empty_database_url, "SECRET_KEY": "x" * 40, "JOBS_IMMEDIATE": True},
        instance_path=str(tmp_path),
    )
    with app.app_context():
        upgrade(revision="j0004")  # the schema is the models' (j0005 only adds rows)
        c = jf.contest(name="第39届青少年科技创新大赛")
        users = [f.user(name="刘䶮"), f.user(name="王芳")]
        db.session.add_all(Membership(user=u, role=Role.JUDGE.value, scope_id=c.id) for u in users)
        db.session.commit()
        contest_id, user_ids = c.id, sorted(u.id for u in users)
        db.session.remove()
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT user_id, owner_kind FROM judging_judges WHERE contest_id = :c ORDER BY user_id"),
                {"c": contest_id},
            ).all()
        db.session.remove()
        db.engine.dispose()
    assert [tuple(r) for r in rows] == [(user_ids[0], "contest"), (user_ids[1], "contest")]
