"""Server time and queries of the proposal list of a cycle with 10,000 proposals.

Run by hand (not collected by pytest), against a migrated database:

    DATABASE_URL=$(.venv/bin/python -m redplypp.launcher db-url) DJANGO_ALLOW_INSECURE_KEYS=1 \
        .venv/bin/python tests/bench/bench_proposal_list.py

The first run adds, once, a published Medellín cycle "Banco de pruebas: 10.000 propuestas"
over 21 territories (its comunas and corregimientos are added if missing) with 10,000
proposals with Spanish titles and summaries (about 5 % drafts, which the list never
shows), written with one bulk insert and one UPDATE for the search vectors; later runs
find it and only measure. Times the selector (a page of 20 and the count the paginator
asks for) and, when the URL ``proposals:proposal-list`` exists, the whole page through
Django's test client: median and 95th percentile in ms and the query count.
The issue's target: a constant number of queries and under 100 ms server time.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redplypp.settings")
os.environ.setdefault("DJANGO_STATIC_COMPRESS", "false")

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.postgres.search import SearchVector  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from cycles.allocation import envelopes_apply_formula  # noqa: E402
from cycles.demo import MEDELLIN, MEDELLIN_TERRITORIES  # noqa: E402
from cycles.models import Cycle  # noqa: E402
from cycles.services import cycle_create, cycle_publish  # noqa: E402
from nodes.models import Membership, Municipality, Role, Territory  # noqa: E402
from proposals.models import Proposal, Sector, Status  # noqa: E402
from proposals.selectors import ProposalFilters, proposal_list  # noqa: E402
from proposals.services import SEARCH_CONFIG  # noqa: E402

TITLE = "Banco de pruebas: 10.000 propuestas"
COUNT = 10_000
PAGE = 20
ROUNDS = 50

WORKS = [
    "Pavimentación de la vía", "Mejoramiento del parque", "Dotación de la biblioteca", "Construcción de la cancha",
    "Adecuación del salón comunal", "Huerta comunitaria", "Alumbrado público", "Escuela de música",
    "Dotación del puesto de salud", "Senderos peatonales", "Reforestación de la quebrada", "Gimnasio al aire libre",
    "Becas de educación superior", "Emprendimiento de mujeres", "Cámaras de seguridad", "Acueducto veredal",
    "Mejoramiento de vivienda", "Festival de cultura", "Escenario deportivo", "Ludoteca infantil",
]  # fmt: skip
PLACES = [
    "del barrio La Esperanza", "de la vereda El Carmen", "del sector Las Palmas", "de la Institución Educativa",
    "del barrio San José", "de la vereda La Loma", "junto a la quebrada", "del barrio Villa del Río",
    "del centro de salud", "de la plaza principal", "del barrio El Triunfo", "de la vereda Santa Rita",
]  # fmt: skip
WHO = [
    "para los niños y las niñas", "para los adultos mayores", "para los jóvenes del sector",
    "para las familias campesinas", "para las mujeres cabeza de hogar", "para toda la comunidad",
]  # fmt: skip
WHY = [
    "Hoy no hay un espacio seguro y la comunidad lo pide desde hace años.",
    "Mejora la movilidad y el acceso a los servicios en época de lluvias.",
    "Fortalece la convivencia y la participación de la junta de acción comunal.",
    "Reduce los riesgos de salud y mejora la calidad de vida del sector.",
    "Aprovecha un lote abandonado que hoy genera inseguridad.",
]
STATUSES = (
    [Status.SUBMITTED] * 30 + [Status.IN_REVIEW] * 25 + [Status.VIABLE] * 25 + [Status.NOT_VIABLE] * 10
    + [Status.WITHDRAWN] * 3 + [Status.NEEDS_CHANGES] * 2 + [Status.DRAFT] * 5
)  # fmt: skip


def _actor() -> User:
    user, _created = User.objects.get_or_create(email="banco.pruebas@bench.invalid", defaults={"name": "Banco"})
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    if not Membership.objects.filter(user=user, role=Role.SECRETARIAT).exists():
        Membership.objects.create(user=user, role=Role.SECRETARIAT, granted_at=timezone.now())
    return user


def _territories() -> None:
    medellin = Municipality.objects.get(code=MEDELLIN)
    codes = set(Territory.objects.filter(municipality=medellin).values_list("code", flat=True))
    for code, name, kind in MEDELLIN_TERRITORIES:
        if code not in codes:
            Territory.objects.create(municipality=medellin, code=code, name=name, kind=kind)


@transaction.atomic
def bench_cycle() -> Cycle:
    """The benchmark's cycle, made once."""
    existing = Cycle.objects.filter(municipality_id=MEDELLIN, title=TITLE).first()
    if existing is not None and existing.proposals.count() >= COUNT:
        return existing
    actor = _actor()
    if existing is None:
        _territories()
        existing = cycle_create(
            actor=actor,
            methodology="medellin",
            title=TITLE,
            fiscal_year=2027,
            total_amount=400_000_000_000,
            start_date=timezone.localdate() - timedelta(days=20),
            municipality=Municipality.objects.get(code=MEDELLIN),
        )
        envelopes_apply_formula(actor=actor, cycle=existing, weights=(100, 0, 0), rounding_unit=1_000_000)
        existing = cycle_publish(actor=actor, cycle=existing)
    cycle = existing
    units = [u for u in cycle.units.order_by("position", "pk") if not u.is_citywide]
    sectors = list(Sector.objects.all())
    rng = random.Random(2027)  # the same data on every machine
    now = timezone.now()
    rows = []
    for number in range(COUNT - cycle.proposals.count()):
        status = rng.choice(STATUSES)
        created = now - timedelta(minutes=rng.randrange(60 * 24 * 60))
        title = f"{rng.choice(WORKS)} {rng.choice(PLACES)}"
        located = rng.random() < 0.4
        rows.append(
            Proposal(
                cycle=cycle,
                unit=units[number % len(units)],
                title=title,
                summary=f"{title} {rng.choice(WHO)}. {rng.choice(WHY)}",
                description=f"{rng.choice(WHY)} {rng.choice(WHY)}",
                sector=rng.choice(sectors),
                estimated_cost=rng.randrange(20, 2_000) * 1_000_000,
                adjusted_cost=rng.randrange(20, 2_000) * 1_000_000 if status == Status.VIABLE else None,
                latitude=round(6.25 + rng.uniform(-0.1, 0.1), 6) if located else None,
                longitude=round(-75.57 + rng.uniform(-0.1, 0.1), 6) if located else None,
                status=status,
                support_count=int(rng.paretovariate(1.2)) - 1 if status != Status.DRAFT else 0,
                created_at=created,
                submitted_at=None if status == Status.DRAFT else created + timedelta(hours=1),
                updated_at=created,
            )
        )
    Proposal.objects.bulk_create(rows, batch_size=2_000)
    Proposal.objects.filter(cycle=cycle, search__isnull=True).update(
        search=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="C", config=SEARCH_CONFIG)
    )
    return cycle


def timed(call) -> tuple[float, float, int]:
    call()  # warm up
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        call()
        timings.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main() -> None:
    setup_test_environment()
    cycle = bench_cycle()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE proposals_proposal")
    units = [u for u in cycle.units.order_by("position", "pk") if not u.is_citywide]
    listed = proposal_list(cycle=cycle, filters=ProposalFilters()).count()
    last_page = (listed + PAGE - 1) // PAGE
    print(f"{cycle.title}: {cycle.proposals.count()} proposals ({listed} listed), {len(units)} territories")

    cases = {
        "no filter, by supports": (ProposalFilters(), 1, {}),
        "one territory": (ProposalFilters(unit=units[5].pk), 1, {"territorio": units[5].pk}),
        "text search 'parque'": (ProposalFilters(query="parque"), 1, {"q": "parque"}),
        "text search 'educacion' by relevance": (
            ProposalFilters(query="educacion", sort="relevance"),
            1,
            {"q": "educacion", "orden": "relevance"},
        ),
        "viable, by cost": (
            ProposalFilters(status=Status.VIABLE, sort="cost"),
            1,
            {"estado": "viable", "orden": "cost"},
        ),
        f"last page ({last_page})": (ProposalFilters(), last_page, {"pagina": last_page}),
    }

    def selector(filters: ProposalFilters, page: int):
        def call():
            proposals = proposal_list(cycle=cycle, filters=filters)
            total = proposals.count()
            offset = (page - 1) * PAGE
            return total, [
                (p.title, p.unit.name, p.sector and p.sector.name) for p in proposals[offset : offset + PAGE]
            ]

        return call

    print(f"\n{'selector (count + one page of 20)':45} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, (filters, page, _params) in cases.items():
        median, p95, queries = timed(selector(filters, page))
        print(f"{name:45} {median:10.1f} {p95:8.1f} {queries:8d}")

    try:
        url = reverse("proposals:proposal-list", kwargs={"cycle_pk": cycle.pk})
    except NoReverseMatch:
        print("\nNo URL proposals:proposal-list yet: page not measured.")
        return
    client = Client()

    def whole_page(params: dict):
        def call():
            response = client.get(url, params)
            assert response.status_code == 200, response.status_code
            return response

        return call

    print(f"\n{'whole page ' + url:45} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for name, (_filters, _page, params) in cases.items():
        median, p95, queries = timed(whole_page(params))
        print(f"{name:45} {median:10.1f} {p95:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
