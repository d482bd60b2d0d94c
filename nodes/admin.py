"""The network registry in the admin, for support staff: to look, not to edit.

Every write of the registry goes through ``nodes.services`` (permission
check, domain rules, audit entry); an admin form would bypass all three. So
these pages are read-only; support staff act through the management pages
(or, as superusers, through the services in a shell).
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from nodes.models import Department, Membership, Municipality, Node, NodeMunicipality, Organisation, Territory


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "department", "is_member", "is_pdet", "is_zomac", "category", "population"]
    list_filter = ["is_member", "is_pdet", "is_zomac", "category", "department"]
    search_fields = ["code", "name"]
    list_select_related = ["department"]


@admin.register(Territory)
class TerritoryAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "kind", "municipality", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "municipality__name", "municipality__code"]
    list_select_related = ["municipality", "parent"]


class NodeMunicipalityInline(admin.TabularInline[NodeMunicipality, Node]):
    model = NodeMunicipality
    fields = ["municipality", "joined_on"]
    readonly_fields = ["municipality", "joined_on"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Node)
class NodeAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    inlines = [NodeMunicipalityInline]


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "nit", "municipality", "sits_on_secretariat", "active"]
    list_filter = ["kind", "sits_on_secretariat", "active", "nodes"]
    search_fields = ["name", "nit"]
    list_select_related = ["municipality"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["user", "role", "node", "municipality", "organisation", "granted_at", "revoked_at"]
    list_filter = ["role", "node"]
    search_fields = ["user__email", "municipality__name", "organisation__name"]
    list_select_related = ["user", "node", "municipality", "organisation"]
