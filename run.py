"""Composition root: `app` for gunicorn and `flask --app run`; `python run.py` serves with an in-process job consumer."""

import gc
import os

from core import create_app

app = create_app()
# What the app built at start (models, routes, catalogs, templates' globals) lives as long as the process: move
# it out of the garbage collector's generations, so collections under load walk only the requests' objects.
gc.freeze()

if __name__ == "__main__":
    from core.jobs import start_consumer_threads

    if app.config.get("JOBS_IN_PROCESS"):
        start_consumer_threads(app)
    port = int(os.environ.get("PORT", "5000"))
    print(f"Kechuang is serving on http://127.0.0.1:{port}/", flush=True)
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=port, debug=False, use_reloader=False, threaded=True)
