"""Filters for the public cycle pages: words for registry keys, and the
numbers a server-drawn bar chart needs."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from cycles.labels import CAPABILITY_LABELS, PHASE_KIND_LABELS, VOTE_ACTION_BY_DECIDER
from cycles.methodologies import METHODOLOGIES
from cycles.phases import Capability

register = template.Library()


@register.filter
def capability_label(capability: Capability | str, decided_by: str = "") -> str:
    """``{{ action.capability|capability_label:cycle.voting.decided_by }}`` → "Submit proposals";
    for voting, what it means given who decides (citizens, delegates, an assembly)."""
    try:
        capability = Capability(capability)
    except ValueError:
        return ""
    if capability is Capability.VOTE and decided_by in VOTE_ACTION_BY_DECIDER:
        return str(VOTE_ACTION_BY_DECIDER[decided_by])
    return str(CAPABILITY_LABELS.get(capability, ""))


@register.filter
def open_until(moment: datetime | None) -> str:
    """ "until 14 December 2026, 4 p.m.", or, for a phase ending at midnight, the
    last whole day: "until 14 December 2026 (included)"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    if local.time() == time.min:
        last_day = (local - timedelta(microseconds=1)).date()
        return gettext("until %(day)s (included)") % {"day": date_format(last_day, "DATE_FORMAT")}
    return gettext("until %(moment)s") % {"moment": date_format(local, "DATETIME_FORMAT")}


@register.filter
def phase_kind_label(kind: str) -> str:
    label = PHASE_KIND_LABELS.get(kind)
    return str(label) if label is not None else ""


@register.filter
def methodology_name(key: str) -> str:
    methodology = METHODOLOGIES.get(key)
    return str(methodology.name) if methodology is not None else ""


@register.filter
def share(amount: int | None, total: int | None) -> Decimal | None:
    """``amount`` as a percentage of ``total`` (one decimal), for ``|floatformat``; None without a total."""
    if amount is None or not total:
        return None
    return (Decimal(amount) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@register.filter
def bar_width(amount: int | None, largest: int | None) -> str:
    """An SVG width attribute, ``"37.5%"``, relative to the largest bar. A string,
    so that the decimal point is never localised into a comma."""
    if not amount or not largest or amount <= 0:
        return "0%"
    ratio = min(Decimal(amount) * 100 / Decimal(largest), Decimal(100))
    return f"{ratio.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"
