"""The demo network loads, is idempotent, and gives every role a demo account."""

import pytest

from accounts.models import AuditEntry, User
from nodes import demo
from nodes.models import Membership, Municipality, Node, Organisation, Territory

pytestmark = pytest.mark.django_db


def test_demo_load_builds_the_network_and_is_idempotent():
    accounts = demo.load()
    counts = (
        Node.objects.count(),
        Municipality.objects.filter(is_member=True).count(),
        Organisation.objects.count(),
        Territory.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )
    assert counts[0] == 7
    assert 90 <= counts[1] <= 110
    assert 50 <= counts[2] <= 70
    assert Territory.objects.filter(municipality_id="52001").count() == 29
    assert Territory.objects.filter(municipality_id="68081").count() == 13
    assert Organisation.objects.filter(sits_on_secretariat=True).count() == 7
    assert {role for role, _label in Membership._meta.get_field("role").choices} == set(
        Membership.objects.values_list("role", flat=True)
    )
    assert all(User.objects.get(email=email).has_perm("accounts.access_management") for email, _d in accounts)
    demo.load()
    assert counts == (
        Node.objects.count(),
        Municipality.objects.filter(is_member=True).count(),
        Organisation.objects.count(),
        Territory.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )
