"""``User.objects.get(pk=n)``, what every signed-in request asks, runs a statement compiled once."""

from __future__ import annotations

import pytest
from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def as_fields(user: User) -> dict[str, object]:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_get_by_pk_gives_the_same_user_as_the_queryset(django_assert_num_queries):
    person = UserFactory(name="Ana María Ríos", is_staff=True)
    with django_assert_num_queries(1):
        found = User.objects.get(pk=person.pk)
    assert as_fields(found) == as_fields(User.objects.filter(pk=person.pk).first())
    assert found._state.adding is False
    assert found._state.db == "default"
    found.name = "Ana"
    found.save(update_fields=["name"])  # a saved row, not a new one
    assert User.objects.filter(pk=person.pk).values_list("name", flat=True).get() == "Ana"


def test_get_by_an_unknown_pk_raises_does_not_exist():
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=987_654_321)


def test_other_lookups_go_through_the_queryset():
    person = UserFactory()
    assert User.objects.get(email=person.email) == person
    assert User.objects.get(pk=str(person.pk)) == person
    assert User.objects.get(pk=person.pk, is_active=True) == person
    person.is_active = False
    person.save(update_fields=["is_active"])
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=person.pk, is_active=True)


def test_the_authentication_backend_still_refuses_inactive_people():
    person = UserFactory()
    assert ModelBackend().get_user(person.pk) == person
    User.objects.filter(pk=person.pk).update(is_active=False)
    assert ModelBackend().get_user(person.pk) is None
