"""The platform's settings plus the load test's URLconf (a minimal view to compare with)."""

from redplypp.settings import *  # noqa: F403

ROOT_URLCONF = "tests.load.urls"
