"""Copy self-hosted front-end files into static/vendor/ (run by `make`; never a CDN).

Bootstrap comes from the Bootstrap-Flask wheel on PyPI, so a machine with only python3 gets a styled UI.
Chart.js, qr-scanner, idb, Bootstrap Icons and axe-core come from the npm registry (package.json, package-lock.json) when npm is present;
without them the charts still show their tables and the scanner page keeps its keyboard/USB input.

It also writes static/vendor/critical.css: the part of Bootstrap and our CSS that the public layout uses (the
templates that set `inline_critical_css`, the home page's `_home_*.html` sections, and what they import). base.html
inlines it in a <style> the CSP allows by its hash (core.security), and loads the full stylesheets at the end of
<body>, so a phone on a slow network paints the page after one round trip instead of two (issue 26). The app
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
CRITICAL_MARK = re.compile(r"{%-?\s*set\s+inline_critical_css\s*=\s*true\s*-?%}")
# Names that reach the public pages from outside the templates: the inline SVG icons (core.design) and the
# elements WTForms writes for the fields the form macros render.
CRITICAL_EXTRA = frozenset({"bi", "svg", "path", "input", "select", "option", "textarea", "label", "ul", "li"})
# What the first paint never shows: states that need the reader's hand (hover, focus, a ticked box, a field sent
# back with an error), file-picker buttons, printing, motion. The full stylesheets arrive before they matter.
LATER = re.compile(r":(hover|focus|focus-visible|focus-within|active|checked|indeterminate|valid|invalid|-moz-focusring)\b"
                   r"|\.(is-valid|is-invalid|was-validated)\b|::-webkit-file-upload-button|::file-selector-button")
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
                stack[-1].append((prelude, css[pos + 1:end].strip()))
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
        parts += [re.sub(r"\s+", " ", declaration[last:match.start()]), match.group()]
        last = match.end()
    parts.append(re.sub(r"\s+", " ", declaration[last:]))
    name, _, value = "".join(parts).strip().partition(":")
    return name.strip() + ":" + value.strip()


def _selector_names(selector: str) -> list[str]:
    """The class and element names a selector needs (what :not(…), [attr] and pseudo-classes name is left out)."""
    bare = re.sub(r"\[[^\]]*\]", "", selector)
    bare = re.sub(r"::?[\w-]+(\((?:[^()]|\([^()]*\))*\))?", "", bare)
    classes = re.findall(r"\.(-?[_a-zA-Z][\w-]*)", bare)
    elements = re.findall(r"(?<![\w.#-])([a-zA-Z][a-zA-Z0-9]*)(?![\w-])", re.sub(r"\.-?[_a-zA-Z][\w-]*|#[\w-]+", " ", bare))
    return classes + [e.lower() for e in elements]


def _keep(blocks, tokens: set[str], prefixes: tuple[str, ...]) -> list:
    kept = []
    for prelude, body in blocks:
        if isinstance(body, list):
            wanted = prelude.startswith(("@media", "@supports")) and not LATER_MEDIA.search(prelude)
            inner = _keep(body, tokens, prefixes) if wanted else []
            if inner:
                kept.append((re.sub(r"\s+", " ", prelude), inner))
            continue
        if prelude.startswith("@"):
            continue
        selectors = [re.sub(r"\s+", " ", sel) for sel in _split_selectors(prelude)
                     if "data-bs-theme=dark" not in sel and not LATER.search(sel)
                     and all(name in tokens or name.startswith(prefixes) for name in _selector_names(sel))]
        declarations = [d for d in _declarations(body) if d.split(":", 1)[0] not in LATER_PROPERTIES]
        if selectors and declarations:
            kept.append((",".join(selectors), declarations))
    return kept


def _is_group(body) -> bool:
    return bool(body) and isinstance(body[0], tuple)


def _variables_read(rules: list) -> set[str]:
    return {name for prelude, body in rules
            for name in (_variables_read(body) if _is_group(body) else re.findall(r"var\((--[\w-]+)", ";".join(body)))}


def _without_variables(rules: list, keep: set[str]) -> list:
    out = []
    for prelude, body in rules:
        if _is_group(body):
            body = _without_variables(body, keep)
        else:
            body = [d for d in body if not d.startswith("--") or d.split(":", 1)[0] in keep]
        if body:
            out.append((prelude, body))
    return out


def _prune_variables(rules: list) -> list:
    """Drop the custom properties (--bs-…) that nothing kept reads, until none is left to drop."""
    while True:
        pruned = _without_variables(rules, _variables_read(rules))
        if pruned == rules:
            return rules
        rules = pruned


def _render(rules: list) -> str:
    return "".join(prelude + "{" + (_render(body) if _is_group(body) else ";".join(body)) + "}"
                   for prelude, body in rules)


def filter_css(sheets: list[str], tokens: set[str], prefixes: tuple[str, ...] = ()) -> str:
    """The rules of the `sheets` (in order) whose every class and element is in `tokens`, without the dark theme
    and what the first paint never shows (LATER); a class built in a template (`alert-{{ cat }}`) is matched by its
    prefix (`alert-`); @media and @supports keep their matching rules, @keyframes and
    @charset go (the full sheets have them); then the custom properties nothing kept reads."""
    rules = [rule for css in sheets for rule in _keep(_css_blocks(css), tokens, prefixes)]
    return _render(_prune_variables(rules))


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


def build_critical_css() -> Path:
    """Write static/vendor/critical.css (through a temporary file: several workers may start at once)."""
    templates = critical_templates()
    tokens, prefixes = set(CRITICAL_EXTRA), set()
    for path in templates:
        text = path.read_text(encoding="utf-8")
        tokens |= set(re.findall(r"[A-Za-z_][\w-]*", text))
        prefixes |= set(re.findall(r"(?<![\w-])([A-Za-z][\w-]*-){{", text))
    sheets = [path.read_text(encoding="utf-8") for path in critical_stylesheets(templates)]
    css = filter_css(sheets, tokens, tuple(sorted(prefixes)))
    partial = CRITICAL.with_name(f"critical.{os.getpid()}.tmp")
    partial.write_text(css, encoding="utf-8")
    os.replace(partial, CRITICAL)
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
    if not CRITICAL.exists() or _stale():
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
