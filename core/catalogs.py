"""Translation catalogs, one per area: `python -m core.catalogs update|compile|check [AREA ...]`.

Messages are English msgids in code and templates; zh_CN (the default UI language) is translated in
<area>/translations/zh_CN/LC_MESSAGES/messages.po. `update` extracts an area's strings (its package and
templates/<area>/; core also owns templates/*.html, _macros/ and errors/) and merges them into its catalog;
`compile` writes the .mo files (git-ignored, built by make); `check` lists untranslated or fuzzy messages
and exits 1 when there are any (tests run it); `fill AREA FILE.json` sets translations from {msgid: 中文}.
"""

from __future__ import annotations

import ast
import inspect
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from core import CATALOG_AREAS

ROOT = Path(__file__).resolve().parent.parent
AREAS = CATALOG_AREAS  # `check` and `update` without names go over all of them
LOCALE = "zh_CN"
METHODS = [("**.py", "core.catalogs:extract_python_and_cli_help"), ("**.html", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None, "N_": None, "_n": (1, 2)}
OPTIONS = {"**.html": {"extensions": "jinja2.ext.do"}}


CLI_DECORATORS = {"command", "group"}  # @<group>.command(...), @click.group(...)
CLI_HELP_CALLS = {"command", "group", "option", "AppGroup", "Group", "Command", "Option"}


def extract_python_and_cli_help(fileobj, keywords, comment_tags, options):
    """Babel's Python extraction, plus the help texts of the `flask` commands: the docstring of a function
    decorated as a click command or group, and a literal `help="..."` given to a command, group or option.
    They are translated where click shows them (core.cli.translate_help), so they are written in English
    like every msgid, with no marker."""
    data = fileobj.read()
    yield from extract_python(io.BytesIO(data), keywords, comment_tags, options)
    yield from cli_help_messages(data)


def cli_help_messages(source: bytes):
    """(lineno, None, message, []) for each command docstring and literal help= in a Python source."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(_is_cli_decorator(d) for d in node.decorator_list):
            explicit = any(
                kw.arg == "help"
                for d in node.decorator_list
                if isinstance(d, ast.Call) and _is_cli_decorator(d)
                for kw in d.keywords
            )
            doc = ast.get_docstring(node, clean=False)
            if doc and not explicit:
                yield node.body[0].lineno, None, inspect.cleandoc(doc), []
        elif isinstance(node, ast.Call) and _call_name(node.func) in CLI_HELP_CALLS:
            for kw in node.keywords:
                if kw.arg in ("help", "short_help") and isinstance(kw.value, ast.Constant):
                    if isinstance(kw.value.value, str) and kw.value.value.strip():
                        yield kw.value.lineno, None, inspect.cleandoc(kw.value.value), []


def _is_cli_decorator(node) -> bool:
    func = node.func if isinstance(node, ast.Call) else node
    return isinstance(func, ast.Attribute) and func.attr in CLI_DECORATORS


def _call_name(func) -> str:
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def sources(area: str) -> list[Path]:
    dirs = [ROOT / area, ROOT / "templates" / area]
    if area == "core":
        dirs += [ROOT / "templates" / "_macros", ROOT / "templates" / "errors"]
    return [d for d in dirs if d.is_dir()]


def extract(area: str) -> Catalog:
    template = Catalog(locale=None, project="kechuang", charset="utf-8")
    paths = sources(area)
    if area == "core":
        for html in sorted((ROOT / "templates").glob("*.html")):  # base.html
            _extract_into(template, html.parent, only=html.name)
    for base in paths:
        _extract_into(template, base)
    return template


def _extract_into(template: Catalog, base: Path, only: str | None = None) -> None:
    methods = [(only, "jinja2.ext:babel_extract")] if only else METHODS
    for filename, lineno, message, comments, context in extract_from_dir(
        str(base), method_map=methods, options_map=OPTIONS, keywords=KEYWORDS, strip_comment_tags=True
    ):
        if "translations" in filename or "/tests/" in filename:
            continue
        template.add(
            message, None, [(str(base.relative_to(ROOT) / filename), lineno)], auto_comments=comments, context=context
        )


def po_path(area: str) -> Path:
    return ROOT / area / "translations" / LOCALE / "LC_MESSAGES" / "messages.po"


def load(area: str) -> Catalog:
    path = po_path(area)
    if not path.exists():
        return Catalog(locale=LOCALE, project="kechuang", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=LOCALE)


def update(area: str) -> Path:
    template = extract(area)
    catalog = load(area)
    catalog.update(template, update_header_comment=False, no_fuzzy_matching=True)
    path = po_path(area)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=120, omit_header=False, ignore_obsolete=True, sort_output=False)
    return path


def compile_area(area: str) -> Path | None:
    path = po_path(area)
    if not path.exists():
        return None
    catalog = load(area)
    # Babel parses zh_CN as zh_Hans_CN, which gettext looks up as zh_Hans_CN, then zh: the compiled
    # catalog goes to translations/zh/ (git-ignored build output); the source stays at zh_CN.
    mo = ROOT / area / "translations" / "zh" / "LC_MESSAGES" / "messages.mo"
    mo.parent.mkdir(parents=True, exist_ok=True)
    with mo.open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    return mo


def untranslated(area: str) -> list[str]:
    """Messages used in the area's code or templates that have no (non-fuzzy) zh_CN translation."""
    catalog = load(area)
    missing = []
    for message in extract(area):
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        found = catalog.get(message.id, context=message.context)
        if found is None or found.fuzzy or not (found.string if isinstance(found.string, str) else all(found.string)):
            missing.append(key)
    return missing


def fill(area: str, translations: dict[str, str]) -> int:
    """Set msgstr for the given msgids (JSON {msgid: 中文}) in the area's catalog; returns how many were set."""
    catalog = load(area)
    count = 0
    for message in catalog:
        key = message.id if isinstance(message.id, str) else None
        if key and key in translations:
            message.string = translations[key]
            message.flags.discard("fuzzy")
            count += 1
    with po_path(area).open("wb") as fh:
        write_po(fh, catalog, width=120, ignore_obsolete=True)
    return count


def main(argv: list[str]) -> int:
    if argv and argv[0] == "fill" and len(argv) == 3:
        import json

        print(f"filled {fill(argv[1], json.loads(Path(argv[2]).read_text(encoding='utf-8')))} messages")
        return 0
    if not argv or argv[0] not in ("update", "compile", "check"):
        print(__doc__)
        return 2
    areas = [a for a in (argv[1:] or AREAS) if (ROOT / a).is_dir()]
    status = 0
    for area in areas:
        if argv[0] == "update":
            print(f"updated {update(area).relative_to(ROOT)}")
        elif argv[0] == "compile":
            compile_area(area)
        else:
            missing = untranslated(area)
            for msgid in missing:
                print(f"{area}: untranslated: {msgid!r}")
            status |= bool(missing)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
