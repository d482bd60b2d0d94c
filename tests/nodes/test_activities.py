"""Network activities: services (who may record what, each rule), checked
attachments (by content, metadata stripped, active PDFs refused) and selectors
(constant query counts)."""

import io
import zlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.utils import translation
from PIL import Image

from accounts.models import AuditEntry
from nodes import activities
from nodes.activities import (
    ArchiveFilters,
    activity_archive,
    activity_attach,
    activity_calendar,
    activity_create,
    activity_delete,
    activity_update,
    attachment_delete,
)
from nodes.models import Activity, ActivityAttachment, ActivityKind
from tests.nodes.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

NON_RECORDERS = ["manager", "organisation_manager", "reviewer", "station_officer", "monitor", "plain_user"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def record(actor, nodes=(), **overrides):
    fields = {
        "kind": ActivityKind.WORKSHOP,
        "title": "Taller de presupuestos participativos",
        "starts_on": date(2025, 3, 14),
        "nodes": list(nodes),
    }
    return activity_create(actor=actor, **{**fields, **overrides})


def update_args(activity, **overrides):
    fields = {
        "kind": activity.kind,
        "title": activity.title,
        "starts_on": activity.starts_on,
        "ends_on": activity.ends_on,
        "municipality": activity.municipality,
        "place_detail": activity.place_detail,
        "nodes": list(activity.nodes.all()),
        "organisations": list(activity.organisations.all()),
        "summary": activity.summary,
        "published": activity.published,
    }
    return {**fields, **overrides}


# --- Files made in the test ---------------------------------------------------------------


def png_with_exif() -> bytes:
    image = Image.new("RGB", (12, 8), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (4.0, 35.0, 59.0), 3: "W", 4: (74.0, 4.0, 33.0)}  # GPS position
    output = io.BytesIO()
    image.save(output, format="PNG", exif=exif)
    return output.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (16, 16), (30, 200, 30))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (1.0, 12.0, 30.0)}
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif, comment=b"secret comment")
    return output.getvalue()


def minimal_pdf(extra_object: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
        b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
        + extra_object
        + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def pdf_with_compressed_script() -> bytes:
    hidden = zlib.compress(b"3 0 << /S /JavaScript /JS (app.alert(1)) >>")
    stream = b"3 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(hidden)
    return minimal_pdf(stream + hidden + b"\nendstream\nendobj\n")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Recording activities -------------------------------------------------------------------


def test_secretariat_records_activity_of_whole_network_audited(scene, actor_for):
    secretariat = actor_for("secretariat")
    organisation = OrganisationFactory()
    activity = record(secretariat, organisations=[organisation], summary="  Resumen  ")
    assert activity.nodes.count() == 0
    assert list(activity.organisations.all()) == [organisation]
    assert activity.summary == "Resumen"
    assert activity.created_by == secretariat
    entry = AuditEntry.objects.get(action="nodes.activity_created")
    assert entry.subject == f"nodes.activity:{activity.pk}"
    assert entry.data["organisations"] == [organisation.pk]


def test_coordinator_records_activity_of_own_node(scene, actor_for):
    activity = record(actor_for("coordinator"), nodes=[scene.own_node])
    assert list(activity.nodes.all()) == [scene.own_node]


@pytest.mark.parametrize("which", ["other", "own_and_other", "none"])
def test_coordinator_may_not_record_for_nodes_not_all_theirs(scene, actor_for, which):
    nodes = {"other": [scene.other_node], "own_and_other": [scene.own_node, scene.other_node], "none": []}[which]
    with translation.override("en"), pytest.raises(PermissionDenied, match="only for the nodes you coordinate"):
        record(actor_for("coordinator"), nodes=nodes)
    assert not Activity.objects.exists()


@pytest.mark.parametrize("role", NON_RECORDERS)
def test_other_roles_may_not_record_activities(scene, actor_for, role):
    with pytest.raises(PermissionDenied):
        record(actor_for(role), nodes=[scene.own_node])


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "party"}, "invalid_kind"),
        ({"title": "   "}, "title_required"),
        ({"ends_on": date(2025, 3, 13)}, "ends_before_start"),
    ],
)
def test_activity_create_refuses_broken_rules(scene, actor_for, overrides, code):
    with pytest.raises(ValidationError) as caught:
        record(actor_for("secretariat"), **overrides)
    assert caught.value.code == code
    assert not Activity.objects.exists()


def test_database_refuses_an_activity_ending_before_it_starts(scene):
    with pytest.raises(IntegrityError):
        Activity.objects.create(
            kind=ActivityKind.EXCHANGE,
            title="Intercambio",
            starts_on=date(2025, 5, 2),
            ends_on=date(2025, 5, 1),
            created_at="2025-05-01T00:00:00Z",
        )


def test_coordinator_edits_own_activity_but_not_another_nodes(scene, actor_for):
    secretariat, coordinator = actor_for("secretariat"), actor_for("coordinator")
    own = record(secretariat, nodes=[scene.own_node])
    other = record(secretariat, nodes=[scene.other_node])
    shared = record(secretariat, nodes=[scene.own_node, scene.other_node])
    updated = activity_update(actor=coordinator, activity=own, **update_args(own, title="Nuevo título"))
    assert updated.title == "Nuevo título"
    assert AuditEntry.objects.filter(action="nodes.activity_updated").count() == 1
    for activity in (other, shared):
        with translation.override("en"), pytest.raises(PermissionDenied, match="not of your nodes"):
            activity_update(actor=coordinator, activity=activity, **update_args(activity, title="X"))


def test_coordinator_may_not_move_own_activity_to_another_node(scene, actor_for):
    coordinator = actor_for("coordinator")
    own = record(coordinator, nodes=[scene.own_node])
    with pytest.raises(PermissionDenied):
        activity_update(actor=coordinator, activity=own, **update_args(own, nodes=[scene.other_node]))
    assert list(Activity.objects.get(pk=own.pk).nodes.all()) == [scene.own_node]


def test_activity_update_refuses_end_before_start(scene, actor_for):
    secretariat = actor_for("secretariat")
    activity = record(secretariat)
    with pytest.raises(ValidationError) as caught:
        activity_update(actor=secretariat, activity=activity, **update_args(activity, ends_on=date(2025, 1, 1)))
    assert caught.value.code == "ends_before_start"


def test_activity_delete_removes_files_after_commit(scene, actor_for, media, django_capture_on_commit_callbacks):
    coordinator = actor_for("coordinator")
    activity = record(coordinator, nodes=[scene.own_node])
    attachment = activity_attach(actor=coordinator, activity=activity, upload=upload("acta.pdf", minimal_pdf()))
    path = media / attachment.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        activity_delete(actor=coordinator, activity=activity)
    assert not Activity.objects.exists()
    assert not path.exists()
    assert AuditEntry.objects.filter(action="nodes.activity_deleted").count() == 1


@pytest.mark.parametrize("role", ["coordinator", *NON_RECORDERS])
def test_activity_delete_refused_outside_own_nodes(scene, actor_for, role):
    activity = record(actor_for("secretariat"), nodes=[scene.other_node])
    with pytest.raises(PermissionDenied):
        activity_delete(actor=actor_for(role), activity=activity)
    assert Activity.objects.filter(pk=activity.pk).exists()


# --- Attachments ------------------------------------------------------------------------------


def test_png_is_reencoded_without_exif_and_stored_under_random_name(scene, actor_for, media):
    coordinator = actor_for("coordinator")
    activity = record(coordinator, nodes=[scene.own_node])
    original = png_with_exif()
    assert Image.open(io.BytesIO(original)).getexif()  # the test file does carry EXIF
    attachment = activity_attach(
        actor=coordinator, activity=activity, upload=upload("../../Foto <GPS>.png", original, "text/html")
    )
    assert attachment.content_type == "image/png"
    assert attachment.original_name == "Foto <GPS>.png"
    assert attachment.file.name.startswith(f"activities/{attachment.uploaded_at:%Y}/")
    assert attachment.file.name.endswith(".png") and "Foto" not in attachment.file.name
    stored = (media / attachment.file.name).read_bytes()
    assert len(stored) == attachment.size
    reopened = Image.open(io.BytesIO(stored))
    assert reopened.size == (12, 8)
    assert not reopened.getexif()
    assert b"eXIf" not in stored and b"CameraMaker" not in stored
    assert AuditEntry.objects.filter(action="nodes.activity_attachment_added").count() == 1


def test_jpeg_loses_exif_and_comment(scene, actor_for, media):
    secretariat = actor_for("secretariat")
    activity = record(secretariat)
    attachment = activity_attach(actor=secretariat, activity=activity, upload=upload("foto.jpg", jpeg_with_exif()))
    stored = (media / attachment.file.name).read_bytes()
    assert attachment.content_type == "image/jpeg"
    assert b"Exif" not in stored and b"CameraMaker" not in stored and b"secret comment" not in stored


def test_clean_pdf_is_accepted_as_is(scene, actor_for, media):
    secretariat = actor_for("secretariat")
    activity = record(secretariat)
    content = minimal_pdf()
    attachment = activity_attach(actor=secretariat, activity=activity, upload=upload("acta.pdf", content))
    assert attachment.content_type == "application/pdf"
    assert (media / attachment.file.name).read_bytes() == content


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("informe.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00PE\x00\x00 fake program", "unsupported_type"),
        ("foto.png", b"<html><script>alert(1)</script></html>", "unsupported_type"),
        ("vacio.pdf", b"", "empty"),
        (
            "script.pdf",
            minimal_pdf(b"3 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"),
            "pdf_active_content",
        ),
        ("launch.pdf", minimal_pdf(b"3 0 obj\n<< /S /Launch /F (cmd.exe) >>\nendobj\n"), "pdf_active_content"),
        ("escaped.pdf", minimal_pdf(b"3 0 obj\n<< /S /J#61vaScript /J#53 (x) >>\nendobj\n"), "pdf_active_content"),
        ("hidden.pdf", pdf_with_compressed_script(), "pdf_active_content"),
        ("roto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "image_unreadable"),
    ],
)
def test_attach_refuses_bad_files(scene, actor_for, media, name, content, code):
    secretariat = actor_for("secretariat")
    activity = record(secretariat)
    with pytest.raises(ValidationError) as caught:
        activity_attach(actor=secretariat, activity=activity, upload=upload(name, content, "application/pdf"))
    assert caught.value.code == code
    assert not ActivityAttachment.objects.exists()
    assert not any(path.is_file() for path in media.rglob("*"))


def test_attach_refuses_files_over_the_size_limit(scene, actor_for, settings):
    settings.MAX_UPLOAD_SIZE = 1024
    secretariat = actor_for("secretariat")
    activity = record(secretariat)
    with pytest.raises(ValidationError) as caught:
        activity_attach(actor=secretariat, activity=activity, upload=upload("big.pdf", minimal_pdf() + b"%" * 2000))
    assert caught.value.code == "too_large"


def test_attach_refuses_decompression_bombs(scene, actor_for, monkeypatch):
    monkeypatch.setattr(activities, "MAX_IMAGE_PIXELS", 50)
    secretariat = actor_for("secretariat")
    activity = record(secretariat)
    with pytest.raises(ValidationError) as caught:
        activity_attach(actor=secretariat, activity=activity, upload=upload("bomb.png", png_with_exif()))
    assert caught.value.code == "image_too_many_pixels"


@pytest.mark.parametrize("role", ["coordinator", *NON_RECORDERS])
def test_attach_refused_outside_own_nodes(scene, actor_for, role):
    activity = record(actor_for("secretariat"), nodes=[scene.other_node])
    with pytest.raises(PermissionDenied):
        activity_attach(actor=actor_for(role), activity=activity, upload=upload("acta.pdf", minimal_pdf()))


def test_attachment_delete_by_own_coordinator_only(scene, actor_for, media, django_capture_on_commit_callbacks):
    coordinator = actor_for("coordinator")
    activity = record(coordinator, nodes=[scene.own_node])
    attachment = activity_attach(actor=coordinator, activity=activity, upload=upload("acta.pdf", minimal_pdf()))
    with pytest.raises(PermissionDenied):
        attachment_delete(actor=actor_for("manager"), attachment=attachment)
    with django_capture_on_commit_callbacks(execute=True):
        attachment_delete(actor=coordinator, attachment=attachment)
    assert not ActivityAttachment.objects.exists()
    assert not (media / attachment.file.name).exists()


# --- Selectors ----------------------------------------------------------------------------------


def _three_activities(scene, secretariat):
    organisations = [OrganisationFactory(), OrganisationFactory()]
    record(
        secretariat,
        nodes=[scene.own_node, scene.other_node],
        organisations=organisations,
        municipality=scene.own_municipality,
        kind=ActivityKind.NATIONAL_ENCOUNTER,
        title="Encuentro",
        starts_on=date(2025, 2, 27),
        ends_on=date(2025, 3, 2),
    )
    record(
        secretariat,
        nodes=[scene.own_node],
        organisations=organisations[:1],
        title="Taller",
        starts_on=date(2025, 3, 14),
    )
    record(secretariat, nodes=[scene.other_node], municipality=scene.other_municipality, title="Visita")
    record(secretariat, title="Borrador", published=False)


def _touch(activity):
    return (
        activity.municipality and activity.municipality.department.name,
        [node.name for node in activity.nodes.all()],
        [organisation.name for organisation in activity.organisations.all()],
    )


def test_calendar_groups_published_activities_by_day_in_three_queries(scene, actor_for, django_assert_num_queries):
    _three_activities(scene, actor_for("secretariat"))
    with django_assert_num_queries(3):
        month = activity_calendar(2025, 3)
        for day in month.days:
            for activity in day.activities:
                _touch(activity)
    assert [(day.day, [a.title for a in day.activities]) for day in month.days] == [
        (date(2025, 3, 1), ["Encuentro"]),  # began in February, still on in March
        (date(2025, 3, 14), ["Taller", "Visita"]),
    ]
    assert (month.previous, month.next) == ((2025, 2), (2025, 4))
    assert [a.title for d in activity_calendar(2025, 3, node=scene.other_node).days for a in d.activities] == [
        "Encuentro",
        "Visita",
    ]
    assert activity_calendar(2024, 12).next == (2025, 1)


def test_archive_lists_past_published_activities_in_four_queries(scene, actor_for, django_assert_num_queries):
    _three_activities(scene, actor_for("secretariat"))
    with django_assert_num_queries(4):
        page = activity_archive(ArchiveFilters(today=date(2025, 3, 14)), 1)
        titles = [activity.title for activity in page.object_list]
        for activity in page.object_list:
            _touch(activity)
    assert titles == ["Encuentro"]  # the others are not over yet, the draft is not published
    later = ArchiveFilters(today=date(2025, 4, 1), node=scene.other_node, kind=ActivityKind.WORKSHOP, year=2025)
    assert [activity.title for activity in activity_archive(later, 1)] == ["Visita"]
    assert list(activity_archive(ArchiveFilters(today=date(2025, 4, 1), year=2024), 1)) == []


def test_drafts_visible_only_to_who_may_edit_them(scene, actor_for):
    secretariat, coordinator = actor_for("secretariat"), actor_for("coordinator")
    own_draft = record(secretariat, nodes=[scene.own_node], published=False)
    other_draft = record(secretariat, nodes=[scene.other_node], published=False)
    assert activities.activity_get(own_draft.pk, viewer=coordinator) == own_draft
    with pytest.raises(Activity.DoesNotExist):
        activities.activity_get(other_draft.pk, viewer=coordinator)
    with pytest.raises(Activity.DoesNotExist):
        activities.activity_get(own_draft.pk, viewer=actor_for("manager"))
    assert activities.activity_get(other_draft.pk, viewer=secretariat) == other_draft
    assert list(activities.activity_list_for_manager(actor=coordinator)) == [own_draft]


def test_demo_activities_load_idempotently():
    from nodes import demo
    from nodes.demo_activities import load_activities

    demo.load()  # loads the demo network and, last, its activities
    assert Activity.objects.count() == 4
    assert load_activities() == 0
    assert Activity.objects.filter(kind=ActivityKind.NATIONAL_ENCOUNTER, nodes__isnull=True).count() == 1
    assert Activity.objects.get(kind=ActivityKind.WORKSHOP).nodes.get().slug == "jovenes"
