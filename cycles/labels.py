"""Words for the pure registries of ``cycles.phases``: what pages call each
phase kind, capability and step, in the user's language."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cycles.phases import PHASE_KINDS, Capability, Step

PHASE_KIND_LABELS: dict[str, Promise] = {
    "agreement": _("Agreement on the rules"),
    "information": _("Information"),
    "diagnosis": _("Participatory diagnosis"),
    "local_planning": _("Local planning"),
    "proposals": _("Proposals"),
    "supports": _("Supports"),
    "proposals_and_supports": _("Proposals and supports"),
    "deliberation": _("Deliberation"),
    "feasibility": _("Feasibility review"),
    "delegate_election": _("Election of delegates"),
    "assembly_decision": _("Deciding assemblies (cabildos)"),
    "voting": pgettext_lazy("phase kind", "Voting"),
    "voting_and_delegates": _("Voting and election of delegates"),
    "counting": _("Counting and results"),
    "concertation": _("Concertation with the administration"),
    "spokespeople_assembly": _("Assembly of spokespeople"),
    "execution": _("Execution"),
    "follow_up": _("Follow-up and accountability"),
    "evaluation": _("Evaluation"),
}
assert set(PHASE_KIND_LABELS) == set(PHASE_KINDS), "every phase kind needs a label"

CAPABILITY_LABELS: dict[Capability, Promise] = {
    Capability.INFORM: _("Learn about the process"),
    Capability.DIAGNOSE: _("Take part in the diagnosis"),
    Capability.PROPOSE: _("Submit proposals"),
    Capability.SUPPORT: _("Support proposals"),
    Capability.DELIBERATE: _("Discuss proposals"),
    Capability.REVIEW: _("Feasibility review"),
    Capability.ELECT_DELEGATES: _("Elect delegates"),
    Capability.VOTE: pgettext_lazy("capability", "Vote"),
    Capability.COUNT: _("Counting"),
    Capability.CONCERT: _("Concertation"),
    Capability.EXECUTE: _("Execution of the projects"),
    Capability.MONITOR: _("Follow the projects (veeduría)"),
    Capability.ACCOUNT: _("Accountability"),
}

# Who casts the decision changes what "vote" means to a citizen (``VotingSettings.decided_by``).
VOTE_ACTION_BY_DECIDER: dict[str, Promise] = {
    "citizens": pgettext_lazy("capability", "Vote"),
    "delegates": _("Your territory's delegates decide: talk to them"),
    "assembly": _("Come to your territory's assembly (cabildo): it decides"),
}

STEP_LABELS: dict[Step, Promise] = {
    Step.CLOSE_PROPOSALS: _("Close proposals"),
    Step.CLOSE_VOTING: _("Close voting"),
    Step.COUNT: _("Count the votes"),
    Step.PUBLISH_RESULTS: _("Publish the results"),
}


def phase_kind_choices() -> list[tuple[str, Promise]]:
    return [(key, PHASE_KIND_LABELS[key]) for key in PHASE_KINDS]
