"""Demo budget cycles for ``manage.py loaddemo``. Idempotent, dated from today.

Runs after ``nodes.demo.load`` (it needs the network's municipalities,
territories, organisations and demo accounts). Everything goes through the
real services, as the demo manager of each place (the Secretaría Técnica
where no manager of the place exists), so it is checked and audited like
real work:

- Pasto, methodology "pasto", convened by the Alcaldía, in its cabildos now:
  ceilings by population, two pre-cabildos and two cabildos recorded with
  attendance, minutes and the cabildos' ranking, and their spokespeople;
- Barrancabermeja, methodology "barrancabermeja", convened by the Equipo
  Multisectorial with the Alcaldía's support, in its participatory
  diagnosis now: envelopes by need index, a rules meeting and two workshops;
- Medellín, methodology "medellin", voting now: 21 envelopes by the
  20/30/50 formula (its comunas and corregimientos are added if missing);
- last year's cycles of Pasto and Medellín, wholly in the past, with every
  irreversible step taken by ``cycle_advance``; and next year's Pasto cycle,
  cloned from this year's, still a draft.

Which phase is "now" is found by capability (the first phase of the template
that opens voting, or the diagnosis), never by a phase's name; a cycle's
fiscal year is the year its execution starts. Every published cycle is then
advanced as the beat task would (so the current Pasto and Medellín cycles
have proposals closed). A cycle is
looked up by (municipality, title): one already there is left alone.
Assemblies and delegates are written with the ORM (demo records of meetings
that happened). Figures (populations, need indices, amounts) are plausible,
not official.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from cycles.allocation import Figures, envelopes_apply_formula
from cycles.guards import local_midnight
from cycles.lifecycle import cycle_advance
from cycles.methodologies import METHODOLOGIES
from cycles.models import (
    Assembly,
    AssemblyDecision,
    AssemblyKind,
    ConvenerKind,
    Cycle,
    CycleTerritory,
    Delegate,
    Phase,
)
from cycles.phases import Capability, capabilities_of
from cycles.schedule import PhaseInput, phase_update
from cycles.services import cycle_clone, cycle_create, cycle_publish
from nodes.demo import BARRANCA_COMUNAS, BARRANCA_CORREGIMIENTOS, PASTO_COMUNAS, PASTO_CORREGIMIENTOS
from nodes.models import Municipality, Organisation, Territory, TerritoryKind
from nodes.services import territory_create

SECRETARIAT_EMAIL = "secretaria@demo.redplypp.co"
PASTO, BARRANCA, MEDELLIN = "52001", "68081", "05001"
EQUIPO_MULTISECTORIAL = "Equipo Multisectorial del Magdalena Medio"
MILLION = 1_000_000

# --- Territories and their figures ------------------------------------------------

# (code, name, kind): the same codes nodes.demo gives Pasto and Barrancabermeja.
PASTO_TERRITORIES = [(f"{i:02d}", name, TerritoryKind.COMUNA) for i, name in enumerate(PASTO_COMUNAS, 1)] + [
    (f"C{i:02d}", name, TerritoryKind.CORREGIMIENTO) for i, name in enumerate(PASTO_CORREGIMIENTOS, 1)
]
BARRANCA_TERRITORIES = [(f"{i:02d}", name, TerritoryKind.COMUNA) for i, name in enumerate(BARRANCA_COMUNAS, 1)] + [
    (f"C{i:02d}", name, TerritoryKind.CORREGIMIENTO) for i, name in enumerate(BARRANCA_CORREGIMIENTOS, 1)
]
MEDELLIN_COMUNAS = [
    "Popular", "Santa Cruz", "Manrique", "Aranjuez", "Castilla", "Doce de Octubre", "Robledo", "Villa Hermosa",
    "Buenos Aires", "La Candelaria", "Laureles-Estadio", "La América", "San Javier", "El Poblado", "Guayabal",
    "Belén",
]  # fmt: skip
MEDELLIN_CORREGIMIENTOS = ["Palmitas", "San Cristóbal", "Altavista", "San Antonio de Prado", "Santa Elena"]
MEDELLIN_TERRITORIES = [
    (f"{i:02d}", f"Comuna {i} {name}", TerritoryKind.COMUNA) for i, name in enumerate(MEDELLIN_COMUNAS, 1)
] + [(f"{50 + 10 * i}", name, TerritoryKind.CORREGIMIENTO) for i, name in enumerate(MEDELLIN_CORREGIMIENTOS)]

# Population by territory name (Pasto: ceilings by population).
PASTO_POPULATION = {
    "Comuna 1": 19_400, "Comuna 2": 22_100, "Comuna 3": 34_600, "Comuna 4": 30_200, "Comuna 5": 33_800,
    "Comuna 6": 36_500, "Comuna 7": 18_300, "Comuna 8": 24_700, "Comuna 9": 27_900, "Comuna 10": 38_400,
    "Comuna 11": 21_600, "Comuna 12": 25_300, "Buesaquillo": 3_500, "Cabrera": 1_500, "Catambuco": 14_200,
    "El Encano": 8_100, "El Socorro": 2_200, "Genoy": 4_500, "Gualmatán": 2_000, "Jamondino": 3_600,
    "Jongovito": 3_000, "La Caldera": 1_400, "La Laguna": 2_900, "Mapachico": 3_100, "Mocondino": 3_300,
    "Morasurco": 2_700, "Obonuco": 3_800, "San Fernando": 2_400, "Santa Bárbara": 5_200,
}  # fmt: skip
# (population, need index: share of households with unmet basic needs, %) by name.
BARRANCA_FIGURES = {
    "Comuna 1": (30_100, "18.4"), "Comuna 2": (18_200, "11.9"), "Comuna 3": (27_400, "22.7"),
    "Comuna 4": (26_300, "30.2"), "Comuna 5": (32_500, "35.1"), "Comuna 6": (24_100, "33.6"),
    "Comuna 7": (30_400, "38.3"), "El Centro": (9_100, "40.5"), "El Llanito": (4_600, "45.2"),
    "La Fortuna": (2_500, "52.8"), "Ciénaga del Opón": (1_500, "60.4"), "Meseta de San Rafael": (1_800, "55.9"),
    "San Rafael de Chucurí": (1_200, "58.1"),
}  # fmt: skip
MEDELLIN_FIGURES = {
    "Comuna 1 Popular": (131_900, "62.0"), "Comuna 2 Santa Cruz": (112_400, "58.0"),
    "Comuna 3 Manrique": (160_300, "52.0"), "Comuna 4 Aranjuez": (162_100, "45.0"),
    "Comuna 5 Castilla": (150_200, "33.0"), "Comuna 6 Doce de Octubre": (195_400, "44.0"),
    "Comuna 7 Robledo": (176_800, "40.0"), "Comuna 8 Villa Hermosa": (138_300, "50.0"),
    "Comuna 9 Buenos Aires": (137_600, "38.0"), "Comuna 10 La Candelaria": (85_200, "25.0"),
    "Comuna 11 Laureles-Estadio": (122_700, "8.0"), "Comuna 12 La América": (97_100, "15.0"),
    "Comuna 13 San Javier": (139_400, "48.0"), "Comuna 14 El Poblado": (130_600, "4.0"),
    "Comuna 15 Guayabal": (95_300, "22.0"), "Comuna 16 Belén": (197_500, "20.0"),
    "Palmitas": (8_100, "70.0"), "San Cristóbal": (95_800, "42.0"), "Altavista": (40_200, "55.0"),
    "San Antonio de Prado": (118_600, "38.0"), "Santa Elena": (20_300, "50.0"),
}  # fmt: skip
DEFAULT_FIGURES = (5_000, "30.0")  # for a territory someone added that the demo does not know


def _ensure_territories(code: str, rows: Sequence[tuple[str, str, str]], actor: User) -> None:
    """Add, through the territory service, those of ``rows`` the place lacks (by name; a code in use is skipped)."""
    municipality = Municipality.objects.get(code=code)
    existing = list(Territory.objects.filter(municipality=municipality).values_list("code", "name"))
    codes, names = {c for c, _n in existing}, {n for _c, n in existing}
    for local_code, name, kind in rows:
        if name not in names and local_code not in codes:
            territory_create(actor=actor, municipality=municipality, code=local_code, name=name, kind=kind)


# --- Cycles ------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoCycle:
    municipality: str
    title: str
    methodology: str
    fiscal_year: int
    total: int
    start: date
    weights: tuple[int, int, int]
    figures: Mapping[str, tuple[int, str | None]]
    manager_email: str
    description: str = ""
    funding_source: str = "Presupuesto de inversión del municipio"
    convener_organisation: str = ""
    published: bool = True
    in_person_close: time | None = None  # the in-person voting day closes at this hour


def _actor(email: str, place: Municipality, fallback: User) -> User:
    """The demo manager of the place if there is one who may run its cycles, else the secretariat."""
    user = User.objects.filter(email=email).first()
    return user if user is not None and user.has_perm("cycles.add_cycle", place) else fallback


def _start_with_today_in(methodology: str, capability: Capability, days_in: int, today: date) -> date:
    """The start date that puts today ``days_in`` days into the template's first phase opening ``capability``."""
    phase = next(
        p
        for p in sorted(METHODOLOGIES[methodology].phases, key=lambda p: p.offset_days)
        if capability in capabilities_of(p.kind)
    )
    return today - timedelta(days=phase.offset_days + days_in)


def _first_phase_opening(cycle: Cycle, capability: Capability) -> Phase:
    return next(p for p in cycle.phases.order_by("starts_at", "pk") if capability in capabilities_of(p.kind))


def _phase_before(phase: Phase) -> Phase:
    return Phase.objects.filter(cycle=phase.cycle, ends_at__lte=phase.starts_at).order_by("-ends_at", "-pk")[0]


def _close_voting_at(cycle: Cycle, actor: User, closes: time) -> None:
    """The vote ends at ``closes`` on its last (in-person) day rather than at midnight."""
    phase = _first_phase_opening(cycle, Capability.VOTE)
    last_day = timezone.localtime(phase.ends_at - timedelta(seconds=1)).date()
    phase_update(
        actor=actor,
        phase=phase,
        data=PhaseInput(
            kind=phase.kind,
            title=phase.title,
            description=phase.description,
            starts_at=phase.starts_at,
            ends_at=timezone.make_aware(datetime.combine(last_day, closes)),
        ),
    )


def _cycle(spec: DemoCycle, secretariat: User, now: datetime) -> tuple[Cycle, bool]:
    """The cycle ``spec`` describes, made (and published, advanced) unless it is already there."""
    municipality = Municipality.objects.get(code=spec.municipality)
    existing = Cycle.objects.filter(municipality=municipality, title=spec.title).first()
    if existing is not None:
        return existing, False
    actor = _actor(spec.manager_email, municipality, secretariat)
    organisation = Organisation.objects.filter(name=spec.convener_organisation).first()
    start = local_midnight(spec.start)
    cycle = cycle_create(
        actor=actor,
        methodology=spec.methodology,
        title=spec.title,
        fiscal_year=spec.fiscal_year,
        total_amount=spec.total,
        start_date=spec.start,
        municipality=municipality,
        convener_kind=ConvenerKind.ORGANISATION if organisation else "",
        convener_organisation=organisation,
        description=spec.description,
        funding_source=spec.funding_source,
        now=min(start - timedelta(days=30), now),
    )
    figures = {}
    for unit in cycle.units.select_related("territory"):
        name = unit.territory.name if unit.territory else ""
        population, need = spec.figures.get(name, DEFAULT_FIGURES)
        figures[unit.pk] = Figures(population, Decimal(need) if need is not None else None)
    envelopes_apply_formula(actor=actor, cycle=cycle, weights=spec.weights, rounding_unit=MILLION, figures=figures)
    if spec.in_person_close is not None:
        _close_voting_at(cycle, actor, spec.in_person_close)
    if spec.published:
        cycle_publish(actor=actor, cycle=cycle, now=min(start - timedelta(days=15), now))
        cycle_advance(cycle_id=cycle.pk, now=now)  # what the beat task would have done by now
    return cycle, True


# --- Assemblies --------------------------------------------------------------------


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _day_of(phase: Phase, days: int) -> date:
    return timezone.localtime(phase.starts_at).date() + timedelta(days=days)


def _unit(cycle: Cycle, name: str) -> CycleTerritory:
    units = cycle.units.select_related("territory").order_by("position", "pk")
    return next((u for u in units if u.territory and u.territory.name == name), units[0])


@dataclass(frozen=True)
class Attendance:
    women: int
    men: int
    other: int
    ages: tuple[int, int, int, int]  # 14–17, 18–28, 29–59, 60+

    def fields(self) -> dict[str, int]:
        total = self.women + self.men + self.other
        assert sum(self.ages) == total, "age bands must add up to the attendance"
        a, b, c, d = self.ages
        return {
            "attendance": total,
            "women": self.women,
            "men": self.men,
            "other_gender": self.other,
            "age_14_17": a,
            "age_18_28": b,
            "age_29_59": c,
            "age_60_plus": d,
        }


def _assembly(
    *,
    cycle: Cycle,
    phase: Phase,
    unit: CycleTerritory | None,
    kind: str,
    title: str,
    held_at: datetime,
    place: str,
    convener: str,
    attendance: Attendance,
    minutes: str,
    actor: User,
) -> Assembly:
    return Assembly.objects.create(
        cycle=cycle,
        phase=phase,
        unit=unit,
        kind=kind,
        title=title,
        held_at=held_at,
        place=place,
        convener=convener,
        minutes=minutes,
        recorded_by=actor,
        recorded_at=held_at + timedelta(hours=4),
        **attendance.fields(),
    )


# (item, rating out of 5, votes by show of hands, share of the territory's ceiling)
CABILDO_DECISIONS = {
    "Comuna 5": [
        ("Pavimentación de la calle 18 entre carreras 4 y 6, barrio Chapal", "4.60", 112, Decimal("0.38")),
        ("Dotación del salón comunal del barrio La Rosa", "4.35", 97, Decimal("0.20")),
        ("Escuela de música para niñas, niños y jóvenes de la comuna", "4.10", 88, Decimal("0.15")),
        ("Huertas urbanas comunitarias en el barrio Santa Clara", "3.90", 74, Decimal("0.12")),
        ("Alumbrado y juegos del parque del barrio El Pilar", "3.75", 69, Decimal("0.10")),
    ],
    "Catambuco": [
        ("Mejoramiento de la vía Catambuco – Botanilla", "4.70", 131, Decimal("0.42")),
        ("Ampliación del acueducto veredal de San José de Catambuco", "4.55", 126, Decimal("0.30")),
        ("Centro de acopio de papa y leche de la asociación campesina", "4.05", 95, Decimal("0.15")),
        ("Dotación deportiva para la institución educativa de Catambuco", "3.80", 71, Decimal("0.08")),
    ],
}
SPOKESPEOPLE = {
    "Comuna 5": [("María Elena Burbano", "JAC barrio Chapal"), ("Jesús Alberto Erazo", "JAC barrio La Rosa")],
    "Catambuco": [("Rosa Delia Jojoa", "Asociación campesina de Catambuco"), ("Segundo Chamorro", "JAC Botanilla")],
}


def _pasto_assemblies(cycle: Cycle, actor: User) -> None:
    cabildos = _first_phase_opening(cycle, Capability.VOTE)
    pre_cabildos = _phase_before(cabildos)
    term_end = timezone.localtime(cycle.phases.order_by("-ends_at")[0].ends_at - timedelta(seconds=1)).date()
    convener = "Alcaldía de Pasto – Secretaría de Desarrollo Comunitario"
    for days, name, place, attendance in (
        (6, "Comuna 5", "Salón comunal del barrio Chapal", Attendance(48, 37, 1, (6, 17, 44, 19))),
        (9, "Catambuco", "Institución Educativa Municipal Catambuco", Attendance(41, 45, 0, (4, 15, 49, 18))),
    ):
        unit = _unit(cycle, name)
        _assembly(
            cycle=cycle,
            phase=pre_cabildos,
            unit=unit,
            kind=AssemblyKind.PRE_CABILDO,
            title=f"Pre-cabildo {unit}",
            held_at=_at(_day_of(pre_cabildos, days), 9),
            place=place,
            convener=convener,
            attendance=attendance,
            minutes=(
                f"Se presentaron las reglas del proceso y el techo presupuestal de {unit}: "
                f"$ {unit.amount:,} pesos. ".replace(",", ".")
                + "La comunidad organizó las necesidades en mesas temáticas (vías, agua, educación, "
                "cultura, producción) y se acordó que cada junta lleve sus preproyectos al cabildo."
            ),
            actor=actor,
        )
    for days, name, place, attendance in (
        (2, "Comuna 5", "Coliseo del barrio Chapal", Attendance(96, 81, 2, (14, 38, 92, 35))),
        (6, "Catambuco", "Plaza principal de Catambuco", Attendance(88, 97, 0, (9, 31, 103, 42))),
    ):
        unit = _unit(cycle, name)
        held_at = _at(_day_of(cabildos, days), 8)
        assembly = _assembly(
            cycle=cycle,
            phase=cabildos,
            unit=unit,
            kind=AssemblyKind.CABILDO,
            title=f"Cabildo {unit}",
            held_at=held_at,
            place=place,
            convener=convener,
            attendance=attendance,
            minutes=(
                "Verificado el quórum, se leyeron los preproyectos inscritos y su costo estimado. "
                "Cada proyecto se calificó de 1 a 5 y se votó a mano alzada; el cabildo priorizó los "
                "siguientes dentro del techo presupuestal y eligió a sus voceros para la asamblea de voceros. "
                "Se firmó el acta con las juntas de acción comunal presentes."
            ),
            actor=actor,
        )
        AssemblyDecision.objects.bulk_create(
            [
                AssemblyDecision(
                    assembly=assembly,
                    rank=rank,
                    item=item,
                    rating=Decimal(rating),
                    votes=votes,
                    amount=int(unit.amount * share) // MILLION * MILLION,
                )
                for rank, (item, rating, votes, share) in enumerate(CABILDO_DECISIONS[name], start=1)
            ]
        )
        Delegate.objects.bulk_create(
            [
                Delegate(
                    cycle=cycle,
                    unit=unit,
                    assembly=assembly,
                    name=person,
                    organisation=organisation,
                    term_start=held_at.date(),
                    term_end=term_end,
                )
                for person, organisation in SPOKESPEOPLE[name]
            ]
        )


def _barranca_assemblies(cycle: Cycle, actor: User) -> None:
    diagnosis = _first_phase_opening(cycle, Capability.DIAGNOSE)
    agreement = _phase_before(diagnosis)
    convener = EQUIPO_MULTISECTORIAL
    _assembly(
        cycle=cycle,
        phase=agreement,
        unit=None,
        kind=AssemblyKind.OTHER,
        title="Mesa de acuerdo de reglas con la Alcaldía",
        held_at=_at(_day_of(agreement, 5), 14),
        place="Auditorio de la Cámara de Comercio de Barrancabermeja",
        convener=f"{convener} y Alcaldía de Barrancabermeja",
        attendance=Attendance(19, 16, 0, (0, 5, 24, 6)),
        minutes=(
            "El Equipo Multisectorial, la Alcaldía, la ASOCOMUNAL y las organizaciones sociales acordaron "
            "el reglamento del ejercicio: monto, distribución por índice de necesidades, calendario, "
            "núcleos de pobladores por comuna y corregimiento, y elección de delegados comunitarios."
        ),
        actor=actor,
    )
    for days, name, place, attendance in (
        (2, "Comuna 7", "Salón comunal del barrio El Danubio", Attendance(34, 22, 1, (7, 12, 29, 9))),
        (5, "Ciénaga del Opón", "Escuela de Ciénaga del Opón", Attendance(17, 21, 0, (3, 8, 20, 7))),
    ):
        unit = _unit(cycle, name)
        _assembly(
            cycle=cycle,
            phase=diagnosis,
            unit=unit,
            kind=AssemblyKind.DIAGNOSIS,
            title=f"Taller de diagnóstico participativo – {unit}",
            held_at=_at(_day_of(diagnosis, days), 9),
            place=place,
            convener=convener,
            attendance=attendance,
            minutes=(
                "El núcleo de pobladores recorrió el territorio y elaboró el mapa de necesidades: agua "
                "potable, vías terciarias, empleo para jóvenes y seguridad alimentaria. Se priorizaron "
                "cinco problemas para formular proyectos en la fase siguiente."
            ),
            actor=actor,
        )


def _accountability(cycle: Cycle, actor: User) -> None:
    phase = _first_phase_opening(cycle, Capability.ACCOUNT)
    _assembly(
        cycle=cycle,
        phase=phase,
        unit=None,
        kind=AssemblyKind.ACCOUNTABILITY,
        title="Audiencia pública de rendición de cuentas",
        held_at=_at(_day_of(phase, 10), 9),
        place="Teatro Imperial de Pasto",
        convener="Alcaldía de Pasto",
        attendance=Attendance(142, 118, 3, (12, 51, 139, 61)),
        minutes=(
            "La Alcaldía informó la ejecución de los proyectos priorizados en los cabildos; los comités "
            "de seguimiento y las veedurías presentaron sus observaciones sobre obras pendientes."
        ),
        actor=actor,
    )


# --- Loading -----------------------------------------------------------------------


def _fiscal_year(methodology: str, start: date) -> int:
    """The year whose budget the cycle decides: the year its execution starts."""
    phase = next(p for p in METHODOLOGIES[methodology].phases if Capability.EXECUTE in capabilities_of(p.kind))
    return (start + timedelta(days=phase.offset_days)).year


def _a_year_before(methodology: str, start: date) -> date:
    """Last year's start: a year earlier, or more if the calendar is longer, so that it has ended."""
    return start - timedelta(days=max(365, METHODOLOGIES[methodology].length_days))


def _specs(today: date) -> dict[str, DemoCycle]:
    """The current cycles, dated so that today falls in the phase the demo shows, and last year's
    cycles of Pasto and Medellín: the same calendar a year earlier, so wholly in the past."""
    pasto_start = _start_with_today_in("pasto", Capability.VOTE, 10, today)
    barranca_start = _start_with_today_in("barrancabermeja", Capability.DIAGNOSE, 8, today)
    medellin_start = _start_with_today_in("medellin", Capability.VOTE, 3, today)
    pasto_year = _fiscal_year("pasto", pasto_start)
    barranca_year = _fiscal_year("barrancabermeja", barranca_start)
    medellin_year = _fiscal_year("medellin", medellin_start)
    pasto_figures = {name: (population, None) for name, population in PASTO_POPULATION.items()}
    return {
        "pasto": DemoCycle(
            municipality=PASTO,
            title=f"Presupuesto Participativo Pasto {pasto_year}",
            methodology="pasto",
            fiscal_year=pasto_year,
            total=12_000_000_000,
            start=pasto_start,
            weights=(40, 60, 0),
            figures=pasto_figures,
            manager_email="gestor.pasto@demo.redplypp.co",
            description=(
                "Cabildos en las 12 comunas y 17 corregimientos: cada territorio prioriza sus proyectos "
                "dentro de su techo presupuestal, fijado según su población."
            ),
        ),
        "barranca": DemoCycle(
            municipality=BARRANCA,
            title=f"Presupuesto Participativo Barrancabermeja {barranca_year}",
            methodology="barrancabermeja",
            fiscal_year=barranca_year,
            total=8_000_000_000,
            start=barranca_start,
            weights=(25, 25, 50),
            figures=BARRANCA_FIGURES,
            manager_email="gestora.multisectorial@demo.redplypp.co",
            convener_organisation=EQUIPO_MULTISECTORIAL,
            funding_source="Presupuesto de inversión de la Alcaldía de Barrancabermeja",
            description=(
                "Convocado por el Equipo Multisectorial del Magdalena Medio con el apoyo de la Alcaldía. "
                "Los núcleos de pobladores diagnostican y formulan; los delegados de cada comuna y "
                "corregimiento priorizan. Las bolsas se reparten sobre todo según el índice de necesidades "
                "básicas insatisfechas."
            ),
        ),
        "medellin": DemoCycle(
            municipality=MEDELLIN,
            title=f"Planeación Local y Presupuesto Participativo Medellín {medellin_year}",
            methodology="medellin",
            fiscal_year=medellin_year,
            total=480_000_000_000,
            start=medellin_start,
            weights=(20, 30, 50),
            figures=MEDELLIN_FIGURES,
            manager_email="coordinador.antioquia@demo.redplypp.co",
            funding_source="5 % del presupuesto de inversión del municipio",
            description=(
                "16 comunas y 5 corregimientos, cada uno con su bolsa según población e índice de "
                "necesidades. Vota la población de 14 años o más: una semana en línea y un día presencial."
            ),
            in_person_close=time(16),
        ),
        "pasto_past": DemoCycle(
            municipality=PASTO,
            title=f"Presupuesto Participativo Pasto {pasto_year - 1}",
            methodology="pasto",
            fiscal_year=pasto_year - 1,
            total=11_000_000_000,
            start=_a_year_before("pasto", pasto_start),
            weights=(40, 60, 0),
            figures=pasto_figures,
            manager_email="gestor.pasto@demo.redplypp.co",
        ),
        "medellin_past": DemoCycle(
            municipality=MEDELLIN,
            title=f"Planeación Local y Presupuesto Participativo Medellín {medellin_year - 1}",
            methodology="medellin",
            fiscal_year=medellin_year - 1,
            total=455_000_000_000,
            start=_a_year_before("medellin", medellin_start),
            weights=(20, 30, 50),
            figures=MEDELLIN_FIGURES,
            manager_email="coordinador.antioquia@demo.redplypp.co",
            funding_source="5 % del presupuesto de inversión del municipio",
            in_person_close=time(16),
        ),
    }


@transaction.atomic
def load() -> list[tuple[str, str]]:
    """Create the demo cycles (leaving alone those already there); no new accounts to print."""
    now = timezone.now()
    today = timezone.localdate(now)
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    _ensure_territories(PASTO, PASTO_TERRITORIES, secretariat)
    _ensure_territories(BARRANCA, BARRANCA_TERRITORIES, secretariat)
    _ensure_territories(MEDELLIN, MEDELLIN_TERRITORIES, secretariat)

    specs = _specs(today)
    made = {key: _cycle(spec, secretariat, now) for key, spec in specs.items()}
    pasto, created = made["pasto"]
    if created:
        _pasto_assemblies(pasto, pasto.created_by or secretariat)
    barranca, created = made["barranca"]
    if created:
        _barranca_assemblies(barranca, barranca.created_by or secretariat)
    pasto_past, created = made["pasto_past"]
    if created:
        _accountability(pasto_past, pasto_past.created_by or secretariat)

    # Next year's Pasto cycle, copied from this year's and left a draft.
    draft_title = f"Presupuesto Participativo Pasto {pasto.fiscal_year + 1}"
    if not Cycle.objects.filter(municipality_id=PASTO, title=draft_title).exists():
        cycle_clone(
            actor=pasto.created_by or secretariat,
            cycle=pasto,
            title=draft_title,
            fiscal_year=pasto.fiscal_year + 1,
            start_date=specs["pasto"].start + timedelta(days=365),
            now=now,
        )
    return []
