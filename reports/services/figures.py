"""What every figure shares: the organisations a report covers, and counting or summing the rows of the
list select behind a figure (so a figure and its list page can never disagree)."""

from __future__ import annotations

import sqlalchemy as sa

from core.extensions import db


def organisation_scope(organisation_id: int) -> list[int]:
    """The organisation and every organisation below it."""
    from accounts.models import descendant_ids

    return sorted(descendant_ids({organisation_id}))


def count_of(select_stmt) -> int:
    """The number of rows a list select returns (what its figure shows)."""
    return int(
        db.session.execute(sa.select(sa.func.count()).select_from(select_stmt.order_by(None).subquery())).scalar() or 0
    )


def sum_of(select_stmt, column) -> int:
    """The sum of a column over the rows of a list select (a people figure: head-counts, audiences)."""
    sub = select_stmt.order_by(None).subquery()
    return int(db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(sub.c[column]), 0))).scalar() or 0)


def report_organisations(user) -> list:
    """Associations (科协 units) the user may report on: every one for admins, else their units and below."""
    from accounts.models import Organisation, OrganisationKind
    from core.permissions import is_admin

    query = sa.select(Organisation).where(Organisation.kind == OrganisationKind.ASSOCIATION)
    if not is_admin(user):
        query = query.where(Organisation.id.in_(sorted(user.organised_org_ids()) or [-1]))
    return list(db.session.execute(query.order_by(Organisation.parent_id.is_not(None), Organisation.name)).scalars())


def organisations_by_name(ids) -> list:
    """These organisations, by name (a coordinator's schools)."""
    from accounts.models import Organisation

    return list(
        db.session.execute(
            sa.select(Organisation).where(Organisation.id.in_(list(ids) or [-1])).order_by(Organisation.name)
        ).scalars()
    )
