"""Granting and revoking roles: the entitlement matrix (every acting role ×
every role granted × own scope vs another scope), audit entries, and the
database's own guards."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from accounts.models import AuditEntry
from nodes.models import Membership
from nodes.services import membership_grant, membership_revoke
from tests.factories import UserFactory
from tests.nodes.conftest import ACTOR_ROLES
from tests.nodes.factories import MembershipFactory

pytestmark = pytest.mark.django_db

# (role granted, scope kind, own/other)
TARGETS = [
    ("secretariat", None, None),
    ("coordinator", "node", "own"),
    ("coordinator", "node", "other"),
    ("manager", "organisation", "own"),
    ("manager", "organisation", "other"),
    *[
        (role, "municipality", side)
        for role in ("manager", "reviewer", "station_officer", "monitor")
        for side in ("own", "other")
    ],
]


def entitled(actor_role: str, target: tuple) -> bool:
    """The issue's rule: secretariat grants everything; coordinators manager,
    reviewer, station officer, monitor inside their node; municipal managers
    reviewer, station officer, monitor in their municipality; nobody else anything."""
    role, _scope, side = target
    if actor_role == "secretariat":
        return True
    if actor_role == "coordinator":
        return role != "secretariat" and role != "coordinator" and side == "own"
    if actor_role == "manager":
        return role in ("reviewer", "station_officer", "monitor") and side == "own"
    return False


def scope_kwargs(scene, target: tuple) -> dict:
    _role, scope, side = target
    if scope is None:
        return {}
    return {scope: getattr(scene, f"{side}_{scope}")}


@pytest.mark.parametrize("actor_role", ACTOR_ROLES)
@pytest.mark.parametrize("target", TARGETS, ids=lambda t: "-".join(str(part) for part in t if part))
def test_membership_grant_and_revoke_follow_the_entitlement_matrix(scene, actor_for, actor_role, target):
    actor = actor_for(actor_role)
    grantee = UserFactory()
    kwargs = scope_kwargs(scene, target)
    audit_before = AuditEntry.objects.count()
    if entitled(actor_role, target):
        membership = membership_grant(actor=actor, user=grantee, role=target[0], **kwargs)
        assert membership.granted_by == actor
        granted = AuditEntry.objects.get(action="nodes.membership_granted", subject=f"nodes.membership:{membership.pk}")
        assert granted.actor_id == actor.pk
        assert granted.data["role"] == target[0]
        membership_revoke(actor=actor, membership=membership)
        membership.refresh_from_db()
        assert membership.revoked_at is not None
        assert membership.revoked_by == actor
        assert AuditEntry.objects.filter(
            action="nodes.membership_revoked", subject=f"nodes.membership:{membership.pk}", actor_id=actor.pk
        ).exists()
    else:
        with pytest.raises(PermissionDenied):
            membership_grant(actor=actor, user=grantee, role=target[0], **kwargs)
        assert not Membership.objects.filter(user=grantee).exists()
        existing = MembershipFactory(user=grantee, role=target[0], **kwargs)
        with pytest.raises(PermissionDenied):
            membership_revoke(actor=actor, membership=existing)
        existing.refresh_from_db()
        assert existing.revoked_at is None
        assert AuditEntry.objects.count() == audit_before


def test_revoked_membership_stays_and_cannot_be_revoked_twice(scene, actor_for):
    secretariat = actor_for("secretariat")
    membership = membership_grant(
        actor=secretariat, user=UserFactory(), role="monitor", municipality=scene.own_municipality
    )
    membership_revoke(actor=secretariat, membership=membership)
    with pytest.raises(ValidationError) as refused:
        membership_revoke(actor=secretariat, membership=membership)
    assert refused.value.code == "already_revoked"
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_same_active_grant_is_refused_but_can_be_granted_again_after_revocation(scene, actor_for):
    secretariat, grantee = actor_for("secretariat"), UserFactory()
    first = membership_grant(actor=secretariat, user=grantee, role="reviewer", municipality=scene.own_municipality)
    with pytest.raises(ValidationError) as refused:
        membership_grant(actor=secretariat, user=grantee, role="reviewer", municipality=scene.own_municipality)
    assert refused.value.code == "already_granted"
    membership_revoke(actor=secretariat, membership=first)
    again = membership_grant(actor=secretariat, user=grantee, role="reviewer", municipality=scene.own_municipality)
    assert again.pk != first.pk
    assert Membership.objects.filter(user=grantee).count() == 2


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("secretariat", "municipality"),
        ("coordinator", None),
        ("coordinator", "municipality"),
        ("manager", None),
        ("manager", "node"),
        ("reviewer", "organisation"),
        ("monitor", None),
    ],
)
def test_membership_grant_refuses_a_scope_that_does_not_fit_the_role(scene, actor_for, role, scope):
    kwargs = {scope: getattr(scene, f"own_{scope}")} if scope else {}
    with pytest.raises(ValidationError) as refused:
        membership_grant(actor=actor_for("secretariat"), user=UserFactory(), role=role, **kwargs)
    assert refused.value.code == "invalid_scope"


def test_database_refuses_scope_mismatch_and_duplicate_active_grant(scene):
    person = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=person, role="reviewer", node=scene.own_node)
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(
            user=person, role="manager", municipality=scene.own_municipality, organisation=scene.own_organisation
        )
    MembershipFactory(user=person, role="secretariat")
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(user=person, role="secretariat")


@pytest.mark.parametrize("role", [*ACTOR_ROLES[:-1]])
def test_every_role_reaches_management_and_plain_users_do_not(actor_for, role):
    assert actor_for(role).has_perm("accounts.access_management")


def test_plain_user_and_revoked_roles_do_not_reach_management(scene, actor_for):
    assert not actor_for("plain_user").has_perm("accounts.access_management")
    secretariat = actor_for("secretariat")
    person = UserFactory()
    membership = membership_grant(actor=secretariat, user=person, role="monitor", municipality=scene.own_municipality)
    assert person.has_perm("accounts.access_management")
    membership_revoke(actor=secretariat, membership=membership)
    assert not person.has_perm("accounts.access_management")


def test_superuser_can_grant_the_first_secretariat(scene):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    membership = membership_grant(actor=superuser, user=UserFactory(), role="secretariat")
    assert membership.is_active
