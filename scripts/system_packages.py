#!/usr/bin/env python3
"""The Debian packages Kechuang needs beyond Python, installed by `make run`, `make test` and `make bench`.

Usage: python3 scripts/system_packages.py run|test|bench [--check]

Each need lists what it adds to the one before it. Missing packages are installed when this machine can
(root and apt-get), and the script prints what it installed. Where it cannot (no root, not Debian), it prints
the exact command to run and exits 0: the app still starts, and each test needing a missing package is
skipped with that command in its reason (tests/conftest.py asks `missing_for()` below). `--check` only
prints what is missing. Standard library only: it runs before the virtualenv exists.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

# need -> (packages, why). A need includes every need before it in NEEDS.
NEEDS: dict[str, tuple[tuple[str, ...], str]] = {
    "run": (
        ("fonts-wqy-microhei", "fonts-wqy-zenhei", "fonts-hanazono", "fonts-droid-fallback", "poppler-utils"),
        "中文字体（证书、电子票、报表 PDF 嵌入）与 pdftoppm（证书设计预览） / CJK fonts embedded in PDFs, pdftoppm for "
        "the certificate designer's preview",
    ),
    "test": (
        ("chromium", "chromium-driver"),
        "浏览器测试用的 Chromium / Chromium for the browser tests",
    ),
    "bench": (
        ("wrk",),
        "HTTP 压测工具 wrk / the wrk load generator",
    ),
}
ORDER = list(NEEDS)


def packages_for(need: str) -> list[str]:
    """Every package `need` requires, its own and those of the needs before it."""
    wanted: list[str] = []
    for name in ORDER[: ORDER.index(need) + 1]:
        wanted.extend(NEEDS[name][0])
    return wanted


def is_installed(package: str) -> bool:
    if not shutil.which("dpkg-query"):
        return False
    result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return result.returncode == 0 and result.stdout.split()[-1:] == ["installed"]


def install_command(packages: list[str]) -> str:
    prefix = "" if _is_root() else "sudo "
    return f"{prefix}apt-get update && {prefix}apt-get install -y {' '.join(packages)}"


def missing_for(*packages: str) -> str | None:
    """None when every package is installed, else a skip reason naming the command that installs them."""
    missing = [p for p in packages if not is_installed(p)]
    if not missing:
        return None
    return f"缺少系统软件包 / missing Debian packages {', '.join(missing)}: {install_command(missing)}"


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def ensure(need: str, check_only: bool = False) -> int:
    missing = [p for p in packages_for(need) if not is_installed(p)]
    if not missing:
        print(f"系统软件包齐全 / system packages present ({need}): {' '.join(packages_for(need))}")
        return 0
    if check_only or not (_is_root() and shutil.which("apt-get")):
        print(f"缺少系统软件包 / missing system packages ({need}): {' '.join(missing)}")
        print(f"请运行 / run: {install_command(missing)}")
        if not check_only:
            print("相关测试将跳过并注明原因 / the tests that need them will be skipped, saying why")
        return 0
    print(f"正在安装 / installing ({need}): {' '.join(missing)}", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    quiet = {"stdout": subprocess.DEVNULL, "env": env}
    subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
    result = subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=False, **quiet)
    still = [p for p in missing if not is_installed(p)]
    done = [p for p in missing if p not in still]
    if done:
        print(f"已安装 / installed: {' '.join(done)}")
    if still or result.returncode != 0:
        print(f"未能安装 / could not install: {' '.join(still) or '(apt-get exit ' + str(result.returncode) + ')'}")
        print(f"请运行 / run: {install_command(still or missing)}")
        return 1
    return 0


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    if len(args) != 1 or args[0] not in NEEDS:
        print(f"usage: {sys.argv[0]} {'|'.join(ORDER)} [--check]", file=sys.stderr)
        return 2
    return ensure(args[0], check_only="--check" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
