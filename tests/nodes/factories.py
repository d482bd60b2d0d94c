"""Factories of the network registry. Municipalities and departments come
from the DIVIPOLA data migration: look them up, do not create them."""

import factory
from django.utils import timezone

from nodes.models import Membership, Municipality, Node, NodeKind, Organisation, OrganisationKind, Territory
from tests.factories import UserFactory


def municipality(code: str) -> Municipality:
    return Municipality.objects.get(code=code)


class NodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Node

    name = factory.Sequence(lambda n: f"Nodo {n}")
    slug = factory.Sequence(lambda n: f"nodo-{n}")
    kind = NodeKind.TERRITORIAL


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organización {n}")
    kind = OrganisationKind.SOCIAL


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    municipality = factory.LazyFunction(lambda: municipality("52001"))
    code = factory.Sequence(lambda n: f"T{n:03d}")
    name = factory.Sequence(lambda n: f"Comuna {n}")
    kind = "comuna"


class MembershipFactory(factory.django.DjangoModelFactory):
    """A grant written directly (no permission check, no audit): for setting the scene."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "secretariat"
    granted_at = factory.LazyFunction(timezone.now)
