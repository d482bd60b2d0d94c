"""The voter roll, the ballot box, polling stations and paper records.

The roll says *that* a person voted in a cycle; the box says *what* was
voted. They are written in one transaction and share nothing a query could
join on: ballots have random ids, no account, no station (except paper
batches), no timestamp; their chain position is given later, by the sealer,
in random order within each batch (see ``voting.services.ballot_chain_seal``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cycles.models import Cycle, CycleTerritory, Delegate


class Channel(models.TextChoices):
    """How a person voted (the roll). The box records only ``online`` (any electronic
    ballot, assisted ones included: the few who asked for help are not singled out)
    or ``paper``."""

    ONLINE = "online", _("Online")
    ASSISTED = "assisted", _("Assisted, at a polling station")
    PAPER = "paper", _("Paper, at a polling station")


class Station(models.Model):
    """A polling station (mesa) of a cycle, in one territory."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="stations", verbose_name=_("cycle"))
    unit = models.ForeignKey(
        CycleTerritory, on_delete=models.PROTECT, related_name="stations", verbose_name=_("territory")
    )
    name = models.CharField(_("name"), max_length=120)
    place = models.CharField(_("place"), max_length=200, help_text=_("Address or landmark people know."))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    counts_on_site = models.BooleanField(
        _("counts on site"),
        default=False,
        help_text=_("The officers count the paper ballots at the station and key in the tally sheet (acta)."),
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="StationOfficer",
        related_name="stations",
        verbose_name=_("officers"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("polling station")
        verbose_name_plural = _("polling stations")
        ordering = ["cycle", "opens_at", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="station_closes_after_open"),
            models.UniqueConstraint(fields=["cycle", "name"], name="station_name_unique_in_cycle"),
        ]

    def __str__(self) -> str:
        return self.name


class StationOfficer(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="station_assignments")
    assigned_at = models.DateTimeField(_("assigned at"))

    class Meta:
        verbose_name = _("station officer")
        verbose_name_plural = _("station officers")
        constraints = [models.UniqueConstraint(fields=["station", "user"], name="officer_once_per_station")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.station}"


class CensusEntry(models.Model):
    """A document on a cycle's census list: only its keyed hash, never the number."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="census", verbose_name=_("cycle"))
    document_hash = models.CharField(_("document (keyed hash)"), max_length=64)

    class Meta:
        verbose_name = _("census entry")
        verbose_name_plural = _("census list")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "document_hash"], name="census_document_once_per_cycle"),
            models.CheckConstraint(condition=Q(document_hash__regex=r"^[0-9a-f]{64}$"), name="census_is_a_hash"),
        ]

    def __str__(self) -> str:
        return self.document_hash[:12]


class VoterRollEntry(models.Model):
    """That a person voted in a cycle: one row per person and cycle, whatever the channel.

    ``voter_key`` is the keyed hash of the person's document (the same family
    hash as ``CitizenIdentity.document_hash``), not the account, so someone
    who votes online and then shows up at a station is the same person.
    Only the day is kept, and the random id orders nothing.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="roll", verbose_name=_("cycle"))
    voter_key = models.CharField(_("voter (keyed hash of the document)"), max_length=64)
    unit = models.ForeignKey(CycleTerritory, on_delete=models.PROTECT, related_name="+", verbose_name=_("territory"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, null=True, blank=True, related_name="roll", verbose_name=_("station")
    )
    delegate = models.ForeignKey(
        Delegate, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("delegate")
    )
    # The account that voted online, so that changing the document on one's profile
    # does not give a second vote (the roll may name the person: it is the box that must not).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    voted_on = models.DateField(_("day"))
    # Keyed hashes (see voting.chain): of the submission id, to answer a retry
    # with the same receipt; of the current receipt, to let its holder replace
    # the ballot. Neither leads to the ballot without what only the voter has.
    submission_digest = models.CharField(max_length=64, blank=True)
    receipt_token = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("voter roll entry")
        verbose_name_plural = _("voter roll")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "voter_key"], name="one_vote_per_person_per_cycle"),
            models.UniqueConstraint(
                fields=["cycle", "delegate"], condition=Q(delegate__isnull=False), name="one_vote_per_delegate"
            ),
            models.UniqueConstraint(
                fields=["cycle", "user"], condition=Q(user__isnull=False), name="one_vote_per_account_per_cycle"
            ),
            models.CheckConstraint(condition=Q(voter_key__regex=r"^[0-9a-f]{64}$"), name="roll_voter_is_a_hash"),
            models.CheckConstraint(
                condition=Q(channel="online") | Q(station__isnull=False), name="roll_in_person_names_station"
            ),
        ]
        indexes = [models.Index(fields=["cycle", "unit", "channel"], name="roll_turnout_idx")]

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.voter_key[:8]}"


class PaperRecord(models.Model):
    """A batch of paper ballots or a station's tally sheet (acta), keyed in twice.

    It counts once two officers' entries match (``confirmed``), or once a
    manager chose between mismatching entries (``reconciled``, with a reason).
    """

    class Kind(models.TextChoices):
        BATCH = "batch", _("Batch of paper ballots")
        ACTA = "acta", _("Tally sheet (acta de escrutinio)")

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting for the second entry")
        CONFIRMED = "confirmed", _("Both entries match")
        MISMATCH = "mismatch", _("The entries differ")
        RECONCILED = "reconciled", _("Reconciled by a manager")

    station = models.ForeignKey(
        Station, on_delete=models.PROTECT, related_name="paper_records", verbose_name=_("station")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    number = models.PositiveIntegerField(pgettext_lazy("batch", "number"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.WAITING)
    accepted = models.JSONField(_("accepted content"), null=True, blank=True)
    reason = models.TextField(_("reason for the reconciliation"), blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("paper record")
        verbose_name_plural = _("paper records")
        ordering = ["station", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["station", "kind", "number"], name="paper_record_unique_per_station"),
            models.CheckConstraint(
                condition=Q(status__in=["waiting", "mismatch"]) | Q(accepted__isnull=False),
                name="paper_record_settled_has_content",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.get_kind_display()} {self.number}"

    @property
    def counts(self) -> bool:
        return self.status in (self.Status.CONFIRMED, self.Status.RECONCILED)


class PaperEntry(models.Model):
    """One officer's keying of a paper record."""

    record = models.ForeignKey(PaperRecord, on_delete=models.CASCADE, related_name="entries")
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    entered_at = models.DateTimeField(_("entered at"))
    content = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("paper entry")
        verbose_name_plural = _("paper entries")
        ordering = ["record", "entered_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["record", "officer"], name="paper_entry_once_per_officer")]

    def __str__(self) -> str:
        return f"{self.record} · {self.officer_id}"


class Ballot(models.Model):
    """What was voted: no voter, no time, a random id.

    ``selections`` is ``[[proposal_id, value], ...]`` sorted (see
    ``voting.ballots``). ``position``, ``previous_hash`` and ``ballot_hash``
    are set when the ballot is sealed into the chain. A replacement names the
    ballot it replaces by its receipt digest; counting skips replaced ballots.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("cycle"))
    unit = models.ForeignKey(CycleTerritory, on_delete=models.PROTECT, related_name="+", verbose_name=_("territory"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    selections = models.JSONField(_("selections"))
    receipt_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    replaces_digest = models.CharField(max_length=64, null=True, blank=True, unique=True)
    batch = models.ForeignKey(
        PaperRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="ballots", verbose_name=_("batch")
    )
    position = models.PositiveBigIntegerField(_("position in the chain"), null=True, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    ballot_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballot box")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "position"], name="ballot_position_unique_in_cycle"),
            models.CheckConstraint(
                condition=Q(channel="paper") | Q(receipt_digest__isnull=False), name="ballot_electronic_has_receipt"
            ),
            models.CheckConstraint(
                condition=~Q(channel="paper") | Q(batch__isnull=False), name="ballot_paper_comes_in_a_batch"
            ),
        ]
        indexes = [
            models.Index(fields=["cycle"], condition=Q(position__isnull=True), name="ballot_unsealed_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id} · #{self.position or '-'}"


class BallotChain(models.Model):
    """The head of a cycle's chain: the row sealers lock, and what the cycle page shows."""

    cycle = models.OneToOneField(Cycle, on_delete=models.CASCADE, primary_key=True, related_name="ballot_chain")
    length = models.PositiveBigIntegerField(default=0)
    head = models.CharField(max_length=64)
    sealed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ballot chain")
        verbose_name_plural = _("ballot chains")

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.length} · {self.head[:12]}"


class BallotStart(models.Model):
    """Someone opened their ballot and has not cast it yet (for one reminder before the close).

    Holds no choice: the ballot in progress lives in the voter's page only.
    Deleted when the person votes.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "user"], name="ballot_start_once")]

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.user_id}"


class TerritoryResult(models.Model):
    """The count of one territory's ballot: what the results pages and documents show.

    ``outcome`` is the counting engine's ``Outcome.to_dict()`` (method,
    tie-break, each proposal's votes and why it was or was not funded).
    ``chain_length`` and ``chain_head`` are the sealed box the count read.
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="results", verbose_name=_("cycle"))
    unit = models.ForeignKey(CycleTerritory, on_delete=models.PROTECT, related_name="+", verbose_name=_("territory"))
    method = models.CharField(_("counting method"), max_length=40)
    ballots = models.PositiveIntegerField(_("ballots counted"))
    acta_ballots = models.PositiveIntegerField(_("ballots counted on site (actas)"), default=0)
    blank = models.PositiveIntegerField(_("blank ballots"), default=0)
    void = models.PositiveIntegerField(_("void ballots"), default=0)
    budget = models.BigIntegerField(_("envelope (pesos)"))
    spent = models.BigIntegerField(_("assigned (pesos)"))
    chain_length = models.PositiveBigIntegerField(_("ballots in the chain"))
    chain_head = models.CharField(_("chain head"), max_length=64)
    outcome = models.JSONField(_("outcome"))
    counted_at = models.DateTimeField(_("counted at"))

    class Meta:
        verbose_name = _("territory result")
        verbose_name_plural = _("territory results")
        ordering = ["cycle", "unit__position", "unit_id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "unit"], name="result_once_per_territory")]

    def __str__(self) -> str:
        return f"{self.cycle_id} · {self.unit_id}"
