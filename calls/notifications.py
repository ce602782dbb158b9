"""The messages of the calls area: a pool expert with an account invited to review a call (experts without an
account get accounts' invitation message instead); the organisers of a parent association's call, told that a
lower association recommended results to it (calls.recommendation)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from notifications.kinds import MessageKind, register_kind

EXPERT_INVITED = register_kind(
    MessageKind(
        "calls.expert_invited",
        label=_l("I was invited to review a call"),
        subject=_l("Invited to review: %(call)s"),
        body=_l("%(organisation)s invites you to review %(call)s as an expert.\n\nYour calls: %(link)s"),
        sms=_l("%(organisation)s invites you to review %(call)s. %(link)s"),
    )
)

RESULTS_RECOMMENDED = register_kind(
    MessageKind(
        "calls.results_recommended",
        label=_l("A lower association recommended results to my call"),
        subject=_l("%(organisation)s recommended %(n)s to %(call)s"),
        body=_l(
            "%(organisation)s recommended %(n)s results of %(source)s to %(call)s as its nominations: %(titles)s."
            "\n\nNominations: %(link)s"
        ),
        sms=_l("%(organisation)s recommended %(n)s results to %(call)s. %(link)s"),
    )
)
