import copy

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import PASSWORD, UserFactory
from tests.shared_rows import rows_kept_open

# --- Order and spread of the tests over the workers (pytest-xdist) -------------------
#
# pytest-django runs the tests in three groups, and every worker must keep that order:
# tests rolled back in a transaction, then the transactional ones (which end by emptying
# every table, the lists that migrations load included), then those without a database.
# The transactional group holds the few tests that take tens of seconds each (a browser,
# a gunicorn under load, a real Celery worker).

# Fixtures that bring up another process or a browser: the longest tests, started first.
LONG_RUNNING_FIXTURES = ("web", "page", "browser", "live_server", "celery_worker")


def _is_transactional(item: pytest.Item) -> bool:
    """The same test as pytest-django's ordering (its ``pytest_collection_modifyitems``)."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


def _long_running_rank(item: pytest.Item) -> int:
    fixtures = getattr(item, "fixturenames", ())
    for rank, name in enumerate(LONG_RUNNING_FIXTURES):
        if name in fixtures:
            return rank
    return len(LONG_RUNNING_FIXTURES)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Within the transactional group only, start the long-running tests first: at the end
    of the run, one of them would keep one worker busy for a minute while the other has
    nothing left to do. The other groups and every test's own content are unchanged."""
    slots = [index for index, item in enumerate(items) if _is_transactional(item)]
    group = sorted((items[index] for index in slots), key=_long_running_rank)  # stable
    for index, item in zip(slots, group, strict=True):
        items[index] = item


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Hand the tests to the workers one at a time (``--maxschedchunk=1``) unless told otherwise.

    xdist's default "load" schedule queues about an eighth of the remaining tests on each
    worker, in the order above; the long transactional tests then all land in one worker's
    queue near the end while the other worker runs out (this cost a quarter of the run).
    One at a time, each worker still runs its tests in that order, and they finish together."""
    if config.getvalue("dist") != "load" or config.getoption("maxschedchunk") is not None:
        return None
    from xdist.scheduler import LoadScheduling

    config.option.maxschedchunk = 1
    return LoadScheduling(config, log)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def client_for(db):
    """A logged-in test client for a given user (through the real login, not force_login, where it matters)."""

    def make(person) -> Client:
        client = Client()
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """Production hashes passwords with PBKDF2 on purpose slowly; tests need not (for the
    whole session, so that rows written once for a class of tests are hashed fast too)."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def language_of_the_site():
    """A request to an /en/ page leaves English active in the test's thread: the next
    test starts in the site's language again."""
    from django.utils import translation

    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def ballots_read_fresh(settings):
    """Tests change proposals and calendars between casts: no ballot kept in memory
    (tests/voting/test_services_perf.py turns it on where it is the subject)."""
    settings.VOTING_CONTEXT_SECONDS = 0
    from voting.services import forget_remembered

    forget_remembered()


@pytest.fixture(scope="session", autouse=True)
def cache_of_this_worker(worker_id):
    """Parallel workers (pytest-xdist) share the Redis cache: each gets its own key prefix,
    so that one worker's counters (keyed by user ids that repeat across the workers'
    databases) and clearing never touch another's."""
    from django.test import override_settings

    caches = copy.deepcopy(django_settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"test-{worker_id}"
    with override_settings(CACHES=caches):
        yield


@pytest.fixture(scope="session", autouse=True)
def static_files_listed_once():
    """Each test client builds the middleware anew, and WhiteNoise's, when built, lists and
    stats every collected static file and works out its headers (about a tenth of a second,
    for every ``Client()`` of every test). The collected files do not change during a run:
    list each folder once per configuration and give every later middleware the same
    entries, which are what it would have built itself. Requests still go through it."""
    from whitenoise.base import WhiteNoise

    listed: dict[tuple, dict] = {}
    list_folder = WhiteNoise.update_files_dictionary

    def configuration(middleware: WhiteNoise, root: str, prefix: str) -> tuple:
        whitenoise_settings = tuple(
            (name, repr(getattr(django_settings, name)))
            for name in dir(django_settings)
            if name.startswith("WHITENOISE_")
        )
        return (
            type(middleware),
            root,
            prefix,
            middleware.max_age,
            middleware.allow_all_origins,
            middleware.charset,
            middleware.index_file,
            middleware.add_headers_function,
            tuple(sorted(middleware.media_types.types_map.items())),
            django_settings.DEBUG,
            django_settings.STATIC_URL,
            str(django_settings.STATIC_ROOT),
            repr(django_settings.STORAGES),
            whitenoise_settings,
        )

    def update_files_dictionary(self: WhiteNoise, root: str, prefix: str) -> None:
        key = configuration(self, root, prefix)
        if key not in listed:
            files, self.files = self.files, {}
            try:
                list_folder(self, root, prefix)
                listed[key] = self.files
            finally:
                self.files = {**files, **self.files}
            return
        self.files.update(listed[key])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WhiteNoise, "update_files_dictionary", update_files_dictionary)
        yield


@pytest.fixture(scope="class")
def shared_rows(django_db_setup, django_db_blocker):
    """Rows written once for all the tests of a class, for the role × page matrices whose
    hundreds of cells each built the same scene: a class-scoped fixture writes them inside
    ``with shared_rows():``.

    A transaction is held open around the class and rolled back after its last test. Each
    test still runs in its own savepoint (pytest-django's ``db``, nested in it), so every
    test starts from exactly these rows whichever tests ran before it on its worker, and
    nothing a test writes outlives it. The Python objects built with the rows are shared
    too: only for tests that read them (use ids, open pages), never change them."""
    with rows_kept_open(django_db_blocker) as write:
        yield write


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: allauth keeps rate-limit counters and used
    two-factor codes there, and in CI the cache is a Redis database kept between runs.
    Only this worker's keys are removed (see ``cache_of_this_worker``)."""
    from tests.cache import clear_cache

    clear_cache()
    yield
