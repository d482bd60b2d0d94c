"""Every URL × every kind of person gets exactly what tests/permission_matrix.py says."""

import itertools
from datetime import date

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Permission
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.services import IdentityInput, identity_save
from tests.factories import UserFactory
from tests.permission_matrix import ADMIN, ADMIN_SAMPLES, LOGIN, MATRIX, MFA, REDIRECT, ROLES
from tests.shared_rows import rows_kept_open

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def url_names(patterns=None, namespace=""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}"


def test_every_url_has_a_row_in_the_matrix():
    missing = sorted({name for name in url_names() if not name.startswith("admin:")} - set(MATRIX))
    assert missing == [], f"add these URLs to tests/permission_matrix.py: {missing}"


_documents = itertools.count(1085999001)


def make_person(role: str):
    if role == "anonymous":
        return None
    person = UserFactory(is_staff=role.startswith("staff"))
    if role == "citizen":
        identity_save(
            user=person,
            now=timezone.now(),
            data=IdentityInput(
                document_type="CC",
                document_number=str(next(_documents)),
                birth_date=date(1990, 1, 1),
                municipality_code="52001",
            ),
        )
    if role == "staff_mfa":
        TOTP.activate(person, generate_totp_secret())
        person.user_permissions.add(*Permission.objects.filter(codename__endswith="auditentry"))
    return person


def client_of(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def client_as(role: str) -> Client:
    return client_of(make_person(role))


def check(response, expected) -> None:
    location = response.get("Location", "")
    if expected == LOGIN:
        assert response.status_code == 302 and location.startswith(reverse("account_login")), location
    elif expected == MFA:
        assert response.status_code == 302 and "/2fa/totp/activate/" in location, location
    elif expected == REDIRECT:
        assert response.status_code in {301, 302}, response.status_code
        assert not location.startswith(reverse("account_login")), "a redirect, but to the login page"
    else:
        assert response.status_code == expected


@pytest.fixture(scope="class")
def media_of_the_class(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="class")
def people(shared_rows):
    """One person per column, written once for the whole matrix (see ``shared_rows``)."""
    with shared_rows():
        return {role: make_person(role) for role in ROLES}


@pytest.fixture(scope="class")
def row(request, people, django_db_blocker, media_of_the_class):
    """A row's URL name, arguments and expected answers: what its function makes (a node,
    a cycle voting now, an activity with its file, ...) is written once for the row's five
    cells, in a savepoint rolled back before the next row (rows must not see each other's)."""
    make, expected = MATRIX[request.param]
    with rows_kept_open(django_db_blocker) as write:
        with write(), override_settings(MEDIA_ROOT=media_of_the_class):
            kwargs = make() if callable(make) else make
        yield request.param, kwargs, expected


class TestEveryCell:
    @pytest.fixture(autouse=True)
    def media(self, settings, media_of_the_class):
        """Where the rows' files were written (instead of a folder per test)."""
        settings.MEDIA_ROOT = media_of_the_class

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("row", list(MATRIX), indirect=True, scope="class")
    def test_matrix_cell(self, people, row, role):
        name, kwargs, expected = row
        response = client_of(people[role]).get(reverse(name, kwargs=kwargs or None))
        check(response, expected[role])


@pytest.mark.parametrize("name", ADMIN_SAMPLES)
@pytest.mark.parametrize("role", ROLES)
def test_admin_gate(name, role):
    response = client_as(role).get(reverse(name), follow=False)
    expected = ADMIN[role]
    if expected in (LOGIN, MFA):
        # The admin first bounces to its own login view, which sends people on.
        response = client_as(role).get(reverse(name), follow=True)
        visited = " ".join(url for url, _status in response.redirect_chain).replace("%2F", "/")
        assert ("/cuenta/login/" if expected == LOGIN else "/2fa/totp/activate/") in visited
    elif expected == 403:
        assert client_as(role).get(reverse(name), follow=True).status_code == 403
    else:
        assert response.status_code == expected


def test_every_network_page_has_a_role_by_scope_matrix():
    """The network's management and activity pages also have a matrix of every role ×
    own/other scope; a new one without rows there fails here."""
    from tests.nodes.test_activity_views import MATRIX as ACTIVITY_MATRIX
    from tests.nodes.test_manage_views import PAGES

    covered = {f"network-manage:{name}" for name in PAGES} | {row[0] for row in ACTIVITY_MATRIX}
    scoped = {name for name in url_names() if name.startswith("network-manage:") or name.startswith("nodes:activity-")}
    assert sorted(scoped - covered) == []


def test_every_cycle_management_page_has_a_role_by_scope_matrix():
    """Cycle configuration and record pages also have a matrix of every role × own/other
    municipality; a new one without rows there fails here."""
    from tests.cycles.test_manage_views import PAGES as MANAGE_PAGES
    from tests.cycles.test_records_views import PAGES as RECORD_PAGES

    covered = {f"cycles-manage:{name}" for name in MANAGE_PAGES} | {f"cycles-records:{name}" for name in RECORD_PAGES}
    scoped = {name for name in url_names() if name.startswith(("cycles-manage:", "cycles-records:"))}
    assert sorted(scoped - covered) == []


def test_every_proposal_management_page_has_a_role_by_scope_matrix():
    """Review, paper and execution staff pages also have role × own/other municipality rows."""
    from tests.proposals.test_execution_views import PAGES as EXECUTION_PAGES
    from tests.proposals.test_execution_views import PUBLIC as EXECUTION_PUBLIC
    from tests.proposals.test_manage_views import PAGES as MANAGE_PAGES

    covered = {f"proposals-manage:{name}" for name in MANAGE_PAGES} | {
        f"execution:{name}" for name in (*EXECUTION_PAGES, *EXECUTION_PUBLIC)
    }
    scoped = {name for name in url_names() if name.startswith(("proposals-manage:", "execution:"))}
    assert sorted(scoped - covered) == []
