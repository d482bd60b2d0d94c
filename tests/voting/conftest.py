import pytest

from tests.nodes.conftest import Scene, make_actor, scene  # noqa: F401  (the two-sided scene of the network tests)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


__all__ = ["Scene", "make_actor"]


@pytest.fixture(autouse=True)
def divipola_after_flush(request):
    """Transactional tests (a live server, transaction ids) end by emptying every table,
    the DIVIPOLA list that migrations load included: put it back when it is missing."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from nodes.models import Municipality
    from nodes.services import divipola_load

    if not Municipality.objects.exists():
        divipola_load()
