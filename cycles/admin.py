"""Budget cycles in the admin, for support staff: to look, not to edit.

Every write goes through the cycles services (lock, permission, domain
rules, audit entry); an admin form would bypass them all."""

from django.contrib import admin

from cycles.models import Assembly, Cycle, CycleStep, CycleTerritory, DevelopmentPlan, Phase, PhaseChange
from nodes.admin import ReadOnlyAdmin


class UnitInline(admin.TabularInline):  # type: ignore[type-arg]
    model = CycleTerritory
    fields = readonly_fields = ("territory", "municipality", "amount", "population", "need_index")
    can_delete = False
    extra = 0
    max_num = 0


class PhaseInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Phase
    fields = readonly_fields = ("kind", "title", "starts_at", "ends_at", "for_all_units")
    can_delete = False
    extra = 0
    max_num = 0


@admin.register(Cycle)
class CycleAdmin(ReadOnlyAdmin):
    list_display = ["title", "municipality", "department", "fiscal_year", "methodology", "status", "total_amount"]
    list_filter = ["status", "methodology", "fiscal_year"]
    search_fields = ["title", "municipality__name", "department__name"]
    list_select_related = ["municipality", "department"]
    inlines = [UnitInline, PhaseInline]


@admin.register(CycleStep)
class CycleStepAdmin(ReadOnlyAdmin):
    list_display = ["cycle", "step", "done_at", "done_by"]
    list_filter = ["step"]
    list_select_related = ["cycle", "done_by"]


@admin.register(PhaseChange)
class PhaseChangeAdmin(ReadOnlyAdmin):
    list_display = ["phase", "old_starts_at", "new_starts_at", "old_ends_at", "new_ends_at", "changed_at"]
    list_select_related = ["phase"]


@admin.register(Assembly)
class AssemblyAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "cycle", "kind", "held_at", "attendance"]
    list_filter = ["kind"]
    list_select_related = ["cycle"]


@admin.register(DevelopmentPlan)
class DevelopmentPlanAdmin(ReadOnlyAdmin):
    list_display = ["name", "municipality", "start_year", "end_year"]
    list_select_related = ["municipality"]
