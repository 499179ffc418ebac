"""Documents: refused uploads and changes (size, type, missing or bad fields) change nothing."""

import pytest

from coachway.config import get_settings
from coachway.core.db import transaction
from coachway.core.fields import MAX_ID
from coachway.core.permissions import SYSTEM
from coachway.documents import service
from tests.factories import make_user, user_headers
from tests.factories_domain import make_client, make_document, pdf_bytes, upload

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 30


@pytest.fixture
def staff(client):
    return user_headers(client, "sales_agent")


@pytest.fixture
def acme():
    return make_client(name="Acme Tours")


def _count() -> int:
    with transaction() as session:
        return service.list_documents(session, SYSTEM, include_expired=True)[1]


def _blobs() -> list:
    root = get_settings().storage_dir / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def test_file_over_the_size_limit_is_413_and_nothing_is_stored(client, staff, acme, monkeypatch):
    monkeypatch.setenv("COACHWAY_DOCUMENT_MAX_BYTES", "1000")
    get_settings.cache_clear()
    before = _blobs()
    r = upload(client, staff, content=pdf_bytes("Big", *(["x" * 80] * 20)), client_id=acme.id)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title"] == "File too large" and "at most 1000 bytes" in r.json()["detail"]
    assert _count() == 0 and _blobs() == before


def test_file_exactly_at_the_size_limit_is_accepted(client, staff, acme, monkeypatch):
    content = pdf_bytes("Fits")
    monkeypatch.setenv("COACHWAY_DOCUMENT_MAX_BYTES", str(len(content)))
    get_settings.cache_clear()
    assert upload(client, staff, content=content, client_id=acme.id).status_code == 201


@pytest.mark.parametrize(("content", "kind"), [(ELF, "application/x-executable"),
                                               (EXE, "application/x-msdownload"), (ZIP, "application/zip")])
def test_executable_or_archive_renamed_pdf_is_415_and_nothing_is_stored(client, staff, acme, content, kind):
    before = _blobs()
    r = upload(client, staff, content=content, file_name="invoice.pdf", client_id=acme.id)
    assert r.status_code == 415
    assert kind in r.json()["detail"] and _fields(r) == {"file"}
    assert _count() == 0 and _blobs() == before


def test_binary_of_unknown_kind_is_415(client, staff, acme):
    r = upload(client, staff, content=b"\x00\x01\x02\x03 binary", file_name="notes.txt", client_id=acme.id)
    assert r.status_code == 415 and "could not tell what kind" in r.json()["detail"]


def test_type_outside_the_configured_list_is_415(client, staff, acme, monkeypatch):
    monkeypatch.setenv("COACHWAY_DOCUMENT_ALLOWED_TYPES", '["application/pdf"]')
    get_settings.cache_clear()
    r = upload(client, staff, content=b"plain words\n", file_name="notes.txt", client_id=acme.id)
    assert r.status_code == 415


def test_empty_file_is_422(client, staff, acme):
    r = upload(client, staff, content=b"", client_id=acme.id)
    assert r.status_code == 422 and _fields(r) == {"file"}
    assert _count() == 0


def test_missing_file_is_422(client, staff, acme):
    r = client.post("/api/v1/documents", data={"client_id": str(acme.id)}, headers=staff)
    assert r.status_code == 422 and "file" in _fields(r)


def test_file_sent_as_a_plain_field_is_422(client, staff, acme):
    r = client.post("/api/v1/documents", data={"client_id": str(acme.id), "file": "not a file"},
                    headers=staff)
    assert r.status_code == 422 and _count() == 0


def test_document_attached_to_nothing_is_422(client, staff):
    r = upload(client, staff)
    assert r.status_code == 422
    assert _fields(r) == {"charter_id", "client_id", "vendor_id", "user_id"}
    assert _count() == 0


def test_unknown_category_is_422(client, staff, acme):
    r = upload(client, staff, client_id=acme.id, document_category="passport")
    assert r.status_code == 422 and _fields(r) == {"document_category"}


@pytest.mark.parametrize("value", ["0", "-3", str(MAX_ID + 1), "abc"])
def test_owner_id_out_of_range_is_422(client, staff, value):
    r = upload(client, staff, client_id=value)
    assert r.status_code == 422 and _fields(r) == {"client_id"}


def test_attaching_to_a_client_that_does_not_exist_is_422_naming_client_id(client, staff):
    r = upload(client, staff, client_id=999_999)
    assert r.status_code == 422 and _fields(r) == {"client_id"}
    assert "no client 999999" in r.json()["detail"]
    assert _count() == 0


def test_attaching_to_a_user_that_does_not_exist_is_422_naming_user_id(client, staff):
    r = upload(client, staff, user_id=999_999)
    assert r.status_code == 422 and _fields(r) == {"user_id"}


def test_vendor_id_of_a_user_who_is_not_a_vendor_is_422(client, staff):
    driver = make_user(role="driver")
    r = upload(client, staff, vendor_id=driver.id)
    assert r.status_code == 422 and _fields(r) == {"vendor_id"}


def test_bad_expiry_date_is_422(client, staff, acme):
    r = upload(client, staff, client_id=acme.id, expires_at="31/12/2030")
    assert r.status_code == 422 and _fields(r) == {"expires_at"}


def test_description_with_control_characters_is_422(client, staff, acme):
    r = upload(client, staff, client_id=acme.id, description="bell\x07")
    assert r.status_code == 422 and _fields(r) == {"description"}


def _raw_upload(client, headers, file_name: bytes, content: bytes, **fields):
    """A multipart upload with the file name sent byte for byte (httpx would percent-encode controls)."""
    boundary = b"cw-test-boundary"
    parts = [b'--%s\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
             % (boundary, k.encode(), str(v).encode()) for k, v in fields.items()]
    parts.append(b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
                 b"Content-Type: application/pdf\r\n\r\n%s\r\n" % (boundary, file_name, content))
    body = b"".join(parts) + b"--%s--\r\n" % boundary
    return client.post("/api/v1/documents", content=body, headers={
        **headers, "Content-Type": f"multipart/form-data; boundary={boundary.decode()}"})


def test_path_and_control_characters_are_stripped_from_the_file_name(client, staff, acme):
    r = _raw_upload(client, staff, b"../../etc/pass\x01w\x7fd", pdf_bytes("x"), client_id=acme.id)
    assert r.status_code == 201 and r.json()["file_name"] == "passwd"
    down = client.get(f"/api/v1/documents/{r.json()['id']}/download", headers=staff)
    assert down.headers["content-disposition"].startswith('attachment; filename="passwd"')


def test_changing_the_category_to_null_is_422(client, staff, acme):
    doc = make_document(client_id=acme.id)
    r = client.patch(f"/api/v1/documents/{doc.id}", json={"document_category": None}, headers=staff)
    assert r.status_code == 422 and _fields(r) == {"document_category"}


def test_changing_an_unknown_field_is_422(client, staff, acme):
    doc = make_document(client_id=acme.id)
    r = client.patch(f"/api/v1/documents/{doc.id}", json={"client_id": 5}, headers=staff)
    assert r.status_code == 422


@pytest.mark.parametrize("path", ["/api/v1/documents/0", f"/api/v1/documents/{MAX_ID + 1}",
                                  "/api/v1/documents/abc/download"])
def test_document_id_out_of_range_is_422(client, staff, path):
    assert client.get(path, headers=staff).status_code == 422
