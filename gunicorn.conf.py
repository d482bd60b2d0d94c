"""gunicorn's settings for the platform (read from the folder gunicorn starts in; any
command-line option wins over them). Measured with tests/load/run_cast_load.py.

- Threads (gthread): most of a request's time is PostgreSQL's, and a thread waiting on
  it lets another run. On 2 cores, 2 workers x 4 threads cast the most ballots/s;
  more processes only added context switches (``WEB_WORKERS``, ``WEB_THREADS``).
- ``worker_connections`` twice the threads: a gthread worker otherwise accepts every
  connection it can and queues them behind its own threads, so one worker's queue
  grew while the other's emptied, and some voters waited twice as long as the rest.
  Capped, the connections a worker cannot serve soon wait in the shared listen queue
  and the next free worker takes them (in the run that compared them, p99 of a cast
  408 ms uncapped, 317 ms capped).
- No keep-alive (``keepalive = 0``): an idle kept-alive connection holds one of those
  few places until it times out, and 64 clients that kept theirs open waited up to
  3 s to be accepted at all. The proxy in front (or a phone) opens a new connection
  per request instead, which costs far less than that wait.
"""

import os

workers = int(os.environ.get("WEB_WORKERS", os.cpu_count() or 2))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_connections = int(os.environ.get("WEB_CONNECTIONS", str(2 * threads)))
keepalive = 0
backlog = 2048
timeout = 60
graceful_timeout = 10
