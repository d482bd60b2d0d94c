"""The platform's settings plus the load test's URLconf (a minimal view to compare with)."""

from redplypp.settings import *  # noqa: F403

ROOT_URLCONF = "tests.load.urls"

# The sealer's log lines, with a wall-clock time the load test can line up with slow answers.
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {"stamped": {"format": "%(created).3f %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "stamped"}},
    "loggers": {
        **LOGGING["loggers"],  # noqa: F405
        "voting.services": {"level": "INFO"},
        "load.gc": {"level": "INFO"},
    },
}


def _log_full_collections() -> None:
    """Log every full garbage collection of a web process with its length, in the same
    stamped lines (a full collection holds the GIL: every thread of the process waits)."""
    import gc
    import logging
    import time

    log = logging.getLogger("load.gc")
    started: list[float] = []

    def watch(phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            started[:] = [time.perf_counter()]
        elif started:
            log.warning("gc2 %.1f ms collected %d", (time.perf_counter() - started[0]) * 1000, info["collected"])

    gc.callbacks.append(watch)


_log_full_collections()
