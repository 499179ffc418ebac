"""Documents of charters: a client user sees the documents of its own client's charters, no one else's."""

import pytest

from coachway.charters.access import register_with_documents
from tests.factories import user_headers
from tests.factories_domain import client_user_headers, make_charter, make_client, make_document, upload


@pytest.fixture(autouse=True)
def charters_tell_documents():
    # Other tests stand in for the charters domain and unregister afterwards; put the real check back.
    register_with_documents()


def _ids(client, headers) -> list[int]:
    r = client.get("/api/v1/documents", params={"include_expired": True}, headers=headers)
    assert r.status_code == 200, r.text
    return sorted(d["id"] for d in r.json()["items"])


def test_client_user_sees_documents_of_its_own_charters_only(client):
    mine, theirs = make_client(), make_client()
    own = make_document(charter_id=make_charter(client_id=mine.id).id)
    other = make_document(charter_id=make_charter(client_id=theirs.id).id)
    headers = client_user_headers(client, mine.id)
    assert _ids(client, headers) == [own.id]
    assert client.get(f"/api/v1/documents/{other.id}", headers=headers).status_code == 404


def test_staff_attach_documents_only_to_charters_that_exist(client):
    manager = user_headers(client, "manager")
    charter = make_charter()
    assert upload(client, manager, charter_id=charter.id).status_code == 201
    r = upload(client, manager, charter_id=999_999)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "charter_id"


def test_client_user_may_attach_to_its_own_charter_but_not_anothers(client):
    mine = make_client()
    own, other = make_charter(client_id=mine.id), make_charter()
    headers = client_user_headers(client, mine.id)
    assert upload(client, headers, charter_id=own.id, document_category="client_document").status_code == 201
    r = upload(client, headers, charter_id=other.id, document_category="client_document")
    assert r.status_code == 403
