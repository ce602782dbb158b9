"""The judging blueprint and what every page of it shares: load-or-404, the organiser check, the organisation
choices of the judge and special-award forms."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort

from accounts.models import Organisation
from competitions.models import Contest, Entry
from core.errors import DomainError
from core.extensions import db
from core.names import name_sort_key
from core.permissions import get_or_404, require
from judging.models import (
    Round,
    RoundCategory,
)
from judging.services import rounds as rounds_service

bp = Blueprint("judging", __name__)


def _contest_tz(contest: Contest) -> str:
    return contest.timezone or "Asia/Shanghai"


def _manage(contest: Contest | None) -> None:
    """Organisers of the contest; a call's round (no contest) is managed on the call's pages (calls.round_views)."""
    if contest is None:
        abort(404)
    require("judging.manage", contest)


def _contest_of(rnd: Round) -> Contest:
    """The contest of a round that runs contest-only features (runs, referees); 404 for a call's round."""
    if not rnd.owned_by_contest:
        abort(404)
    return rnd.contest


def _load_round(round_id: int) -> Round:
    return get_or_404(Round, round_id)


def _round_category_or_404(rnd: Round, entry: Entry) -> RoundCategory:
    """The rubric/run rule of the entry's category in this round; 404 when the entry is not judged in it."""
    if entry.contest_id != rnd.contest_id:
        abort(404)
    try:
        return rounds_service.round_category_for(rnd, entry.category_id)
    except DomainError:
        abort(404)


def _org_choices(contest: Contest):
    """Organisations by kind, each kind in pinyin order (core.names)."""
    orgs = db.session.execute(sa.select(Organisation)).scalars().all()
    return sorted(orgs, key=lambda o: (o.kind, name_sort_key(o.name)))
