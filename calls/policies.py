"""Who may do what with calls, registered in core's one permission registry (core.permissions.policy)."""

from __future__ import annotations

from core.permissions import Role, organises, policy


@policy("calls.create")
def _create_call(user, organisation) -> bool:
    return organisation is not None and organises(user, organisation.id)


@policy("calls.manage")
def _manage_call(user, call) -> bool:
    """The call's organisers (and those of its parent associations): form, review, scores, results."""
    return organises(user, call.organisation_id)


@policy("calls.apply")
def _apply_to_call(user, call) -> bool:
    """An open call: units apply through an account of a unit (organiser or coordinator of one); individuals with
    their own account."""
    if call.status != "open":
        return False
    if call.applicants == "nominations":  # an organiser of an association holding a quota (calls.nominations)
        from calls.nominations import nominating_for

        return bool(nominating_for(call, user))
    if call.applicants == "units":
        return bool(user.organised_org_ids() or user.scope_ids(Role.COORDINATOR))
    return True


@policy("calls.view_application")
def _view_application(user, application) -> bool:
    """Its applicant and the call's organisers — never its experts: every call round is double-blind, experts read
    the blotted answers only (calls.submissions), and a file may name the authors (calls.leaks)."""
    return application.submitted_by_id == user.id or organises(user, application.call.organisation_id)


@policy("calls.manage_pool")
def _manage_pool(user, organisation) -> bool:
    """The association's organisers keep its expert pool (专家库)."""
    return organisation is not None and organises(user, organisation.id)


@policy("calls.expert")
def _expert_of_call(user, call) -> bool:
    """An expert sees the calls they were invited to, and no other."""
    return call.id in user.scope_ids(Role.EXPERT)


@policy("calls.view")
def _view_call(user, call) -> bool:
    """A call is seen by its organisers, its experts, those who may apply to it while it is open, and — once its
    results are final (公示 done) — by anyone signed in."""
    return (
        call.status == "finished"
        or organises(user, call.organisation_id)
        or call.id in user.scope_ids(Role.EXPERT)
        or _apply_to_call(user, call)
    )


@policy("calls.view_results")
def _view_results(user, call) -> bool:
    """Results are the organisers' while they are worked out; everyone's once final."""
    return call.status == "finished" or organises(user, call.organisation_id)
