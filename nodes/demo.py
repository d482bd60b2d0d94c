"""Demo data of the network registry for ``manage.py loaddemo``. Idempotent.

The seven nodes (the seventh, "Nariño", is our guess: the network's list is
editable), the Secretaría Técnica of DOMAIN.md §1, about 100 member
municipalities, about 60 organisations, the territories of Pasto and
Barrancabermeja, and one demo account per role. Role grants go through
``membership_grant`` so they are audited like real ones; the first
secretariat role is the bootstrap act, audited as the system.
"""

from __future__ import annotations

from datetime import date

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record, subject_of
from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from nodes.demo_activities import load_activities
from nodes.divipola_sync import sync_divipola
from nodes.models import (
    Department,
    Membership,
    Municipality,
    Node,
    NodeKind,
    NodeMunicipality,
    Organisation,
    OrganisationKind,
    Role,
    Territory,
    TerritoryKind,
)
from nodes.nit import check_digit
from nodes.services import membership_grant

JOINED = date(2008, 11, 20)

NODES = [
    ("antioquia", "Antioquia", NodeKind.TERRITORIAL),
    ("magdalena-medio", "Magdalena Medio", NodeKind.TERRITORIAL),
    ("centro", "Centro", NodeKind.TERRITORIAL),
    ("eje-cafetero", "Eje Cafetero", NodeKind.TERRITORIAL),
    ("narino", "Nariño", NodeKind.TERRITORIAL),
    ("jovenes", "Jóvenes", NodeKind.THEMATIC),
    ("mujeres", "Mujeres", NodeKind.THEMATIC),
]

MAGDALENA_MEDIO = [
    "68081", "68575", "68655", "68689", "68235", "68190", "68573", "68385", "68092", "05893", "05579", "05585",
    "20011", "13670", "13160", "13744", "13688", "13473", "13042", "13600", "13580", "20295", "20710", "20770",
    "15572",
]  # fmt: skip
CENTRO = ["11001", "25754", "25290", "25899", "15001", "73001", "50001", "25307", "25175", "25473"]
EJE_CAFETERO = ["17001", "63001"]  # plus every municipality of Risaralda
THEMATIC = {
    "jovenes": ["05001", "52001", "66001", "11001", "68081"],
    "mujeres": ["52001", "68081", "66170", "05001"],
}

PASTO_COMUNAS = [f"Comuna {n}" for n in range(1, 13)]
PASTO_CORREGIMIENTOS = [
    "Buesaquillo", "Cabrera", "Catambuco", "El Encano", "El Socorro", "Genoy", "Gualmatán", "Jamondino",
    "Jongovito", "La Caldera", "La Laguna", "Mapachico", "Mocondino", "Morasurco", "Obonuco", "San Fernando",
    "Santa Bárbara",
]  # fmt: skip
BARRANCA_COMUNAS = [f"Comuna {n}" for n in range(1, 8)]
BARRANCA_CORREGIMIENTOS = [
    "El Centro", "El Llanito", "La Fortuna", "Ciénaga del Opón", "Meseta de San Rafael", "San Rafael de Chucurí",
]  # fmt: skip

# (name, kind, municipality code, node slugs, sits on the Secretaría Técnica)
SECRETARIAT_ORGANISATIONS = [
    ("Comité Regional de Planeación del Magdalena Medio", OrganisationKind.SOCIAL, "68081", ["magdalena-medio"]),
    ("Universidad Tecnológica de Pereira", OrganisationKind.UNIVERSITY, "66001", ["eje-cafetero"]),
    ("Alcaldía de Pasto", OrganisationKind.MUNICIPAL_GOVERNMENT, "52001", ["narino"]),
    ("Gobernación de Risaralda", OrganisationKind.DEPARTMENTAL_GOVERNMENT, "66001", ["eje-cafetero"]),
    ("Nodo Antioquia", OrganisationKind.OTHER, "05001", ["antioquia"]),
    ("Nodo Jóvenes", OrganisationKind.OTHER, None, ["jovenes"]),
    ("Viva la Ciudadanía", OrganisationKind.NGO, "11001", ["centro"]),
]
OTHER_ORGANISATIONS = [
    ("Equipo Multisectorial del Magdalena Medio", OrganisationKind.SOCIAL, "68081", ["magdalena-medio"]),
    ("ASOCOMUNAL Pasto", OrganisationKind.ASOCOMUNAL, "52001", ["narino"]),
    ("ASOCOMUNAL Barrancabermeja", OrganisationKind.ASOCOMUNAL, "68081", ["magdalena-medio"]),
    ("Universidad de Nariño", OrganisationKind.UNIVERSITY, "52001", ["narino"]),
    ("Universidad de Antioquia", OrganisationKind.UNIVERSITY, "05001", ["antioquia"]),
    ("Universidad Industrial de Santander", OrganisationKind.UNIVERSITY, "68081", ["magdalena-medio"]),
    ("Corporación Región", OrganisationKind.NGO, "05001", ["antioquia"]),
    ("Foro Nacional por Colombia", OrganisationKind.NGO, "11001", ["centro"]),
    ("Gobernación de Nariño", OrganisationKind.DEPARTMENTAL_GOVERNMENT, "52001", ["narino"]),
    ("Gobernación de Antioquia", OrganisationKind.DEPARTMENTAL_GOVERNMENT, "05001", ["antioquia"]),
    ("Colectivo de Mujeres de Pasto", OrganisationKind.SOCIAL, "52001", ["mujeres", "narino"]),
    ("Organización Femenina Popular", OrganisationKind.SOCIAL, "68081", ["mujeres", "magdalena-medio"]),
    ("Red de Mujeres del Eje Cafetero", OrganisationKind.SOCIAL, "66001", ["mujeres", "eje-cafetero"]),
    ("Plataforma de Juventudes de Medellín", OrganisationKind.SOCIAL, "05001", ["jovenes", "antioquia"]),
    ("Consejo de Juventud de Pereira", OrganisationKind.SOCIAL, "66001", ["jovenes", "eje-cafetero"]),
]

ACCOUNTS = [
    ("secretaria@demo.redplypp.co", "Sara Secretaría", Role.SECRETARIAT, None, "Secretaría Técnica (whole network)"),
    ("coordinador.antioquia@demo.redplypp.co", "Carlos Coordinador", Role.COORDINATOR, "antioquia",
     "coordinator of node Antioquia"),
    ("coordinadora.narino@demo.redplypp.co", "Nora Coordinadora", Role.COORDINATOR, "narino",
     "coordinator of node Nariño"),
    ("gestor.pasto@demo.redplypp.co", "Gustavo Gestor", Role.MANAGER, "52001", "manager of Pasto"),
    ("gestora.multisectorial@demo.redplypp.co", "Gloria Gestora", Role.MANAGER,
     "org:Equipo Multisectorial del Magdalena Medio", "manager of the Equipo Multisectorial (Barrancabermeja)"),
    ("revisor.pasto@demo.redplypp.co", "Rita Revisora", Role.REVIEWER, "52001", "feasibility reviewer of Pasto"),
    ("jurado.pasto@demo.redplypp.co", "Julio Jurado", Role.STATION_OFFICER, "52001", "polling station officer, Pasto"),
    ("veedora.pasto@demo.redplypp.co", "Vera Veedora", Role.MONITOR, "52001", "monitor (veeduría) of Pasto"),
]  # fmt: skip


def _demo_nit(seed: int) -> str:
    number = str(900_500_000 + seed)
    return f"{number}-{check_digit(number)}"


def _member_codes() -> dict[str, list[str]]:
    all_codes = list(Municipality.objects.order_by("code").values_list("code", flat=True))
    taken = set(MAGDALENA_MEDIO)
    antioquia = ["05001", *[c for c in all_codes if c.startswith("05") and c != "05001" and c not in taken][:24]]
    narino = ["52001", *[c for c in all_codes if c.startswith("52") and c != "52001"][:19]]
    risaralda = [c for c in all_codes if c.startswith("66")]
    return {
        "antioquia": antioquia,
        "magdalena-medio": MAGDALENA_MEDIO,
        "centro": CENTRO,
        "eje-cafetero": [*risaralda, *EJE_CAFETERO],
        "narino": narino,
        **THEMATIC,
    }


def _territories(code: str, comunas: list[str], corregimientos: list[str]) -> None:
    municipality = Municipality.objects.get(code=code)
    for index, name in enumerate(comunas, start=1):
        Territory.objects.get_or_create(
            municipality=municipality,
            code=f"{index:02d}",
            defaults={"name": name, "kind": TerritoryKind.COMUNA},
        )
    for index, name in enumerate(corregimientos, start=1):
        Territory.objects.get_or_create(
            municipality=municipality,
            code=f"C{index:02d}",
            defaults={"name": name, "kind": TerritoryKind.CORREGIMIENTO},
        )


def _organisations(nodes: dict[str, Node]) -> dict[str, Organisation]:
    rows: list[tuple[str, OrganisationKind, str | None, list[str], bool]] = [
        (*row, True) for row in SECRETARIAT_ORGANISATIONS
    ] + [(*row, False) for row in OTHER_ORGANISATIONS]
    # One alcaldía for the first five member municipalities of each territorial node,
    # and community boards (JAC) in the comunas of Pasto and Barrancabermeja.
    for slug in ("antioquia", "magdalena-medio", "centro", "eje-cafetero", "narino"):
        for municipality in nodes[slug].municipalities.order_by("code")[:5]:
            name = f"Alcaldía de {municipality.name}"
            if name != "Alcaldía de Pasto":
                rows.append((name, OrganisationKind.MUNICIPAL_GOVERNMENT, municipality.code, [slug], False))
    for city_code, slug, city in (("52001", "narino", "Pasto"), ("68081", "magdalena-medio", "Barrancabermeja")):
        for comuna in range(1, 6):
            rows.append((f"JAC Comuna {comuna} de {city}", OrganisationKind.JAC, city_code, [slug], False))
    organisations = {}
    for seed, (org_name, kind, code, slugs, on_secretariat) in enumerate(rows):
        fictional = kind == OrganisationKind.JAC
        organisation, _created = Organisation.objects.get_or_create(
            name=org_name,
            defaults={
                "kind": kind,
                "municipality_id": code,
                "sits_on_secretariat": on_secretariat,
                "nit": _demo_nit(seed) if fictional else "",
            },
        )
        organisation.nodes.add(*[nodes[slug] for slug in slugs])
        organisations[org_name] = organisation
    return organisations


def _account(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"name": name})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def load() -> list[tuple[str, str]]:
    """Create the demo network; return (e-mail, description) of the demo accounts."""
    sync_divipola(Department, Municipality)  # normally done by migrate; harmless again
    nodes = {}
    for slug, name, kind in NODES:
        nodes[slug], _created = Node.objects.get_or_create(slug=slug, defaults={"name": name, "kind": kind})
    for slug, codes in _member_codes().items():
        node = nodes[slug]
        for code in codes:
            if node.kind == NodeKind.TERRITORIAL and (
                NodeMunicipality.objects.filter(municipality_id=code, node_kind=NodeKind.TERRITORIAL)
                .exclude(node=node)
                .exists()
            ):
                continue
            NodeMunicipality.objects.get_or_create(
                node=node, municipality_id=code, defaults={"node_kind": node.kind, "joined_on": JOINED}
            )
    Municipality.objects.filter(node_municipalities__isnull=False, is_member=False).update(
        is_member=True, member_since=JOINED
    )
    _territories("52001", PASTO_COMUNAS, PASTO_CORREGIMIENTOS)
    _territories("68081", BARRANCA_COMUNAS, BARRANCA_CORREGIMIENTOS)
    organisations = _organisations(nodes)

    now = timezone.now()
    secretaria = _account(ACCOUNTS[0][0], ACCOUNTS[0][1])
    if not Membership.objects.active().filter(user=secretaria, role=Role.SECRETARIAT).exists():
        bootstrap = Membership.objects.create(user=secretaria, role=Role.SECRETARIAT, granted_at=now)
        audit_record(
            actor=None,
            action="nodes.membership_granted",
            subject=subject_of(bootstrap),
            data={"user": secretaria.pk, "role": Role.SECRETARIAT, "demo": True},
        )
    for email, name, role, scope, _description in ACCOUNTS[1:]:
        user = _account(email, name)
        scope_kwargs: dict[str, object] = {}
        if role == Role.COORDINATOR:
            scope_kwargs["node"] = nodes[str(scope)]
        elif str(scope).startswith("org:"):
            scope_kwargs["organisation"] = organisations[str(scope)[4:]]
        else:
            scope_kwargs["municipality"] = Municipality.objects.get(code=scope)
        if not Membership.objects.active().filter(user=user, role=role, **scope_kwargs).exists():
            membership_grant(actor=secretaria, user=user, role=role, now=now, **scope_kwargs)  # type: ignore[arg-type]
    load_activities()
    return [(email, description) for email, _name, _role, _scope, description in ACCOUNTS]
