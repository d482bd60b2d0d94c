"""The platform's WSGI application under cProfile, for finding hot spots under load.

    gunicorn tests.load.wsgi_profile:application --worker-class sync ...
    (or: run_cast_load.py --profile DIR)

Each worker profiles every request it serves (sync workers: cProfile follows one
thread) and writes ``DIR/worker-<pid>.prof`` every ``LOAD_PROFILE_EVERY`` requests
(``LOAD_PROFILE_DIR``, default the current folder). Read them with ``pstats``.
"""

from __future__ import annotations

import cProfile
import os
from pathlib import Path
from typing import Any

from redplypp.wsgi import application as platform

FOLDER = Path(os.environ.get("LOAD_PROFILE_DIR", "."))
EVERY = int(os.environ.get("LOAD_PROFILE_EVERY", "500"))
_profile = cProfile.Profile()
_served = 0


def application(environ: dict[str, Any], start_response: Any) -> Any:
    global _served
    body = _profile.runcall(lambda: list(platform(environ, start_response)))
    _served += 1
    if _served % EVERY == 0:
        _profile.dump_stats(FOLDER / f"worker-{os.getpid()}.prof")
    return body
