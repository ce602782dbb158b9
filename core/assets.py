"""Copy self-hosted front-end files into static/vendor/ (run by `make`; never a CDN).

Bootstrap comes from the Bootstrap-Flask wheel on PyPI, so a machine with only python3 gets a styled UI.
Chart.js, qr-scanner, idb, Bootstrap Icons and axe-core come from the npm registry (package.json, package-lock.json) when npm is present;
without them the charts still show their tables and the scanner page keeps its keyboard/USB input.
"""
from __future__ import annotations

import importlib.util
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


def main() -> None:
    copy_bootstrap()
    missing = copy_npm_files() + copy_icons()
    if missing:
        print("warning: npm packages not installed (no npm?): " + ", ".join(missing), file=sys.stderr)
    print(f"static assets installed in {VENDOR.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
