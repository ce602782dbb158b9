"""Demo data: areas register seeders that run in order; each is idempotent (seeding twice changes nothing)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class Seeder:
    order: int
    name: str = field(compare=False)
    run: Callable[[DemoContext], None] = field(compare=False)
    label: Any = field(default=None, compare=False)  # what `flask seed-demo` prints (a lazy string), else name


@dataclass
class DemoContext:
    scale: int
    echo: Callable[[str], None]
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role label, login, password)
    data: dict = field(default_factory=dict)  # what earlier seeders made, for later ones (ids, codes)


SEEDERS: list[Seeder] = []
DEMO_LOGINS: list[tuple[str, str]] = []  # (role label, login), filled by seeders at import time


def demo_seeder(order: int, name: str, label: Any = None):
    """Register fn(ctx: DemoContext) to run at `order` (accounts 10, competitions 20, judging 30,
    events 40, certificates 50, reports 60). It must check what exists and only add what is missing.
    `label` (a lazy string in the area's catalog) is what the command prints; `name` identifies the seeder."""

    def register(fn):
        if all(s.name != name for s in SEEDERS):
            SEEDERS.append(Seeder(order, name, fn, label))
            SEEDERS.sort()
        return fn

    return register


def demo_login(role_label: str, login: str) -> None:
    if (role_label, login) not in DEMO_LOGINS:
        DEMO_LOGINS.append((role_label, login))
