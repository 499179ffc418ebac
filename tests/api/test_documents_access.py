"""Documents: who may see, upload, change and delete which document."""

import pytest
from sqlalchemy import literal, select

from coachway.auth import service as auth_service
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.documents import access
from tests.factories import login, make_user, user_headers
from tests.factories_domain import client_user_headers, make_charter, make_client, make_document, upload


@pytest.fixture
def charter_id() -> int:
    """A real charter row (documents refer to charters by foreign key); whose it is, the check says."""
    return make_charter().id


@pytest.fixture
def charter_check():
    """Lets a test change the charter owner check; the registered one (the charters domain's) comes back."""
    previous = access.owner_check("charter")
    yield
    if previous is None:
        access.unregister_owner_check("charter")
    else:
        access.register_owner_check("charter", previous.readable_ids, exists=previous.exists)


@pytest.fixture
def no_charters(charter_check):
    """As before the charters domain existed: nobody has told documents about charters."""
    access.unregister_owner_check("charter")


@pytest.fixture
def charter_of_client(charter_check, charter_id):
    """Stand in for the charters domain's check: the charter belongs to the clients of the returned list."""
    owners: list[int] = []

    def readable_ids(actor):
        if actor.role == "client" and actor.client_id in owners:
            return select(literal(charter_id))
        return None

    access.register_owner_check("charter", readable_ids, exists=lambda session, wanted: wanted == charter_id)
    return owners


def _ids(client, headers, **params) -> list[int]:
    r = client.get("/api/v1/documents", params={"include_expired": True, **params}, headers=headers)
    assert r.status_code == 200, r.text
    return sorted(d["id"] for d in r.json()["items"])


# ---------------------------------------------------------------- signed out, no permission

@pytest.mark.parametrize(("method", "path"), [("get", "/api/v1/documents"), ("get", "/api/v1/documents/1"),
                                              ("get", "/api/v1/documents/1/download"),
                                              ("get", "/api/v1/documents/expiring"),
                                              ("post", "/api/v1/documents"), ("patch", "/api/v1/documents/1"),
                                              ("delete", "/api/v1/documents/1")])
def test_signed_out_request_is_401(client, method, path):
    assert client.request(method, path).status_code == 401


def test_role_without_documents_read_is_403(client):
    with transaction() as session:
        auth_service.create_role(session, SYSTEM, name="greeter", permissions=[])
    headers = login(client, make_user(role="greeter").email)
    assert client.get("/api/v1/documents", headers=headers).status_code == 403
    assert client.get("/api/v1/documents/expiring", headers=headers).status_code == 403


def test_driver_uploading_is_403(client):
    driver = make_user(role="driver")
    r = upload(client, login(client, driver.email), user_id=driver.id)
    assert r.status_code == 403


def test_dispatcher_deleting_is_403(client):
    acme = make_client()
    doc = make_document(client_id=acme.id)
    r = client.delete(f"/api/v1/documents/{doc.id}", headers=user_headers(client, "dispatcher"))
    assert r.status_code == 403


# ---------------------------------------------------------------- clients

def test_client_user_sees_only_its_own_clients_documents(client):
    mine, theirs = make_client(name="Mine"), make_client(name="Theirs")
    own = make_document(client_id=mine.id)
    other = make_document(client_id=theirs.id)
    headers = client_user_headers(client, mine.id)
    assert _ids(client, headers) == [own.id]
    assert _ids(client, headers, client_id=theirs.id) == []
    assert client.get(f"/api/v1/documents/{other.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/documents/{other.id}/download", headers=headers).status_code == 404
    assert client.get(f"/api/v1/documents/{own.id}/download", headers=headers).status_code == 200


def test_client_never_sees_an_internal_document_even_of_its_own(client):
    mine = make_client()
    internal = make_document(client_id=mine.id, is_internal=True, file_name="margin.pdf")
    headers = client_user_headers(client, mine.id)
    assert _ids(client, headers) == []
    assert client.get(f"/api/v1/documents/{internal.id}", headers=headers).status_code == 404


def test_client_does_not_see_a_charter_only_document_until_charters_say_whose_it_is(client, charter_id,
                                                                                     no_charters):
    mine = make_client()
    doc = make_document(charter_id=charter_id)
    headers = client_user_headers(client, mine.id)
    assert client.get(f"/api/v1/documents/{doc.id}", headers=headers).status_code == 404


def test_client_sees_documents_of_its_charters_once_registered(client, charter_id, charter_of_client):
    mine, theirs = make_client(), make_client()
    charter_of_client.append(mine.id)
    doc = make_document(charter_id=charter_id)
    assert _ids(client, client_user_headers(client, mine.id)) == [doc.id]
    assert _ids(client, client_user_headers(client, theirs.id)) == []


def test_staff_attaching_to_a_charter_that_does_not_exist_is_422_once_charters_can_tell(client, charter_id,
                                                                                       charter_of_client):
    r = upload(client, user_headers(client, "sales_agent"), charter_id=charter_id + 1)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "charter_id"


def test_client_uploads_to_its_own_account_and_sees_it(client):
    mine = make_client()
    headers = client_user_headers(client, mine.id)
    r = upload(client, headers, client_id=mine.id, document_category="client_document")
    assert r.status_code == 201, r.text
    assert _ids(client, headers) == [r.json()["id"]]


def test_client_uploading_to_another_client_is_403(client):
    mine, theirs = make_client(), make_client()
    r = upload(client, client_user_headers(client, mine.id), client_id=theirs.id)
    assert r.status_code == 403


def test_client_uploading_for_a_vendor_is_403(client):
    mine = make_client()
    vendor = make_user(role="vendor")
    r = upload(client, client_user_headers(client, mine.id), client_id=mine.id, vendor_id=vendor.id)
    assert r.status_code == 403


def test_client_marking_an_upload_internal_is_403(client):
    mine = make_client()
    r = upload(client, client_user_headers(client, mine.id), client_id=mine.id, is_internal=True)
    assert r.status_code == 403


def test_client_filing_under_a_staff_category_is_422(client):
    mine = make_client()
    r = upload(client, client_user_headers(client, mine.id), client_id=mine.id, document_category="contract")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "document_category"


def test_client_changes_its_own_upload_but_not_a_staff_document(client):
    mine = make_client()
    headers = client_user_headers(client, mine.id)
    own = upload(client, headers, client_id=mine.id).json()
    staff_doc = make_document(client_id=mine.id)
    r = client.patch(f"/api/v1/documents/{own['id']}", json={"description": "Roster v2"}, headers=headers)
    assert r.status_code == 200 and r.json()["description"] == "Roster v2"
    r = client.patch(f"/api/v1/documents/{staff_doc.id}", json={"description": "mine now"}, headers=headers)
    assert r.status_code == 403


def test_client_deleting_is_403(client):
    mine = make_client()
    doc = make_document(client_id=mine.id)
    r = client.delete(f"/api/v1/documents/{doc.id}", headers=client_user_headers(client, mine.id))
    assert r.status_code == 403


# ---------------------------------------------------------------- vendors and drivers

def test_vendor_sees_only_documents_shared_with_it(client):
    vendor, other_vendor = make_user(role="vendor"), make_user(role="vendor")
    acme = make_client()
    shared = make_document(vendor_id=vendor.id, file_name="coi.pdf", document_category="coi")
    make_document(vendor_id=other_vendor.id)
    client_doc = make_document(client_id=acme.id)
    hidden = make_document(vendor_id=vendor.id, is_internal=True, document_category="vendor_bid")
    headers = login(client, vendor.email)
    assert _ids(client, headers) == [shared.id]
    for doc in (client_doc, hidden):
        assert client.get(f"/api/v1/documents/{doc.id}", headers=headers).status_code == 404


def test_vendor_uploads_its_own_bid_but_not_for_another_vendor(client):
    vendor, other_vendor = make_user(role="vendor"), make_user(role="vendor")
    headers = login(client, vendor.email)
    r = upload(client, headers, vendor_id=vendor.id, document_category="vendor_bid")
    assert r.status_code == 201 and _ids(client, headers) == [r.json()["id"]]
    assert upload(client, headers, vendor_id=other_vendor.id).status_code == 403


def test_driver_sees_documents_attached_to_itself(client):
    driver, other_driver = make_user(role="driver"), make_user(role="driver")
    own = make_document(user_id=driver.id, file_name="medical-card.pdf")
    make_document(user_id=other_driver.id)
    assert _ids(client, login(client, driver.email)) == [own.id]


# ---------------------------------------------------------------- internal documents among staff

def test_staff_without_read_internal_do_not_see_internal_documents(client):
    with transaction() as session:
        auth_service.set_role_permissions(session, SYSTEM, "dispatcher",
                                          permissions=["documents:read", "documents:create"])
    acme = make_client()
    open_doc = make_document(client_id=acme.id)
    internal = make_document(client_id=acme.id, is_internal=True)
    headers = user_headers(client, "dispatcher")
    assert _ids(client, headers) == [open_doc.id]
    assert client.get(f"/api/v1/documents/{internal.id}", headers=headers).status_code == 404
    r = upload(client, headers, client_id=acme.id, is_internal=True)
    assert r.status_code == 403


def test_staff_with_read_internal_see_internal_documents(client):
    acme = make_client()
    internal = make_document(client_id=acme.id, is_internal=True)
    assert _ids(client, user_headers(client, "sales_agent")) == [internal.id]
