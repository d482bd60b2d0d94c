"""The counting engine: pure Python, no Django.

``count(election, method=...)`` turns an ``Election`` (projects, budget,
merged ballots) into an ``Outcome`` (funded projects, per-project reasons, the
audit trail, the tie-break used). ``read_pabulib``/``write_pabulib`` convert
Pabulib ``.pb`` files. Results match pabutools for every method both share.
"""

from .equalshares import Add1Options, Add1Stop, Completion, StartShare, equal_shares
from .errors import Add1Refused, PabulibError, TallyError, TieError
from .greedy import greedy, greedy_by_tally, plurality_by_territory
from .methods import Method, count, official
from .model import BallotGroup, BallotKind, Election, Project, Utility, build_election, tally
from .outcome import ENGINE_VERSION, Outcome, ProjectResult, Reason, Round, Tie
from .pabulib import parse_pabulib, read_pabulib, write_pabulib
from .phragmen import sequential_phragmen
from .tiebreak import TieBreak, TieBreakRule

__all__ = [
    "ENGINE_VERSION",
    "Add1Options",
    "Add1Refused",
    "Add1Stop",
    "BallotGroup",
    "BallotKind",
    "Completion",
    "Election",
    "Method",
    "Outcome",
    "PabulibError",
    "Project",
    "ProjectResult",
    "Reason",
    "Round",
    "StartShare",
    "TallyError",
    "Tie",
    "TieBreak",
    "TieBreakRule",
    "TieError",
    "Utility",
    "build_election",
    "count",
    "equal_shares",
    "greedy",
    "greedy_by_tally",
    "official",
    "parse_pabulib",
    "plurality_by_territory",
    "read_pabulib",
    "sequential_phragmen",
    "tally",
    "write_pabulib",
]
