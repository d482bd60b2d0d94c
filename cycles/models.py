"""Budget cycles: the cycle, the territories taking part with their envelopes,
its phases, voting settings, development-plan lines, assemblies and delegates.

One-row invariants are database constraints. Rules spanning rows (envelopes
within the total, phases that contradict each other in one territory, what a
published cycle may still change) are enforced in ``cycles.services``, which
locks the cycle row first.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import DocumentType
from cycles.labels import STEP_LABELS, phase_kind_choices
from cycles.phases import Step
from nodes.models import ATTACHMENT_EXTENSIONS, Department, Municipality, Organisation, Territory


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class ConvenerKind(models.TextChoices):
    MUNICIPAL_GOVERNMENT = "municipal_government", _("The municipal government (Alcaldía)")
    DEPARTMENTAL_GOVERNMENT = "departmental_government", _("The departmental government (Gobernación)")
    ORGANISATION = "organisation", _("A social organisation with the government's support")
    MIXED = "mixed", _("Government and social organisations together")


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class EnvelopeMode(models.TextChoices):
    FIXED = "fixed", _("Fixed amounts typed in")
    FORMULA = "formula", _("Computed by a formula")


class CycleQuerySet(models.QuerySet["Cycle"]):
    def published(self) -> CycleQuerySet:
        return self.filter(status=CycleStatus.PUBLISHED)


class Cycle(models.Model):
    """One participatory-budgeting exercise of a municipality (or of a
    department, as Risaralda splits its concertable investment among its
    municipalities)."""

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cycles",
        verbose_name=_("municipality"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cycles",
        verbose_name=_("department"),
    )
    title = models.CharField(_("title"), max_length=200)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    description = models.TextField(_("description"), blank=True)
    total_amount = models.BigIntegerField(_("total amount (pesos)"))
    funding_source = models.CharField(_("funding source"), max_length=200, blank=True)
    convener_kind = models.CharField(_("convened by"), max_length=30, choices=ConvenerKind.choices)
    convener_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="convened_cycles",
        verbose_name=_("convening organisation"),
    )
    methodology = models.CharField(_("methodology"), max_length=40, blank=True)
    plan = models.ForeignKey(
        "DevelopmentPlan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cycles",
        verbose_name=_("development plan"),
    )
    # How envelopes are set: typed in, or a weighted mix (see cycles.envelopes).
    envelope_mode = models.CharField(
        _("envelopes"), max_length=10, choices=EnvelopeMode.choices, default=EnvelopeMode.FORMULA
    )
    weight_equal = models.PositiveSmallIntegerField(_("equal part (%)"), default=100)
    weight_population = models.PositiveSmallIntegerField(_("population part (%)"), default=0)
    weight_need = models.PositiveSmallIntegerField(_("need index part (%)"), default=0)
    rounding_unit = models.PositiveIntegerField(_("round envelopes to multiples of (pesos)"), default=1)
    support_threshold = models.PositiveIntegerField(
        _("supports a proposal needs to go to review"),
        null=True,
        blank=True,
        help_text=_("Empty: every submitted proposal goes to the feasibility review."),
    )
    status = models.CharField(_("status"), max_length=10, choices=CycleStatus.choices, default=CycleStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    cloned_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("cloned from")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("budget cycle")
        verbose_name_plural = _("budget cycles")
        ordering = ["-fiscal_year", "title", "pk"]
        indexes = [models.Index(fields=["status", "fiscal_year"], name="cycle_status_year")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(municipality__isnull=False) & Q(department__isnull=True))
                | (Q(municipality__isnull=True) & Q(department__isnull=False)),
                name="cycle_of_a_municipality_or_a_department",
            ),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="cycle_total_not_negative"),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=1990) & Q(fiscal_year__lte=2100), name="cycle_fiscal_year_sensible"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="cycle_title_not_empty"),
            models.CheckConstraint(
                condition=Q(weight_equal__lte=100) & Q(weight_population__lte=100) & Q(weight_need__lte=100),
                name="cycle_weights_are_percentages",
            ),
            models.CheckConstraint(condition=Q(rounding_unit__gte=1), name="cycle_rounding_unit_positive"),
            models.CheckConstraint(
                condition=Q(status=CycleStatus.DRAFT) | Q(published_at__isnull=False),
                name="cycle_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cycles:cycle-detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == CycleStatus.PUBLISHED

    @property
    def place(self) -> Municipality | Department:
        return self.municipality or self.department  # type: ignore[return-value]


class CycleTerritory(models.Model):
    """A unit taking part in a cycle and its envelope (techo presupuestal):
    a territory of the municipality's tree, a municipality (in a department's
    cycle), or neither: the city-wide envelope, at most one per cycle.

    ``population`` and ``need_index`` are the figures the formula used this
    year, kept with the cycle so that a published split can be recomputed.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="units", verbose_name=_("cycle"))
    territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("territory")
    )
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality"),
    )
    amount = models.BigIntegerField(_("envelope (pesos)"), default=0)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    need_index = models.DecimalField(_("need index"), max_digits=12, decimal_places=4, null=True, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("territory taking part")
        verbose_name_plural = _("territories taking part")
        ordering = ["cycle", "position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="cycle_territory_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(territory__isnull=True) | Q(municipality__isnull=True),
                name="cycle_territory_one_kind_of_unit",
            ),
            models.CheckConstraint(
                condition=Q(need_index__isnull=True) | Q(need_index__gte=0), name="cycle_territory_need_not_negative"
            ),
            models.UniqueConstraint(
                fields=["cycle", "territory"], condition=Q(territory__isnull=False), name="cycle_territory_once"
            ),
            models.UniqueConstraint(
                fields=["cycle", "municipality"],
                condition=Q(municipality__isnull=False),
                name="cycle_municipality_once",
            ),
            models.UniqueConstraint(
                fields=["cycle"],
                condition=Q(territory__isnull=True, municipality__isnull=True),
                name="cycle_one_citywide_envelope",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_citywide(self) -> bool:
        return self.territory_id is None and self.municipality_id is None  # no query

    @property
    def name(self) -> str:
        if self.territory is not None:
            return self.territory.name
        if self.municipality is not None:
            return self.municipality.name
        return str(_("Whole municipality (city-wide)"))


class Phase(models.Model):
    """A dated step of a cycle. The kind (``cycles.phases.PHASE_KINDS``) says
    which capabilities it opens; ``units`` empty means every territory.

    The window is half-open ``[starts_at, ends_at)``. For phases of every
    territory (``for_all_units``), PostgreSQL itself refuses two overlapping
    windows in one cycle; overlaps involving phases of some territories only
    are refused by ``cycles.services`` with the cycle locked.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="phases", verbose_name=_("cycle"))
    kind = models.CharField(_("kind"), max_length=40, choices=phase_kind_choices())
    title = models.CharField(_("title"), max_length=200, blank=True)
    description = models.TextField(_("what happens"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    units = models.ManyToManyField(
        CycleTerritory, blank=True, related_name="phases", verbose_name=_("only in these territories")
    )
    for_all_units = models.BooleanField(_("in every territory"), default=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["cycle", "starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="phase_ends_after_start"),
            ExclusionConstraint(
                name="phase_no_overlap_for_all_units",
                expressions=[
                    ("cycle", RangeOperators.EQUAL),
                    (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS),
                ],
                condition=Q(for_all_units=True),
                violation_error_message=_("Two phases of this cycle cannot run at the same time."),
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.kind


class PhaseChange(models.Model):
    """A published phase moved, with the reason shown publicly."""

    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="changes", verbose_name=_("phase"))
    old_starts_at = models.DateTimeField(_("previous start"))
    old_ends_at = models.DateTimeField(_("previous end"))
    new_starts_at = models.DateTimeField(_("new start"))
    new_ends_at = models.DateTimeField(_("new end"))
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")
        ordering = ["-changed_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="phase_change_has_reason")]

    def __str__(self) -> str:
        return f"{self.phase} · {self.changed_at:%Y-%m-%d}"


class CycleStep(models.Model):
    """An irreversible step that happened. Unique per cycle: the database
    refuses to record it twice, whoever (person or periodic task) tries."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="steps", verbose_name=_("cycle"))
    step = models.CharField(_("step"), max_length=30, choices=[(s.value, STEP_LABELS[s]) for s in Step])
    done_at = models.DateTimeField(_("done at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("cycle step")
        verbose_name_plural = _("cycle steps")
        ordering = ["cycle", "done_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["cycle", "step"], name="cycle_step_once")]

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.step}"


# --- Voting settings -------------------------------------------------------------


class DecidedBy(models.TextChoices):
    CITIZENS = "citizens", _("All eligible citizens")
    DELEGATES = "delegates", _("The elected delegates of each territory")
    ASSEMBLY = "assembly", _("The territorial assembly, by recorded decision")


class BallotType(models.TextChoices):
    SINGLE = "single", _("Single choice")
    APPROVAL = "approval", _("Approve up to K proposals")
    KNAPSACK = "knapsack", _("Choose within the territory's envelope")
    RANKED = "ranked", _("Rank up to K proposals")
    WALLET = "wallet", _("Points or a wallet spent in blocks")


class CountingMethod(models.TextChoices):
    GREEDY = "greedy", _("Most votes first, within the envelope")
    ONE_WINNER = "one_winner", _("One winner per territory")
    EQUAL_SHARES = "equal_shares", _("Method of Equal Shares")


class TieBreakChoice(models.TextChoices):
    VOTES_THEN_COST = "votes-then-cost", _("More votes, then lower cost, then order of submission")
    COST_THEN_VOTES = "cost-then-votes", _("Lower cost, then more votes, then a lot drawn in advance")
    LOT = "lexicographic", _("Proposal code order (drawn in public beforehand)")


class Residence(models.TextChoices):
    NONE = "none", _("No residence requirement")
    MUNICIPALITY = "municipality", _("Lives in the municipality")
    TERRITORY = "territory", _("Lives in the territory whose ballot they cast")


def default_documents() -> list[str]:
    return ["TI", "CC", "CE"]


class VotingSettings(models.Model):
    """How a cycle decides: used by the voting and counting issues."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, related_name="voting", verbose_name=_("cycle"))
    decided_by = models.CharField(
        _("who decides"), max_length=20, choices=DecidedBy.choices, default=DecidedBy.CITIZENS
    )
    ballot_type = models.CharField(_("ballot"), max_length=20, choices=BallotType.choices, default=BallotType.APPROVAL)
    min_selections = models.PositiveSmallIntegerField(_("minimum selections"), default=1)
    max_selections = models.PositiveSmallIntegerField(_("maximum selections"), null=True, blank=True)
    wallet_amount = models.BigIntegerField(_("wallet (pesos or points)"), null=True, blank=True)
    wallet_block = models.BigIntegerField(_("spent in blocks of"), null=True, blank=True)
    counting_method = models.CharField(
        _("counting method"), max_length=20, choices=CountingMethod.choices, default=CountingMethod.GREEDY
    )
    tie_break = models.CharField(
        _("tie-break"), max_length=20, choices=TieBreakChoice.choices, default=TieBreakChoice.VOTES_THEN_COST
    )
    min_age = models.PositiveSmallIntegerField(_("minimum age on the voting day"), default=14)
    residence = models.CharField(
        _("residence"), max_length=20, choices=Residence.choices, default=Residence.MUNICIPALITY
    )
    accepted_documents = ArrayField(
        models.CharField(max_length=5, choices=DocumentType.choices),
        verbose_name=_("accepted documents"),
        default=default_documents,
    )
    census_required = models.BooleanField(_("only people on a census list"), default=False)
    online = models.BooleanField(_("online voting"), default=True)
    in_person_days = ArrayField(models.DateField(), verbose_name=_("in-person voting days"), default=list, blank=True)
    ballot_replaceable = models.BooleanField(_("a ballot can be replaced before the close"), default=False)

    class Meta:
        verbose_name = _("voting settings")
        verbose_name_plural = _("voting settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_selections__isnull=True) | Q(max_selections__gte=F("min_selections")),
                name="voting_max_not_below_min",
            ),
            models.CheckConstraint(condition=Q(min_age__gte=7) & Q(min_age__lte=120), name="voting_min_age_sensible"),
            models.CheckConstraint(
                condition=~Q(ballot_type=BallotType.WALLET)
                | (Q(wallet_amount__gt=0) & Q(wallet_block__gt=0) & Q(wallet_block__lte=F("wallet_amount"))),
                name="voting_wallet_has_amount_and_block",
            ),
            models.CheckConstraint(condition=Q(online=True) | ~Q(in_person_days=[]), name="voting_has_a_channel"),
        ]

    def __str__(self) -> str:
        return str(self.cycle)


# --- Development plan ------------------------------------------------------------


class DevelopmentPlan(models.Model):
    """A municipal development plan (Plan de Desarrollo) for a period."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="plans", verbose_name=_("municipality")
    )
    name = models.CharField(_("name"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("from"))
    end_year = models.PositiveSmallIntegerField(_("to"))

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["municipality", "-start_year", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(end_year__gte=F("start_year")), name="plan_period_in_order"),
            models.UniqueConstraint(fields=["municipality", "name"], name="plan_name_unique_in_municipality"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_year}–{self.end_year})"


class PlanLevel(models.TextChoices):
    LINE = "line", _("Strategic line")
    PROGRAMME = "programme", _("Programme")


class PlanLine(models.Model):
    """A strategic line of a plan, or a programme inside one."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="lines", verbose_name=_("plan"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="programmes", verbose_name=_("line")
    )
    level = models.CharField(_("level"), max_length=10, choices=PlanLevel.choices)
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=300)

    class Meta:
        verbose_name = _("plan line")
        verbose_name_plural = _("plan lines")
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="plan_line_code_unique"),
            models.CheckConstraint(
                condition=(Q(level=PlanLevel.LINE) & Q(parent__isnull=True))
                | (Q(level=PlanLevel.PROGRAMME) & Q(parent__isnull=False)),
                name="plan_programme_inside_a_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# --- Assemblies ------------------------------------------------------------------


class AssemblyKind(models.TextChoices):
    PRE_CABILDO = "pre_cabildo", _("Pre-cabildo (information)")
    CABILDO = "cabildo", _("Cabildo (deciding assembly)")
    DELEGATES = "delegates", _("Delegates' assembly")
    SPOKESPEOPLE = "spokespeople", _("Assembly of spokespeople")
    DIAGNOSIS = "diagnosis", _("Diagnosis workshop")
    ACCOUNTABILITY = "accountability", _("Accountability hearing")
    OTHER = "other", pgettext_lazy("assembly kind", "Other")


def assembly_scan_path(instance: Assembly, filename: str) -> str:
    return f"assemblies/{instance.held_at:%Y}/{uuid.uuid4().hex}{instance.minutes_scan_extension}"


class Assembly(models.Model):
    """A meeting of a cycle in a territory (or of the whole cycle): who came,
    what was said (minutes) and what was decided."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assemblies", verbose_name=_("cycle"))
    phase = models.ForeignKey(
        Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="assemblies", verbose_name=_("phase")
    )
    unit = models.ForeignKey(
        CycleTerritory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assemblies",
        verbose_name=_("territory"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AssemblyKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    convener = models.CharField(_("convened by"), max_length=200, blank=True)
    attendance = models.PositiveIntegerField(_("people attending"), null=True, blank=True)
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    men = models.PositiveIntegerField(_("men"), null=True, blank=True)
    other_gender = models.PositiveIntegerField(_("other or not said"), null=True, blank=True)
    age_14_17 = models.PositiveIntegerField(_("aged 14–17"), null=True, blank=True)
    age_18_28 = models.PositiveIntegerField(_("aged 18–28"), null=True, blank=True)
    age_29_59 = models.PositiveIntegerField(_("aged 29–59"), null=True, blank=True)
    age_60_plus = models.PositiveIntegerField(_("aged 60 or more"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_scan = models.FileField(_("scan of the signed minutes"), upload_to=assembly_scan_path, blank=True)
    minutes_scan_type = models.CharField(max_length=50, blank=True)
    minutes_scan_name = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("assembly")
        verbose_name_plural = _("assemblies")
        ordering = ["cycle", "held_at", "pk"]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def minutes_scan_extension(self) -> str:
        return ATTACHMENT_EXTENSIONS.get(self.minutes_scan_type, "")


class AssemblyDecision(models.Model):
    """One line of what an assembly decided: a proposal (or an item, as the
    minutes name it) with the place, rating or votes the assembly gave it."""

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("assembly")
    )
    rank = models.PositiveSmallIntegerField(_("place"))
    item = models.CharField(_("proposal or item"), max_length=300)
    rating = models.DecimalField(_("rating"), max_digits=7, decimal_places=2, null=True, blank=True)
    votes = models.PositiveIntegerField(_("votes"), null=True, blank=True)
    amount = models.BigIntegerField(_("amount assigned (pesos)"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("assembly decision")
        verbose_name_plural = _("assembly decisions")
        ordering = ["assembly", "rank", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "rank"], name="assembly_decision_rank_once"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="assembly_decision_rank_from_one"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="assembly_decision_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank}. {self.item}"


class Delegate(models.Model):
    """A delegate (or spokesperson) of a territory elected for a cycle."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="delegates", verbose_name=_("cycle"))
    unit = models.ForeignKey(
        CycleTerritory, on_delete=models.PROTECT, related_name="delegates", verbose_name=_("territory")
    )
    assembly = models.ForeignKey(
        Assembly,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegates",
        verbose_name=_("elected at"),
    )
    name = models.CharField(_("name"), max_length=200)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegations",
        verbose_name=_("account"),
    )
    term_start = models.DateField(_("term from"))
    term_end = models.DateField(_("term until"))

    class Meta:
        verbose_name = _("delegate")
        verbose_name_plural = _("delegates")
        ordering = ["cycle", "unit", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(term_end__gte=F("term_start")), name="delegate_term_in_order"),
            models.CheckConstraint(condition=~Q(name=""), name="delegate_has_name"),
        ]

    def __str__(self) -> str:
        return self.name
