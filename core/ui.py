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


NAV: list[NavItem] = []
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
