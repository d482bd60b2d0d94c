"""Server time of the public municipality search over the 1,122 DIVIPOLA units.

Run by hand (not collected by pytest), against the development database, which
migrations fill with DIVIPOLA:

    DATABASE_URL=$(.venv/bin/python -m redplypp.launcher db-url) DJANGO_ALLOW_INSECURE_KEYS=1 \
        .venv/bin/python tests/bench/bench_municipality_search.py

It renders the whole page (view + selector + template) through Django's test
client, as a request would be, and prints the median and 95th percentile.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redplypp.settings")
# Production-like: cached templates, hashed static names (run `make test` once to collect them).
os.environ.setdefault("DJANGO_STATIC_COMPRESS", "false")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from nodes.selectors import municipality_directory  # noqa: E402

QUERIES = ["bogota", "cucuta", "san", "san jose", "medellin", "a", "05001", "zzz", "puerto", "el carmen"]
ROUNDS = 30


def main() -> None:
    setup_test_environment()
    client = Client()
    client.get("/red/municipios/?q=warm")
    rows = []
    for query in QUERIES:
        timings = []
        search = []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            list(municipality_directory(query=query)[:50])
            search.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            response = client.get("/red/municipios/", {"q": query})
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        found = response.context["page"].paginator.count
        timings.sort()
        rows.append(
            (query, found, statistics.median(search), statistics.median(timings), timings[int(len(timings) * 0.95) - 1])
        )
    print(f"{'query':<12} {'found':>6} {'search ms':>10} {'page median ms':>15} {'page p95 ms':>12}")
    for query, found, search_ms, median, p95 in rows:
        print(f"{query:<12} {found:>6} {search_ms:>10.1f} {median:>15.1f} {p95:>12.1f}")
    print(
        f"\nworst search median {max(row[2] for row in rows):.1f} ms, worst whole-page median "
        f"{max(row[3] for row in rows):.1f} ms; target < 50 ms server time"
    )


if __name__ == "__main__":
    main()
