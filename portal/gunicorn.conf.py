"""gunicorn's settings for the containers (`gunicorn -c portal/gunicorn.conf.py …`).

With PROMETHEUS_MULTIPROC_DIR set, every worker process writes its request counters there and
/metrics adds them up; a worker that exits must be marked dead, or its gauges would linger. The
directory is emptied when the server starts: figures of a previous run must not be added in."""

import os
import shutil
from pathlib import Path


def on_starting(server) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess  # noqa: PLC0415 - only with the directory set

        multiprocess.mark_process_dead(worker.pid)
