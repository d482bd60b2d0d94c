"""Forms of the polling-station pages: looking a person up, and keying in paper
batches and tally sheets (actas). Shape only; the rules are ``voting.stations``
and ``voting.paper``.

A batch is posted as rows of ballots, each with the inputs of the citizen's
ballot under a prefix ``b<row>-`` (``b0-choice``, ``b1-rank_12``…), read back
with ``voting.forms.read_choices``. A row with nothing marked is not a ballot
(blank ballots are counted in their own box).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import DocumentType
from cycles.guards import pesos
from cycles.models import DecidedBy, Delegate
from proposals.models import Proposal
from redplypp.forms import StyledForm
from voting.ballots import BallotKind, BallotRules, Choice
from voting.eligibility import PersonAtStation
from voting.forms import read_choices
from voting.models import Station
from voting.paper import MAX_BATCH, MAX_COUNT

MAX_ROWS = 200  # ballots keyed on one page; a bigger batch is keyed as several batches
WALLET_SELECT_LIMIT = 50


class PersonForm(StyledForm):
    """What the officer keys in from the document the person shows. The number is never stored."""

    document_type = forms.ChoiceField(label=gettext_lazy("Document type"), choices=DocumentType.choices, initial="CC")
    document_number = forms.CharField(
        label=gettext_lazy("Document number"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false"}),
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    lives_there = forms.BooleanField(label=gettext_lazy("The person says they live in the place"), required=False)
    delegate = forms.ModelChoiceField(
        label=gettext_lazy("Delegate of the territory"),
        queryset=Delegate.objects.none(),
        required=False,
        empty_label=gettext_lazy("Choose…"),
        help_text=gettext_lazy("In this cycle only the elected delegates vote."),
    )

    def __init__(self, *args: Any, station: Station, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lives_there"].label = _("The person says they live in %(place)s") % {
            "place": station.unit if station.cycle.voting.residence == "territory" else station.cycle.place
        }
        if station.cycle.voting.decided_by == DecidedBy.DELEGATES:
            today = timezone.localdate()
            field = self.fields["delegate"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = Delegate.objects.filter(
                cycle_id=station.cycle_id, unit_id=station.unit_id, term_start__lte=today, term_end__gte=today
            ).order_by("name")
            field.required = True
        else:
            del self.fields["delegate"]

    def to_person(self) -> PersonAtStation:
        data = self.cleaned_data
        delegate = data.get("delegate")
        return PersonAtStation(
            document_type=data["document_type"],
            document_number=data["document_number"],
            birth_date=data["birth_date"],
            lives_there=data["lives_there"],
            delegate_id=delegate.pk if delegate else None,
        )

    def cleared(self) -> dict[str, Any]:
        """Initial values for the next person: the same document type, nothing else."""
        return {"document_type": self.data.get("document_type", "CC")} if self.is_bound else {}


def _count_field(label: Any, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        **kwargs,
    )


class BatchForm(StyledForm):
    number = forms.IntegerField(
        label=gettext_lazy("Batch number"),
        min_value=1,
        max_value=100_000,
        help_text=gettext_lazy("As written on the batch."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    blank = _count_field(gettext_lazy("Blank ballots"), initial=0)
    void = _count_field(gettext_lazy("Void ballots"), initial=0)
    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_ROWS, initial=1)

    def __init__(self, *args: Any, kind: BallotKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    def row_count(self) -> int:
        try:
            value = int(self.data.get("rows", 1)) if self.is_bound else 1
        except (TypeError, ValueError):
            value = 1
        return min(max(value, 1), MAX_ROWS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        ballots: list[list[Choice]] = []
        for index in range(self.row_count()):
            try:
                choices = read_choices(row_data(self.data, index), self.kind)
            except ValidationError:
                self.add_error(
                    None, _("Ballot %(number)d: mark the choices with the options given.") % {"number": index + 1}
                )
                continue
            if choices:
                ballots.append(choices)
        if len(ballots) > MAX_BATCH:
            self.add_error(None, _("Key at most %(count)d ballots per batch.") % {"count": MAX_BATCH})
        cleaned["ballots"] = ballots
        return cleaned


def row_data(data: Mapping[str, Any], index: int) -> QueryDict:
    """The inputs of one ballot row, without their prefix."""
    prefix = f"b{index}-"
    row = QueryDict(mutable=True)
    getlist = getattr(data, "getlist", None)
    for key in data:
        if key.startswith(prefix):
            row.setlist(key[len(prefix) :], getlist(key) if getlist else [data[key]])
    return row


class ActaForm(StyledForm):
    number = forms.IntegerField(
        label=gettext_lazy("Tally sheet number"),
        min_value=1,
        max_value=100_000,
        initial=1,
        help_text=gettext_lazy("1 for the station's tally sheet, unless it has more than one."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    in_box = _count_field(gettext_lazy("Ballots in the box"))
    blank = _count_field(gettext_lazy("Blank ballots"), initial=0)
    void = _count_field(gettext_lazy("Void ballots"), initial=0)
    officers = forms.CharField(
        label=gettext_lazy("Officers who signed"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One name per line, as signed on the tally sheet."),
    )

    def __init__(self, *args: Any, proposals: Sequence[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.proposals = list(proposals)
        for proposal in self.proposals:
            self.fields[f"votes_{proposal.pk}"] = _count_field(
                gettext_lazy("Votes for “%(title)s”") % {"title": proposal.title}, initial=0
            )

    def vote_fields(self) -> list[forms.BoundField]:
        return [self[f"votes_{proposal.pk}"] for proposal in self.proposals]

    def votes(self) -> dict[int, int]:
        return {proposal.pk: self.cleaned_data[f"votes_{proposal.pk}"] for proposal in self.proposals}

    def officer_names(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["officers"].splitlines() if line.strip()]


# --- What the batch page shows ---------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    proposal: Proposal
    value: int  # 0: not marked


@dataclass(frozen=True)
class BallotRowView:
    index: int
    cells: list[Cell]

    @property
    def prefix(self) -> str:
        return f"b{self.index}"

    @property
    def number(self) -> int:
        return self.index + 1


def options_for(rules: BallotRules, count: int) -> list[tuple[int, str]]:
    """The values of a select (ranked: ranks; wallet: amounts); empty for checkboxes and radios."""
    if rules.kind == BallotKind.RANKED:
        return [(rank, str(rank)) for rank in range(1, min(rules.most or count, count) + 1)]
    if rules.kind == BallotKind.WALLET and rules.wallet_amount and rules.wallet_block:
        steps = rules.wallet_amount // rules.wallet_block
        if steps <= WALLET_SELECT_LIMIT:
            return [(n * rules.wallet_block, pesos(n * rules.wallet_block)) for n in range(1, steps + 1)]
    return []


def _marks(data: Mapping[str, Any], index: int, kind: BallotKind) -> dict[int, int]:
    try:
        return {choice.proposal: choice.value for choice in read_choices(row_data(data, index), kind)}
    except ValidationError:
        return {}


def batch_rows(
    data: Mapping[str, Any] | None, count: int, kind: BallotKind, proposals: Sequence[Proposal]
) -> list[BallotRowView]:
    """``count`` ballot rows with what was marked in ``data`` (a re-render keeps it)."""
    rows = []
    for index in range(count):
        marks = _marks(data, index, kind) if data is not None else {}
        rows.append(BallotRowView(index, [Cell(p, marks.get(p.pk, 0)) for p in proposals]))
    return rows
