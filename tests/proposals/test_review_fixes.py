"""Problems found in review: each now refused with a message (or handled), never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from accounts.services import user_delete
from cycles.models import Phase
from nodes.models import Organisation
from proposals.models import Proposal, Status, Support
from proposals.review import proposal_merge
from proposals.services import ProposalInput, proposal_create, proposal_update, proposal_withdraw, support_add
from tests.cycles.factories import make_cycle
from tests.nodes.factories import MembershipFactory, OrganisationFactory, municipality
from tests.proposals.factories import citizen, proposal_in, unit_of

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def data(**overrides) -> ProposalInput:
    fields = {"title": "Parque", "summary": "Juegos para los niños.", "estimated_cost": 1_000_000}
    return ProposalInput(**{**fields, **overrides})


@pytest.fixture
def cycle():
    return make_cycle("52001", methodology="bogota", published=True, start=TODAY - timedelta(days=5))


def test_withdrawing_a_draft_deletes_it(cycle):
    author = citizen()
    draft = proposal_create(
        actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=False, now=timezone.now()
    )
    proposal_withdraw(actor=author, proposal=draft, now=timezone.now())
    assert not Proposal.objects.filter(title="Parque").exists()


def test_a_viable_proposal_stays_on_the_ballot_once_voting_opened(cycle):
    author = citizen()
    proposal = proposal_in(cycle, unit_of(cycle), author=author, status=Status.VIABLE)
    Phase.objects.filter(cycle=cycle).exclude(kind="voting").delete()
    Phase.objects.filter(cycle=cycle, kind="voting").update(starts_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(ValidationError) as caught:
        proposal_withdraw(actor=author, proposal=proposal, now=timezone.now())
    assert caught.value.code == "voting_opened"
    assert Proposal.objects.get(pk=proposal.pk).status == Status.VIABLE


def test_a_huge_description_is_refused_on_its_field(cycle):
    with pytest.raises(ValidationError) as caught:
        proposal_create(
            actor=citizen(),
            cycle=cycle,
            unit=unit_of(cycle),
            data=data(description="x" * 2_000_000),
            submit=True,
            now=timezone.now(),
        )
    assert "description" in caught.value.error_dict
    assert not Proposal.objects.exists()


def test_only_active_organisations_of_the_municipality_are_named(cycle):
    author = citizen()
    elsewhere = OrganisationFactory(municipality=municipality("68081"))
    inactive = OrganisationFactory(municipality=municipality("52001"), active=False)
    for organisation in (elsewhere, inactive):
        with pytest.raises(ValidationError) as caught:
            proposal_create(
                actor=author,
                cycle=cycle,
                unit=unit_of(cycle),
                data=data(organisation=organisation),
                submit=True,
                now=timezone.now(),
            )
        assert "organisation" in caught.value.error_dict
    here = OrganisationFactory(municipality=municipality("52001"))
    proposal = proposal_create(
        actor=author, cycle=cycle, unit=unit_of(cycle), data=data(organisation=here), submit=True, now=timezone.now()
    )
    with pytest.raises(ValidationError):
        proposal_update(actor=author, proposal=proposal, data=data(organisation=inactive), now=timezone.now())
    assert Organisation.objects.filter(pk=here.pk).exists()


def test_a_support_outlives_a_deleted_account_so_the_count_stays_true():
    cycle = make_cycle("52001", methodology="bogota", published=True, start=TODAY - timedelta(days=5))
    Phase.objects.filter(cycle=cycle, kind="proposals").update(kind="proposals_and_supports")
    proposal = proposal_in(cycle, unit_of(cycle), status=Status.SUBMITTED)
    supporter = citizen()
    support_add(actor=supporter, proposal=proposal, now=timezone.now())
    user_delete(user=supporter, now=timezone.now())
    proposal.refresh_from_db()
    assert proposal.support_count == 1 == Support.objects.filter(proposal=proposal).count()


def test_merging_happens_only_during_the_feasibility_review(cycle):
    reviewer = MembershipFactory(role="reviewer", municipality=municipality("52001")).user
    into = proposal_in(cycle, unit_of(cycle), status=Status.VIABLE)
    duplicate = proposal_in(cycle, unit_of(cycle), status=Status.VIABLE)
    with pytest.raises(ValidationError) as caught:
        proposal_merge(actor=reviewer, duplicates=[duplicate], into=into, reason="Iguales", now=timezone.now())
    assert caught.value.code == "review_closed"
    assert Proposal.objects.get(pk=duplicate.pk).status == Status.VIABLE


@pytest.mark.parametrize("query", ["²", "%00", "a%00b", "9" * 30])
def test_the_merge_search_ignores_odd_input(client, cycle, query):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    reviewer = MembershipFactory(role="reviewer", municipality=municipality("52001")).user
    TOTP.activate(reviewer, generate_totp_secret())
    client.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
    target = proposal_in(cycle, unit_of(cycle), status=Status.IN_REVIEW)
    url = reverse("proposals-manage:merge", kwargs={"pk": target.pk})
    assert client.get(f"{url}?q={query}").status_code == 200


def test_proposing_is_rate_limited_per_person_and_the_refusal_saves_nothing(cycle, monkeypatch):
    from proposals import services

    monkeypatch.setattr(services, "PROPOSALS_PER_HOUR", 1)
    author = citizen()
    proposal_create(actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=timezone.now())
    with pytest.raises(ValidationError) as caught:
        proposal_create(
            actor=author, cycle=cycle, unit=unit_of(cycle), data=data(title="Otra"), submit=True, now=timezone.now()
        )
    assert caught.value.code == "rate_limited"
    assert Proposal.objects.filter(author=author).count() == 1
    other = citizen()  # the limit is per person
    proposal_create(actor=other, cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=timezone.now())


def test_supporting_is_rate_limited_per_person(monkeypatch):
    from proposals import services

    monkeypatch.setattr(services, "SUPPORTS_PER_MINUTE", 1)
    cycle = make_cycle("52001", methodology="bogota", published=True, start=TODAY - timedelta(days=5))
    Phase.objects.filter(cycle=cycle, kind="proposals").update(kind="proposals_and_supports")
    first, second = (proposal_in(cycle, unit_of(cycle), status=Status.SUBMITTED) for _ in range(2))
    supporter = citizen()
    support_add(actor=supporter, proposal=first, now=timezone.now())
    with pytest.raises(ValidationError) as caught:
        support_add(actor=supporter, proposal=second, now=timezone.now())
    assert caught.value.code == "rate_limited"
    second.refresh_from_db()
    assert second.support_count == 0 and not Support.objects.filter(proposal=second).exists()


def test_an_author_who_no_longer_qualifies_cannot_change_the_proposal(cycle):
    from django.core.exceptions import PermissionDenied

    author = citizen()
    proposal = proposal_create(
        actor=author, cycle=cycle, unit=unit_of(cycle), data=data(), submit=True, now=timezone.now()
    )
    author.identity.municipality_code = "68081"  # moved to Barrancabermeja
    author.identity.save()
    with pytest.raises(PermissionDenied):
        proposal_update(actor=author, proposal=proposal, data=data(title="Cambiada"), now=timezone.now())
    assert Proposal.objects.get(pk=proposal.pk).title == "Parque"
