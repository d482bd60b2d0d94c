"""Pages of network activities: every URL × role × own/other scope gets the
expected answer; downloads are attachments; titles and file names are escaped."""

from datetime import date

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from nodes.activities import activity_attach, activity_create
from nodes.models import Activity, ActivityAttachment, ActivityKind
from tests.nodes.conftest import make_actor, make_scene
from tests.nodes.test_activities import minimal_pdf, png_with_exif
from tests.test_permission_matrix import make_person

pytestmark = pytest.mark.django_db

LOGIN, MFA = "login", "mfa"
ROLES = [
    "anonymous",
    "user",
    "citizen",
    "staff",
    "secretariat",
    "coordinator",
    "manager",
    "reviewer",
    "station_officer",
    "monitor",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def person_as(role, scene):
    if role == "anonymous":
        return None
    if role in ("user", "citizen", "staff"):
        return make_person(role)
    person = make_actor(role, scene)
    TOTP.activate(person, generate_totp_secret())  # role holders use two-factor authentication
    return person


def client_of(person) -> Client:
    client = Client()
    if person is not None:
        client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
    return client


def client_as(role, scene) -> Client:
    return client_of(person_as(role, scene))


def check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    elif expected == MFA:
        assert response.status_code == 302 and "/2fa/totp/activate/" in response["Location"]
    else:
        assert response.status_code == expected


@pytest.fixture
def activities(scene):
    return make_activities(scene)


def make_activities(scene):
    """A published activity with a file on each side, and an unpublished one of the own node."""
    secretariat = make_actor("secretariat", scene)
    made = {}
    for scope, node in (("own", scene.own_node), ("other", scene.other_node)):
        activity = activity_create(
            actor=secretariat,
            kind=ActivityKind.WORKSHOP,
            title=f"Taller {scope}",
            starts_on=date(2025, 3, 14),
            nodes=[node],
        )
        attachment = activity_attach(
            actor=secretariat,
            activity=activity,
            upload=SimpleUploadedFile("acta.pdf", minimal_pdf(), content_type="application/pdf"),
        )
        made[scope] = (activity, attachment)
    made["draft"] = (
        activity_create(
            actor=secretariat,
            kind=ActivityKind.EXCHANGE,
            title="Borrador",
            starts_on=date(2025, 3, 15),
            nodes=[scene.own_node],
            published=False,
        ),
        None,
    )
    return made


EVERYONE_200 = dict.fromkeys(ROLES, 200)
# Management pages: a role with two-factor authentication, then the activity permission.
RECORDERS = {
    "anonymous": LOGIN,
    "user": 403,
    "citizen": 403,
    "staff": MFA,
    "secretariat": 200,
    "coordinator": 200,
    "manager": 403,
    "reviewer": 403,
    "station_officer": 403,
    "monitor": 403,
}
OTHER_SCOPE = {**RECORDERS, "coordinator": 403}
DRAFT = {**dict.fromkeys(ROLES, 404), "secretariat": 200, "coordinator": 200}
POST_ONLY = {
    **RECORDERS,
    **{role: 405 for role in ROLES if RECORDERS[role] in (200, 403) and role not in ("user", "citizen")},
}

# (URL name, which activity or attachment: None, "own", "other", "draft"; "activity" or "attachment"; expected)
MATRIX = [
    ("nodes:activity-calendar", None, None, EVERYONE_200),
    ("nodes:activity-archive", None, None, EVERYONE_200),
    ("nodes:activity-detail", "own", "activity", EVERYONE_200),
    ("nodes:activity-detail", "other", "activity", EVERYONE_200),
    ("nodes:activity-detail", "draft", "activity", DRAFT),
    ("nodes:activity-attachment", "own", "attachment", EVERYONE_200),
    ("nodes:activity-attachment", "other", "attachment", EVERYONE_200),
    ("network-manage:activity-list", None, None, RECORDERS),
    ("network-manage:activity-create", None, None, RECORDERS),
    ("network-manage:activity-edit", "own", "activity", RECORDERS),
    ("network-manage:activity-edit", "other", "activity", OTHER_SCOPE),
    ("network-manage:activity-attach", "own", "activity", RECORDERS),
    ("network-manage:activity-attach", "other", "activity", OTHER_SCOPE),
    ("network-manage:activity-delete", "own", "activity", RECORDERS),
    ("network-manage:activity-delete", "other", "activity", OTHER_SCOPE),
    ("network-manage:attachment-delete", "own", "attachment", POST_ONLY),
    ("network-manage:attachment-delete", "other", "attachment", POST_ONLY),
]
CELLS = [(name, scope, target, role, expected[role]) for name, scope, target, expected in MATRIX for role in ROLES]


@pytest.fixture(scope="class")
def media_of_the_class(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="class")
def activities_and_people(shared_rows, media_of_the_class):
    """The activities (their files in the class's media folder) and one person per role,
    written once for the whole matrix (see ``shared_rows``)."""
    with shared_rows(), override_settings(MEDIA_ROOT=media_of_the_class):
        scene = make_scene()
        return make_activities(scene), {role: person_as(role, scene) for role in ROLES}


class TestEveryRoleOnEachScope:
    @pytest.fixture(autouse=True)
    def media(self, settings, media_of_the_class):
        """Where the shared attachments were written (instead of a folder per test)."""
        settings.MEDIA_ROOT = media_of_the_class

    @pytest.mark.parametrize(
        ("name", "scope", "target", "role", "expected"),
        CELLS,
        ids=[f"{name}-{scope or 'none'}-{role}" for name, scope, _target, role, _e in CELLS],
    )
    def test_activity_url_permission_matrix(self, activities_and_people, name, scope, target, role, expected):
        activities, people = activities_and_people
        kwargs = None
        if scope is not None:
            activity, attachment = activities[scope]
            kwargs = {"pk": (activity if target == "activity" else attachment).pk}
        check(client_of(people[role]).get(reverse(name, kwargs=kwargs)), expected)


def test_attachment_download_is_an_attachment_with_checked_type(scene, activities):
    _activity, attachment = activities["own"]
    response = Client().get(reverse("nodes:activity-attachment", kwargs={"pk": attachment.pk}))
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="acta.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == minimal_pdf()


def test_attachment_of_a_draft_is_hidden_from_the_public(scene, activities):
    draft, _none = activities["draft"]
    attachment = activity_attach(
        actor=make_actor("secretariat", scene),
        activity=draft,
        upload=SimpleUploadedFile("acta.pdf", minimal_pdf()),
    )
    url = reverse("nodes:activity-attachment", kwargs={"pk": attachment.pk})
    assert Client().get(url).status_code == 404
    assert client_as("coordinator", scene).get(url).status_code == 200


def _form(scene, **overrides):
    data = {
        "kind": ActivityKind.REGIONAL_VISIT,
        "title": "Visita regional",
        "starts_on": "2025-06-10",
        "ends_on": "",
        "municipality": scene.own_municipality.pk,
        "place_detail": "Casa de la cultura",
        "nodes": [scene.own_node.pk],
        "summary": "Resumen",
        "published": "on",
    }
    return {**data, **overrides}


def test_coordinator_records_activity_of_own_node_through_the_form(scene):
    response = client_as("coordinator", scene).post(reverse("network-manage:activity-create"), _form(scene))
    activity = Activity.objects.get(title="Visita regional")
    assert response.status_code == 302
    assert response["Location"] == reverse("network-manage:activity-attach", kwargs={"pk": activity.pk})
    assert list(activity.nodes.all()) == [scene.own_node]


def test_coordinator_trying_another_node_gets_a_clear_403(scene):
    client = client_as("coordinator", scene)
    response = client.post(reverse("network-manage:activity-create"), _form(scene, nodes=[scene.other_node.pk]))
    assert response.status_code == 403
    assert "Secretaría Técnica" in response.content.decode()
    assert not Activity.objects.exists()


def test_form_shows_end_before_start_next_to_the_field(scene):
    client = client_as("secretariat", scene)
    response = client.post(reverse("network-manage:activity-create"), _form(scene, ends_on="2025-06-01"))
    assert response.status_code == 200
    assert response.context["form"].errors["ends_on"]
    assert not Activity.objects.exists()


def test_upload_through_the_page_and_refusal_shown(scene, activities):
    activity, _attachment = activities["own"]
    client = client_as("coordinator", scene)
    url = reverse("network-manage:activity-attach", kwargs={"pk": activity.pk})
    ok = client.post(url, {"file": SimpleUploadedFile("foto.png", png_with_exif(), content_type="image/png")})
    assert ok.status_code == 302
    assert activity.attachments.count() == 2
    fake = SimpleUploadedFile("informe.pdf", b"MZ\x90\x00fake program", content_type="application/pdf")
    refused = client.post(url, {"file": fake})
    assert refused.status_code == 200
    assert refused.context["form"].errors["file"]
    assert activity.attachments.count() == 2


def test_edit_and_delete_through_the_pages(scene, activities):
    activity, attachment = activities["own"]
    client = client_as("coordinator", scene)
    edit = client.post(
        reverse("network-manage:activity-edit", kwargs={"pk": activity.pk}), _form(scene, title="Otro título")
    )
    assert edit.status_code == 302
    assert Activity.objects.get(pk=activity.pk).title == "Otro título"
    removed = client.post(reverse("network-manage:attachment-delete", kwargs={"pk": attachment.pk}))
    assert removed.status_code == 302 and not ActivityAttachment.objects.filter(pk=attachment.pk).exists()
    deleted = client.post(reverse("network-manage:activity-delete", kwargs={"pk": activity.pk}))
    assert deleted.status_code == 302 and not Activity.objects.filter(pk=activity.pk).exists()


def test_titles_and_file_names_are_escaped_on_every_page(scene):
    secretariat = make_actor("secretariat", scene)
    script = "<script>alert(1)</script>"
    activity = activity_create(
        actor=secretariat,
        kind=ActivityKind.WORKSHOP,
        title=script,
        starts_on=date(2024, 5, 2),
        nodes=[scene.own_node],
        place_detail=script,
        summary=script,
    )
    activity_attach(
        actor=secretariat,
        activity=activity,
        upload=SimpleUploadedFile(f"{script}.pdf", minimal_pdf()),
    )
    client = client_as("secretariat", scene)
    pages = [
        reverse("nodes:activity-calendar") + "?year=2024&month=5",
        reverse("nodes:activity-archive"),
        reverse("nodes:activity-detail", kwargs={"pk": activity.pk}),
        reverse("network-manage:activity-list"),
        reverse("network-manage:activity-edit", kwargs={"pk": activity.pk}),
        reverse("network-manage:activity-attach", kwargs={"pk": activity.pk}),
        reverse("network-manage:activity-delete", kwargs={"pk": activity.pk}),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert script not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    assert script not in Client().get(pages[2]).content.decode()


def test_calendar_and_archive_ignore_bad_filters(scene, activities):
    client = Client()
    assert client.get(reverse("nodes:activity-calendar") + "?year=abc&month=13&node=nope").status_code == 200
    assert client.get(reverse("nodes:activity-archive") + "?year=1&kind=x&page=999").status_code == 200


def test_calendar_filters_by_node_and_links_months(scene, activities):
    url = reverse("nodes:activity-calendar") + f"?year=2025&month=3&node={scene.other_node.slug}"
    html = Client().get(url).content.decode()
    assert "Taller other" in html and "Taller own" not in html
    assert f"year=2025&amp;month=2&amp;node={scene.other_node.slug}" in html
