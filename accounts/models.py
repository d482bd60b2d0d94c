"""People's accounts, citizen identity and the audit log of official acts."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import connections, models, router
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.identity import DocumentKind


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get(self, *args: Any, **kwargs: Any) -> User:
        """``User.objects.get(pk=n)`` as one statement compiled once per process; any other
        lookup as Django's.

        Django's ``ModelBackend.get_user`` asks exactly this on every signed-in request,
        and building and compiling the queryset cost 0.4 ms of CPU where running the
        compiled statement costs 0.1 (``tests/bench/bench_cast_cpu.py``)."""
        if args or kwargs.keys() != {"pk"} or type(kwargs["pk"]) is not int or self._db is not None:
            return super().get(*args, **kwargs)
        connection = connections[router.db_for_read(self.model)]
        with connection.cursor() as cursor:
            cursor.execute(_user_by_pk_sql(self.model, connection.alias), [kwargs["pk"]])
            row = cursor.fetchone()
        if row is None:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        return self.model.from_db(connection.alias, [field.attname for field in self.model._meta.concrete_fields], row)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


@cache
def _user_by_pk_sql(model: type[User], alias: str) -> str:
    """The SQL Django compiles for ``get(pk=...)`` on the users' table, every concrete column."""
    query = model._base_manager.using(alias).filter(pk=0).query
    sql, params = query.get_compiler(alias).as_sql()
    assert list(params) == [0]
    return str(sql)


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Signs in by e-mail; no username."""

    email = models.EmailField(_("e-mail address"), unique=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("support staff"),
        default=False,
        help_text=_("Can enter the administration site (with two-factor authentication)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_case_insensitive"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else self.email


class DocumentType(models.TextChoices):
    RC = DocumentKind.RC, _("Civil registry (RC)")
    TI = DocumentKind.TI, _("Identity card (TI)")
    CC = DocumentKind.CC, _("Citizenship card (CC)")
    CE = DocumentKind.CE, _("Foreigner ID card (CE)")
    PEP = DocumentKind.PEP, _("Special stay permit (PEP)")
    PPT = DocumentKind.PPT, _("Temporary protection permit (PPT)")
    PA = DocumentKind.PA, _("Passport (PA)")


class Gender(models.TextChoices):
    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")
    OTHER = "other", _("Other")


class EthnicGroup(models.TextChoices):
    """The self-identification categories of Colombia's national census (DANE)."""

    INDIGENOUS = "indigenous", _("Indigenous")
    ROM = "rom", _("Gypsy or Rrom")
    RAIZAL = "raizal", _("Raizal of San Andrés, Providencia and Santa Catalina")
    PALENQUERO = "palenquero", _("Palenquero of San Basilio")
    AFRO = "afro", _("Black, mulatto, Afro-descendant, Afro-Colombian")
    NONE = "none", _("No ethnic group")


class CitizenIdentity(models.Model):
    """What a citizen declares to propose and vote: one per account.

    The document number is kept only as ``document_hash`` (see
    ``accounts.identity``); it is unique across people. Gender and ethnic
    group are sensitive data under Ley 1581: stored only with a separate
    consent, never a condition to take part.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="identity", verbose_name=_("user"))
    document_type = models.CharField(_("document type"), max_length=3, choices=DocumentType.choices)
    document_hash = models.CharField(_("document (keyed hash)"), max_length=64, unique=True, editable=False)
    birth_date = models.DateField(_("date of birth"))
    municipality_code = models.CharField(
        _("municipality of residence"),
        max_length=5,
        validators=[RegexValidator(r"^[0-9]{5}$", _("A DIVIPOLA municipality code has five digits."))],
    )
    data_consent_at = models.DateTimeField(_("personal data consent given at"))
    guardian_name = models.CharField(_("guardian's name"), max_length=150, blank=True)
    guardian_document_hash = models.CharField(_("guardian's document (keyed hash)"), max_length=64, blank=True)
    guardian_authorised_at = models.DateTimeField(_("guardian's authorisation recorded at"), null=True, blank=True)
    sensitive_consent_at = models.DateTimeField(_("sensitive data consent given at"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    ethnic_group = models.CharField(
        _("ethnic self-identification"), max_length=20, choices=EthnicGroup.choices, blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("citizen identity")
        verbose_name_plural = _("citizen identities")
        constraints = [
            models.CheckConstraint(
                condition=Q(sensitive_consent_at__isnull=False) | (Q(gender="") & Q(ethnic_group="")),
                name="identity_sensitive_data_needs_consent",
            ),
            models.CheckConstraint(
                condition=Q(document_hash__regex=r"^[0-9a-f]{64}$"),
                name="identity_document_is_a_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_document_type_display()} · {self.user}"


class AuditEntry(models.Model):
    """One official act, append-only and hash-chained to the entry before it.

    ``actor_id`` is the acting account's id, deliberately not a foreign key:
    deleting an account leaves the chain intact and keeps no personal data
    in it. ``data`` must hold no personal data either (ids and codes only).
    A database trigger refuses UPDATE and DELETE; ``accounts.audit`` is the
    only writer and ``audit_verify`` recomputes the chain.
    """

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor_id = models.BigIntegerField(_("actor (account id)"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200)
    data = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(_("previous entry's hash"), max_length=64)
    entry_hash = models.CharField(_("hash"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["id"]
        indexes = [models.Index(fields=["subject"], name="audit_subject_idx")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.subject}"
