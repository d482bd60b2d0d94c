from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from voting.models import Ballot, BallotChain
from voting.services import ballot_chain_verify


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of each cycle's ballot box from the ballots and compare it with the "
        "published head; exit with an error when a ballot was changed, removed or reordered."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--cycle", type=int, action="append", help="only this cycle (may be repeated)")
        parser.add_argument("--head", help="the head published earlier (with one --cycle): must be the same")

    def handle(self, *args: Any, **options: Any) -> None:
        cycles = options["cycle"] or sorted(
            set(BallotChain.objects.values_list("cycle_id", flat=True))
            | set(Ballot.objects.values_list("cycle_id", flat=True).distinct())
        )
        if options["head"] and len(cycles) != 1:
            raise CommandError("--head needs exactly one --cycle.")
        broken = []
        for cycle_id in cycles:
            report = ballot_chain_verify(cycle_id=cycle_id)
            problems = [f"{fault.problem} at #{fault.position}" for fault in report.faults]
            if report.head != report.published_head:
                problems.append("the stored head does not match the ballots")
            if options["head"] and options["head"] != report.head:
                problems.append(f"the head is not the one published ({options['head']})")
            state = "BROKEN: " + ", ".join(problems[:20]) if problems else "intact"
            self.stdout.write(
                f"Cycle {cycle_id}: {report.length} ballots sealed, {report.unsealed} waiting, "
                f"head {report.head} — {state}"
            )
            if problems:
                broken.append(cycle_id)
        if broken:
            raise CommandError(f"Ballot chain broken in cycle(s) {', '.join(map(str, broken))}.")
