"""Demo proposals for ``manage.py loaddemo``. Idempotent, fast (bulk writes), dated
from the demo cycles' own phases.

Runs after ``cycles.demo.load``. Proposals are demo records written with the ORM
(no phase is open to write most of them through the services today):

- Medellín, voting now: about 30 viable proposals across its comunas and
  corregimientos, each with its feasibility review, and a few not viable;
- Pasto, in its cabildos: 15 proposals, submitted or viable, some by the demo
  citizen (who supports a few others and comments);
- Barrancabermeja, in its diagnosis: a few drafts by a demo community leader;
- last year's cycles of Pasto and Medellín: the winners selected, with their
  execution (status, progress, money, updates) and a monitor's remark in Pasto.

A cycle that already has proposals is left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.postgres.search import SearchVector
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import CitizenIdentity, User
from accounts.services import IdentityInput, identity_save
from cycles.models import Cycle, CycleTerritory, Phase
from cycles.phases import Capability, capabilities_of
from proposals.models import (
    Comment,
    Execution,
    ExecutionMode,
    ExecutionStatus,
    ExecutionUpdate,
    Follower,
    MonitorRemark,
    Participation,
    Proposal,
    Review,
    Sector,
    StateChange,
    Status,
    Support,
    Verdict,
)
from proposals.services import SEARCH_CONFIG

PASTO, BARRANCA, MEDELLIN = "52001", "68081", "05001"
CITIZEN = "ciudadana@demo.redplypp.co"
YOUNG = "joven@demo.redplypp.co"
LEADER = "lider.barranca@demo.redplypp.co"
MILLION = 1_000_000

# (sector key, title, summary, cost in millions)
IDEAS: list[tuple[str, str, str, int]] = [
    (
        "education",
        "Dotación de la biblioteca escolar",
        "Libros, computadores y mobiliario para la biblioteca de la institución educativa.",
        180,
    ),
    (
        "roads",
        "Pavimentación de la vía al barrio",
        "Pavimentar 400 metros de vía destapada que se inunda en época de lluvias.",
        950,
    ),
    ("sport", "Cancha sintética para el barrio", "Adecuar la cancha de tierra con grama sintética e iluminación.", 620),
    (
        "culture",
        "Escuela de música para jóvenes",
        "Instrumentos y formadores para una escuela de música comunitaria.",
        150,
    ),
    (
        "health",
        "Dotación del puesto de salud",
        "Equipos básicos y una camilla para el puesto de salud del sector.",
        240,
    ),
    (
        "environment",
        "Recuperación de la quebrada",
        "Limpieza, siembra de árboles nativos y senderos junto a la quebrada.",
        320,
    ),
    (
        "public_space",
        "Parque infantil con juegos inclusivos",
        "Juegos para niños y niñas, también con discapacidad, y zonas verdes.",
        410,
    ),
    ("security", "Alumbrado público en senderos", "Luminarias LED en los senderos peatonales oscuros del sector.", 210),
    (
        "productive",
        "Fortalecimiento de emprendimientos de mujeres",
        "Capital semilla y formación para 40 emprendimientos de mujeres.",
        260,
    ),
    ("water", "Acueducto veredal", "Ampliar la red de acueducto para 120 familias de la vereda.", 780),
    (
        "social",
        "Comedor comunitario para adultos mayores",
        "Dotación y funcionamiento de un comedor para adultos mayores.",
        190,
    ),
    ("housing", "Mejoramiento de vivienda", "Techos y pisos para 30 viviendas en mal estado.", 540),
    (
        "education",
        "Becas de educación superior",
        "Becas para bachilleres del territorio en universidades públicas.",
        300,
    ),
    ("sport", "Gimnasio al aire libre", "Máquinas de ejercicio en el parque principal.", 95),
    ("culture", "Festival cultural del territorio", "Un festival anual con los grupos artísticos del territorio.", 120),
    ("rural", "Huertas comunitarias", "Semillas, herramientas y acompañamiento técnico para huertas familiares.", 140),
]
OFFICES = [
    "Secretaría de Educación",
    "Secretaría de Infraestructura Física",
    "Instituto de Deportes y Recreación",
    "Secretaría de Cultura",
    "Secretaría de Salud",
    "Secretaría de Medio Ambiente",
]
JACS = [
    "JAC barrio La Esperanza",
    "JAC barrio San José",
    "JAC vereda El Carmen",
    "Mesa de jóvenes",
    "Colectivo de mujeres",
]


# --- Accounts and places ------------------------------------------------------------


def _leader(now: datetime) -> User:
    """A community leader of Barrancabermeja who writes drafts during the diagnosis."""
    user, created = User.objects.get_or_create(email=LEADER, defaults={"name": "Luis Líder"})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=LEADER, defaults={"verified": True, "primary": True})
    if not CitizenIdentity.objects.filter(user=user).exists():
        identity_save(
            user=user,
            now=now,
            data=IdentityInput(
                document_type="CC",
                document_number="1096000004",
                birth_date=date(1978, 8, 9),
                municipality_code=BARRANCA,
            ),
        )
    return user


def _cycles(code: str) -> list[Cycle]:
    """The place's published cycles, the current one first."""
    return list(Cycle.objects.published().filter(municipality_id=code).order_by("-fiscal_year", "-pk"))


def _units(cycle: Cycle) -> list[CycleTerritory]:
    units = cycle.units.select_related("territory").order_by("position", "pk")
    return [u for u in units if not u.is_citywide]


def _proposing(cycle: Cycle) -> Phase:
    phases = list(cycle.phases.order_by("starts_at", "pk"))
    return next((p for p in phases if Capability.PROPOSE in capabilities_of(p.kind)), phases[0])


def _reviewing(cycle: Cycle) -> Phase | None:
    return next(
        (p for p in cycle.phases.order_by("starts_at", "pk") if Capability.REVIEW in capabilities_of(p.kind)), None
    )


# --- Writing ------------------------------------------------------------------------


class Batch:
    """Proposals of one cycle and their history, written in a few bulk inserts."""

    def __init__(self, cycle: Cycle, sectors: dict[str, Sector]) -> None:
        self.cycle = cycle
        self.sectors = sectors
        self.proposing = _proposing(cycle)
        reviewing = _reviewing(cycle)
        self.reviewed_at = reviewing.starts_at + timedelta(days=5) if reviewing else self.proposing.ends_at
        self.rows: list[tuple[Proposal, list[str]]] = []

    def add(
        self,
        number: int,
        unit: CycleTerritory,
        path: Sequence[str],
        *,
        author: User | None = None,
        keyed_by: User | None = None,
        support_count: int = 0,
    ) -> Proposal:
        sector, title, summary, millions = IDEAS[number % len(IDEAS)]
        submitted = self.proposing.starts_at + timedelta(days=1 + number % 20, hours=number % 9)
        on_paper = author is None
        proposal = Proposal(
            cycle=self.cycle,
            unit=unit,
            title=f"{title} – {unit.name}",
            summary=summary,
            description=f"{summary} Propuesta construida con la comunidad de {unit.name}.",
            sector=self.sectors.get(sector),
            estimated_cost=millions * MILLION,
            adjusted_cost=(millions * 9 // 10) * MILLION if Status.VIABLE in path else None,
            author=author,
            on_paper=on_paper,
            on_behalf_of=JACS[number % len(JACS)] if on_paper else "",
            origin=JACS[(number + 2) % len(JACS)] if not on_paper and number % 2 else "",
            keyed_by=keyed_by if on_paper else None,
            status=path[-1],
            support_count=support_count,
            created_at=submitted - timedelta(hours=2),
            submitted_at=None if path[-1] == Status.DRAFT else submitted,
            updated_at=submitted,
        )
        self.rows.append((proposal, list(path)))
        return proposal

    def save(self, reviewer: User | None) -> list[Proposal]:
        proposals = Proposal.objects.bulk_create([p for p, _path in self.rows])
        changes, reviews = [], []
        for (proposal, path), number in zip(self.rows, range(len(self.rows)), strict=True):
            at = proposal.submitted_at or proposal.created_at
            previous = ""
            for step, status in enumerate(path):
                when = at if step < 2 else self.reviewed_at + timedelta(hours=number)
                if status in (Status.SELECTED, Status.NOT_SELECTED):
                    when = self.reviewed_at + timedelta(days=40)
                actor = proposal.author if step == 0 else None
                changes.append(
                    StateChange(proposal=proposal, from_status=previous, to_status=status, actor=actor, at=when)
                )
                previous = status
            verdict = next((v for v in (Verdict.VIABLE, Verdict.NOT_VIABLE) if v in path), None)
            if verdict is not None:
                viable = verdict == Verdict.VIABLE
                reviews.append(
                    Review(
                        proposal=proposal,
                        reviewer=reviewer,
                        verdict=verdict,
                        reasons=(
                            "Cumple con el plan de desarrollo y el costo se ajustó a los precios de referencia."
                            if viable
                            else "El predio no es del municipio: no se puede invertir en él."
                        ),
                        adjusted_cost=proposal.adjusted_cost,
                        responsible_office=OFFICES[number % len(OFFICES)] if viable else "",
                        bpin=f"2024{number:011d}" if viable and number % 3 == 0 else "",
                        created_at=self.reviewed_at + timedelta(hours=number),
                    )
                )
        StateChange.objects.bulk_create(changes)
        Review.objects.bulk_create(reviews)
        return proposals


def _index(cycles: Sequence[Cycle]) -> None:
    Proposal.objects.filter(cycle__in=cycles, search__isnull=True).update(
        search=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="C", config=SEARCH_CONFIG)
    )


REVIEWED = [Status.SUBMITTED, Status.IN_REVIEW, Status.VIABLE]
REFUSED = [Status.SUBMITTED, Status.IN_REVIEW, Status.NOT_VIABLE]


def _medellin(cycle: Cycle, sectors: dict[str, Sector], young: User | None, staff: User | None) -> list[Proposal]:
    batch = Batch(cycle, sectors)
    units = _units(cycle)
    for number in range(33):
        path = REFUSED if number % 11 == 10 else REVIEWED
        author = young if young is not None and number % 8 == 0 else None
        batch.add(
            number, units[number % len(units)], path, author=author, keyed_by=staff, support_count=(number * 7) % 23
        )
    return batch.save(reviewer=staff)


def _pasto(
    cycle: Cycle, sectors: dict[str, Sector], citizen: User | None, staff: User | None, reviewer: User | None
) -> list[Proposal]:
    batch = Batch(cycle, sectors)
    units = _units(cycle)
    for number in range(15):
        path = REVIEWED if number % 3 else [Status.SUBMITTED]
        author = citizen if citizen is not None and number % 5 == 1 else None
        batch.add(number + 3, units[number % 6], path, author=author, keyed_by=staff, support_count=number % 4)
    return batch.save(reviewer=reviewer)


def _barranca(cycle: Cycle, sectors: dict[str, Sector], leader: User) -> list[Proposal]:
    batch = Batch(cycle, sectors)
    unit = _units(cycle)[0]
    for number in (1, 5, 9):
        batch.add(number, unit, [Status.DRAFT], author=leader)
    proposals = batch.save(reviewer=None)
    Participation.objects.get_or_create(
        cycle=cycle, user=leader, defaults={"unit": unit, "declared_at": timezone.now()}
    )
    return proposals


EXECUTIONS = [
    (ExecutionStatus.DELIVERED, 100, ExecutionMode.CONVENIO_SOLIDARIO),
    (ExecutionStatus.DELIVERED, 100, ExecutionMode.CONTRACTOR),
    (ExecutionStatus.IN_EXECUTION, 60, ExecutionMode.SECRETARIAT),
    (ExecutionStatus.CONTRACTED, 10, ExecutionMode.CONTRACTOR),
    (ExecutionStatus.SUSPENDED, 35, ExecutionMode.CONTRACTOR),
]
UPDATE_TEXTS = {
    ExecutionStatus.CONTRACTED: "Se firmó el contrato y se presentó el proyecto a la comunidad.",
    ExecutionStatus.IN_EXECUTION: "Avanzan las obras; la junta de acción comunal acompaña la interventoría.",
    ExecutionStatus.DELIVERED: "Obra entregada a la comunidad en un acto público.",
    ExecutionStatus.SUSPENDED: "Obra suspendida mientras se resuelve un problema con el predio.",
}


def _past(
    cycle: Cycle, sectors: dict[str, Sector], manager: User | None, monitor: User | None, now: datetime
) -> list[Proposal]:
    batch = Batch(cycle, sectors)
    units = _units(cycle)
    for number in range(9):
        won = number < len(EXECUTIONS)
        path = [*REVIEWED, Status.SELECTED if won else Status.NOT_SELECTED]
        batch.add(number + 5, units[number % len(units)], path, keyed_by=manager, support_count=10 + number)
    proposals = batch.save(reviewer=manager)
    started = timezone.localtime(cycle.phases.order_by("-ends_at")[0].ends_at).date() - timedelta(days=250)
    for proposal, (status, progress, mode) in zip(proposals, EXECUTIONS, strict=False):
        cost = proposal.cost
        spent = cost * progress // 100
        execution = Execution.objects.create(
            proposal=proposal,
            status=status,
            progress=progress,
            committed=cost if status != ExecutionStatus.IN_PLAN else 0,
            spent=spent,
            mode=mode,
            updated_at=now,
        )
        steps = [ExecutionStatus.CONTRACTED, ExecutionStatus.IN_EXECUTION, status]
        updates = []
        for step, (step_status, step_progress) in enumerate(
            zip(steps, (5, max(progress // 2, 5), progress), strict=True)
        ):
            if step and steps[step] == steps[step - 1]:
                continue
            happened = min(started + timedelta(days=60 * (step + 1)), timezone.localdate(now))
            updates.append(
                ExecutionUpdate(
                    execution=execution,
                    author=manager,
                    happened_on=happened,
                    text=UPDATE_TEXTS[step_status],
                    status=step_status,
                    progress=step_progress,
                    created_at=now,
                )
            )
        ExecutionUpdate.objects.bulk_create(updates)
        if monitor is not None and status in (ExecutionStatus.SUSPENDED, ExecutionStatus.DELIVERED):
            MonitorRemark.objects.create(
                update=updates[-1],
                monitor=monitor,
                text=(
                    "La veeduría verificó la entrega: falta la señalización prometida."
                    if status == ExecutionStatus.DELIVERED
                    else "Pedimos a la Alcaldía un cronograma para reanudar la obra."
                ),
                created_at=now,
            )
    return proposals


def _talk(proposals: Sequence[Proposal], people: Sequence[User], now: datetime) -> None:
    """A few supports, comments (one answered) and followers by the demo citizens."""
    comments = [
        "Muy necesaria: los niños hoy juegan en la calle.",
        "¿Se consultó a los vecinos de la parte alta?",
        "Apoyo, pero el costo parece alto.",
    ]
    for index, proposal in enumerate(proposals[:3]):
        for person in people:
            Follower.objects.get_or_create(proposal=proposal, user=person)
            if proposal.author_id != person.pk and proposal.status in (
                Status.SUBMITTED,
                Status.IN_REVIEW,
                Status.VIABLE,
            ):
                _support, created = Support.objects.get_or_create(
                    proposal=proposal, user=person, defaults={"created_at": now}
                )
                if created:
                    Proposal.objects.filter(pk=proposal.pk).update(support_count=proposal.support_count + 1)
            first = Comment.objects.create(
                proposal=proposal,
                author=person,
                body=comments[index % len(comments)],
                created_at=now - timedelta(days=2),
            )
            if index == 1 and proposal.author_id is None:
                Comment.objects.create(
                    proposal=proposal,
                    parent=first,
                    author=people[-1],
                    body="Sí, en la asamblea del sábado estuvieron de acuerdo.",
                    created_at=now - timedelta(days=1),
                )


@transaction.atomic
def load() -> list[tuple[str, str]]:
    """Write the demo proposals of the demo cycles that have none yet; print the demo leader."""
    now = timezone.now()
    sectors = {s.key: s for s in Sector.objects.all()}
    people = {u.email: u for u in User.objects.filter(email__contains="@demo.redplypp.co")}
    citizen, young = people.get(CITIZEN), people.get(YOUNG)
    leader = _leader(now)
    secretariat = people.get("secretaria@demo.redplypp.co")
    pasto_staff = people.get("gestor.pasto@demo.redplypp.co", secretariat)
    reviewer = people.get("revisor.pasto@demo.redplypp.co", pasto_staff)
    monitor = people.get("veedora.pasto@demo.redplypp.co")
    antioquia = people.get("coordinador.antioquia@demo.redplypp.co", secretariat)

    written: list[Cycle] = []
    medellin, pasto, barranca = _cycles(MEDELLIN), _cycles(PASTO), _cycles(BARRANCA)
    if medellin and not medellin[0].proposals.exists():
        proposals = _medellin(medellin[0], sectors, young, antioquia)
        _talk([p for p in proposals if p.author_id != getattr(young, "pk", None)], [p for p in (young,) if p], now)
        written.append(medellin[0])
    if pasto and not pasto[0].proposals.exists():
        proposals = _pasto(pasto[0], sectors, citizen, pasto_staff, reviewer)
        if citizen is not None:
            Participation.objects.get_or_create(
                cycle=pasto[0], user=citizen, defaults={"unit": proposals[1].unit, "declared_at": now}
            )
            _talk([p for p in proposals if p.unit_id == proposals[1].unit_id and p.author_id is None], [citizen], now)
        written.append(pasto[0])
    if barranca and not barranca[0].proposals.exists():
        _barranca(barranca[0], sectors, leader)
        written.append(barranca[0])
    for past, staff in ((pasto[1:2], pasto_staff), (medellin[1:2], antioquia)):
        if past and not past[0].proposals.exists():
            _past(past[0], sectors, staff, monitor if past[0].municipality_id == PASTO else None, now)
            written.append(past[0])
    _index(written)
    return [(LEADER, "community leader of Barrancabermeja with draft proposals")]
