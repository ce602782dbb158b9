"""`make bench`: run every bench/<name>.py that defines main() or run(), print one line per figure
(`name: value unit (ratio vs reference)`, printed by each benchmark) and write bench/results.json."""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    only = set(argv)
    results: dict[str, object] = {}
    failed = []
    for path in sorted(HERE.glob("*.py")):
        name = path.stem
        if name.startswith("_") or (only and name not in only):
            continue
        module = importlib.import_module(f"bench.{name}")
        entry = getattr(module, "main", None) or getattr(module, "run", None)
        if entry is None:
            continue
        print(f"# {name}", flush=True)
        started = time.perf_counter()
        try:
            outcome = entry()
        except SystemExit as exc:
            outcome = None
            if exc.code not in (0, None):
                failed.append(name)
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            print(f"{name}: FAILED {type(exc).__name__}: {exc}", flush=True)
            failed.append(name)
            continue
        results[name] = {
            "figures": outcome if isinstance(outcome, (dict, list)) else None,
            "seconds": round(time.perf_counter() - started, 2),
        }
    (HERE / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    print(f"wrote {HERE.relative_to(HERE.parent) / 'results.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
