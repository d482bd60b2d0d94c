"""The citizen's ballot as a form: what the page posts, read back into ``Choice``s.

The inputs depend on the ballot type: one radio ``choice`` (single), checkboxes
``choice`` (approval, knapsack), a select ``rank_<proposal>`` (ranked) or
``amount_<proposal>`` (wallet) per proposal. Reading them only checks their
shape (whole numbers); whether the ballot is valid is the services' question
(``voting.services.ballot_validate``), so a proposal that is not on the ballot
or a repeated one reaches them and gets their message.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cycles.guards import pesos
from cycles.models import CycleTerritory
from proposals.forms import territories_of
from proposals.models import Proposal
from redplypp.forms import StyledForm
from voting.ballots import BallotKind, BallotRules, Choice
from voting.services import cost_of

_PER_PROPOSAL = re.compile(r"^(rank|amount)_(\d{1,12})$")
_SUBMISSION = re.compile(r"^[0-9a-f]{32}$")
WALLET_SELECT_LIMIT = 50  # more steps than this: a number input instead of a select


class BallotForm(forms.Form):
    """The hidden submission id and the choices; ``cleaned_data["choices"]`` is a list of ``Choice``."""

    submission = forms.CharField(widget=forms.HiddenInput, max_length=32)

    def __init__(self, *args: Any, kind: BallotKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind

    @staticmethod
    def new_submission() -> str:
        """A fresh id for the ballot a page is about to show (a retry of its POST reuses it)."""
        return uuid.uuid4().hex

    def clean_submission(self) -> str:
        value = str(self.cleaned_data["submission"]).strip().lower()
        if not _SUBMISSION.match(value):
            raise ValidationError(_("This ballot form is damaged: open the ballot again."), code="submission")
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            cleaned["choices"] = read_choices(self.data, self.kind)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


def _number(text: str) -> int:
    text = (text or "").strip().replace(".", "").replace(",", "").replace("$", "").replace(" ", "")
    if not re.fullmatch(r"[0-9]{1,15}", text):  # not str.isdigit(): it accepts "²" and "①"
        raise ValidationError(_("Mark your choices with the options of the ballot."), code="bad_value")
    return int(text)


def read_choices(data: Mapping[str, Any], kind: BallotKind) -> list[Choice]:
    """The choices posted, in the order posted (duplicates kept for the rules to refuse)."""
    getlist = getattr(data, "getlist", None)
    choices: list[Choice] = []
    if kind in (BallotKind.SINGLE, BallotKind.APPROVAL, BallotKind.KNAPSACK):
        values = getlist("choice") if getlist else [data.get("choice")] if data.get("choice") else []
        return [Choice(_number(str(value))) for value in values if str(value).strip()]
    wanted = "rank" if kind == BallotKind.RANKED else "amount"
    for key in data:
        found = _PER_PROPOSAL.match(key)
        if found is None or found.group(1) != wanted:
            continue
        for value in getlist(key) if getlist else [data[key]]:
            if not str(value).strip():
                continue
            number = _number(str(value))
            if number:  # a blank rank or a 0 amount: not chosen
                choices.append(Choice(int(found.group(2)), number))
    return choices


def hidden_fields(choices: Sequence[Choice], kind: BallotKind) -> list[tuple[str, int]]:
    """The choices as (name, value) pairs, to carry them through the review page."""
    if kind in (BallotKind.SINGLE, BallotKind.APPROVAL, BallotKind.KNAPSACK):
        return [("choice", choice.proposal) for choice in choices]
    prefix = "rank" if kind == BallotKind.RANKED else "amount"
    return [(f"{prefix}_{choice.proposal}", choice.value) for choice in choices]


# --- What the ballot page shows -------------------------------------------------------


def voter_order(proposals: Sequence[Proposal], *, cycle_id: int, user_id: int) -> list[Proposal]:
    """The proposals in an order of this voter's own, the same on every reload and never stored:
    a shuffle seeded from the site's secret, the cycle and the account."""
    seed = sha256(f"{settings.SECRET_KEY}\x1fballot-order\x1f{cycle_id}\x1f{user_id}".encode()).digest()
    ordered = sorted(proposals, key=lambda proposal: proposal.pk)
    random.Random(seed).shuffle(ordered)
    return ordered


@dataclass(frozen=True)
class BallotRow:
    """One proposal on the page and the voter's current mark for it."""

    proposal: Proposal
    cost: int
    value: int  # 0: not chosen
    options: list[tuple[int, str]]  # for a select (ranked, wallet); empty otherwise

    @property
    def chosen(self) -> bool:
        return self.value > 0


def _options(rules: BallotRules, count: int) -> list[tuple[int, str]]:
    if rules.kind == BallotKind.RANKED:
        most = min(rules.most or count, count)
        return [(rank, str(rank)) for rank in range(1, most + 1)]
    if rules.kind == BallotKind.WALLET and rules.wallet_amount and rules.wallet_block:
        steps = rules.wallet_amount // rules.wallet_block
        if steps > WALLET_SELECT_LIMIT:
            return []
        return [(n * rules.wallet_block, pesos(n * rules.wallet_block)) for n in range(1, steps + 1)]
    return []


def ballot_rows(
    proposals: Sequence[Proposal], costs: Mapping[int, int], rules: BallotRules, choices: Sequence[Choice]
) -> list[BallotRow]:
    marks = {choice.proposal: choice.value for choice in choices}
    options = _options(rules, len(proposals))
    return [
        BallotRow(proposal=p, cost=costs.get(p.pk, 0), value=marks.get(p.pk, 0), options=options) for p in proposals
    ]


def rules_sentences(rules: BallotRules, *, proposals: int) -> list[str]:
    """The rules of the ballot in plain words."""
    most = rules.most
    least = rules.least
    if rules.kind == BallotKind.SINGLE:
        return [_("Choose 1 proposal.")]
    if rules.kind == BallotKind.RANKED:
        top = min(most or proposals, proposals)
        return [
            _("Number up to %(most)d proposals in your order of preference: 1 for the one you want most.")
            % {"most": top},
            _("Leave blank the ones you do not want to rank."),
        ]
    if rules.kind == BallotKind.WALLET:
        sentences = [
            _("You have %(wallet)s to share among the proposals, in blocks of %(block)s.")
            % {"wallet": pesos(rules.wallet_amount or 0), "block": pesos(rules.wallet_block or 1)}
        ]
        if most is not None:
            sentences.append(_("Give to up to %(most)d proposals.") % {"most": most})
        return sentences
    if most is not None and most > least:
        sentences = [_("Choose from %(least)d up to %(most)d proposals.") % {"least": least, "most": most}]
    elif most is not None:
        sentences = [_("Choose %(most)d proposals.") % {"most": most}]
    else:
        sentences = [_("Choose at least %(least)d proposals.") % {"least": least}]
    if rules.kind == BallotKind.KNAPSACK and rules.envelope is not None:
        sentences.append(
            _("Together they must cost no more than your territory's envelope of %(envelope)s.")
            % {"envelope": pesos(rules.envelope)}
        )
    return sentences


@dataclass(frozen=True)
class ChosenRow:
    proposal: Proposal | None
    title: str
    cost: int
    value: int


def chosen_rows(choices: Sequence[Choice], kind: BallotKind, proposals: dict[int, Proposal]) -> list[ChosenRow]:
    """The choices with their proposals, ranked ones by rank and the rest by title."""
    rows = []
    for choice in choices:
        proposal = proposals.get(choice.proposal)
        cost = cost_of(proposal) if proposal is not None else 0
        rows.append(ChosenRow(proposal, proposal.title if proposal else f"#{choice.proposal}", cost, choice.value))
    if kind == BallotKind.RANKED:
        return sorted(rows, key=lambda row: row.value)
    return sorted(rows, key=lambda row: row.title.lower())


# --- Other forms ---------------------------------------------------------------------


class TerritoryForm(StyledForm):
    """Which territory the person lives in (declared once per cycle)."""

    unit = forms.ModelChoiceField(
        queryset=CycleTerritory.objects.none(),
        label=gettext_lazy("Your territory"),
        empty_label=gettext_lazy("Choose…"),
        help_text=gettext_lazy("The territory where you live. You vote for its proposals; it cannot be changed later."),
    )

    def __init__(self, *args: Any, cycle: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = territories_of(cycle)  # type: ignore[attr-defined]


class ReceiptForm(StyledForm):
    code = forms.CharField(
        label=gettext_lazy("Receipt code"),
        max_length=64,
        help_text=gettext_lazy(
            "20 letters and digits, like ABCD-EFGH-IJKL-MNOP-QRST. Dashes and spaces do not matter."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
