"""Registries that let areas add to the shared UI without core importing them: navigation entries,
dashboard panels and sections of the public home page (CTFd-style plain registries filled at start-up)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask


@dataclass(order=True)
class NavItem:
    order: int
    label: Any = field(compare=False)  # a lazy_gettext string
    endpoint: str = field(compare=False)
    visible: Callable[[Any], bool] = field(compare=False)  # (user) -> bool


@dataclass(order=True)
class Panel:
    """A block on a page: template rendered with context(user) -> dict, or skipped when it returns None."""

    order: int
    template: str = field(compare=False)
    context: Callable[..., dict | None] = field(compare=False)


@dataclass(order=True)
class Attention:
    """One thing waiting for the user on the "needs me now" panel: what, how many, where it is handled.
    kind: "review", "objection", "request", "failed" or "deadline" (its icon and badge colour, docs/design.md)."""

    order: int
    label: Any = field(compare=False)
    url: str = field(compare=False)
    count: int | None = field(default=None, compare=False)
    kind: str = field(default="review", compare=False)


NAV: list[NavItem] = []
ATTENTION: list[tuple[int, Callable[[Any], list[Attention]]]] = []
DASHBOARD: list[Panel] = []
HOME: list[Panel] = []
# Sections a higher area adds to a lower area's page, by slot name ("competitions.entry"): the page's template
# calls page_sections(slot, *objects); each context(user, *objects) returns its variables or None.
SECTIONS: dict[str, list[Panel]] = {}


def add_nav(order: int, label, endpoint: str, visible: Callable[[Any], bool]) -> None:
    """Registering the same endpoint again (a second app in one process) changes nothing."""
    if any(item.endpoint == endpoint for item in NAV):
        return
    NAV.append(NavItem(order, label, endpoint, visible))
    NAV.sort()


def add_dashboard_panel(order: int, template: str, context: Callable[[Any], dict | None]) -> None:
    """context(user) returns the template's variables, or None when the panel does not apply to the user.
    Registering the same template again (a second app in one process) changes nothing."""
    if any(p.template == template for p in DASHBOARD):
        return
    DASHBOARD.append(Panel(order, template, context))
    DASHBOARD.sort()


def add_home_section(order: int, template: str, context: Callable[[], dict | None]) -> None:
    """Public items on the home page (open events, published results, certificate verification)."""
    if any(p.template == template for p in HOME):
        return
    HOME.append(Panel(order, template, context))
    HOME.sort()


def add_page_section(slot: str, order: int, template: str, context: Callable[..., dict | None]) -> None:
    """A block on another area's page (e.g. judging's results on competitions' entry page), so the lower area
    imports nothing of the higher one. Registering the same template again changes nothing."""
    panels = SECTIONS.setdefault(slot, [])
    if any(p.template == template for p in panels):
        return
    panels.append(Panel(order, template, context))
    panels.sort()


def page_sections(slot: str, *objects) -> list[tuple[str, dict]]:
    """(template, ctx) of the sections of a page slot that apply to the current user and these objects."""
    from flask_login import current_user

    out = []
    for panel in SECTIONS.get(slot, []):
        ctx = panel.context(current_user, *objects)
        if ctx is not None:
            out.append((panel.template, ctx))
    return out


def add_attention(order: int, provider: Callable[[Any], list[Attention]]) -> None:
    """provider(user) lists what waits for the user in one area (empty when nothing does)."""
    if any(p is provider for _o, p in ATTENTION):
        return
    ATTENTION.append((order, provider))
    ATTENTION.sort(key=lambda item: item[0])


def attention_for(user) -> dict | None:
    """The "needs me now" panel: every area's waiting items, most urgent first; None when nothing waits."""
    items = sorted(item for _order, provider in ATTENTION for item in provider(user))
    return {"attention": items} if items else None


def failed_jobs(user) -> list[Attention]:
    """The user's background jobs that failed in the last seven days (imports, batch certificates, reports)."""
    from datetime import timedelta

    import sqlalchemy as sa
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from core.db import utcnow
    from core.extensions import db
    from core.models import Job, JobStatus

    jobs = db.session.execute(
        sa.select(Job)
        .where(Job.owner_id == user.id, Job.status == JobStatus.FAILED, Job.created_at >= utcnow() - timedelta(days=7))
        .order_by(Job.created_at.desc())
        .limit(5)
    ).scalars()
    return [
        Attention(
            41,
            _l("Job failed: %(title)s", title=job.title or job.kind),
            url_for("core.job_progress", job_id=job.id),
            None,
            "failed",
        )
        for job in jobs
    ]


def nav_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [item for item in NAV if item.visible(user)]


def readable_json(value) -> str:
    """JSON for people: Chinese stays Chinese (the tojson filter escapes it)."""
    import json

    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def init_ui(app: Flask) -> None:
    from core.permissions import can

    app.jinja_env.globals["nav_for"] = nav_for
    app.jinja_env.filters["readable_json"] = readable_json
    app.jinja_env.globals["can"] = can
    app.jinja_env.globals["page_sections"] = page_sections
    if not any(p.template == "core/_attention_panel.html" for p in DASHBOARD):
        add_dashboard_panel(10, "core/_attention_panel.html", attention_for)
    add_attention(41, failed_jobs)
