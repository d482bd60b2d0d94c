"""What a test does when a service it needs (browser, Redis) is missing:
skip on a developer's machine, FAIL in CI (CI=true), where every service must be there."""

import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def service_missing(reason: str) -> None:
    if in_ci():
        pytest.fail(f"{reason}: in CI every service must be present, so this is a failure, not a skip.")
    pytest.skip(reason)
