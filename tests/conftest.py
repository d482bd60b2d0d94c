import copy

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.factories import PASSWORD, UserFactory


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


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Production hashes passwords with PBKDF2 on purpose slowly; tests need not."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: allauth keeps rate-limit counters and used
    two-factor codes there, and in CI the cache is a Redis database kept between runs.
    Only this worker's keys are removed (see ``cache_of_this_worker``)."""
    from tests.cache import clear_cache

    clear_cache()
    yield
