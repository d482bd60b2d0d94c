"""Network activities: exchanges, regional visits, periodic meetings,
representation in other spaces, the national encounter, workshops.

Services follow the contract of ``nodes.services``: keyword-only typed
arguments; one transaction; the acting person's permission checked with
``nodes.rules_activities`` (``PermissionDenied`` with a translatable
message); ``ValidationError`` with a ``code`` for a broken rule; one audit
entry in the same transaction (ids and codes only).

Attachments are checked by their content, never by their name or the type
the browser sent: PDF, JPEG, PNG and WebP only, at most
``settings.MAX_UPLOAD_SIZE`` bytes. Images are decoded and encoded again
from their pixels alone, which drops every piece of metadata (EXIF with GPS
position, XMP, comments); images with too many pixels (decompression bombs)
are refused before decoding. PDFs are refused when they carry JavaScript or
launch actions, looked for outside streams and inside object streams, with
``#xx`` escapes in names undone. Files are stored under a random name; the
original name is kept as text only.

Selectors hand pages everything they show in a constant number of queries.
"""

from __future__ import annotations

import calendar
import hashlib
import io
import re
import unicodedata
import warnings
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.paginator import Page, Paginator
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.audit import audit_record, subject_of
from accounts.models import User
from nodes.models import Activity, ActivityAttachment, ActivityKind, Municipality, Node, Organisation
from nodes.rules_activities import coordinated_node_ids

# Each image may have at most this many pixels (about 8,000 × 5,000).
MAX_IMAGE_PIXELS = 40_000_000
# An activity keeps at most this many attachments.
MAX_ATTACHMENTS = 20
# Inflating a PDF's object streams to look inside them stops here.
MAX_PDF_INFLATED = 64 * 1024 * 1024
ARCHIVE_PAGE_SIZE = 20


def _require(actor: User, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


# --- Activities -------------------------------------------------------------------


def _check_fields(*, kind: str, title: str, starts_on: date, ends_on: date | None) -> None:
    if kind not in ActivityKind.values:
        raise ValidationError(_("Unknown kind of activity."), code="invalid_kind")
    if not title.strip():
        raise ValidationError(_("Write a title for the activity."), code="title_required")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("The last day cannot be before the first day."), code="ends_before_start")


def _may_record_for(actor: User, nodes: Sequence[Node]) -> None:
    _require(
        actor,
        "nodes.add_activity",
        list(nodes),
        _(
            "You may record activities only for the nodes you coordinate. Activities of the whole network, "
            "or shared with other nodes, are recorded by the Secretaría Técnica."
        ),
    )


def _audit_data(activity: Activity, nodes: Sequence[Node], organisations: Sequence[Organisation]) -> dict[str, Any]:
    return {
        "kind": activity.kind,
        "starts_on": activity.starts_on.isoformat(),
        "municipality": activity.municipality_id,
        "nodes": sorted(node.pk for node in nodes),
        "organisations": sorted(organisation.pk for organisation in organisations),
        "published": activity.published,
    }


@transaction.atomic
def activity_create(
    *,
    actor: User,
    kind: str,
    title: str,
    starts_on: date,
    ends_on: date | None = None,
    municipality: Municipality | None = None,
    place_detail: str = "",
    nodes: Sequence[Node] = (),
    organisations: Sequence[Organisation] = (),
    summary: str = "",
    published: bool = True,
    now: datetime | None = None,
) -> Activity:
    """Record an activity. The secretariat records any; a coordinator only
    one whose nodes (at least one) are all theirs."""
    _may_record_for(actor, nodes)
    _check_fields(kind=kind, title=title, starts_on=starts_on, ends_on=ends_on)
    activity = Activity(
        kind=kind,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        municipality=municipality,
        place_detail=place_detail.strip(),
        summary=summary.strip(),
        published=published,
        created_by=actor,
        created_at=now or timezone.now(),
    )
    activity.full_clean()
    activity.save()
    activity.nodes.set(nodes)
    activity.organisations.set(organisations)
    audit_record(
        actor=actor,
        action="nodes.activity_created",
        subject=subject_of(activity),
        data=_audit_data(activity, nodes, organisations),
    )
    return activity


@transaction.atomic
def activity_update(
    *,
    actor: User,
    activity: Activity,
    kind: str,
    title: str,
    starts_on: date,
    ends_on: date | None,
    municipality: Municipality | None,
    place_detail: str,
    nodes: Sequence[Node],
    organisations: Sequence[Organisation],
    summary: str,
    published: bool,
) -> Activity:
    """Edit an activity. A coordinator must coordinate every node it had and
    every node it will have."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require(actor, "nodes.change_activity", activity, _("You may not edit this activity: it is not of your nodes."))
    _may_record_for(actor, nodes)
    _check_fields(kind=kind, title=title, starts_on=starts_on, ends_on=ends_on)
    activity.kind, activity.title, activity.starts_on, activity.ends_on = kind, title.strip(), starts_on, ends_on
    activity.municipality, activity.place_detail = municipality, place_detail.strip()
    activity.summary, activity.published = summary.strip(), published
    activity.full_clean()
    activity.save()
    activity.nodes.set(nodes)
    activity.organisations.set(organisations)
    audit_record(
        actor=actor,
        action="nodes.activity_updated",
        subject=subject_of(activity),
        data=_audit_data(activity, nodes, organisations),
    )
    return activity


def _delete_files_after_commit(names: list[str]) -> None:
    def delete() -> None:
        for name in names:
            ActivityAttachment.file.field.storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity) -> None:
    """Delete an activity and its attachments (files go once the transaction commits)."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require(actor, "nodes.delete_activity", activity, _("You may not delete this activity: it is not of your nodes."))
    subject = subject_of(activity)
    names = [name for name in activity.attachments.values_list("file", flat=True) if name]
    data = {"kind": activity.kind, "starts_on": activity.starts_on.isoformat(), "attachments": len(names)}
    activity.delete()
    _delete_files_after_commit(names)
    audit_record(actor=actor, action="nodes.activity_deleted", subject=subject, data=data)


# --- Attachments: checked by content ------------------------------------------------------


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed the checks: the bytes to store (images already re-encoded)."""

    content: bytes
    content_type: str
    original_name: str


_IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_PDF_FORBIDDEN = (b"/JavaScript", b"/JS", b"/Launch")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


def sniff_content_type(head: bytes) -> str | None:
    """The type the first bytes say the file is, among the accepted ones (None otherwise)."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def clean_original_name(name: str) -> str:
    """The file's own name without folders or control characters, at most 200 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(char for char in base if unicodedata.category(char)[0] != "C").strip(" .")
    if len(base) > 200:
        stem, dot, extension = base.rpartition(".")
        base = f"{stem[: 190 - len(extension)]}{dot}{extension}" if dot and len(extension) <= 10 else base[:200]
    return base or "archivo"


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _reencode_image(content: bytes, content_type: str) -> bytes:
    """Decode and encode the image again from its pixels only (no metadata survives)."""
    image_format = _IMAGE_FORMATS[content_type]
    unreadable = _refuse(_("The image could not be read: it may be damaged."), "image_unreadable")
    too_big = _refuse(
        _("The image is too large (more than %(megapixels)d megapixels): reduce it and try again.")
        % {"megapixels": MAX_IMAGE_PIXELS // 1_000_000},
        "image_too_many_pixels",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content), formats=[image_format]) as opened:
                # Only the header has been read so far: refuse bombs before decoding.
                if opened.width * opened.height > MAX_IMAGE_PIXELS:
                    raise too_big
                opened.load()
                image = _oriented(opened)
                if image_format == "JPEG":
                    image = image if image.mode in ("L", "RGB") else image.convert("RGB")
                elif image.mode not in (("L", "LA", "RGB", "RGBA") if image_format == "PNG" else ("RGB", "RGBA")):
                    image = image.convert("RGBA")
                pixels_only = Image.frombytes(image.mode, image.size, image.tobytes())
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise too_big from error
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
            raise unreadable from error
    output = io.BytesIO()
    options: dict[str, Any] = {"quality": 90} if image_format in ("JPEG", "WEBP") else {"optimize": True}
    pixels_only.save(output, format=image_format, **options)
    return output.getvalue()


def _oriented(image: Image.Image) -> Image.Image:
    """Turn the pixels as the EXIF orientation says, since the tag itself is dropped."""
    return ImageOps.exif_transpose(image)


def _unescape_names(text: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda match: bytes([int(match.group(1), 16)]), text)


def _pdf_texts(content: bytes) -> Iterator[bytes]:
    """The PDF's text outside streams, then the inflated body of each object
    stream (where compressed PDFs keep their dictionaries). Linear in the size."""
    position = 0
    inflated_total = 0
    while True:
        start = content.find(b"stream", position)
        if start == -1:
            break
        if content[max(start - 3, 0) : start] == b"end":  # a stray "endstream"
            yield content[position : start + 6]
            position = start + 6
            continue
        end = content.find(b"endstream", start + 6)
        if end == -1:
            break
        dictionary = content[position:start]
        yield dictionary
        if b"/ObjStm" in _unescape_names(dictionary[-4096:]):
            body = content[start + 6 : end].lstrip(b"\r\n")
            inflater = zlib.decompressobj()
            try:
                inflated = inflater.decompress(body, MAX_PDF_INFLATED - inflated_total + 1)
            except zlib.error as error:
                raise _refuse(_("The PDF could not be checked: it may be damaged."), "pdf_unreadable") from error
            inflated_total += len(inflated)
            if inflated_total > MAX_PDF_INFLATED or inflater.unconsumed_tail:
                raise _refuse(_("The PDF is too complex to be checked."), "pdf_unreadable")
            yield inflated
        position = end + len(b"endstream")
    yield content[position:]


def _check_pdf(content: bytes) -> None:
    for text in _pdf_texts(content):
        plain = _unescape_names(text)
        if any(token in plain for token in _PDF_FORBIDDEN):
            raise _refuse(
                _("The PDF contains scripts or actions that start programs, which are not allowed."),
                "pdf_active_content",
            )


def attachment_check(upload: Any) -> CheckedFile:
    """Check an uploaded file (anything with ``name`` and ``chunks()``/``read()``) and return what to store.

    Raises ``ValidationError`` with code ``too_large``, ``empty``, ``unsupported_type``,
    ``image_unreadable``, ``image_too_many_pixels``, ``pdf_unreadable`` or ``pdf_active_content``.
    """
    limit = settings.MAX_UPLOAD_SIZE
    too_large = _refuse(
        _("The file is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)},
        "too_large",
    )
    if getattr(upload, "size", None) is not None and upload.size > limit:
        raise too_large
    buffer = bytearray()
    chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(64 * 1024), b"")
    for chunk in chunks:
        buffer += chunk
        if len(buffer) > limit:
            raise too_large
    content = bytes(buffer)
    if not content:
        raise _refuse(_("The file is empty."), "empty")
    content_type = sniff_content_type(content[:16])
    if content_type is None:
        raise _refuse(_("Only PDF documents and JPEG, PNG or WebP images are accepted."), "unsupported_type")
    if content_type == "application/pdf":
        _check_pdf(content)
    else:
        content = _reencode_image(content, content_type)
    return CheckedFile(content, content_type, clean_original_name(str(getattr(upload, "name", "") or "")))


@transaction.atomic
def activity_attach(*, actor: User, activity: Activity, upload: Any, now: datetime | None = None) -> ActivityAttachment:
    """Check ``upload`` (see ``attachment_check``) and attach it to the activity under a random name."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _require(
        actor,
        "nodes.change_activity",
        activity,
        _("You may not add files to this activity: it is not of your nodes."),
    )
    if activity.attachments.count() >= MAX_ATTACHMENTS:
        raise _refuse(
            _("An activity keeps at most %(count)d files.") % {"count": MAX_ATTACHMENTS}, "too_many_attachments"
        )
    checked = attachment_check(upload)
    attachment = ActivityAttachment(
        activity=activity,
        original_name=checked.original_name,
        content_type=checked.content_type,
        size=len(checked.content),
        sha256=hashlib.sha256(checked.content).hexdigest(),
        uploaded_at=now or timezone.now(),
    )
    attachment.file.save("upload", ContentFile(checked.content), save=False)
    try:
        attachment.save()
        audit_record(
            actor=actor,
            action="nodes.activity_attachment_added",
            subject=subject_of(activity),
            data={"attachment": attachment.pk, "content_type": attachment.content_type, "sha256": attachment.sha256},
        )
    except BaseException:
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, actor: User, attachment: ActivityAttachment) -> None:
    """Remove one file of an activity (the stored file goes once the transaction commits)."""
    attachment = ActivityAttachment.objects.select_related("activity").get(pk=attachment.pk)
    _require(
        actor,
        "nodes.change_activity",
        attachment.activity,
        _("You may not remove files of this activity: it is not of your nodes."),
    )
    name, activity = attachment.file.name, attachment.activity
    data = {"attachment": attachment.pk, "sha256": attachment.sha256}
    attachment.delete()
    if name:
        _delete_files_after_commit([name])
    audit_record(actor=actor, action="nodes.activity_attachment_removed", subject=subject_of(activity), data=data)


# --- Selectors ------------------------------------------------------------------------


def _with_everything(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    return activities.select_related("municipality__department").prefetch_related(
        Prefetch("nodes", queryset=Node.objects.order_by("name")),
        Prefetch("organisations", queryset=Organisation.objects.order_by("name")),
    )


def _of_own_nodes(user: Any) -> QuerySet[Activity]:
    """Activities whose nodes (at least one) the user all coordinates, as in ``nodes.change_activity``."""
    coordinated = coordinated_node_ids(user)
    with_other_nodes = Activity.objects.filter(nodes__in=Node.objects.exclude(pk__in=coordinated))
    return Activity.objects.filter(nodes__in=coordinated).exclude(pk__in=with_other_nodes.values("pk"))


def activity_visible_to(viewer: Any) -> QuerySet[Activity]:
    """Published activities, plus unpublished ones the viewer may edit (none for most people)."""
    activities = Activity.objects.all()
    if viewer is None or not viewer.is_authenticated or not viewer.has_perm("nodes.add_activity"):
        return activities.published()
    if viewer.has_perm("nodes.add_node"):  # the Secretaría Técnica sees every draft
        return activities
    return activities.filter(Q(published=True) | Q(pk__in=_of_own_nodes(viewer).values("pk")))


def activity_get(pk: int, *, viewer: Any = None) -> Activity:
    """One activity the viewer may see, with places, nodes, organisations and attachments (raises DoesNotExist)."""
    return (
        _with_everything(activity_visible_to(viewer)).prefetch_related("attachments").select_related("created_by")
    ).get(pk=pk)


@dataclass
class CalendarDay:
    day: date
    activities: list[Activity] = field(default_factory=list)


@dataclass
class ActivityMonth:
    """The published activities of one month, grouped by day (their first day within the month)."""

    year: int
    month: int
    first_day: date
    days: list[CalendarDay]
    previous: tuple[int, int]
    next: tuple[int, int]


def activity_calendar(year: int, month: int, node: Node | None = None) -> ActivityMonth:
    """Published activities taking place during a month (three queries)."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    activities = (
        Activity.objects.published()
        .annotate(last_on=Coalesce("ends_on", "starts_on"))
        .filter(starts_on__lte=last, last_on__gte=first)
    )
    if node is not None:
        activities = activities.filter(nodes=node)
    days: dict[date, CalendarDay] = {}
    for activity in _with_everything(activities).order_by("starts_on", "title", "pk"):
        day = max(activity.starts_on, first)
        days.setdefault(day, CalendarDay(day)).activities.append(activity)
    previous = (year - 1, 12) if month == 1 else (year, month - 1)
    following = (year + 1, 1) if month == 12 else (year, month + 1)
    return ActivityMonth(year, month, first, sorted(days.values(), key=lambda item: item.day), previous, following)


@dataclass(frozen=True)
class ArchiveFilters:
    """What the archive shows: activities over before ``today``, optionally of a node, kind or year."""

    today: date
    node: Node | None = None
    kind: str = ""
    year: int | None = None


def activity_archive(filters: ArchiveFilters, page: int | str = 1) -> Page[Activity]:
    """Past published activities, newest first, paginated (four queries: count, page, nodes, organisations)."""
    activities = (
        Activity.objects.published()
        .annotate(last_on=Coalesce("ends_on", "starts_on"))
        .filter(last_on__lt=filters.today)
    )
    if filters.node is not None:
        activities = activities.filter(nodes=filters.node)
    if filters.kind:
        activities = activities.filter(kind=filters.kind)
    if filters.year is not None:
        activities = activities.filter(starts_on__year=filters.year)
    paginator = Paginator(_with_everything(activities).order_by("-starts_on", "-pk"), ARCHIVE_PAGE_SIZE)
    return paginator.get_page(page)


def activity_list_for_manager(*, actor: User) -> QuerySet[Activity]:
    """Activities the actor may edit: every one for the secretariat, those of their nodes for a coordinator."""
    activities = Activity.objects.all()
    if not actor.has_perm("nodes.add_node"):
        activities = activities.filter(pk__in=_of_own_nodes(actor).values("pk"))
    return _with_everything(activities).order_by("-starts_on", "-pk")
