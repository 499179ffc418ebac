"""Charters tell the documents domain which charters a client user may read."""

from coachway.charters.access import readable_charter_ids, register_with_documents
from coachway.core.permissions import Actor
from coachway.documents import access


def test_a_client_user_reads_its_clients_charters_and_no_one_else_is_told_any():
    sql = str(readable_charter_ids(Actor(user_id=1, role="client", client_id=7)))
    assert "charters.client_id" in sql
    assert readable_charter_ids(Actor(user_id=1, role="client", client_id=None)) is None
    assert readable_charter_ids(Actor(user_id=2, role="vendor")) is None
    assert readable_charter_ids(Actor(user_id=3, role="driver")) is None


def test_the_charter_check_is_registered_with_documents():
    register_with_documents()
    check = access.owner_check("charter")
    assert check is not None and check.readable_ids is readable_charter_ids and check.exists is not None
