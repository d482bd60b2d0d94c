"""identity_save: the rules of citizen identity, and that no plain number is ever stored."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import CitizenIdentity
from accounts.services import DocumentAlreadyRegistered, IdentityError, IdentityInput, identity_save
from tests.dbsearch import columns_containing
from tests.factories import UserFactory

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("America/Bogota"))
pytestmark = pytest.mark.django_db


def adult(**changes) -> IdentityInput:
    values = {
        "document_type": "CC",
        "document_number": "1085000001",
        "birth_date": date(1990, 5, 17),
        "municipality_code": "52001",
    }
    values.update(changes)
    return IdentityInput(**values)


def test_identity_save_stores_a_hash_and_the_declared_data():
    person = UserFactory()
    identity = identity_save(user=person, data=adult(), now=NOW)
    identity.refresh_from_db()
    assert len(identity.document_hash) == 64
    assert identity.municipality_code == "52001"
    assert identity.data_consent_at == NOW


def test_identity_save_refuses_a_document_registered_by_someone_else():
    identity_save(user=UserFactory(), data=adult(), now=NOW)
    with pytest.raises(DocumentAlreadyRegistered):
        identity_save(user=UserFactory(), data=adult(document_number="1.085.000.001"), now=NOW)
    assert CitizenIdentity.objects.count() == 1


def test_identity_save_recognises_the_same_person_from_ti_to_cc():
    identity_save(user=UserFactory(), data=adult(document_type="CC", document_number="1001000002"), now=NOW)
    with pytest.raises(DocumentAlreadyRegistered):
        identity_save(
            user=UserFactory(),
            data=adult(
                document_type="TI",
                document_number="1001000002",
                birth_date=date(2010, 3, 2),
                guardian_name="María",
                guardian_document_type="CC",
                guardian_document_number="43000003",
                guardian_authorises=True,
            ),
            now=NOW,
        )


def test_identity_save_keeps_the_registered_number_when_none_is_typed():
    person = UserFactory()
    first = identity_save(user=person, data=adult(), now=NOW)
    second = identity_save(user=person, data=adult(document_number=None, municipality_code="05001"), now=NOW)
    assert second.document_hash == first.document_hash
    assert second.municipality_code == "05001"


def test_identity_save_asks_for_the_number_of_a_new_document_type():
    person = UserFactory()
    identity_save(user=person, data=adult(), now=NOW)
    with pytest.raises(IdentityError) as raised:
        identity_save(user=person, data=adult(document_type="CE", document_number=None), now=NOW)
    assert raised.value.code == "document_required"


def test_identity_save_requires_a_guardian_for_minors():
    with pytest.raises(IdentityError) as raised:
        identity_save(user=UserFactory(), data=adult(document_type="TI", birth_date=date(2010, 3, 2)), now=NOW)
    assert raised.value.code == "guardian_required"
    assert not CitizenIdentity.objects.exists()


def test_identity_save_records_the_guardian_authorisation_as_a_hash():
    identity = identity_save(
        user=UserFactory(),
        data=adult(
            document_type="TI",
            document_number="1001000002",
            birth_date=date(2010, 3, 2),
            guardian_name="María Acudiente",
            guardian_document_type="CC",
            guardian_document_number="43000003",
            guardian_authorises=True,
        ),
        now=NOW,
    )
    assert identity.guardian_authorised_at == NOW
    assert len(identity.guardian_document_hash) == 64


def test_sensitive_data_is_kept_only_with_consent_and_erased_when_withdrawn():
    person = UserFactory()
    without = identity_save(user=person, data=adult(gender="woman", ethnic_group="afro"), now=NOW)
    assert (without.gender, without.ethnic_group) == ("", "")
    shared = identity_save(
        user=person,
        data=adult(document_number=None, sensitive_consent=True, gender="woman", ethnic_group="afro"),
        now=NOW,
    )
    assert (shared.gender, shared.ethnic_group, shared.sensitive_consent_at) == ("woman", "afro", NOW)
    withdrawn = identity_save(user=person, data=adult(document_number=None), now=NOW)
    withdrawn.refresh_from_db()
    assert (withdrawn.gender, withdrawn.ethnic_group, withdrawn.sensitive_consent_at) == ("", "", None)


def test_identity_save_refuses_a_birth_date_in_the_future():
    with pytest.raises(IdentityError):
        identity_save(user=UserFactory(), data=adult(birth_date=date(2030, 1, 1)), now=NOW)


def test_plain_document_numbers_appear_nowhere_in_the_database():
    identity_save(
        user=UserFactory(),
        data=adult(
            document_type="TI",
            document_number="1001000777",
            birth_date=date(2010, 3, 2),
            guardian_name="María",
            guardian_document_type="CC",
            guardian_document_number="43000999",
            guardian_authorises=True,
        ),
        now=NOW,
    )
    assert columns_containing("1001000777") == []
    assert columns_containing("43000999") == []
