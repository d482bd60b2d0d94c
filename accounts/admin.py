from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from accounts.models import AuditEntry, CitizenIdentity, User


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "name")}),
        ("Permisos", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Fechas", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]


@admin.register(CitizenIdentity)
class CitizenIdentityAdmin(admin.ModelAdmin[CitizenIdentity]):
    """Support staff can see that an identity exists, never a number (only hashes are stored)."""

    list_display = ["user", "document_type", "municipality_code", "created_at"]
    list_filter = ["document_type"]
    search_fields = ["user__email", "municipality_code"]
    readonly_fields = [field.name for field in CitizenIdentity._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the audit log is append-only (the database refuses changes too)."""

    list_display = ["id", "created_at", "actor_id", "action", "subject"]
    list_filter = ["action"]
    search_fields = ["subject", "action"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
