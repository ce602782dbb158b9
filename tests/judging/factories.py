"""Judging test data: a contest with categories, approved entries from several schools, judges, a round."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from competitions.models import Category, Contest, Entry, EntryMember, Student
from core.extensions import db
from judging.models import Criterion, Round
from judging.services import judges as judges_service
from judging.services import rounds
from tests import factories

_seq = itertools.count(1)


def contest(org=None, status: str = "judging", name: str | None = None) -> Contest:
    org = org or factories.association()
    c = Contest(organisation_id=org.id, year=2024, name=name or f"青少年科技创新大赛{next(_seq)}", status=status)
    db.session.add(c)
    db.session.flush()
    return c


def category(c: Contest, code: str = "KX", name: str = "科技创新", scoring_mode: str = "rubric") -> Category:
    cat = Category(contest_id=c.id, code=code, name=name, scoring_mode=scoring_mode)
    db.session.add(cat)
    db.session.flush()
    return cat


def entry(c: Contest, cat: Category, school, title: str | None = None, student_name: str = "张三明") -> Entry:
    n = next(_seq)
    e = Entry(
        contest_id=c.id,
        category_id=cat.id,
        school_id=school.id,
        code=f"2024-{cat.code}-{n:04d}",
        status="approved",
        title=title or f"作品{n}",
    )
    db.session.add(e)
    db.session.flush()
    s = Student(
        school_id=school.id,
        name=student_name,
        gender="男",
        birth_date=date(2011, 3, 5),
        grade=6,
        id_number=None,
        guardian_phone="13800138000",
    )
    db.session.add(s)
    db.session.flush()
    db.session.add(EntryMember(entry_id=e.id, student_id=s.id, position=0, is_leader=True))
    db.session.flush()
    return e


def rubric_round(
    c: Contest,
    cats,
    name: str = "初评",
    status: str = "open",
    k: int = 3,
    method: str = "mean",
    criteria=(("科学性", "10", "0.5"), ("创新性", "10", "0.5")),
    max_points: str = "200",
    time_limit: str = "",
    **fields,
) -> Round:
    rnd = rounds.create_round(
        c, name=name, category_ids=[x.id for x in cats], judges_per_entry=k, method=method, **fields
    )
    for rc in rnd.categories:
        if rc.category.scoring_mode == "rubric":
            for pos, (cname, mx, step) in enumerate(criteria, 1):
                rc.criteria.append(Criterion(name=cname, maximum=Decimal(mx), step=Decimal(step), position=pos))
        else:  # robot categories: best of 2 runs within the category's limits
            rounds.set_performance_rule(rc, "best_of", 2, False, max_points=max_points, time_limit=time_limit)
    rnd.status = status
    db.session.flush()
    return rnd


def judge(c: Contest, name: str = "评委", **kwargs):
    user = factories.judge(c.id, name=name, **kwargs)
    return judges_service.ensure_judge(c, user)


def world(n_schools: int = 3, n_entries: int = 6, n_judges: int = 4, k: int = 3, method: str = "mean"):
    """A contest in judging with one rubric category, entries spread over schools and judges."""
    org = factories.association()
    c = contest(org)
    cat = category(c)
    schools = [factories.school(parent=org) for _ in range(n_schools)]
    entries = [entry(c, cat, schools[i % n_schools]) for i in range(n_entries)]
    judges = [judge(c, name=f"评委{i}") for i in range(n_judges)]
    rnd = rubric_round(c, [cat], k=k, method=method)
    organiser = factories.organiser(org)
    return {
        "org": org,
        "contest": c,
        "category": cat,
        "schools": schools,
        "entries": entries,
        "judges": judges,
        "round": rnd,
        "organiser": organiser,
    }


def criterion_values(rnd: Round, entry: Entry, a, b) -> dict[str, object]:
    """A score form's values for ``entry`` in ``rnd``: ``a`` for the first criterion, ``b`` for the second."""
    rc = rounds.round_category_for(rnd, entry.category_id)
    return {str(rc.criteria[0].id): a, str(rc.criteria[1].id): b}
