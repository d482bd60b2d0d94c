"""Filters for the public cycle pages: words for registry keys, and the
numbers a server-drawn bar chart needs."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template

from cycles.labels import CAPABILITY_LABELS, PHASE_KIND_LABELS
from cycles.methodologies import METHODOLOGIES
from cycles.phases import Capability

register = template.Library()


@register.filter
def capability_label(capability: Capability | str) -> str:
    """``{{ action.capability|capability_label }}`` → "Submit proposals"."""
    try:
        return str(CAPABILITY_LABELS[Capability(capability)])
    except (KeyError, ValueError):
        return ""


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
