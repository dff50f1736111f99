"""gunicorn's settings for serving the Buzón in production.

gunicorn reads ``./gunicorn.conf.py`` by itself, so from the project root
``.venv/bin/gunicorn buzon.wsgi`` is the whole command; flags given on the command line
win over these.
"""

import gc
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

bind = f"{os.environ.get('BUZON_HOST', '127.0.0.1')}:{os.environ.get('BUZON_PORT', '8000')}"
workers = int(os.environ.get("BUZON_WORKERS") or 2 * (os.cpu_count() or 1) + 1)
# Threaded workers (decision 0017): each worker's main loop tells the master it is alive
# while its threads serve, so a long streamed download (the staff queue as CSV: a
# million rows take one to three minutes) is not cut by the timeout, as it was with
# `sync` workers, whose only sign of life is between requests; and kept-alive
# connections spare a TCP handshake per request. A request's own time is bounded
# elsewhere: the database's lock timeout, the PDF and antivirus time limits, the upload
# limits. A worker whose main loop stops answering is replaced after `timeout`.
worker_class = os.environ.get("BUZON_WORKER_CLASS", "gthread")
# Four threads for gthread; one otherwise. gunicorn quietly turns a `sync` worker with
# more than one thread into a gthread one, so BUZON_WORKER_CLASS=sync alone used to run
# gthread workers of 4 threads, benches included (decision 0020).
threads = int(os.environ.get("BUZON_HILOS") or (4 if worker_class == "gthread" else 1))
timeout = 30
graceful_timeout = 10
# Django and the app are imported once in the master, before forking: workers start
# faster and share those pages with it.
preload_app = True

# Prometheus metrics shared by the workers (operacion.metricas): each worker writes its
# counts to files in this folder, and a scrape of any worker adds up all of them. A
# folder of this master's own unless the operator names one; emptied at start either
# way, since the counts of an earlier run must not add into this one's.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="buzon-metricas-")
    os.environ["BUZON_METRICAS_CARPETA_PROPIA"] = "1"
for _viejo in Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).glob("*.db"):
    _viejo.unlink(missing_ok=True)


def when_ready(server: Any) -> None:
    # What workers would load on their first requests (every view and its libraries, the
    # holidays, templates, the acuse's fonts and signer: seconds, more than the timeout
    # on a loaded machine), loaded once here so that every worker is born warm.
    if server.cfg.preload_app:
        from buzon.arranque import calentar

        calentar()
    # Everything imported so far lives as long as the process. Moved out of the
    # collector's sight, a full collection no longer walks the hundreds of thousands of
    # objects of Django and the libraries on every few thousand requests, and workers do
    # not dirty the pages they share with the master by touching those objects' headers.
    gc.freeze()


def post_fork(server: object, worker: object) -> None:
    # A database connection opened in the master must not be shared by the workers.
    from django.db import connections

    connections.close_all()


def on_exit(server: object) -> None:
    if os.environ.get("BUZON_METRICAS_CARPETA_PROPIA") == "1":
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
