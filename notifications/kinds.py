"""The registry of message kinds. Each area registers the kinds it sends (in its own notifications.py), so this
area imports none of them:

    register_kind(MessageKind("events.registration_confirmed", label=_l("Registration confirmed"),
                              subject=_l("Registration confirmed: %(event)s"), body=_l("…%(link)s…"),
                              sms=_l("…%(link)s"), channels=("inbox", "email", "sms")))

Texts are English msgids marked with lazy_gettext, translated in the owning area's catalog and rendered in the
recipient's language with the context given to notify(); `%(name)s` placeholders name context keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from notifications.models import Channel


@dataclass(frozen=True)
class MessageKind:
    key: str
    label: Any  # lazy string: what the preferences page calls it
    subject: Any
    body: Any
    sms: Any = None  # short text; the organisation's signature is added in front
    channels: tuple[str, ...] = (Channel.INBOX, Channel.EMAIL, Channel.SMS)  # default channels
    security: bool = False  # always sent on every default channel; not on the preferences page
    bulk: bool = False  # email carries a one-click unsubscribe link
    limit: int | None = None  # at most `limit` messages of this kind per recipient per `window`
    window: timedelta = timedelta(days=1)


KINDS: dict[str, MessageKind] = {}


def register_kind(kind: MessageKind) -> MessageKind:
    """Register a kind once; registering the same key again (a second app in one process) keeps the first."""
    KINDS.setdefault(kind.key, kind)
    return KINDS[kind.key]


def get_kind(key: str) -> MessageKind:
    try:
        return KINDS[key]
    except KeyError:
        raise KeyError(f"no message kind registered as {key!r}") from None


def configurable_kinds() -> list[MessageKind]:
    """The kinds a person may switch channels of (security messages are always sent)."""
    return [k for k in KINDS.values() if not k.security]
