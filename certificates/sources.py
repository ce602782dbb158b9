"""Certificate sources: how other areas hand certificate holders to `certificates` (which imports none of them).

An area registers its sources at start-up, in its own init_app, importing this module lazily:

    # judging/__init__.py, inside init_app(app):
    from certificates.sources import CertificateSource, register_source
    register_source(CertificateSource(
        key="judging.awards", kind="award", scope="contest", label=_l("Award winners (final results)"),
        collect=collect_award_holders))

    # judging/services.py
    def collect_award_holders(contest_id: int) -> SourceBatch:
        contest = db.session.get(Contest, contest_id)
        if contest is None: raise SourceNotFound()
        if not results_final(contest): raise SourceNotReady(_l("The results of this contest are not final yet."))
        return SourceBatch(scope_title=contest.title, scope_code=contest.code, organisation_id=contest.organisation_id,
                           org_name=contest.organisation.name, year=contest.year,
                           holders=[Holder(ref=f"result:{r.id}:student:{s.id}", name=s.name, school_id=..., ...)])

Rules a source must keep:
- `ref` is stable and unique within (source, scope id): it is what makes issuing idempotent, so a second
  run issues nothing new and a reissue keeps the link to the same holder.
- Only eligible holders are returned: final results only, approved entries only, attendees who checked in.
- `collect` raises SourceNotReady (with a localised message) when issuing would be premature, and
  SourceNotFound when the contest/event does not exist.
- Holders carry display values only; minors are flagged so the public verification page masks their names.

Plain Python: no Flask import here, so the pure-logic tests and every area can import it freely.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

KINDS = ("award", "participation", "advisor", "organisation", "attendance")
SCOPES = ("contest", "event", "call")  # call: results of a call (评选), registered by calls
SCOPE_LABELS = {"contest": _l("Contest"), "event": _l("Event"), "call": _l("Call")}


def scope_label(scope: str) -> Any:
    """What a certificate's scope is called (pages, the CLI)."""
    return SCOPE_LABELS.get(scope, scope)


class SourceNotReady(Exception):
    """Issuing is not allowed yet (e.g. results not final); the message is shown to the organiser."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = message


class SourceNotFound(LookupError):
    """The contest or event does not exist."""


@dataclass(frozen=True)
class Holder:
    """One person or organisation that receives a certificate."""

    ref: str  # stable id inside the source, e.g. "result:17:student:4"
    name: str
    school_id: int | None = None  # organisation id of the school (for school downloads); None for adults/orgs
    school: str = ""
    award: str = ""
    category: str = ""
    category_code: str = ""
    title: str = ""  # entry title
    advisors: str = ""
    minor: bool = True  # masked on the public verification page unless the organiser decides otherwise
    user_id: int | None = None  # the holder's own account, if any (attendees download from their ticket page)
    order: int = 0  # sort hint inside a school and category (e.g. award rank)
    extra: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class SourceBatch:
    """Everything a source knows about one contest or event, for issuing."""

    scope_title: str  # printed as {contest}
    scope_code: str  # {CONTEST} in the number pattern (letters and digits)
    organisation_id: int  # the organising unit: issues the certificates, owns them
    org_name: str  # printed as {org}
    year: int
    holders: list[Holder]
    issue_date: date | None = None  # default date printed as {date}


@dataclass(frozen=True)
class CertificateSource:
    key: str  # "<area>.<what>", e.g. "judging.awards"
    kind: str  # one of KINDS
    scope: str  # "contest", "event" or "call"
    label: Any  # lazy_gettext string shown to organisers
    collect: Callable[[int], SourceBatch]  # (contest, event or call id) -> SourceBatch
    # (organisation ids or None for all) -> [(contest, event or call id, title)], newest first: the issue picker
    scopes: Callable[[list[int] | None], list[tuple[int, str]]] | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown certificate kind {self.kind!r}")
        if self.scope not in SCOPES:
            raise ValueError(f"unknown certificate scope {self.scope!r}")


SOURCES: dict[str, CertificateSource] = {}


def register_source(source: CertificateSource) -> CertificateSource:
    """Add a source at start-up. Registering the same key again replaces it (app factories in tests)."""
    SOURCES[source.key] = source
    return source


def get_source(key: str) -> CertificateSource | None:
    return SOURCES.get(key)


def sources_for(scope: str) -> list[CertificateSource]:
    """Registered sources of a scope, in a stable order (by key)."""
    return [SOURCES[k] for k in sorted(SOURCES) if SOURCES[k].scope == scope]
