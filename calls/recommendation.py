"""Recommendation upward (推荐上报): from a finished call's results its organiser picks results and recommends them
to the parent association's open call. Each becomes a nomination there — within the quota the parent call gave
this association (calls.nominations) — copying the title, applicant, unit, the answers of the fields both forms
share (same label and kind) and those fields' files (copied, checked against the parent field's limits).

All or nothing: every chosen result is checked (final, with a result, not already recommended, the quota left)
before the first nomination, and a refusal of one (the parent's form or eligibility) refuses them all (the view
rolls back). An audit row per recommendation; the parent call's organisers are told once."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from accounts.models import User
from calls import nominations, services
from calls.files import Upload, files_of, path_of
from calls.models import Applicants, Call, CallApplication, CallStatus
from core import audit
from core.errors import DomainError
from core.extensions import db
from core.locks import acquire_lock


@dataclass(frozen=True)
class ParentCall:
    """An open call of a higher association taking this association's nominations, with the places left."""

    call: Call
    quota: int
    used: int

    @property
    def left(self) -> int:
        return max(self.quota - self.used, 0)


def parent_calls(call: Call) -> list[ParentCall]:
    """Open calls taking nominations in which the call's association holds a quota (a quota goes only to an
    association below the parent call's, calls.nominations.set_quotas), newest first; two queries."""
    rows = db.session.execute(
        sa.select(Call, nominations.CallQuota.quota)
        .join(nominations.CallQuota, nominations.CallQuota.call_id == Call.id)
        .where(
            nominations.CallQuota.organisation_id == call.organisation_id,
            Call.status == CallStatus.OPEN,
            Call.applicants == Applicants.NOMINATIONS,
            Call.id != call.id,
        )
        .order_by(Call.year.desc(), Call.id.desc())
    ).all()
    used = dict(
        db.session.execute(
            sa.select(CallApplication.call_id, sa.func.count())
            .where(
                CallApplication.call_id.in_([c.id for c, _q in rows] or [-1]),
                CallApplication.nominated_by_id == call.organisation_id,
            )
            .group_by(CallApplication.call_id)
        ).all()
    )
    return [ParentCall(c, quota, used.get(c.id, 0)) for c, quota in rows]


def recommended_to(call: Call) -> dict[int, list[CallApplication]]:
    """application id of this call -> the applications recommended from it (in parent calls), in one query."""
    found: dict[int, list[CallApplication]] = {}
    for row in db.session.execute(
        sa.select(CallApplication)
        .join(Call, Call.id == CallApplication.call_id)
        .where(
            CallApplication.recommended_from_id.in_(
                sa.select(CallApplication.id).where(CallApplication.call_id == call.id)
            )
        )
        .order_by(CallApplication.id)
    ).scalars():
        found.setdefault(row.recommended_from_id, []).append(row)
    return found


def _shared(source_form: list[dict], target_form: list[dict]) -> dict[str, str]:
    """target field key -> source field key, for the fields both forms have (same label and kind)."""
    by_label = {(d["label"], d["kind"]): d["key"] for d in source_form}
    return {d["key"]: by_label[(d["label"], d["kind"])] for d in target_form if (d["label"], d["kind"]) in by_label}


def recommend_results(call: Call, parent: Call, application_ids: list[int], actor: User) -> list[CallApplication]:
    """Recommend the chosen results of `call` to `parent` as nominations of call's association; the new
    applications, in the order of the results. Refused (DomainError, nothing kept) when: the call's results are
    not final; the parent call is not open to this association's nominations; nothing is chosen; a chosen
    application has no result in this call or was already recommended to that call; more are chosen than places
    are left; the parent's form or eligibility refuses one."""
    if call.status != CallStatus.FINISHED:
        raise DomainError(_("Results are recommended once they are final."), code="not_final", status=409)
    offered = {p.call.id: p for p in parent_calls(call)}
    if parent.id not in offered:
        raise DomainError(
            _("%(call)s does not take nominations from %(org)s now.", call=parent.title, org=call.organisation.name),
            field="parent_id",
            code="not_open",
            status=409,
        )
    chosen = list(dict.fromkeys(application_ids))
    if not chosen:
        raise DomainError(_("Choose the results to recommend."), field="application_ids")
    acquire_lock(f"calls.nominations:{parent.id}")  # the quota is counted under the lock nominations take
    results = {row.application.id: row for row in services.compute_results(call).rows if row.result}
    missing = [i for i in chosen if i not in results]
    if missing:
        raise DomainError(_("Only results of this call can be recommended."), field="application_ids")
    already = set(
        db.session.execute(
            sa.select(CallApplication.recommended_from_id).where(
                CallApplication.call_id == parent.id, CallApplication.recommended_from_id.in_(chosen)
            )
        ).scalars()
    )
    if already:
        names = "、".join(results[i].application.title for i in chosen if i in already)
        raise DomainError(
            _("Already recommended to %(call)s: %(names)s.", call=parent.title, names=names),
            field="application_ids",
            code="duplicate",
            status=409,
        )
    place = parent_calls(call)
    left = next(p.left for p in place if p.call.id == parent.id)
    if len(chosen) > left:
        raise DomainError(
            ngettext(
                "%(org)s has %(num)d place left in %(call)s; %(chosen)d results were chosen.",
                "%(org)s has %(num)d places left in %(call)s; %(chosen)d results were chosen.",
                left,
                org=call.organisation.name,
                call=parent.title,
                chosen=len(chosen),
            ),
            field="application_ids",
            code="quota",
            status=409,
        )
    shared = _shared(call.form_fields, parent.form_fields)
    file_keys = {d["key"] for d in parent.form_fields if d["kind"] == "file"}
    made = []
    for application_id in sorted(chosen, key=lambda i: (results[i].rank or 0, i)):
        source = results[application_id].application
        stored = files_of(source)
        uploads = {
            key: [Upload(f.original_name, path_of(f).read_bytes()) for f in stored.get(shared[key], [])]
            for key in file_keys
            if key in shared
        }
        answers = {key: source.answers.get(src, "") for key, src in shared.items() if key not in file_keys}
        try:
            new = nominations.nominate(
                parent,
                call.organisation_id,
                actor,
                title=source.title,
                applicant_name=source.applicant_name,
                unit_name=source.unit_name,
                answers=answers,
                uploads=uploads,
            )
        except DomainError as exc:
            raise DomainError(
                _("%(title)s cannot be recommended: %(reason)s", title=source.title, reason=str(exc)),
                field="application_ids",
                code=exc.code,
                status=exc.status,
            ) from None
        new.recommended_from_id = source.id
        db.session.flush()
        audit.record(
            "recommend",
            new,
            after={"recommended_from_id": source.id, "result": results[application_id].result},
            actor=actor,
        )
        made.append(new)
    _tell_parent_organisers(call, parent, made)
    return made


def _tell_parent_organisers(call: Call, parent: Call, made: list[CallApplication]) -> None:
    """The organisers of the parent call's association, once per recommendation batch."""
    from accounts.services import organisers_of
    from calls.notifications import RESULTS_RECOMMENDED
    from notifications.services.rendering import link_for
    from notifications.services.sending import notify_many

    organisers = organisers_of(parent.organisation_id)
    context = {
        "organisation": call.organisation.name,
        "call": parent.title,
        "source": call.title,
        "n": len(made),
        "titles": "、".join(a.title for a in made),
        "link": link_for("calls.call_nominations", call_id=parent.id),
    }
    notify_many(
        [(user, context) for user in organisers],
        RESULTS_RECOMMENDED.key,
        key=f"{RESULTS_RECOMMENDED.key}:{parent.id}:{made[0].id}",
        organisation_id=parent.organisation_id,
    )
