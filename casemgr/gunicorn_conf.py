"""gunicorn settings for every way the web application is served (``make run``, the container,
the benchmarks): ``gunicorn -c python:casemgr.gunicorn_conf 'casemgr.app:create_app()'``.

After a worker has loaded the application it moves every object created so far (the app, the
models, the lifecycle tables, the translations: some 200,000 objects) out of the cyclic
garbage collector's reach with :func:`gc.freeze`. Otherwise a full collection walks all of them
every few requests, about 110 ms each time, which set the 95th percentile of the case-family
read (BENCHMARKS.md).
"""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Freeze the objects of the loaded application (gunicorn server hook)."""
    gc.collect()
    gc.freeze()
