"""Documents row rules that need no database: internal documents, categories, default owners, registry."""

import pytest

from coachway.core.permissions import Actor
from coachway.documents import access

ALL = frozenset({"documents:read", "documents:create", "documents:read_internal"})


def test_a_client_never_reads_internal_documents_even_if_granted():
    assert access.may_read_internal(Actor(user_id=1, role="client", permissions=ALL, client_id=3)) is False
    assert access.may_read_internal(Actor(user_id=2, role="dispatcher", permissions=ALL)) is True
    assert access.may_read_internal(Actor(user_id=2, role="dispatcher",
                                          permissions=ALL - {"documents:read_internal"})) is False


def test_outside_users_file_under_their_own_categories_and_staff_under_any():
    assert access.categories_for(Actor(user_id=1, role="sales_agent")) is None
    assert "vendor_bid" in access.categories_for(Actor(user_id=1, role="vendor"))
    assert "contract" not in access.categories_for(Actor(user_id=1, role="client", client_id=2))


@pytest.mark.parametrize(("actor", "owner"), [
    (Actor(user_id=5, role="client", client_id=9), {"client_id": 9}),
    (Actor(user_id=5, role="vendor"), {"vendor_id": 5}),
    (Actor(user_id=5, role="driver"), {"user_id": 5}),
    (Actor(user_id=5, role="manager"), {}),
])
def test_an_outside_users_upload_defaults_to_its_own_account(actor, owner):
    assert access.default_owner(actor) == owner


def test_owner_checks_exist_only_for_charters():
    with pytest.raises(ValueError):
        access.register_owner_check("invoice", lambda actor: None)
