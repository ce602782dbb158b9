"""Copy self-hosted front-end files into static/vendor/ (run by `make`; never a CDN).

Bootstrap comes from the Bootstrap-Flask wheel on PyPI, so a machine with only python3 gets a styled UI.
Chart.js, qr-scanner, idb, Bootstrap Icons and axe-core come from the npm registry (package.json, package-lock.json) when npm is present;
without them the charts still show their tables and the scanner page keeps its keyboard/USB input.

It also splits Bootstrap and our CSS in two for the public layout (the templates that set `inline_critical_css`,
the home page's `_home_*.html` sections, and what they import): static/vendor/critical.css, the rules those pages
need to paint, which base.html inlines in a <style> the CSP allows by its hash (core.security), and
static/vendor/deferred.css, every other rule, loaded at the end of <body>. A phone on a slow network paints the
page after one round trip instead of two, and downloads no rule twice (issue 26). The app
rebuilds it at start-up when a template or stylesheet is newer (read_critical_css), so an edit or a merge never
leaves a page painting from stale rules.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"

NPM_FILES = {
    "chart.js/dist/chart.umd.min.js": "chartjs/chart.umd.min.js",
    "qr-scanner/qr-scanner.umd.min.js": "qr-scanner/qr-scanner.umd.min.js",
    "qr-scanner/qr-scanner-worker.min.js": "qr-scanner/qr-scanner-worker.min.js",
    "idb/build/umd.js": "idb/idb.umd.js",  # IndexedDB for the offline scanner (window.idb)
    "axe-core/axe.min.js": "axe-core/axe.min.js",  # accessibility checks run by the browser tests, never by pages
}


def copy_bootstrap() -> None:
    spec = importlib.util.find_spec("flask_bootstrap")
    if spec is None or spec.origin is None:
        sys.exit("Bootstrap-Flask is not installed: run `make install` first.")
    src = Path(spec.origin).parent / "static" / "bootstrap5"
    for rel in ("css/bootstrap.min.css", "js/bootstrap.min.js"):  # no Popper: we use no dropdowns/tooltips
        target = VENDOR / "bootstrap" / Path(rel).name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)


def copy_npm_files() -> list[str]:
    missing = []
    for src_rel, dst_rel in NPM_FILES.items():
        src = ROOT / "node_modules" / src_rel
        if not src.exists():
            missing.append(src_rel)
            continue
        target = VENDOR / dst_rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return missing


def copy_icons() -> list[str]:
    """Only the Bootstrap Icons the pages use (core.design.ICONS), inlined by the icon() template global."""
    from core.design import ICONS

    src_dir = ROOT / "node_modules" / "bootstrap-icons" / "icons"
    target = VENDOR / "bootstrap-icons"
    target.mkdir(parents=True, exist_ok=True)
    missing = []
    for name in ICONS:
        src = src_dir / f"{name}.svg"
        if src.exists():
            shutil.copyfile(src, target / src.name)
        else:
            missing.append(f"bootstrap-icons/icons/{name}.svg")
    return missing


TEMPLATES = ROOT / "templates"
CRITICAL = VENDOR / "critical.css"
DEFERRED = VENDOR / "deferred.css"
CRITICAL_MARK = re.compile(r"{%-?\s*set\s+inline_critical_css\s*=\s*true\s*-?%}")
# Names that reach the public pages from outside the templates: the inline SVG icons (core.design) and the
# elements WTForms writes for the fields the form macros render.
CRITICAL_EXTRA = frozenset({"bi", "svg", "path", "input", "select", "option", "textarea", "label", "ul", "li"})
# What the first paint never shows: states that need the reader's hand (hover, focus, a ticked box, a field sent
# back with an error), file-picker buttons, printing, motion. The full stylesheets arrive before they matter.
LATER = re.compile(
    r":(hover|focus|focus-visible|focus-within|active|checked|indeterminate|valid|invalid|-moz-focusring)\b"
    r"|\.(is-valid|is-invalid|was-validated)\b|::-webkit-file-upload-button|::file-selector-button"
)
NOT_ARGUMENT = re.compile(r":not\((?:[^()]|\([^()]*\))*\)")  # :not(:focus) is the state a first paint shows
LATER_MEDIA = re.compile(r"\bprint\b|prefers-reduced-motion")
LATER_PROPERTIES = ("transition", "-webkit-transition")


STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')


def _skip_string(css: str, pos: int) -> int:
    """The index just after the quoted string that starts at `pos`."""
    match = STRING.match(css, pos)
    return match.end() if match else len(css)


def _css_blocks(css: str) -> list[tuple[str, str | list]]:
    """A stylesheet as [(selectors, declarations)] and [(at-rule prelude, nested blocks)]; comments and statement
    at-rules (@charset, @import) dropped."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    pos, stack, buf = 0, [[]], []
    while pos < len(css):
        char = css[pos]
        if char in "\"'":  # strings may hold braces: copy them whole
            end = _skip_string(css, pos)
            buf.append(css[pos:end])
            pos = end
            continue
        if char == "{":
            prelude, buf = "".join(buf).strip(), []
            if prelude.startswith("@") and not prelude.startswith(("@font-face", "@page")):
                stack.append([])
                stack[-2].append((prelude, stack[-1]))
            else:
                end = pos + 1
                while css[end] != "}":
                    end = _skip_string(css, end) if css[end] in "\"'" else end + 1
                stack[-1].append((prelude, css[pos + 1 : end].strip()))
                pos = end
        elif char == "}":
            if len(stack) > 1:
                stack.pop()
            buf = []
        elif char == ";" and "".join(buf).strip().startswith("@"):
            buf = []
        else:
            buf.append(char)
        pos += 1
    return stack[0]


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(prelude):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(prelude[start:i].strip())
            start = i + 1
    parts.append(prelude[start:].strip())
    return parts


def _declarations(body: str) -> list[str]:
    """A rule's declarations, split on the semicolons outside strings and brackets, whitespace squeezed out."""
    out, depth, start, pos = [], 0, 0, 0
    while pos < len(body):
        char = body[pos]
        if char in "\"'":
            pos = _skip_string(body, pos)
            continue
        depth += char == "("
        depth -= char == ")"
        if char == ";" and depth == 0:
            out.append(body[start:pos])
            start = pos + 1
        pos += 1
    out.append(body[start:])
    return [_squeeze(d) for d in out if d.strip()]


def _squeeze(declaration: str) -> str:
    parts, last = [], 0
    for match in STRING.finditer(declaration):
        parts += [re.sub(r"\s+", " ", declaration[last : match.start()]), match.group()]
        last = match.end()
    parts.append(re.sub(r"\s+", " ", declaration[last:]))
    name, _, value = "".join(parts).strip().partition(":")
    return name.strip() + ":" + value.strip()


def _selector_names(selector: str) -> list[str]:
    """The class and element names a selector needs (what :not(…), [attr] and pseudo-classes name is left out)."""
    bare = re.sub(r"\[[^\]]*\]", "", selector)
    bare = re.sub(r"::?[\w-]+(\((?:[^()]|\([^()]*\))*\))?", "", bare)
    classes = re.findall(r"\.(-?[_a-zA-Z][\w-]*)", bare)
    elements = re.findall(
        r"(?<![\w.#-])([a-zA-Z][a-zA-Z0-9]*)(?![\w-])", re.sub(r"\.-?[_a-zA-Z][\w-]*|#[\w-]+", " ", bare)
    )
    return classes + [e.lower() for e in elements]


def _split(
    blocks, tokens: set[str], prefixes: tuple[str, ...], unread: frozenset[str] = frozenset()
) -> tuple[list, list]:
    """(critical, rest) of a parsed sheet, each rule split where it stands so that the rest keeps the sheet's order:
    a rule's selectors whose every class and element is in `tokens` (or starts with one of `prefixes`) go to the
    critical part, without what the first paint never shows (LATER: selectors, @media, transitions) and without
    the custom properties in `unread`; everything else (the other selectors, @keyframes, print, …) is the rest."""
    critical, rest = [], []
    for prelude, body in blocks:
        if isinstance(body, list):
            prelude = re.sub(r"\s+", " ", prelude)
            if prelude.startswith(("@media", "@supports")) and not LATER_MEDIA.search(prelude):
                inner, later = _split(body, tokens, prefixes, unread)
            else:
                inner, later = [], _as_rules(body)
            critical += [(prelude, inner)] if inner else []
            rest += [(prelude, later)] if later else []
            continue
        declarations = _declarations(body)
        if not declarations:
            continue
        selectors = [re.sub(r"\s+", " ", sel) for sel in _split_selectors(prelude)]
        first = [
            sel
            for sel in selectors
            if not prelude.startswith("@")
            and "data-bs-theme=dark" not in sel
            and not LATER.search(NOT_ARGUMENT.sub("", sel))
            and all(name in tokens or name.startswith(prefixes) for name in _selector_names(sel))
        ]
        others = [sel for sel in selectors if sel not in first]
        now = [d for d in declarations if d.split(":", 1)[0] not in LATER_PROPERTIES + tuple(unread)]
        if first and now:
            critical.append((",".join(first), now))
        if first and len(now) < len(declarations):
            rest.append((",".join(first), [d for d in declarations if d not in now]))
        if others:
            rest.append((",".join(others), declarations))
    return critical, rest


def _as_rules(blocks) -> list:
    """A parsed block taken whole (@keyframes, print): its rules with their declarations."""
    return [
        (re.sub(r"\s+", " ", prelude), _as_rules(body)) if isinstance(body, list) else (prelude, _declarations(body))
        for prelude, body in blocks
        if body
    ]


def _is_group(body) -> bool:
    return bool(body) and isinstance(body[0], tuple)


def _variables(rules: list, pattern: str) -> set[str]:
    return {
        name
        for prelude, body in rules
        for name in (_variables(body, pattern) if _is_group(body) else re.findall(pattern, ";".join(body)))
    }


def _render(rules: list) -> str:
    return "".join(
        prelude + "{" + (_render(body) if _is_group(body) else ";".join(body)) + "}" for prelude, body in rules
    )


def split_css(sheets: list[str], tokens: set[str], prefixes: tuple[str, ...] = ()) -> tuple[str, list[str]]:
    """The critical part of the `sheets` taken in order (see _split), and the rest of each sheet. The critical part
    also loses the custom properties (--bs-…) that nothing in it reads, until none is left to drop; the rest gets
    them where they stood. A sheet's critical rules and its rest hold all its rules and declarations, in order."""
    parsed = [_css_blocks(css) for css in sheets]
    unread: frozenset[str] = frozenset()
    while True:
        critical = [rule for blocks in parsed for rule in _split(blocks, tokens, prefixes, unread)[0]]
        defined, read = _variables(critical, r"(?:^|;)(--[\w-]+):"), _variables(critical, r"var\((--[\w-]+)")
        if not defined - read:
            break
        unread |= defined - read
    return _render(critical), [_render(_split(blocks, tokens, prefixes, unread)[1]) for blocks in parsed]


def filter_css(sheets: list[str], tokens: set[str], prefixes: tuple[str, ...] = ()) -> str:
    """The critical part of the `sheets` (split_css)."""
    return split_css(sheets, tokens, prefixes)[0]


def critical_templates() -> list[Path]:
    """The public layout: pages that set inline_critical_css, the home page's sections, and what they import."""
    found = {TEMPLATES / "base.html"} | set(TEMPLATES.glob("*/_home_*.html"))
    found |= {path for path in TEMPLATES.rglob("*.html") if CRITICAL_MARK.search(path.read_text(encoding="utf-8"))}
    todo = list(found)
    while todo:
        text = todo.pop().read_text(encoding="utf-8")
        for name in re.findall(r"{%-?\s*(?:extends|include|import|from)\s+[\"']([^\"']+\.html)[\"']", text):
            path = TEMPLATES / name
            if path.exists() and path not in found:
                found.add(path)
                todo.append(path)
    return sorted(found)


def critical_stylesheets(templates: list[Path]) -> list[Path]:
    """Bootstrap, app.css and each area stylesheet a public page links, in the order pages load them."""
    sheets = [VENDOR / "bootstrap" / "bootstrap.min.css", ROOT / "static" / "css" / "app.css"]
    for path in templates:
        for name in re.findall(r"filename=[\"'](css/[\w.-]+\.css)[\"']", path.read_text(encoding="utf-8")):
            if ROOT / "static" / name not in sheets:
                sheets.append(ROOT / "static" / name)
    return sheets


def _write(path: Path, text: str) -> None:
    """Through a temporary file: several workers may start at once."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def build_critical_css() -> Path:
    """Write static/vendor/critical.css (inlined by public pages) and static/vendor/deferred.css (the rest of
    Bootstrap and app.css, which those pages load at the end of <body>; a page's own sheet follows it whole)."""
    templates = critical_templates()
    tokens, prefixes = set(CRITICAL_EXTRA), set()
    for path in templates:
        text = path.read_text(encoding="utf-8")
        tokens |= set(re.findall(r"[A-Za-z_][\w-]*", text))
        prefixes |= set(re.findall(r"(?<![\w-])([A-Za-z][\w-]*-){{", text))
    sheets = [path.read_text(encoding="utf-8") for path in critical_stylesheets(templates)]
    critical, rests = split_css(sheets, tokens, tuple(sorted(prefixes)))
    _write(DEFERRED, "".join(rests[:2]))  # Bootstrap's and app.css's
    _write(CRITICAL, critical)  # last: its date is the build's (_stale)
    return CRITICAL


def _stale() -> bool:
    """A template or stylesheet changed since the critical CSS was built (a checkout, an edit, a merge)."""
    built = CRITICAL.stat().st_mtime
    sources = [*TEMPLATES.rglob("*.html"), *(ROOT / "static" / "css").glob("*.css")]
    return any(path.stat().st_mtime > built for path in sources)


def read_critical_css() -> str | None:
    """The critical CSS, rebuilt first when a source is newer; None before `make assets` (no Bootstrap copied):
    pages then load their stylesheets in <head>."""
    if not (VENDOR / "bootstrap" / "bootstrap.min.css").exists():
        return None
    if not CRITICAL.exists() or not DEFERRED.exists() or _stale():
        build_critical_css()
    return CRITICAL.read_text(encoding="utf-8")


def main() -> None:
    copy_bootstrap()
    missing = copy_npm_files() + copy_icons()
    build_critical_css()
    if missing:
        print("warning: npm packages not installed (no npm?): " + ", ".join(missing), file=sys.stderr)
    print(f"static assets installed in {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
