"""Documents: upload and download round trip, one stored copy of identical files, lists, changes, deletion."""

import hashlib

from coachway.config import get_settings
from coachway.core.db import transaction
from coachway.documents.models import CharterDocument
from coachway.integrations.storage import key_for
from tests.factories import login, make_user, user_headers
from tests.factories_domain import audit_rows, make_client, make_document, pdf_bytes, upload

READ_FIELDS = {"id", "document_category", "file_name", "content_type", "file_size", "sha256", "charter_id",
               "client_id", "vendor_id", "user_id", "description", "is_internal", "expires_at", "uploaded_by",
               "uploaded_at"}


def _blobs() -> list:
    root = get_settings().storage_dir / "documents"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _blob_path(sha256: str):
    return get_settings().storage_dir / "documents" / key_for(sha256)


def _row(document_id: int) -> CharterDocument:
    with transaction() as session:
        return session.get(CharterDocument, document_id)


def test_upload_then_download_gives_back_the_same_bytes(client):
    headers = user_headers(client, "sales_agent")
    acme = make_client(name="Acme Tours")
    content = pdf_bytes("Charter agreement", "Acme Tours, 2 coaches")
    r = upload(client, headers, content=content, file_name="Acme agreement.pdf", client_id=acme.id,
               document_category="contract", description="Signed copy", expires_at="2031-01-31")
    assert r.status_code == 201, r.text
    body = r.json()
    assert set(body) == READ_FIELDS
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["file_name"] == "Acme agreement.pdf" and body["file_size"] == len(content)
    assert body["content_type"] == "application/pdf"
    assert (body["client_id"], body["document_category"], body["expires_at"]) == (acme.id, "contract",
                                                                                  "2031-01-31")
    down = client.get(f"/api/v1/documents/{body['id']}/download", headers=headers)
    assert down.status_code == 200
    assert down.content == content and hashlib.sha256(down.content).hexdigest() == body["sha256"]
    assert down.headers["content-type"] == "application/pdf"
    assert down.headers["content-disposition"].startswith('attachment; filename="Acme agreement.pdf"')
    assert down.headers["x-content-type-options"] == "nosniff"


def test_the_claimed_content_type_is_ignored_for_the_sniffed_one(client):
    headers = user_headers(client, "sales_agent")
    acme = make_client()
    r = upload(client, headers, content=b"name,seat\nAvery,1\n", file_name="roster.csv",
               content_type="application/pdf", client_id=acme.id)
    assert r.status_code == 201 and r.json()["content_type"] == "text/csv"
    down = client.get(f"/api/v1/documents/{r.json()['id']}/download", headers=headers)
    assert down.headers["content-type"].startswith("text/csv")


def test_two_uploads_of_the_same_file_share_one_stored_copy(client):
    headers = user_headers(client, "sales_agent")
    acme, other = make_client(), make_client()
    content = pdf_bytes("Terms and conditions")
    first = upload(client, headers, content=content, file_name="terms.pdf", client_id=acme.id).json()
    second = upload(client, headers, content=content, file_name="T&C.pdf", client_id=other.id).json()
    assert first["id"] != second["id"] and first["sha256"] == second["sha256"]
    assert _row(first["id"]).storage_key == _row(second["id"]).storage_key
    assert [p for p in _blobs() if p.name == first["sha256"]] == [_blob_path(first["sha256"])]
    for doc in (first, second):
        assert client.get(f"/api/v1/documents/{doc['id']}/download", headers=headers).content == content


def test_upload_is_audited_without_the_storage_location(client):
    headers = user_headers(client, "admin")
    acme = make_client()
    doc = upload(client, headers, client_id=acme.id, file_name="a.pdf").json()
    [entry] = audit_rows(client, headers, entity_type="document", entity_id=str(doc["id"]))
    assert entry["action"] == "upload" and entry["new_values"]["sha256"] == doc["sha256"]
    assert "storage_key" not in entry["new_values"]


def test_get_one_document(client):
    headers = user_headers(client, "dispatcher")
    acme = make_client()
    doc = make_document(client_id=acme.id, file_name="coi.pdf", document_category="coi")
    body = client.get(f"/api/v1/documents/{doc.id}", headers=headers).json()
    assert (body["id"], body["file_name"], body["document_category"]) == (doc.id, "coi.pdf", "coi")


def test_list_filters_by_owner_category_and_name(client):
    headers = user_headers(client, "sales_agent")
    acme, other = make_client(), make_client()
    driver = make_user(role="driver")
    make_document(client_id=acme.id, file_name="acme-contract.pdf", document_category="contract")
    make_document(client_id=acme.id, file_name="acme-photo.pdf", document_category="photo",
                  description="Bus wrap proof")
    make_document(client_id=other.id, file_name="other.pdf")
    make_document(user_id=driver.id, file_name="medical-card.pdf")

    def names(**params):
        body = client.get("/api/v1/documents", params=params, headers=headers).json()
        return sorted(d["file_name"] for d in body["items"]), body["total"]

    assert names(client_id=acme.id) == (["acme-contract.pdf", "acme-photo.pdf"], 2)
    assert names(client_id=acme.id, document_category="contract") == (["acme-contract.pdf"], 1)
    assert names(user_id=driver.id) == (["medical-card.pdf"], 1)
    assert names(q="WRAP") == (["acme-photo.pdf"], 1)
    assert names(q="%") == ([], 0)
    assert names()[1] == 4


def test_list_is_newest_first_and_paginated(client):
    headers = user_headers(client, "sales_agent")
    acme = make_client()
    ids = [make_document(client_id=acme.id, file_name=f"{n}.pdf").id for n in range(3)]
    body = client.get("/api/v1/documents", params={"limit": 2}, headers=headers).json()
    assert [d["id"] for d in body["items"]] == ids[::-1][:2] and body["total"] == 3
    rest = client.get("/api/v1/documents", params={"limit": 2, "offset": 2}, headers=headers).json()
    assert [d["id"] for d in rest["items"]] == [ids[0]]


def test_changing_the_details_changes_only_what_was_sent_and_is_audited(client):
    headers = user_headers(client, "admin")
    acme = make_client()
    doc = make_document(client_id=acme.id, description="Draft", document_category="contract")
    r = client.patch(f"/api/v1/documents/{doc.id}", headers=headers,
                     json={"document_category": "terms_conditions", "expires_at": "2030-12-31",
                           "is_internal": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["document_category"], body["expires_at"], body["is_internal"], body["description"]) == (
        "terms_conditions", "2030-12-31", True, "Draft")
    cleared = client.patch(f"/api/v1/documents/{doc.id}", json={"description": None, "expires_at": None},
                           headers=headers).json()
    assert cleared["description"] is None and cleared["expires_at"] is None
    entries = audit_rows(client, headers, entity_type="document", entity_id=str(doc.id))
    first_change = [e for e in entries if e["action"] == "update"][-1]
    assert first_change["old_values"] == {"document_category": "contract", "expires_at": None,
                                          "is_internal": False}


def test_deleted_document_is_gone_for_readers_but_kept_with_its_bytes(client):
    manager = make_user(role="manager")
    headers = login(client, manager.email)
    acme = make_client()
    doc = make_document(client_id=acme.id)
    assert client.delete(f"/api/v1/documents/{doc.id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/documents/{doc.id}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/documents/{doc.id}/download", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/documents/{doc.id}", json={"description": "x"},
                        headers=headers).status_code == 404
    assert client.delete(f"/api/v1/documents/{doc.id}", headers=headers).status_code == 404
    listed = client.get("/api/v1/documents", params={"include_expired": True}, headers=headers).json()
    assert listed["total"] == 0
    row = _row(doc.id)
    assert row.deleted_at is not None and row.deleted_by == manager.id
    assert _blob_path(doc.sha256).exists()
    [entry] = [e for e in audit_rows(client, headers, entity_type="document", entity_id=str(doc.id))
               if e["action"] == "delete"]
    assert entry["old_values"] == {"deleted_at": None, "deleted_by": None}


def test_deleting_one_of_two_identical_files_keeps_the_other_downloadable(client):
    headers = user_headers(client, "manager")
    acme = make_client()
    content = pdf_bytes("Shared")
    first = make_document(content=content, client_id=acme.id)
    second = make_document(content=content, client_id=acme.id)
    client.delete(f"/api/v1/documents/{first.id}", headers=headers)
    assert client.get(f"/api/v1/documents/{second.id}/download", headers=headers).content == content
