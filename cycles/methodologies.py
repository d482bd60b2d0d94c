"""Methodology templates: data, not code paths.

A template is a list of phases (kind, title, start offset and duration in
days from the cycle's start date), default voting settings and a default
envelope formula. ``cycles.services.cycle_create`` copies one into editable
rows; nothing else in the code looks at which template a cycle came from
(``Cycle.methodology`` only records it, for the network's comparisons).

``"in_person_last_day": True`` in the voting settings means one in-person
day: the last day of the last phase that opens the vote (for a cycle decided
in assemblies, the day of the last deciding assembly), for the manager to adjust.

Sources: ../shared/DOMAIN.md §3 (Pasto, Barrancabermeja / Magdalena Medio,
Medellín, Bogotá, Risaralda / Pereira). Durations are reasonable defaults
for a manager to adjust, not norms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cycles.models import BallotType, ConvenerKind, CountingMethod, DecidedBy, Residence
from cycles.phases import PHASE_KINDS


@dataclass(frozen=True)
class PhaseTemplate:
    kind: str
    title: str | Promise
    offset_days: int
    duration_days: int
    description: str | Promise = ""


@dataclass(frozen=True)
class Methodology:
    key: str
    name: str | Promise
    summary: str | Promise
    convener_kind: str
    phases: tuple[PhaseTemplate, ...]
    voting: dict[str, Any] = field(default_factory=dict)
    weights: tuple[int, int, int] = (100, 0, 0)  # equal, population, need

    @property
    def length_days(self) -> int:
        return max((p.offset_days + p.duration_days for p in self.phases), default=0)


def _phases(*rows: tuple[str, str | Promise, int]) -> tuple[PhaseTemplate, ...]:
    """Consecutive phases: each starts the day the previous one ends."""
    result, offset = [], 0
    for kind, title, days in rows:
        result.append(PhaseTemplate(kind, title, offset, days))
        offset += days
    return tuple(result)


METHODOLOGIES: dict[str, Methodology] = {
    m.key: m
    for m in (
        Methodology(
            key="pasto",
            name=_("Pasto: cabildos"),
            summary=_(
                "Government-led. Communities turn needs into pre-projects, pre-cabildos inform each territory "
                "of its ceiling, cabildos (assemblies open to the community) prioritise projects within it, "
                "and an assembly of spokespeople adopts the plan. Execution with the community and follow-up by "
                "committees."
            ),
            convener_kind=ConvenerKind.MUNICIPAL_GOVERNMENT,
            phases=_phases(
                ("proposals", _("Ideas and pre-projects"), 30),
                ("information", _("Pre-cabildos"), 21),
                ("assembly_decision", _("Cabildos"), 30),
                ("spokespeople_assembly", _("Assembly of spokespeople"), 14),
                ("execution", _("Execution with the community"), 240),
                ("follow_up", _("Follow-up and accountability"), 30),
            ),
            voting={
                "decided_by": DecidedBy.ASSEMBLY,
                "ballot_type": BallotType.RANKED,
                "counting_method": CountingMethod.GREEDY,
                "min_age": 14,
                "online": False,
                # Decided in person: a cycle needs a channel (``voting_has_a_channel``).
                "in_person_last_day": True,
            },
        ),
        Methodology(
            key="barrancabermeja",
            name=_("Barrancabermeja / Magdalena Medio: community-led"),
            summary=_(
                "Convened by social organisations with the Alcaldía's support. Rules agreed with the "
                "Alcaldía, participatory diagnosis, projects formulated by the community, delegates elected "
                "per territory who prioritise, concertation with the administration, execution and "
                "community follow-up."
            ),
            convener_kind=ConvenerKind.ORGANISATION,
            phases=_phases(
                ("agreement", _("Agreement on rules with the Alcaldía"), 21),
                ("diagnosis", _("Participatory diagnosis"), 30),
                ("proposals", _("Formulation by the community"), 30),
                ("delegate_election", _("Election of delegates"), 14),
                ("assembly_decision", _("Prioritisation by the delegates"), 21),
                ("concertation", _("Concertation with the administration"), 21),
                ("execution", _("Execution"), 240),
                ("follow_up", _("Community follow-up"), 30),
            ),
            voting={
                "decided_by": DecidedBy.DELEGATES,
                "ballot_type": BallotType.RANKED,
                "counting_method": CountingMethod.GREEDY,
                "min_age": 14,
                "online": False,
                "in_person_last_day": True,
            },
        ),
        Methodology(
            key="medellin",
            name=_("Medellín: planning and voting by territory"),
            summary=_(
                "Local planning, initiatives from the councils, feasibility, one week of online voting plus "
                "one in-person day for residents aged 14 or more, projects funded by votes within each "
                "territory's envelope (set by need), execution and evaluation."
            ),
            convener_kind=ConvenerKind.MUNICIPAL_GOVERNMENT,
            phases=_phases(
                ("local_planning", _("Local planning"), 30),
                ("proposals", _("Initiatives"), 30),
                ("feasibility", _("Feasibility"), 21),
                ("voting", _("Voting: a week online and one in-person day"), 7),
                ("counting", _("Counting and results"), 3),
                ("execution", _("Execution by the secretariats"), 240),
                ("evaluation", _("Evaluation"), 30),
            ),
            voting={
                "decided_by": DecidedBy.CITIZENS,
                "ballot_type": BallotType.APPROVAL,
                "min_selections": 1,
                "max_selections": 13,
                "counting_method": CountingMethod.GREEDY,
                "min_age": 14,
                "online": True,
                "in_person_last_day": True,
            },
            weights=(20, 30, 50),
        ),
        Methodology(
            key="bogota",
            name=_("Bogotá phase 2: wallet ballot"),
            summary=_(
                "Residents aged 14 or more propose, proposals are checked against the local plan, then "
                "voted online with a wallet of 1,000,000 spread in blocks of 100,000 over up to 10 proposals."
            ),
            convener_kind=ConvenerKind.MUNICIPAL_GOVERNMENT,
            phases=_phases(
                ("proposals", _("Proposals"), 30),
                ("feasibility", _("Check against the local plan"), 30),
                ("voting", _("Online voting"), 14),
                ("counting", _("Counting and results"), 3),
                ("execution", _("Execution"), 240),
                ("follow_up", _("Follow-up"), 30),
            ),
            voting={
                "decided_by": DecidedBy.CITIZENS,
                "ballot_type": BallotType.WALLET,
                "min_selections": 1,
                "max_selections": 10,
                "wallet_amount": 1_000_000,
                "wallet_block": 100_000,
                "counting_method": CountingMethod.GREEDY,
                "min_age": 14,
                "online": True,
            },
            weights=(0, 100, 0),
        ),
        Methodology(
            key="risaralda",
            name=_("Risaralda / Pereira: one voting day per comuna"),
            summary=_(
                "Information, then one voting day: a single choice per comuna, one winner per comuna by "
                "plurality; the same vote elects the delegates who oversee execution."
            ),
            convener_kind=ConvenerKind.MUNICIPAL_GOVERNMENT,
            phases=_phases(
                ("proposals", _("Projects put forward"), 30),
                ("feasibility", _("Feasibility"), 21),
                ("information", _("Information about the ballot"), 14),
                ("voting_and_delegates", _("Voting day and election of delegates"), 1),
                ("counting", _("Counting and results"), 2),
                ("execution", _("Execution overseen by the delegates"), 240),
                ("follow_up", _("Follow-up"), 30),
            ),
            voting={
                "decided_by": DecidedBy.CITIZENS,
                "ballot_type": BallotType.SINGLE,
                "min_selections": 1,
                "max_selections": 1,
                "counting_method": CountingMethod.ONE_WINNER,
                "min_age": 14,
                "online": False,
                "in_person_last_day": True,
            },
        ),
        Methodology(
            key="blank",
            name=_("Blank: build your own"),
            summary=_("One information phase to start from; add the phases your process needs."),
            convener_kind=ConvenerKind.MUNICIPAL_GOVERNMENT,
            phases=_phases(("information", _("Information"), 14)),
            voting={"residence": Residence.MUNICIPALITY},
        ),
    )
}

assert all(p.kind in PHASE_KINDS for m in METHODOLOGIES.values() for p in m.phases)


def methodology_choices() -> list[tuple[str, str | Promise]]:
    return [(m.key, m.name) for m in METHODOLOGIES.values()]
