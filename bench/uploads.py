"""Upload limits (issue 19, hole 2): what a hostile file costs now, in seconds and peak memory.

Each case runs in a fresh process, so its peak RSS is its own: a 1 MB .xlsx whose sheet inflates to 1 GB
(refused from the zip directory), a 13000 × 13000 PNG (refused from its header), and for comparison honest
uploads of the largest accepted size (a 20,000-student roster, a 50-megapixel photo header).

Run: .venv/bin/python bench/uploads.py   (or `make bench`). Prints `name: value unit` lines, returns a dict.
"""

from __future__ import annotations

import multiprocessing
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _case(name: str, queue) -> None:
    sys.path.insert(0, str(ROOT))
    import io
    import zipfile

    from competitions.roster.reading import parse_roster
    from tests.hostile import huge_png

    if name.startswith("xlsx_bomb"):
        from tests.core.test_spreadsheets import inflating_xlsx

        data = inflating_xlsx(1024 * 1024 * 1024)  # 1 GB of sheet XML
        inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())

        def work():
            result = parse_roster(data, "名单.xlsx")
            assert not result.ok, "the bomb was accepted"
            return result.errors[0].code
    elif name == "roster_20000_rows":
        from bench.competitions_roster import make_roster_xlsx

        data = make_roster_xlsx(20000)
        inflated = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())

        def work():
            result = parse_roster(data, "名单.xlsx")
            assert result.ok and len(result.rows) == 20000
            return "accepted"
    else:
        from flask import Flask
        from flask_babel import Babel

        from core.errors import DomainError
        from core.images import MAX_PHOTO_PIXELS, check_image_pixels

        data = huge_png(13000, 13000)
        inflated = 13000 * 13000
        app = Flask(__name__)
        Babel(app)

        def work():
            with app.app_context():
                try:
                    check_image_pixels(data, MAX_PHOTO_PIXELS)
                except DomainError as exc:
                    return exc.code
            return "accepted"

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome = work()  # timed without tracemalloc (it slows parsing several times)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    work()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    queue.put(
        {
            "file_mb": round(len(data) / 1048576, 2),
            "inflated_mb": round(inflated / 1048576, 1),
            "outcome": outcome,
            "seconds": round(seconds, 4),
            "traced_peak_mb": round(traced / 1048576, 1),
            "rss_growth_mb": round((peak - baseline) / 1024, 1),
        }
    )


def main() -> dict:
    context = multiprocessing.get_context("spawn")
    figures = {}
    for name in ("xlsx_bomb_1gb", "png_13000x13000", "roster_20000_rows"):  # each in a fresh process
        queue = context.Queue()
        process = context.Process(target=_case, args=(name, queue))
        process.start()
        result = queue.get(timeout=600)
        process.join()
        figures[name] = result
        print(
            f"{name}: {result['seconds']} s, peak +{result['rss_growth_mb']} MB RSS "
            f"({result['traced_peak_mb']} MB traced) for a {result['file_mb']} MB file that unpacks to "
            f"{result['inflated_mb']} MB -> {result['outcome']}",
            flush=True,
        )
    return figures


if __name__ == "__main__":
    main()
