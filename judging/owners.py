"""Owners: whose rounds, judges and 公示 judging runs — a contest, or another kind an area registers (a call).

Beside the submission registry (judging.submissions: *what* is judged), this one says *for whom*: a kind key,
the model of its owners (each has ``id``, ``name``, ``year``, ``organisation_id``), the submission kind its rounds
judge, and the few things judging asks of an owner it does not know:

- ``submissions(owner)``: the ids its rounds judge (a call: its accepted applications);
- ``judge_role``: the scoped role (scope id = the owner's id) whose holders judge for it, as the judge role does
  for a contest (a call: the expert role an invited pool expert holds);
- ``judge_keys(judge)``: a judge's side of 回避 (a call: the expert's name, workplace and declared conflicts);
- ``finalise(owner, actor)``: what final results mean for it (a call: its status becomes finished).

Contests are judging's own kind: they keep their foreign key (``contest_id``) and their code paths; a round of
another kind has ``owner_kind``/``owner_id`` and one group (one ranking, one rubric). Decision 0007.
Plain Python: no Flask or database import here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class OwnerKind:
    key: str
    label: Any  # lazy string
    model: type
    submission_kind: str
    submissions: Callable[[Any], list[int]]
    judge_role: Any  # core.permissions.Role
    judge_keys: Callable[[Any], frozenset[str]]
    finalise: Callable[[Any, Any], None]
    endpoint: str  # the owner's page for its organisers: url_for(endpoint, **{id_arg: owner.id})
    id_arg: str


OWNERS: dict[str, OwnerKind] = {}


def register_owner(kind: OwnerKind) -> None:
    """Register (or, on a second app start-up, re-register) an owner kind; "contest" is judging's own."""
    if kind.key == "contest":
        raise ValueError("contests own rounds through contest_id; they are not registered")
    OWNERS[kind.key] = kind


def owner_kind(key: str) -> OwnerKind:
    try:
        return OWNERS[key]
    except KeyError:
        raise LookupError(f"no owner kind {key!r} is registered") from None


def kind_of(owner) -> str:
    """The key of an owner object: "contest" for a contest, else the registered kind of its class."""
    for kind in OWNERS.values():
        if isinstance(owner, kind.model):
            return kind.key
    return "contest"


def load_owner(key: str, owner_id: int):
    from core.extensions import db  # the identity map answers repeated loads without a query

    return db.session.get(owner_kind(key).model, owner_id)
