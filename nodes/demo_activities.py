"""Demo network activities for ``manage.py loaddemo``. Idempotent.

Runs after ``nodes.demo.load`` (it needs the nodes, organisations and the
secretariat's demo account). Activities are recorded through
``activity_create`` as the secretariat, so they are audited like real ones;
one already there (same title) is left alone.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from nodes.activities import activity_create
from nodes.models import Activity, ActivityKind, Municipality, Node, Organisation

SECRETARIAT_EMAIL = "secretaria@demo.redplypp.co"


def _activities(today: date) -> list[dict[str, object]]:
    return [
        {
            "kind": ActivityKind.NATIONAL_ENCOUNTER,
            "title": "Encuentro Nacional de Planeación Local y Presupuesto Participativo",
            "starts_on": date(today.year - 1, 10, 16),
            "ends_on": date(today.year - 1, 10, 18),
            "municipality": "52001",
            "place_detail": "Universidad de Nariño, sede Torobajo",
            "nodes": [],
            "organisations": ["Alcaldía de Pasto", "Universidad de Nariño", "Viva la Ciudadanía"],
            "summary": (
                "Encuentro anual de la Red: balance de los procesos de presupuesto participativo de los "
                "municipios miembros, mesas de intercambio por nodo y declaración final sobre la incidencia "
                "en los planes de desarrollo."
            ),
        },
        {
            "kind": ActivityKind.REGIONAL_VISIT,
            "title": "Visita regional al Magdalena Medio",
            "starts_on": today - timedelta(days=40),
            "ends_on": today - timedelta(days=39),
            "municipality": "68081",
            "place_detail": "Sede del Comité Regional de Planeación",
            "nodes": ["magdalena-medio"],
            "organisations": [
                "Comité Regional de Planeación del Magdalena Medio",
                "Equipo Multisectorial del Magdalena Medio",
            ],
            "summary": (
                "Recorrido por las comunas de Barrancabermeja con el Equipo Multisectorial para conocer la "
                "ejecución de los proyectos priorizados por las comunidades."
            ),
        },
        {
            "kind": ActivityKind.WORKSHOP,
            "title": "Taller del Nodo Jóvenes: presupuestos participativos con jóvenes de 14 a 28 años",
            "starts_on": today + timedelta(days=10),
            "ends_on": None,
            "municipality": "66001",
            "place_detail": "Universidad Tecnológica de Pereira",
            "nodes": ["jovenes"],
            "organisations": ["Consejo de Juventud de Pereira", "Plataforma de Juventudes de Medellín"],
            "summary": "Taller práctico sobre cómo abrir fases de propuesta y votación a jóvenes desde los 14 años.",
        },
        {
            "kind": ActivityKind.PERIODIC_MEETING,
            "title": "Reunión de la Secretaría Técnica",
            "starts_on": today.replace(day=1) + timedelta(days=14),
            "ends_on": None,
            "municipality": None,
            "place_detail": "Reunión virtual",
            "nodes": [],
            "organisations": ["Viva la Ciudadanía", "Universidad Tecnológica de Pereira"],
            "summary": "Seguimiento mensual del plan de trabajo de la Red y preparación del próximo encuentro.",
        },
    ]


@transaction.atomic
def load_activities() -> int:
    """Record the demo activities that are not there yet; return how many were created."""
    secretariat = User.objects.get(email=SECRETARIAT_EMAIL)
    now = timezone.now()
    created = 0
    for row in _activities(timezone.localdate(now)):
        title = str(row["title"])
        if Activity.objects.filter(title=title).exists():
            continue
        code = row["municipality"]
        activity_create(
            actor=secretariat,
            kind=str(row["kind"]),
            title=title,
            starts_on=row["starts_on"],  # type: ignore[arg-type]
            ends_on=row["ends_on"],  # type: ignore[arg-type]
            municipality=Municipality.objects.get(code=code) if code else None,
            place_detail=str(row["place_detail"]),
            nodes=list(Node.objects.filter(slug__in=row["nodes"])),  # type: ignore[misc]
            organisations=list(Organisation.objects.filter(name__in=row["organisations"])),  # type: ignore[misc]
            summary=str(row["summary"]),
            published=True,
            now=now,
        )
        created += 1
    return created
