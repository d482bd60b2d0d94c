"""Every write of a cycle's configuration: creation, basics, voting
settings, publishing and cloning. Territories and envelopes are set through
``cycles.allocation``, phases through
``cycles.schedule``, irreversible steps through ``cycles.lifecycle``,
assemblies through ``cycles.assemblies``, plans through ``cycles.plans``.

Contract shared by all of them: keyword-only arguments; one transaction
that first locks the cycle row (``select_for_update``), so two managers
editing at once are serialised and rules spanning rows (envelopes within the
total) hold; the acting person's permission checked here (``PermissionDenied``
with a translatable message); a broken rule raises ``ValidationError`` with a
translatable message and a ``code``, and nothing is saved; one audit entry
(ids and amounts only) per act.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record, subject_of
from accounts.models import DocumentType, User
from cycles.allocation import assigned_amount, split_if_possible
from cycles.guards import (
    check_amount,
    check_year,
    invalid,
    local_midnight,
    lock,
    pesos,
    refuse,
    require,
    require_change,
)
from cycles.methodologies import METHODOLOGIES
from cycles.models import (
    BallotType,
    ConvenerKind,
    Cycle,
    CycleStatus,
    CycleTerritory,
    DevelopmentPlan,
    Phase,
    VotingSettings,
)
from cycles.phases import Capability, capabilities_of, conflicts
from nodes.models import Department, Municipality, Organisation, Territory


def _check_convener(
    convener_kind: str, organisation: Organisation | None, place: Municipality | Department | None = None
) -> None:
    """Naming an organisation gives its managers the cycle (``cycles.rules``): it must
    be an active organisation of the place, or working in a node the place belongs to."""
    if convener_kind not in ConvenerKind.values:
        raise refuse(_("Choose who convenes the cycle."), "convener")
    needs_org = convener_kind in (ConvenerKind.ORGANISATION, ConvenerKind.MIXED)
    if needs_org and organisation is None:
        raise invalid("convener_organisation", _("Say which organisation convenes the cycle."), "convener_organisation")
    if organisation is not None and place is not None and not _works_in(organisation, place):
        raise invalid(
            "convener_organisation",
            _("%(organisation)s does not work in %(place)s: choose an organisation of the place or of its node.")
            % {"organisation": organisation, "place": place},
            "convener_organisation",
        )


def _works_in(organisation: Organisation, place: Municipality | Department) -> bool:
    if not organisation.active:
        return False
    if isinstance(place, Municipality):
        here = Q(municipality=place) | Q(nodes__node_municipalities__municipality=place)
    else:
        here = Q(municipality__department=place) | Q(nodes__node_municipalities__municipality__department=place)
    return Organisation.objects.filter(here, pk=organisation.pk).exists()


class Keep:
    """An argument not given: leave the field as it is."""


KEEP = Keep()


# --- Creating a cycle ------------------------------------------------------------


def _default_units(*, municipality: Municipality | None, department: Department | None) -> list[dict[str, Any]]:
    if municipality is not None:
        roots = Territory.objects.filter(municipality=municipality, parent__isnull=True).order_by("code")
        return [{"territory": t} for t in roots]
    assert department is not None
    return [{"municipality": m} for m in Municipality.objects.filter(department=department).order_by("name")]


@transaction.atomic
def cycle_create(
    *,
    actor: User,
    methodology: str,
    title: str,
    fiscal_year: int,
    total_amount: int,
    start_date: date,
    municipality: Municipality | None = None,
    department: Department | None = None,
    convener_kind: str = "",
    convener_organisation: Organisation | None = None,
    description: str = "",
    funding_source: str = "",
    now: datetime | None = None,
) -> Cycle:
    """Create a draft cycle from a methodology template: the top level of the
    municipality's territory tree (or the department's municipalities) taking
    part, the template's phases dated from ``start_date``, its voting settings
    and envelope formula. Refused for a municipality without territories."""
    now = now or timezone.now()
    place = municipality or department
    if place is None or (municipality is not None and department is not None):
        raise refuse(_("A cycle belongs to one municipality or one department."), "place")
    require(actor, "cycles.add_cycle", place, _("You may not create cycles for %(place)s.") % {"place": place})
    template = METHODOLOGIES.get(methodology)
    if template is None:
        raise invalid("methodology", _("Choose one of the methodologies offered."), "methodology")
    if not title.strip():
        raise invalid("title", _("Give the cycle a title."), "title")
    check_year(fiscal_year)
    check_amount(total_amount)
    _check_convener(convener_kind or template.convener_kind, convener_organisation, place)
    # An organisation's manager creates cycles their organisation convenes: one they
    # could not configure afterwards would be left stranded.
    require(
        actor,
        "cycles.change_cycle",
        Cycle(municipality=municipality, department=department, convener_organisation=convener_organisation),
        _("Choose your organisation as the convener, so that you can go on configuring the cycle."),
    )
    units = _default_units(municipality=municipality, department=department)
    if not units:
        raise refuse(
            _(
                "%(place)s has no territories yet. Add its comunas, corregimientos or other territories "
                "first (Network › Territories), then create the cycle."
            )
            % {"place": place},
            "no_territories",
        )
    equal, population, need = template.weights
    cycle = Cycle.objects.create(
        municipality=municipality,
        department=department,
        title=title.strip(),
        fiscal_year=fiscal_year,
        total_amount=total_amount,
        description=description,
        funding_source=funding_source,
        convener_kind=convener_kind or template.convener_kind,
        convener_organisation=convener_organisation,
        methodology=template.key,
        weight_equal=equal,
        weight_population=population,
        weight_need=need,
        created_by=actor,
        created_at=now,
    )
    CycleTerritory.objects.bulk_create(
        [CycleTerritory(cycle=cycle, position=i, **unit) for i, unit in enumerate(units, start=1)]
    )
    start = local_midnight(start_date)
    Phase.objects.bulk_create(
        [
            Phase(
                cycle=cycle,
                kind=p.kind,
                title=str(p.title),
                description=str(p.description),
                starts_at=start + timedelta(days=p.offset_days),
                ends_at=start + timedelta(days=p.offset_days + p.duration_days),
            )
            for p in template.phases
        ]
    )
    VotingSettings.objects.create(cycle=cycle, **_voting_defaults(template.voting, cycle))
    split_if_possible(cycle)
    audit_record(
        actor=actor,
        action="cycles.cycle_created",
        subject=subject_of(cycle),
        data={"methodology": template.key, "place": place.pk, "total_amount": total_amount},
        now=now,
    )
    return cycle


def _voting_defaults(voting: dict[str, Any], cycle: Cycle) -> dict[str, Any]:
    fields = {k: v for k, v in voting.items() if k != "in_person_last_day"}
    if voting.get("in_person_last_day"):
        # The last phase that opens the vote, whatever its kind (a voting day, or deciding assemblies).
        vote_phase = next(
            (p for p in cycle.phases.order_by("-ends_at") if Capability.VOTE in capabilities_of(p.kind)), None
        )
        if vote_phase is not None:
            fields["in_person_days"] = [timezone.localtime(vote_phase.ends_at - timedelta(seconds=1)).date()]
    return fields


# --- Basics ----------------------------------------------------------------------


@transaction.atomic
def cycle_update(
    *,
    actor: User,
    cycle: Cycle,
    title: str,
    fiscal_year: int,
    total_amount: int,
    convener_kind: str,
    convener_organisation: Organisation | None = None,
    description: str = "",
    funding_source: str = "",
    plan: DevelopmentPlan | Keep | None = KEEP,
) -> Cycle:
    """Change the basics (and, when given, the development plan, which must be
    of the cycle's municipality). The total cannot fall below what the
    envelopes already assign."""
    cycle = lock(cycle)
    require_change(actor, cycle)
    if not title.strip():
        raise invalid("title", _("Give the cycle a title."), "title")
    check_year(fiscal_year)
    check_amount(total_amount)
    _check_convener(convener_kind, convener_organisation, cycle.place)
    assigned = assigned_amount(cycle)
    if total_amount < assigned:
        raise invalid(
            "total_amount",
            _("The envelopes already assign %(assigned)s; the total cannot be less. Lower the envelopes first.")
            % {"assigned": pesos(assigned)},
            "total_below_envelopes",
        )
    if isinstance(plan, DevelopmentPlan) and plan.municipality_id != cycle.municipality_id:
        raise invalid("plan", _("Choose a development plan of the cycle's municipality."), "plan")
    before = cycle.total_amount
    if not isinstance(plan, Keep):
        cycle.plan = plan
    cycle.title, cycle.fiscal_year, cycle.total_amount = title.strip(), fiscal_year, total_amount
    cycle.convener_kind, cycle.convener_organisation = convener_kind, convener_organisation
    cycle.description, cycle.funding_source = description, funding_source
    cycle.full_clean(exclude=["municipality", "department", "plan", "cloned_from", "created_by"])
    cycle.save()
    audit_record(
        actor=actor,
        action="cycles.cycle_updated",
        subject=subject_of(cycle),
        data={"total_amount": [before, total_amount], "plan": cycle.plan_id},
    )
    return cycle


# --- Voting settings -------------------------------------------------------------


VOTING_FIELDS = (
    "decided_by",
    "ballot_type",
    "min_selections",
    "max_selections",
    "wallet_amount",
    "wallet_block",
    "counting_method",
    "tie_break",
    "min_age",
    "residence",
    "accepted_documents",
    "census_required",
    "online",
    "in_person_days",
    "ballot_replaceable",
)


@transaction.atomic
def voting_update(*, actor: User, cycle: Cycle, now: datetime | None = None, **values: Any) -> VotingSettings:
    """Change how the cycle decides. Refused once voting has opened anywhere."""
    now = now or timezone.now()
    cycle = lock(cycle)
    require_change(actor, cycle)
    from cycles.selectors import cycle_windows

    if any(Capability.VOTE in w.capabilities and w.starts_at <= now for w in cycle_windows(cycle)):
        raise refuse(_("Voting has already opened: its rules can no longer change."), "voting_started")
    unknown = set(values) - set(VOTING_FIELDS)
    if unknown:
        raise TypeError(f"unknown voting settings: {sorted(unknown)}")
    settings_ = cycle.voting
    for name, value in values.items():
        setattr(settings_, name, value)
    _check_voting(settings_)
    settings_.save()
    audit_record(
        actor=actor,
        action="cycles.voting_updated",
        subject=subject_of(cycle),
        data={k: (v if isinstance(v, str | int | bool | type(None)) else str(v)) for k, v in values.items()},
    )
    return settings_


def _check_voting(v: VotingSettings) -> None:
    errors: dict[str, str] = {}  # field -> message, raised with the code "voting"
    if v.min_selections is None or v.min_selections < 0:
        errors["min_selections"] = _("The minimum cannot be negative.")
    elif v.max_selections is not None and v.max_selections < v.min_selections:
        errors["max_selections"] = _("The maximum cannot be below the minimum.")
    if v.ballot_type == BallotType.SINGLE and (v.max_selections or 1) != 1:
        errors["max_selections"] = _("A single-choice ballot has exactly one selection.")
    if v.ballot_type == BallotType.WALLET:
        if not v.wallet_amount or not v.wallet_block or v.wallet_amount <= 0 or v.wallet_block <= 0:
            errors["wallet_amount"] = _("A wallet ballot needs the wallet and the block size.")
        elif v.wallet_amount % v.wallet_block:
            errors["wallet_block"] = _("The wallet must be a whole number of blocks.")
    if not 7 <= v.min_age <= 120:
        errors["min_age"] = _("The minimum age must be between 7 and 120.")
    if not v.accepted_documents:
        errors["accepted_documents"] = _("Accept at least one kind of document.")
    elif set(v.accepted_documents) - set(DocumentType.values):
        errors["accepted_documents"] = _("Choose documents from the list.")
    if not v.online and not v.in_person_days:
        errors["online"] = _("Offer at least one channel: online voting or in-person days.")
    if errors:
        raise ValidationError({field: ValidationError(message, code="voting") for field, message in errors.items()})


# --- Publishing and cloning ------------------------------------------------------


def cycle_problems(cycle: Cycle) -> list[str]:
    """What stops a cycle from being published, in words for the manager (empty: ready)."""
    from cycles.selectors import cycle_windows

    problems = []
    units = list(cycle.units.all())
    if not units:
        problems.append(_("No territory takes part."))
    assigned = sum(u.amount for u in units)
    if assigned > cycle.total_amount:
        problems.append(_("The envelopes add up to more than the total."))
    if units and not any(u.amount for u in units):
        problems.append(_("No envelope has money yet: set the envelopes."))
    windows = cycle_windows(cycle)
    if not windows:
        problems.append(_("The cycle has no phases."))
    if conflicts(windows):
        problems.append(_("Some phases run at the same time in the same territory."))
    try:
        _check_voting(cycle.voting)
    except ValidationError as error:
        problems.extend(str(m) for m in error.messages)
    return problems


@transaction.atomic
def cycle_publish(*, actor: User, cycle: Cycle, now: datetime | None = None) -> Cycle:
    now = now or timezone.now()
    cycle = lock(cycle)
    require_change(actor, cycle)
    if cycle.is_published:
        return cycle
    problems = cycle_problems(cycle)
    if problems:
        raise refuse(" ".join(problems), "not_ready")
    cycle.status, cycle.published_at = CycleStatus.PUBLISHED, now
    cycle.save(update_fields=["status", "published_at"])
    audit_record(actor=actor, action="cycles.cycle_published", subject=subject_of(cycle), now=now)
    return cycle


@transaction.atomic
def cycle_clone(
    *, actor: User, cycle: Cycle, title: str, fiscal_year: int, start_date: date, now: datetime | None = None
) -> Cycle:
    """A new draft with the same territories, figures, envelopes, phases (moved
    so the first starts on ``start_date``) and voting settings."""
    now = now or timezone.now()
    require(actor, "cycles.change_cycle", cycle, _("You may not copy this cycle."))
    if not title.strip():
        raise invalid("title", _("Give the cycle a title."), "title")
    check_year(fiscal_year)
    # Fresh rows, never the caller's (possibly prefetched) instances: they are copied by
    # clearing their pk, which would otherwise leave ``cycle.voting`` pointing at the copy's.
    source_units = list(CycleTerritory.objects.filter(cycle=cycle).order_by("position", "pk"))
    source_phases = list(Phase.objects.filter(cycle=cycle).prefetch_related("units").order_by("starts_at", "pk"))
    voting = VotingSettings.objects.get(cycle=cycle)
    copy = Cycle.objects.get(pk=cycle.pk)
    copy.pk = None
    copy.title, copy.fiscal_year, copy.status, copy.published_at = title.strip(), fiscal_year, CycleStatus.DRAFT, None
    copy.cloned_from, copy.created_by, copy.created_at = cycle, actor, now
    copy.save()
    unit_map = {}
    for unit in source_units:
        old_pk = unit.pk
        unit.pk, unit.cycle = None, copy
        unit.save()
        unit_map[old_pk] = unit
    shift = local_midnight(start_date) - min((p.starts_at for p in source_phases), default=local_midnight(start_date))
    for phase in source_phases:
        units = [unit_map[u.pk] for u in phase.units.all()]
        phase.pk, phase.cycle = None, copy
        phase.starts_at += shift
        phase.ends_at += shift
        phase.save()
        phase.units.set(units)
    voting.pk, voting.cycle = None, copy
    voting.in_person_days = [d + timedelta(days=shift.days) for d in voting.in_person_days]
    voting.save()
    audit_record(actor=actor, action="cycles.cycle_cloned", subject=subject_of(copy), data={"from": cycle.pk}, now=now)
    return copy
