"""What every process pays at start-up (decision 0010): libraries only some requests use are not imported by
create_app, the mappers are configured, and the garbage collector is left as it was found."""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Imported by the code that draws, writes a calendar or a spreadsheet, or runs a job; never by create_app.
ON_USE_ONLY = ("reportlab", "qrcode", "PIL", "icalendar", "openpyxl", "pypinyin", "huey", "pypdf")

PROBE = """
import gc, json, sys
from run import app  # the composition root: create_app, then gc.freeze
from core.extensions import db
print(json.dumps({
    "loaded": sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:])),
    "gc_enabled": gc.isenabled(),
    "frozen": gc.get_freeze_count() > 0,
    "mappers_configured": all(m.configured for m in db.Model.registry.mappers),
}))
"""


def test_create_app_imports_no_library_that_only_some_requests_use(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'startup.db'}",
        "KECHUANG_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *ON_USE_ONLY], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["loaded"] == [], f"run.py (create_app) imported {probe['loaded']}: import them where they are used"
    assert probe["gc_enabled"] and probe["frozen"] and probe["mappers_configured"]


def test_create_app_in_tests_leaves_the_collector_on_and_nothing_frozen(app):
    from core import create_app
    from tests.conftest import test_database_url

    frozen = gc.get_freeze_count()
    create_app({"TESTING": True, "DATABASE_URL": test_database_url(), "SQLALCHEMY_DATABASE_URI": None})
    assert gc.isenabled() and gc.get_freeze_count() == frozen
