"""The network registry: departments and municipalities (DIVIPOLA), their
territory trees, the network's nodes and organisations, and who holds which
role where (memberships).

One-row invariants live here as database constraints; rules that span rows
(a tree without cycles, a parent in the same municipality, who may grant a
role) are enforced in ``nodes.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from nodes.nit import is_valid_nit


def validate_nit(value: str) -> None:
    if value and not is_valid_nit(value):
        raise ValidationError(
            _("“%(value)s” is not a valid NIT: check the number and its check digit."),
            code="invalid_nit",
            params={"value": value},
        )


class Department(models.Model):
    """One of the 33 DIVIPOLA departments (32 plus Bogotá D.C.); the code is the key."""

    code = models.CharField(
        _("DIVIPOLA code"),
        max_length=2,
        primary_key=True,
        validators=[RegexValidator(r"^[0-9]{2}$", _("A DIVIPOLA department code has two digits."))],
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{2}$"), name="department_code_two_digits"),
        ]

    def __str__(self) -> str:
        return self.name


class MunicipalityCategory(models.TextChoices):
    """The fiscal category of Ley 617 de 2000 (special, then 1 to 6)."""

    SPECIAL = "special", _("Special category")
    FIRST = "1", _("Category 1")
    SECOND = "2", _("Category 2")
    THIRD = "3", _("Category 3")
    FOURTH = "4", _("Category 4")
    FIFTH = "5", _("Category 5")
    SIXTH = "6", _("Category 6")


class MunicipalityQuerySet(models.QuerySet["Municipality"]):
    def members(self) -> MunicipalityQuerySet:
        return self.filter(is_member=True)


class Municipality(models.Model):
    """A DIVIPOLA municipal unit (1,122): municipality, district, San Andrés or
    área no municipalizada. Names and codes come from the shipped file; tags,
    population and network membership are edited by people."""

    code = models.CharField(
        _("DIVIPOLA code"),
        max_length=5,
        primary_key=True,
        validators=[RegexValidator(r"^[0-9]{5}$", _("A DIVIPOLA municipality code has five digits."))],
    )
    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("department")
    )
    is_pdet = models.BooleanField(
        _("PDET"), default=False, help_text=_("Development programme with a territorial focus (post-conflict).")
    )
    is_zomac = models.BooleanField(_("ZOMAC"), default=False, help_text=_("Area most affected by the armed conflict."))
    category = models.CharField(
        _("category"), max_length=10, choices=MunicipalityCategory.choices, blank=True, default=""
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_14_plus = models.PositiveIntegerField(_("population aged 14 or more"), null=True, blank=True)
    is_member = models.BooleanField(_("member of the network"), default=False)
    member_since = models.DateField(_("member since"), null=True, blank=True)

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{5}$"), name="municipality_code_five_digits"),
            models.CheckConstraint(
                condition=Q(code__startswith=models.F("department_id")),
                name="municipality_code_starts_with_department",
            ),
            models.CheckConstraint(
                condition=Q(population_14_plus__isnull=True)
                | Q(population__isnull=True)
                | Q(population_14_plus__lte=models.F("population")),
                name="municipality_population_14_plus_within_population",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TerritoryKind(models.TextChoices):
    COMUNA = "comuna", _("Comuna")
    CORREGIMIENTO = "corregimiento", _("Corregimiento")
    LOCALIDAD = "localidad", _("Localidad")
    VEREDA = "vereda", _("Vereda")
    BARRIO = "barrio", _("Neighbourhood (barrio)")
    CENTRO_POBLADO = "centro_poblado", _("Populated centre (centro poblado)")
    RESGUARDO = "resguardo", _("Indigenous reserve (resguardo)")
    CONSEJO_COMUNITARIO = "consejo_comunitario", _("Afro-Colombian community council")
    POPULATION_SECTOR = "population_sector", _("Population sector")


class Territory(models.Model):
    """A unit below the municipality, defined locally, in an editable tree.

    ``code`` is the municipality's own code for it ("01" for Comuna 1), unique
    within the municipality. That ``parent`` belongs to the same municipality
    and that the tree has no cycles is enforced by ``nodes.services``, which
    serialises tree edits by locking the municipality row.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="territories", verbose_name=_("municipality")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("inside"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=TerritoryKind.choices)
    code = models.CharField(_("local code"), max_length=20)
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["municipality", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="territory_code_unique_in_municipality"),
            models.CheckConstraint(condition=~Q(code=""), name="territory_code_not_empty"),
            models.CheckConstraint(condition=~Q(parent=models.F("pk")), name="territory_not_its_own_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.municipality_id})"


class NodeKind(models.TextChoices):
    TERRITORIAL = "territorial", _("Territorial")
    THEMATIC = "thematic", _("Thematic")


class Node(models.Model):
    """A node of the network: territorial (a region) or thematic (youth, women)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name for addresses"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=NodeKind.choices)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    municipalities = models.ManyToManyField(
        Municipality, through="NodeMunicipality", related_name="nodes", verbose_name=_("municipalities")
    )

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class NodeMunicipality(models.Model):
    """A municipality taking part in a node.

    ``node_kind`` copies the node's kind so that the database itself can
    refuse a second territorial node for the same municipality (a partial
    unique constraint cannot look through a foreign key). Services keep it
    in step when a node's kind changes.
    """

    node = models.ForeignKey(Node, on_delete=models.CASCADE, related_name="node_municipalities")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="node_municipalities")
    node_kind = models.CharField(_("node kind"), max_length=20, choices=NodeKind.choices)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)

    class Meta:
        verbose_name = _("municipality in a node")
        verbose_name_plural = _("municipalities in nodes")
        constraints = [
            models.UniqueConstraint(fields=["node", "municipality"], name="node_municipality_once"),
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(node_kind=NodeKind.TERRITORIAL),
                name="municipality_in_one_territorial_node",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} ∈ {self.node_id}"


class OrganisationKind(models.TextChoices):
    SOCIAL = "social", _("Social organisation")
    JAC = "jac", _("Community action board (JAC)")
    ASOCOMUNAL = "asocomunal", _("Association of community action boards (ASOCOMUNAL)")
    NGO = "ngo", _("NGO")
    UNIVERSITY = "university", _("University")
    MUNICIPAL_GOVERNMENT = "municipal_government", _("Municipal government")
    DEPARTMENTAL_GOVERNMENT = "departmental_government", _("Departmental government")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """An organisation of the network. ``nit`` is stored normalised
    (``"900123456-8"``) and must carry a correct DIAN check digit."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    nit = models.CharField(_("NIT"), max_length=20, blank=True, validators=[validate_nit])
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("municipality"),
    )
    nodes = models.ManyToManyField(Node, blank=True, related_name="organisations", verbose_name=_("nodes"))
    sits_on_secretariat = models.BooleanField(_("sits on the Secretaría Técnica"), default=False)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["nit"], condition=~Q(nit=""), name="organisation_nit_unique"),
            models.UniqueConstraint(fields=["name"], name="organisation_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretaría Técnica")
    COORDINATOR = "coordinator", _("Node coordinator")
    MANAGER = "manager", _("Manager")
    REVIEWER = "reviewer", _("Feasibility reviewer")
    STATION_OFFICER = "station_officer", _("Polling station officer")
    MONITOR = "monitor", _("Monitor (veeduría)")


# Roles held in a municipality only (manager may also be held in an organisation).
MUNICIPAL_ROLES = (Role.REVIEWER, Role.STATION_OFFICER, Role.MONITOR)

_NO_NODE = Q(node__isnull=True)
_NO_MUNICIPALITY = Q(municipality__isnull=True)
_NO_ORGANISATION = Q(organisation__isnull=True)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(revoked_at__isnull=True)


class Membership(models.Model):
    """A role held by a person in a scope: the network (secretariat), a node
    (coordinator), a municipality or an organisation (manager), a
    municipality (reviewer, station officer, monitor).

    The database refuses a scope that does not fit the role and a second
    active copy of the same grant. Revoking stamps ``revoked_at``; the row
    stays as history. Grant and revocation go through ``nodes.services``,
    which checks who may do it and writes the audit entry.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships", verbose_name=_("node")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("municipality"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("granted by"),
    )
    granted_at = models.DateTimeField(_("granted at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["user"], condition=Q(revoked_at__isnull=True), name="membership_active_by_user"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(role=Role.SECRETARIAT) & _NO_NODE & _NO_MUNICIPALITY & _NO_ORGANISATION)
                    | (Q(role=Role.COORDINATOR) & Q(node__isnull=False) & _NO_MUNICIPALITY & _NO_ORGANISATION)
                    | (
                        Q(role=Role.MANAGER)
                        & _NO_NODE
                        & (
                            (Q(municipality__isnull=False) & _NO_ORGANISATION)
                            | (_NO_MUNICIPALITY & Q(organisation__isnull=False))
                        )
                    )
                    | (Q(role__in=MUNICIPAL_ROLES) & _NO_NODE & Q(municipality__isnull=False) & _NO_ORGANISATION)
                ),
                name="membership_scope_matches_role",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("granted_at")),
                name="membership_revoked_after_granted",
            ),
            # One active copy of a grant. Scopes are NULL where they do not apply,
            # so one partial constraint per kind of scope (NULLs are distinct).
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(revoked_at__isnull=True, role=Role.SECRETARIAT),
                name="membership_active_secretariat_once",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "node"],
                condition=Q(revoked_at__isnull=True, node__isnull=False),
                name="membership_active_node_grant_once",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "municipality"],
                condition=Q(revoked_at__isnull=True, municipality__isnull=False),
                name="membership_active_municipality_grant_once",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(revoked_at__isnull=True, organisation__isnull=False),
                name="membership_active_organisation_grant_once",
            ),
        ]

    def __str__(self) -> str:
        scope = self.node or self.municipality or self.organisation
        return f"{self.user} · {self.get_role_display()}" + (f" · {scope}" if scope else "")

    @property
    def scope(self) -> Node | Municipality | Organisation | None:
        return self.node or self.municipality or self.organisation

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# --- Network activities -------------------------------------------------------
# (Imported here so that this section is a pure addition to the module.)
import uuid  # noqa: E402
from datetime import date  # noqa: E402


class ActivityKind(models.TextChoices):
    EXCHANGE = "exchange", _("Exchange")
    REGIONAL_VISIT = "regional_visit", _("Regional visit")
    PERIODIC_MEETING = "periodic_meeting", _("Periodic meeting")
    REPRESENTATION = "representation", _("Representation in other spaces")
    NATIONAL_ENCOUNTER = "national_encounter", _("National encounter")
    WORKSHOP = "workshop", _("Workshop")


class ActivityQuerySet(models.QuerySet["Activity"]):
    def published(self) -> ActivityQuerySet:
        return self.filter(published=True)


class Activity(models.Model):
    """Something the network did: an exchange, a visit, a meeting, a workshop.

    ``nodes`` empty means an activity of the whole network (recorded by the
    Secretaría Técnica); a node coordinator records only activities whose
    nodes are all theirs. Writes go through ``nodes.activities``.
    """

    kind = models.CharField(_("kind"), max_length=30, choices=ActivityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(_("last day"), null=True, blank=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("municipality"),
    )
    place_detail = models.CharField(_("place"), max_length=200, blank=True)
    nodes = models.ManyToManyField(Node, blank=True, related_name="activities", verbose_name=_("nodes"))
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="activities", verbose_name=_("participating organisations")
    )
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"))
    published = models.BooleanField(_("published"), default=False)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("network activity")
        verbose_name_plural = _("network activities")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["starts_on"], name="activity_starts_on")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="activity_ends_on_or_after_start",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="activity_title_not_empty"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def last_day(self) -> date:
        return self.ends_on or self.starts_on


def activity_attachment_path(instance: ActivityAttachment, filename: str) -> str:
    """A random name under ``activities/<year>/``; the extension follows the checked content type."""
    extension = ATTACHMENT_EXTENSIONS.get(instance.content_type, "")
    return f"activities/{instance.uploaded_at:%Y}/{uuid.uuid4().hex}{extension}"


ATTACHMENT_EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}


class ActivityAttachment(models.Model):
    """A checked file of an activity (PDF or image). The stored name is random;
    ``original_name`` is only shown (escaped) and offered when downloading."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("activity")
    )
    file = models.FileField(_("file"), upload_to=activity_attachment_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("activity attachment")
        verbose_name_plural = _("activity attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")
