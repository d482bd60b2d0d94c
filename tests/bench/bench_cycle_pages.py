"""Server time and queries of the public cycle pages, on the demo data.

Run by hand (not collected by pytest), against a database with the demo loaded
(`make run` does it; or `make manage ARGS=loaddemo`):

    DATABASE_URL=$(.venv/bin/python -m redplypp.launcher db-url) DJANGO_ALLOW_INSECURE_KEYS=1 \
        .venv/bin/python tests/bench/bench_cycle_pages.py

Renders each page through Django's test client (view, selectors, templates),
anonymous, and prints the median and 95th percentile and the query count.
The Medellín cycle is the largest of the demo: 21 territories, 7 phases.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redplypp.settings")
os.environ.setdefault("DJANGO_STATIC_COMPRESS", "false")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from cycles.models import Cycle  # noqa: E402

ROUNDS = 50


def measure(client: Client, url: str) -> tuple[float, float, int, int]:
    client.get(url)  # warm the template cache
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries), len(response.content)


def main() -> None:
    setup_test_environment()
    client = Client()
    cycles = list(Cycle.objects.published().order_by("pk"))
    if not cycles:
        sys.exit("No published cycle: load the demo first (make manage ARGS=loaddemo).")
    largest = max(cycles, key=lambda c: c.units.count())
    pages = {
        "cycle list": "/ciclos/",
        "cycle list, running, one department": "/ciclos/?estado=running&departamento=05",
        f"cycle page ({largest.title}, {largest.units.count()} territories)": f"/ciclos/{largest.pk}/",
    }
    assembly = next((a for c in cycles for a in c.assemblies.all()), None)
    if assembly is not None:
        pages["assembly page"] = f"/ciclos/{assembly.cycle_id}/asambleas/{assembly.pk}/"
    print(f"{'page':60} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'KiB':>6}")
    for name, url in pages.items():
        median, p95, queries, size = measure(client, url)
        print(f"{name:60} {median:10.1f} {p95:8.1f} {queries:8d} {size / 1024:6.1f}")


if __name__ == "__main__":
    main()
