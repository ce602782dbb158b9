"""The messages of the calls area: a pool expert with an account invited to review a call. (Experts without an
account get accounts' invitation message instead.)"""

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
