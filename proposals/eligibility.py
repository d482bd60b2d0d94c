"""Who may propose and support in a cycle, and why not.

A person takes part when their account has a verified e-mail and a citizen
identity, they are old enough on the day (the cycle's minimum age), they
live in the cycle's municipality when the cycle asks for residence (a
department's cycle: in one of its municipalities), and their document type
is accepted. In a cycle they act from one territory, declared once
(``Participation``).

``refusal`` returns a translatable sentence that says what to do, or None.
"""

from __future__ import annotations

from datetime import date

from allauth.account.models import EmailAddress
from django.utils.translation import gettext as _

from accounts.models import CitizenIdentity, User
from cycles.models import Cycle, Residence


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def identity_of(user: User) -> CitizenIdentity | None:
    try:
        return user.identity
    except CitizenIdentity.DoesNotExist:
        return None


def refusal(user: User, cycle: Cycle, today: date) -> str | None:
    """Why ``user`` may not propose or support in ``cycle`` (None: they may)."""
    if not user.is_authenticated or not user.is_active:
        return _("Sign in to take part.")
    verified = EmailAddress.objects.filter(user=user, verified=True).exists()
    return refusal_for(identity_of(user) if verified else None, verified, cycle, today)


def refusal_for(identity: CitizenIdentity | None, verified: bool, cycle: Cycle, today: date) -> str | None:
    """``refusal`` from facts already read (an active account's identity and whether
    its e-mail is verified), for callers that read them in one query."""
    if not verified:
        return _("Confirm your e-mail address first: open the link we sent you.")
    if identity is None:
        return _("Complete your citizen profile (document and date of birth) to take part.")
    settings_ = cycle.voting
    if identity.document_type not in settings_.accepted_documents:
        return _("This cycle does not accept your kind of document.")
    if age_on(identity.birth_date, today) < settings_.min_age:
        return _("This cycle is for people aged %(age)d or more.") % {"age": settings_.min_age}
    if settings_.residence != Residence.NONE:
        if cycle.municipality_id is not None and identity.municipality_code != cycle.municipality_id:
            return _("This cycle is for people who live in %(place)s.") % {"place": cycle.municipality}
        if cycle.department_id is not None and not identity.municipality_code.startswith(cycle.department_id):
            return _("This cycle is for people who live in %(place)s.") % {"place": cycle.department}
    return None
