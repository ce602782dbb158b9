"""Certificate source "results of a call": one holder per application with a result once the call's results are
final — its applicant: the person (advisors, scientists: adults), the paper's author or the unit — with the result (优秀,
一等奖, 前 10 名) as the award. Students' entries are flagged as minors so the verification page masks them.

Registered with certificates' sources registry under the scope "call" (certificates.sources.SCOPES), so the issue
page offers an organiser's finished calls in its picker."""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from calls import services
from calls.models import Applicants, Call, CallStatus
from core.extensions import db


def collect_result_holders(call_id: int):
    """SourceBatch of the call's results in the platform's default language (a certificate is a formal Chinese
    document); SourceNotReady until the results are final. Refs are stable: ``application:<id>``."""
    from certificates.sources import Holder, SourceBatch, SourceNotFound, SourceNotReady

    call = db.session.get(Call, call_id)
    if call is None:
        raise SourceNotFound()
    if call.status != CallStatus.FINISHED:
        raise SourceNotReady(_l("The results of this call are not final yet."))
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")):
        rows = [row for row in services.compute_results(call).rows if row.result]
    own = call.applicants == Applicants.INDIVIDUALS  # the applicant's own account downloads it
    holders = [
        Holder(
            ref=f"application:{row.application.id}",
            name=row.application.applicant_name,
            school=row.application.unit_name,
            award=row.result,
            title=row.application.title,
            minor=call.subjects_are_minors,
            user_id=row.application.submitted_by_id if own else None,
            order=row.rank or 0,
        )
        for row in rows
    ]
    return SourceBatch(
        scope_title=call.title,
        scope_code=re.sub(r"[^A-Za-z0-9]", "", f"SB{call.year}{call.id}"),
        organisation_id=call.organisation_id,
        org_name=call.organisation.name,
        year=call.year,
        holders=holders,
    )


def calls_with_final_results(organisation_ids: list[int] | None) -> list[tuple[int, str]]:
    """(id, "year title") of finished calls, newest first: the issue form's picker."""
    import sqlalchemy as sa

    query = sa.select(Call).where(Call.status == CallStatus.FINISHED).order_by(Call.year.desc(), Call.id.desc())
    if organisation_ids is not None:
        query = query.where(Call.organisation_id.in_(organisation_ids or [-1]))
    return [(c.id, f"{c.year} {c.title}") for c in db.session.execute(query).scalars()]


def register() -> bool:
    """Register the source with certificates; True when registered (False without the certificates area)."""
    try:
        from certificates.sources import CertificateSource, register_source
    except ImportError:  # certificates area not installed
        return False
    register_source(
        CertificateSource(
            key="calls.results",
            kind="award",
            scope="call",
            label=_l("Results of a call (final)"),
            collect=collect_result_holders,
            scopes=calls_with_final_results,
        )
    )
    return True
