"""gunicorn settings for every way the web application is served (``make run``, the container,
the benchmarks): ``gunicorn -c python:casemgr.gunicorn_conf 'casemgr.app:create_app()'``.

After a worker has loaded the application it moves every object created so far (the app, the
models, the lifecycle tables, the translations: some 200,000 objects) out of the cyclic
garbage collector's reach with :func:`gc.freeze`. Otherwise a full collection walks all of them
every few requests, about 110 ms each time, which set the 95th percentile of the case-family
read (BENCHMARKS.md).

With CASEMGR_SCHEDULER_IN_PROCESS (``make run`` sets it), each worker also starts the job
scheduler in a thread, after the fork: every worker competes for the scheduler lock and one runs
the jobs; when it exits, another takes over.
"""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Freeze the objects of the loaded application; start the in-process scheduler when
    configured (gunicorn server hook)."""
    gc.collect()
    gc.freeze()
    app = getattr(worker, "wsgi", None)
    if app is not None and getattr(app, "config", {}).get("SCHEDULER_IN_PROCESS"):
        # Imported here: the master process never loads the application.
        from casemgr.jobs import start_in_background

        worker.casemgr_scheduler = start_in_background(app)


def worker_exit(server: Any, worker: Any) -> None:
    """Stop the worker's scheduler, releasing the lock for another worker (gunicorn hook)."""
    runner = getattr(worker, "casemgr_scheduler", None)
    if runner is not None:
        runner.stop(timeout=20)
