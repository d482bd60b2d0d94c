import pytest

from tests.nodes.conftest import Scene, make_actor, scene  # noqa: F401  (the two-sided scene of the network tests)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


__all__ = ["Scene", "make_actor"]
