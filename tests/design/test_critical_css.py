"""First paint on a slow phone network (issue 26): public pages inline the critical CSS of the public layout in a
<style> the CSP allows by its hash, and load the full stylesheets at the end of <body>; other pages keep their
stylesheets in <head>. The first render on Slow 3G is measured by bench/design_pages.py, not asserted here."""

from __future__ import annotations

import base64
import collections
import hashlib
import re

import pytest

from core import assets
from core.security import content_security_policy, init_critical_css


@pytest.mark.no_app
def test_filter_keeps_the_rules_of_the_classes_and_elements_in_use_only():
    css = (
        '@charset "UTF-8";/* note { } */:root,[data-bs-theme=light]{--x:1;--y:var(--z);--z:2;--unread:3}'
        "[data-bs-theme=dark]{--x:2}body{margin:0}legend{float:left}.card{border:var(--x) solid}"
        ".card-title,.toast{font-weight:600}.btn:hover{color:red}.btn{padding:1rem;transition:color .2s}.skip:not(:focus){position:absolute}"
        '.badge::before{content:"{ ; }"}.alert-danger{color:var(--y)}'
        "@media (min-width:576px){.card{padding:1rem}.modal{display:none}}@media print{.card{display:none}}"
        "@keyframes spin{to{transform:rotate(1turn)}}"
        ".table>:not(caption)>*>*{padding:.5rem}.form-control.is-invalid{border-color:red}"
    )
    kept = assets.filter_css(
        [css], {"body", "card", "card-title", "btn", "skip", "badge", "table", "form-control"}, prefixes=("alert-",)
    )
    assert kept == (
        ":root,[data-bs-theme=light]{--x:1;--y:var(--z);--z:2}body{margin:0}.card{border:var(--x) solid}"
        '.card-title{font-weight:600}.btn{padding:1rem}.skip:not(:focus){position:absolute}.badge::before{content:"{ ; }"}'
        ".alert-danger{color:var(--y)}@media (min-width:576px){.card{padding:1rem}}"
        ".table>:not(caption)>*>*{padding:.5rem}"
    )


def _rules(css: str) -> collections.Counter:
    """Each (at-rule context, selector, declaration) of a stylesheet, counted."""

    def flat(blocks, context=()):
        out = collections.Counter()
        for prelude, body in blocks:
            if isinstance(body, list):
                out += flat(body, context + (" ".join(prelude.split()),))
                continue
            for selector in assets._split_selectors(prelude):
                out.update((context, " ".join(selector.split()), d) for d in assets._declarations(body))
        return out

    return flat(assets._css_blocks(css))


@pytest.mark.no_app
def test_critical_and_deferred_hold_every_rule_of_bootstrap_and_app_css_once():
    bootstrap = assets.VENDOR / "bootstrap" / "bootstrap.min.css"
    if not bootstrap.exists():
        pytest.skip("Bootstrap is not copied: run `make assets`")
    assets.build_critical_css()
    whole = _rules(bootstrap.read_text(encoding="utf-8")) + _rules(
        (assets.ROOT / "static/css/app.css").read_text(encoding="utf-8")
    )
    critical = _rules(assets.CRITICAL.read_text(encoding="utf-8"))
    deferred = _rules(assets.DEFERRED.read_text(encoding="utf-8"))
    critical_of_these = collections.Counter(
        {rule: n for rule, n in critical.items() if rule in whole}
    )  # not judging.css'
    assert critical_of_these + deferred == whole
    assert sum(critical_of_these.values()) < sum(whole.values()) / 5


@pytest.mark.no_app
def test_the_public_layout_is_the_marked_pages_their_imports_and_the_home_sections():
    names = {str(p.relative_to(assets.TEMPLATES)) for p in assets.critical_templates()}
    assert {
        "base.html",
        "core/home.html",
        "events/detail.html",
        "judging/public_notice.html",
        "certificates/verify.html",
        "_macros/forms.html",
        "_macros/ui.html",
        "events/_home_events.html",
    } <= names
    assert "competitions/students.html" not in names and "core/dashboard.html" not in names
    sheets = [p.name for p in assets.critical_stylesheets(assets.critical_templates())]
    assert sheets[:2] == ["bootstrap.min.css", "app.css"] and "judging.css" in sheets


@pytest.fixture
def critical(app):
    """The app as started after `make assets`: the critical CSS built and read once."""
    if not (assets.VENDOR / "bootstrap" / "bootstrap.min.css").exists():
        pytest.skip("Bootstrap is not copied: run `make assets`")
    assets.build_critical_css()
    init_critical_css(app)
    yield assets.read_critical_css()


def _head_and_body(html: str) -> tuple[str, str]:
    head, body = html.split("</head>", 1)
    return head, body


def test_a_public_page_paints_from_its_inline_css_allowed_by_hash(client, critical):
    response = client.get("/")
    head, body = _head_and_body(response.get_data(as_text=True))
    styles = re.findall(r"<style>(.*?)</style>", head, flags=re.S)
    assert len(styles) == 1 and styles[0] == critical and ".navbar" in critical
    assert ".carousel" not in critical and ".modal" not in critical  # only what the public layout uses
    digest = base64.b64encode(hashlib.sha256(styles[0].encode()).digest()).decode()
    csp = response.headers["Content-Security-Policy"]
    assert f"style-src 'self' 'sha256-{digest}';" in csp and "script-src 'self';" in csp
    assert "unsafe-inline" not in csp and 'style="' not in body
    assert 'rel="stylesheet"' not in head  # nothing holds up the first paint
    assert body.index("vendor/deferred.css") < body.index("bootstrap.min.js") and "bootstrap.min.css" not in body


def test_a_public_page_loads_its_own_stylesheet_late_too(client, critical):
    from tests.design.test_design_browser import public_paths, seed_demo

    seed_demo()
    paths = public_paths(client.application)
    head, body = _head_and_body(client.get(paths["public_notice"]).get_data(as_text=True))
    assert "judging.css" not in head and "judging.css" in body
    assert ".kc-stack" in head and ".judging-cards td.award" in head  # its tables paint as cards from the start


def test_other_pages_keep_their_stylesheets_in_the_head(client, critical):
    head, _ = _head_and_body(client.get("/login").get_data(as_text=True))
    assert "<style>" not in head and "bootstrap.min.css" in head and "css/app.css" in head


@pytest.mark.no_app
def test_without_a_build_the_policy_allows_no_inline_style():
    assert "style-src 'self';" in content_security_policy(None)
