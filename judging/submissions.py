"""Submissions: what judging judges, whatever the subject — a contest entry, a call's application (a paper, a
person, a unit, a project).

Judging does not learn subject types. Each area that wants its things judged registers a *kind* at start-up
(CTFd's challenge-type registry is the model): a key and a loader that turns ids into objects with the small
interface below. Judging reads only that interface: the title and code to list, the anonymised materials a
judge may read in a blind round, the conflict keys (core.conflicts) its 回避 rule compares with a judge's, the
organisation responsible, and the group it is ranked in (a contest's category; one group per call).

    # judging/__init__.py (entries: competitions may not import judging, so judging registers them)
    register_kind(SubmissionKind("entry", _l("Contest entry"), competitions.submissions.load_entries))
    # calls/__init__.py
    register_kind(SubmissionKind("application", _l("Application"), calls.submissions.load_applications))

A loader returns the submissions it finds for the ids, in any order, and leaves out ids it does not know.
Plain Python: no Flask or database import here.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Submission(Protocol):
    """What judging may know of a thing it judges."""

    @property
    def id(self) -> int: ...  # unique within its kind

    @property
    def kind(self) -> str: ...  # the key it is registered under

    @property
    def code(self) -> str: ...  # 作品编号 / 申报编号, shown to judges instead of names

    @property
    def title(self) -> str: ...

    @property
    def materials(self) -> Sequence[tuple[str, str]]:
        """(label, text) a judge may read, with no author, school, unit or acknowledgement in them: what a
        double-blind round shows."""
        ...

    @property
    def conflict_keys(self) -> frozenset[str]: ...  # core.conflicts keys of the parties behind it

    @property
    def organisation_id(self) -> int | None: ...  # the school or unit responsible, when it has an account

    @property
    def group(self) -> Hashable: ...  # what it is ranked within: a category, a call


#: The keys of SubmissionKind.words: what a judge's worklist and scoring page call the things they judge.
WORD_KEYS = ("mine", "none", "next", "cannot", "why")


@dataclass(frozen=True)
class SubmissionKind:
    key: str
    label: Any  # a lazy string: "Contest entry", "Application"
    load: Callable[[Sequence[int]], Iterable[Submission]]
    words: Mapping[str, Any] = field(default_factory=dict)  # lazy strings by WORD_KEYS ("My entries", ...)


KINDS: dict[str, SubmissionKind] = {}
#: Contest entries: every round judges them until rounds have an owner of another kind (docs/decisions/0007).
ENTRY_KIND = "entry"


def register_kind(kind: SubmissionKind) -> None:
    """Register (or, on a second app start-up, re-register) a kind; two different areas may not share a key."""
    known = KINDS.get(kind.key)
    if known is not None and known.load.__module__ != kind.load.__module__:
        raise ValueError(f"submission kind {kind.key!r} is already registered by {known.load.__module__}")
    KINDS[kind.key] = kind


def submission_kind(key: str) -> SubmissionKind:
    try:
        return KINDS[key]
    except KeyError:
        raise LookupError(f"no submission kind {key!r} is registered") from None


def load_submissions(kind: str, ids: Iterable[int]) -> dict[int, Submission]:
    """The submissions of a kind for these ids, by id (one load, however many ids); unknown ids are absent."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {s.id: s for s in submission_kind(kind).load(wanted)}


def load_submission(kind: str, submission_id: int) -> Submission | None:
    return load_submissions(kind, [submission_id]).get(submission_id)
