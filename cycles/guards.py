"""What every write of the cycles app begins with: the permission, the
locked cycle row, and refusals that carry a translatable message and a code."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from cycles.models import Cycle
from redplypp.money import format_pesos


def require(actor: User, perm: str, obj: Any, message: str) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message)


def refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def invalid(field: str, message: str, code: str) -> ValidationError:
    """An error of one field that keeps its ``code``: ``ValidationError({field: message}, code=...)``
    would drop it, and the views map some codes to form fields."""
    return ValidationError({field: ValidationError(message, code=code)})


def lock(cycle: Cycle) -> Cycle:
    """The cycle row, locked until the end of the transaction."""
    return Cycle.objects.select_for_update().get(pk=cycle.pk)


def require_change(actor: User, cycle: Cycle) -> None:
    require(actor, "cycles.change_cycle", cycle, _("You may not change this cycle: it is not of your municipality."))


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def check_amount(total: int, field: str = "total_amount") -> None:
    if total < 0:
        raise invalid(field, _("An amount cannot be negative."), "negative_amount")
    if total > 10**15:
        raise invalid(field, _("That amount is not plausible: check the number of zeros."), "absurd")


def check_year(fiscal_year: int) -> None:
    # The same bounds as the constraint ``cycle_fiscal_year_sensible``, said in words.
    if not 1990 <= fiscal_year <= 2100:
        raise invalid("fiscal_year", _("Give the fiscal year in four digits, between 1990 and 2100."), "fiscal_year")


def pesos(amount: int) -> str:
    """An amount for a message, grouped as the active language writes numbers."""
    return format_pesos(amount, language=get_language() or "es")
