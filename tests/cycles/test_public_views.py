"""The public pages of budget cycles: the list and its filters, a cycle's page
(drafts hidden, timeline, what a citizen can do, envelopes), assemblies and the
scan of their minutes; user text escaped; a fixed number of queries."""

from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.formats import date_format

from cycles.allocation import cycle_units_set, envelopes_set_fixed
from cycles.models import Assembly, AssemblyDecision, CycleTerritory, Delegate, PhaseChange
from cycles.schedule import PhaseInput, phase_add
from cycles.services import cycle_publish
from tests.cycles.conftest import make_actor
from tests.cycles.factories import at, make_cycle, secretariat
from tests.nodes.factories import MembershipFactory, NodeFactory

pytestmark = pytest.mark.django_db

LIST = reverse_lazy("cycles:cycle-list")  # /en/ciclos/ inside the tests (see below)


@pytest.fixture(autouse=True)
def default_language():
    """Pages in English (/en/...), so that tests read the source strings; afterwards the
    default again, so that later tests do not inherit English."""
    translation.activate("en")
    yield
    translation.activate(settings.LANGUAGE_CODE)


def detail(cycle):
    return reverse("cycles:cycle-detail", kwargs={"pk": cycle.pk})


def listed(response) -> list[str]:
    return [cycle.title for cycle in response.context["page"]]


def an_assembly(cycle, **fields) -> Assembly:
    values = {
        "unit": cycle.units.order_by("position").first(),
        "kind": "cabildo",
        "held_at": timezone.now(),
        "place": "Salón comunal",
        "recorded_at": timezone.now(),
        **fields,
    }
    return Assembly.objects.create(cycle=cycle, **values)


def assembly_url(name, assembly, cycle=None):
    return reverse(f"cycles:{name}", kwargs={"pk": (cycle or assembly.cycle).pk, "assembly_pk": assembly.pk})


# --- The list ---------------------------------------------------------------------------


@pytest.fixture
def network(scene):
    """Three published cycles that differ in every filter, and a draft."""
    actor = secretariat()
    running = make_cycle(scene.own_municipality, title="Pasto 2027", published=True, actor=actor)
    upcoming = make_cycle(
        scene.other_municipality,
        title="Barrancabermeja 2027",
        methodology="barrancabermeja",
        start=timezone.localdate() + timedelta(days=30),
        published=True,
        actor=actor,
        convener_kind="organisation",
        convener_organisation=scene.other_organisation,
    )
    finished = make_cycle(
        scene.own_municipality,
        title="Pasto 2024",
        methodology="pasto",
        start=timezone.localdate() - timedelta(days=800),
        published=True,
        actor=actor,
    )
    finished.fiscal_year = 2024
    finished.save(update_fields=["fiscal_year"])
    make_cycle(scene.own_municipality, title="Borrador secreto", actor=actor)
    return running, upcoming, finished


def test_the_list_shows_published_cycles_with_their_figures(client, network):
    response = client.get(LIST)
    assert sorted(listed(response)) == ["Barrancabermeja 2027", "Pasto 2024", "Pasto 2027"]
    html = response.content.decode()
    assert "Borrador secreto" not in html
    assert "$ 3,000,000,000" in html
    assert "Pasto (Nariño)" in html
    assert "Medellín: planning and voting by territory" in html
    assert "3 territories" in html
    assert "2027" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"departamento": "68"}, ["Barrancabermeja 2027"]),
        ({"vigencia": "2024"}, ["Pasto 2024"]),
        ({"metodologia": "barrancabermeja"}, ["Barrancabermeja 2027"]),
        ({"estado": "running"}, ["Pasto 2027"]),
        ({"estado": "upcoming"}, ["Barrancabermeja 2027"]),
        ({"estado": "finished"}, ["Pasto 2024"]),
        ({"departamento": "52", "vigencia": "2027"}, ["Pasto 2027"]),
    ],
)
def test_each_filter_of_the_list_narrows_it(client, network, query, expected):
    assert sorted(listed(client.get(LIST, query))) == expected


def test_the_list_filters_by_node(client, network, scene):
    assert listed(client.get(LIST, {"nodo": scene.other_node.slug})) == ["Barrancabermeja 2027"]
    assert sorted(listed(client.get(LIST, {"nodo": scene.own_node.slug}))) == ["Pasto 2024", "Pasto 2027"]
    assert listed(client.get(LIST, {"nodo": NodeFactory().slug})) == []


def test_unknown_filters_and_pages_do_not_fail(client, network):
    response = client.get(LIST, {"metodologia": "nope", "estado": "<x>", "vigencia": "abc", "pagina": "999"})
    assert response.status_code == 200
    assert len(listed(response)) == 3


def test_the_list_pages_and_costs_the_same_queries_for_thirty_cycles(client, django_assert_max_num_queries):
    actor = secretariat()
    for number in range(30):
        make_cycle(title=f"Ciclo {number:02d}", published=True, actor=actor)
    with django_assert_max_num_queries(4):
        first = client.get(LIST)
    assert len(listed(first)) == 20
    assert 'rel="next"' in first.content.decode()
    with django_assert_max_num_queries(4):
        second = client.get(LIST, {"pagina": 2})
    assert len(listed(second)) == 10


# --- A cycle's page: who sees it ----------------------------------------------------------


@pytest.fixture
def draft(scene):
    return make_cycle(scene.own_municipality, title="Borrador 2027")


@pytest.mark.parametrize("role", ["plain_user", "reviewer", "monitor"])
def test_a_draft_does_not_exist_for_citizens_and_people_without_a_managing_role(client, scene, draft, role):
    assert client.get(detail(draft)).status_code == 404
    client.force_login(make_actor(role, scene))
    assert client.get(detail(draft)).status_code == 404


def test_a_draft_does_not_exist_for_the_managers_of_another_municipality(client, scene, draft):
    client.force_login(MembershipFactory(role="manager", municipality=scene.other_municipality).user)
    assert client.get(detail(draft)).status_code == 404


@pytest.mark.parametrize("role", ["manager", "coordinator", "secretariat"])
def test_its_managers_preview_a_draft_with_a_banner(client, scene, draft, role):
    client.force_login(make_actor(role, scene))
    response = client.get(detail(draft))
    assert response.status_code == 200
    assert "Draft, not public." in response.content.decode()


def test_a_published_cycle_is_public_without_the_draft_banner(client, scene):
    cycle = make_cycle(scene.own_municipality, published=True)
    response = client.get(detail(cycle))
    assert response.status_code == 200
    assert "Draft, not public." not in response.content.decode()


def test_an_unknown_cycle_is_404(client):
    assert client.get(reverse("cycles:cycle-detail", kwargs={"pk": 999999})).status_code == 404


# --- Timeline and what a citizen can do ------------------------------------------------------


def running_titles(response) -> list[str]:
    return [entry.phase.title for entry in response.context["timeline"] if entry.running]


def test_the_timeline_marks_the_phase_running_today(client):
    cycle = make_cycle(published=True)  # started 10 days ago: local planning (30 days) is running
    response = client.get(detail(cycle))
    assert running_titles(response) == ["Local planning"]
    html = response.content.decode()
    assert html.count('aria-current="step"') == 1
    current = html.split('aria-current="step"')[1].split("</li>")[0]
    assert "Local planning" in current and "Now" in current


@time_machine.travel(at("2027-03-05", 12), tick=False)
def test_the_timeline_follows_the_clock(client):
    cycle = make_cycle(start=date(2027, 1, 1), published=True)  # feasibility: 2 March – 23 March
    assert running_titles(client.get(detail(cycle))) == ["Feasibility"]


def test_a_moved_phase_says_when_and_why(client):
    cycle = make_cycle(published=True)
    phase = cycle.phases.order_by("starts_at")[1]
    PhaseChange.objects.create(
        phase=phase,
        old_starts_at=phase.starts_at - timedelta(days=2),
        old_ends_at=phase.ends_at - timedelta(days=2),
        new_starts_at=phase.starts_at,
        new_ends_at=phase.ends_at,
        reason="the rains cut the roads",
        changed_at=timezone.now(),
    )
    html = client.get(detail(cycle)).content.decode()
    assert "Reason: the rains cut the roads" in html


@pytest.fixture
def territorial_vote():
    """A published cycle whose phases start in 100 days, except a vote running now in the first comuna only."""
    actor = secretariat()
    cycle = make_cycle(start=timezone.localdate() + timedelta(days=100), actor=actor)
    first, second = list(cycle.units.order_by("position"))[:2]
    ends = timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0) + timedelta(days=3)
    phase_add(
        actor=actor,
        cycle=cycle,
        data=PhaseInput(kind="voting", starts_at=timezone.now() - timedelta(days=1), ends_at=ends, units=[first]),
    )
    cycle_publish(actor=actor, cycle=cycle)
    return cycle, first, second, ends


def test_what_a_citizen_can_do_depends_on_the_territory_chosen(client, territorial_vote):
    cycle, first, second, ends = territorial_vote
    response = client.get(detail(cycle), {"territorio": first.pk})
    vote = next(a for a in response.context["actions"] if a.capability == "vote")
    assert vote.until == ends
    html = response.content.decode()
    assert f"until {date_format(timezone.localtime(ends), 'DATETIME_FORMAT')}" in html
    assert 'aria-current="step"' in html

    elsewhere = client.get(detail(cycle), {"territorio": second.pk})
    vote = next(a for a in elsewhere.context["actions"] if a.capability == "vote")
    assert vote.until is None and vote.opens_at > ends  # the city-wide vote, later on
    opens = date_format(timezone.localtime(vote.opens_at), "DATE_FORMAT")
    assert f"opens {opens}" in elsewhere.content.decode()


def test_without_a_territory_the_page_asks_for_one(client, territorial_vote):
    cycle, first, _second, _ends = territorial_vote
    html = client.get(detail(cycle), {"territorio": "not-a-number"}).content.decode()
    assert 'name="territorio"' in html
    assert "choose yours" in html
    assert f'value="{first.pk}"' in html


# --- Envelopes ----------------------------------------------------------------------------


def test_envelopes_show_as_a_chart_and_a_table_with_the_unassigned_amount(client, scene):
    actor = secretariat()
    cycle = make_cycle(scene.own_municipality, total=1_000_000_000, actor=actor)
    cycle_units_set(actor=actor, cycle=cycle, territories=[u.territory for u in cycle.units.all()], citywide=True)
    units = list(cycle.units.order_by("position"))
    citywide = next(u for u in units if u.is_citywide)
    comunas = [u for u in units if not u.is_citywide]
    amounts = {comunas[0].pk: 400_000_000, comunas[1].pk: 200_000_000, comunas[2].pk: 100_000_000}
    envelopes_set_fixed(actor=actor, cycle=cycle, amounts={**amounts, citywide.pk: 100_000_000})
    CycleTerritory.objects.filter(pk=comunas[0].pk).update(population=12345)
    cycle_publish(actor=actor, cycle=cycle)

    html = client.get(detail(cycle)).content.decode()
    chart = html.split("<svg")[1].split("</svg>")[0]
    assert 'width="100.0%"' in chart  # the largest envelope
    assert 'width="50.0%"' in chart  # half of it
    assert 'width="25.0%"' in chart  # the city-wide envelope, and what is left unassigned
    assert "style=" not in chart
    assert "<title" in chart and "<desc" in chart
    table = html.split("<table")[1].split("</table>")[0]
    assert "$ 400,000,000" in table and "40.0 %" in table
    assert "Whole municipality (city-wide)" in table
    assert "Not assigned yet" in table and "$ 200,000,000" in table
    assert "12345" in table
    assert "$ 1,000,000,000" in table


# --- Assemblies ---------------------------------------------------------------------------


def test_an_assembly_page_shows_attendance_decisions_and_delegates(client):
    cycle = make_cycle(published=True)
    assembly = an_assembly(cycle, attendance=120, women=70, men=48, other_gender=2, age_60_plus=15)
    AssemblyDecision.objects.create(assembly=assembly, rank=1, item="Polideportivo", votes=80, amount=150_000_000)
    Delegate.objects.create(
        cycle=cycle,
        unit=assembly.unit,
        assembly=assembly,
        name="Rosa Erazo",
        term_start=date(2027, 1, 1),
        term_end=date(2027, 12, 31),
    )
    html = client.get(assembly_url("assembly-detail", assembly)).content.decode()
    assert "120 people attended." in html
    assert "Women: 70" in html and "60 years or more: 15" in html
    assert "Polideportivo" in html and "$ 150,000,000" in html
    assert "Rosa Erazo" in html
    assert assembly_url("assembly-scan", assembly) not in html  # no scan, no link
    cycle_html = client.get(detail(cycle)).content.decode()
    assert assembly_url("assembly-detail", assembly) in cycle_html
    assert "Rosa Erazo" in cycle_html


def test_an_assembly_of_another_cycle_is_404(client):
    actor = secretariat()
    cycle, other = make_cycle(published=True, actor=actor), make_cycle(published=True, title="Otro", actor=actor)
    assembly = an_assembly(other)
    assert client.get(assembly_url("assembly-detail", assembly, cycle=cycle)).status_code == 404
    assert client.get(assembly_url("assembly-scan", assembly, cycle=cycle)).status_code == 404
    assert client.get(assembly_url("assembly-detail", assembly)).status_code == 200


def test_an_assembly_of_a_draft_is_404_for_citizens(client):
    assembly = an_assembly(make_cycle())
    assert client.get(assembly_url("assembly-detail", assembly)).status_code == 404


def test_the_scan_downloads_as_an_attachment_with_its_recorded_type(client):
    assembly = an_assembly(make_cycle(published=True), minutes_scan_type="application/pdf")
    assembly.minutes_scan_name = "acta cabildo comuna 1.pdf"
    assembly.minutes_scan.save("x.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    response = client.get(assembly_url("assembly-scan", assembly))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "acta cabildo comuna 1.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        assembly_url("assembly-scan", assembly)
        in client.get(assembly_url("assembly-detail", assembly)).content.decode()
    )


def test_no_scan_is_404(client):
    assembly = an_assembly(make_cycle(published=True))
    assert client.get(assembly_url("assembly-scan", assembly)).status_code == 404


# --- Escaping, languages, queries ------------------------------------------------------------


def test_user_text_is_escaped(client):
    cycle = make_cycle(title="<script>alert(1)</script>", published=True)
    assembly = an_assembly(cycle, place="<b>x</b>", minutes="Línea 1\n<script>alert(2)</script>")
    html = client.get(detail(cycle)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in html
    html = client.get(assembly_url("assembly-detail", assembly)).content.decode()
    assert "<script>alert(2)</script>" not in html
    assert "Línea 1<br>&lt;script&gt;alert(2)&lt;/script&gt;" in html
    listing = client.get(LIST).content.decode()
    assert "<script>alert(1)</script>" not in listing


@time_machine.travel(at("2027-01-15", 12), tick=False)
def test_pages_speak_english_under_en_and_spanish_dates_by_default(client):
    cycle = make_cycle(start=date(2027, 1, 1), published=True)
    with translation.override("en"):
        url = detail(cycle)
        list_url = reverse("cycles:cycle-list")
    with translation.override("es-co"):
        spanish_url = detail(cycle)
    assert url.startswith("/en/")
    english = client.get(url).content.decode()
    assert '<html lang="en">' in english
    assert "What you can do now" in english
    assert "Jan. 1, 2027" in english
    assert client.get(list_url).status_code == 200
    spanish = client.get(spanish_url).content.decode()
    assert '<html lang="es-co">' in spanish
    assert "1 de enero de 2027" in spanish.lower()


def test_the_manage_link_shows_only_to_its_managers(client, scene):
    cycle = make_cycle(scene.own_municipality, published=True)
    assert "Manage this cycle" not in client.get(detail(cycle)).content.decode()
    client.force_login(make_actor("plain_user", scene))
    assert "Manage this cycle" not in client.get(detail(cycle)).content.decode()
    client.force_login(make_actor("manager", scene))
    html = client.get(detail(cycle)).content.decode()
    assert "Manage this cycle" in html
    assert reverse("cycles-manage:cycle-review", kwargs={"pk": cycle.pk}) in html


def make_busy(cycle, *, assemblies: int) -> None:
    """Assemblies with decisions, delegates, a moved phase and a territorial phase: what could cost a query each."""
    units = list(cycle.units.all())
    for number in range(assemblies):
        assembly = an_assembly(cycle, unit=units[number % len(units)], title=f"Cabildo {number}")
        AssemblyDecision.objects.create(assembly=assembly, rank=1, item="Vía")
        Delegate.objects.create(
            cycle=cycle,
            unit=units[number % len(units)],
            assembly=assembly,
            name=f"Delegada {number}",
            term_start=date(2027, 1, 1),
            term_end=date(2027, 12, 31),
        )
    for phase in cycle.phases.all()[:assemblies]:
        PhaseChange.objects.create(
            phase=phase,
            old_starts_at=phase.starts_at,
            old_ends_at=phase.ends_at,
            new_starts_at=phase.starts_at,
            new_ends_at=phase.ends_at,
            reason="lluvias",
            changed_at=timezone.now(),
        )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_a_cycle_page_costs_the_same_queries_however_big_the_cycle(client, territorial_vote):
    small = make_cycle(published=True, title="Pequeño")
    make_busy(small, assemblies=1)
    big, *_ = territorial_vote
    make_busy(big, assemblies=6)
    assert count_queries(client, detail(big)) == count_queries(client, detail(small))
    manager = secretariat()
    client.force_login(manager)
    assert count_queries(client, detail(big)) == count_queries(client, detail(small))


def test_a_cycle_page_stays_within_its_query_budget(client, territorial_vote, django_assert_max_num_queries):
    cycle, *_ = territorial_vote
    make_busy(cycle, assemblies=6)
    with django_assert_max_num_queries(10):  # 8 for the cycle, 2 for the ballot chain's head and waiting ballots
        client.get(detail(cycle))


def test_an_assembly_page_costs_the_same_queries_whatever_it_holds(client):
    cycle = make_cycle(published=True)
    empty = an_assembly(cycle)
    make_busy(cycle, assemblies=3)
    full = Assembly.objects.exclude(pk=empty.pk).first()
    assert count_queries(client, assembly_url("assembly-detail", full)) == count_queries(
        client, assembly_url("assembly-detail", empty)
    )


def test_the_list_narrows_to_one_municipality_as_linked_from_its_page(client):
    from tests.cycles.factories import make_cycle

    make_cycle("52001", published=True, title="Pasto decide")
    make_cycle("68081", published=True, title="Barranca decide")
    page = client.get(reverse("cycles:cycle-list") + "?municipio=52001").content.decode()
    assert "Pasto decide" in page and "Barranca decide" not in page
    municipality_page = client.get(reverse("nodes:municipality-detail", kwargs={"code": "52001"})).content.decode()
    assert reverse("cycles:cycle-list") + "?municipio=52001" in municipality_page


def test_a_phase_ending_at_midnight_is_open_until_its_last_whole_day(client):
    cycle = make_cycle(published=True, start=timezone.localdate() - timedelta(days=35))  # Medellín: proposals now
    proposals = next(a for a in client.get(detail(cycle)).context["actions"] if a.capability == "propose")
    last_day = (timezone.localtime(proposals.until) - timedelta(days=1)).date()
    html = client.get(detail(cycle)).content.decode()
    assert f"until {date_format(last_day, 'DATE_FORMAT')} (included)" in html


@pytest.mark.parametrize(
    ("methodology", "decided_by", "words"),
    [
        ("pasto", "assembly", "Come to your territory&#x27;s assembly (cabildo): it decides"),
        ("barrancabermeja", "delegates", "Your territory&#x27;s delegates decide"),
    ],
)
def test_where_an_assembly_or_delegates_decide_the_page_does_not_invite_citizens_to_vote(
    client, methodology, decided_by, words
):
    from cycles.models import Phase

    cycle = make_cycle(
        methodology=methodology,
        published=True,
        start=timezone.localdate() - timedelta(days=200),
        convener_kind="municipal_government",
    )
    vote_phase = Phase.objects.get(cycle=cycle, kind="assembly_decision")
    Phase.objects.filter(cycle=cycle).exclude(pk=vote_phase.pk).delete()
    Phase.objects.filter(pk=vote_phase.pk).update(
        starts_at=timezone.now() - timedelta(days=1), ends_at=timezone.now() + timedelta(days=1)
    )
    assert cycle.voting.decided_by == decided_by
    html = client.get(detail(cycle)).content.decode()
    assert words in html
