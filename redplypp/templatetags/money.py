from django import template
from django.utils.translation import get_language

from redplypp.money import format_pesos

register = template.Library()


@register.filter
def pesos(amount: int | None) -> str:
    """``{{ cycle.total|pesos }}`` → ``$ 1.250.000``; empty for a missing amount."""
    if amount is None:
        return ""
    return format_pesos(int(amount), language=get_language() or "es")
