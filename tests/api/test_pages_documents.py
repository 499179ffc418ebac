"""Document pages: the list and its filters, uploading through the form, expiring soon, one document's page,
deleting and downloading."""

import hashlib
from datetime import UTC, datetime, timedelta

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.documents import service
from coachway.web.testing import csrf_from, form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import make_client, make_document, pdf_bytes

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def _as(client, role: str = "sales_agent", **kw):
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _upload(client, data: dict, *, content: bytes | None = None, file_name: str = "agreement.pdf",
            path: str = "/admin/documents", page: str | None = None):
    token = csrf_from(client.get(page or path).text)
    files = {"file": (file_name, content if content is not None else pdf_bytes("Page upload"),
                      "application/pdf")}
    return client.post(path, data={**data, "csrf_token": token}, files=files, follow_redirects=False)


def _all_documents():
    with transaction() as session:
        return service.list_documents(session, SYSTEM, include_expired=True, limit=200)[0]


# ---------------------------------------------------------------- the list

def test_staff_see_the_list_with_download_links_and_the_nav_entry(client):
    _as(client)
    acme = make_client(name="Acme Tours")
    doc = make_document(client_id=acme.id, file_name="acme-contract.pdf", document_category="contract",
                        description="Signed by Jordan")
    r = client.get("/admin/documents")
    assert r.status_code == 200
    assert "acme-contract.pdf" in r.text and "Acme Tours" in r.text and "Signed by Jordan" in r.text
    assert f'href="/admin/documents/{doc.id}/download"' in r.text
    assert 'href="/admin/documents" aria-current="page"' in r.text
    assert 'enctype="multipart/form-data"' in r.text and 'type="file"' in r.text


def test_list_filters_by_category_and_search(client):
    _as(client)
    acme = make_client()
    make_document(client_id=acme.id, file_name="coi-2025.pdf", document_category="coi")
    make_document(client_id=acme.id, file_name="bus-photo.pdf", document_category="photo")
    html = client.get("/admin/documents?document_category=coi").text
    assert "coi-2025.pdf" in html and "bus-photo.pdf" not in html
    html = client.get("/admin/documents?q=photo").text
    assert "bus-photo.pdf" in html and "coi-2025.pdf" not in html
    assert "No documents match." in client.get("/admin/documents?q=nothing-like-it").text


def test_htmx_filter_returns_only_the_results_block(client):
    _as(client)
    make_document(client_id=make_client().id, file_name="coi.pdf")
    r = client.get("/admin/documents?q=coi", headers={"HX-Request": "true", "HX-Target": "document-results"})
    assert "coi.pdf" in r.text and "<html" not in r.text and "Upload a document" not in r.text


def test_a_clients_documents_page_uploads_to_that_client(client):
    _as(client)
    acme, other = make_client(name="Acme Tours"), make_client(name="Other Club")
    make_document(client_id=other.id, file_name="other.pdf")
    page = f"/admin/documents?client_id={acme.id}"
    html = client.get(page).text
    assert "Documents of Acme Tours" in html and "other.pdf" not in html
    assert f'action="/admin/documents?client_id={acme.id}"' in html
    r = _upload(client, {"client_id": str(acme.id), "document_category": "contract"}, path=page,
                file_name="signed.pdf")
    assert r.status_code == 303 and r.headers["location"] == page
    assert "signed.pdf is uploaded." in client.get(r.headers["location"]).text
    [doc] = [d for d in _all_documents() if d.file_name == "signed.pdf"]
    assert doc.client_id == acme.id and doc.document_category == "contract"


# ---------------------------------------------------------------- uploading

def test_upload_through_the_form_stores_the_same_bytes(client):
    user = _as(client)
    vendor = make_user(role="vendor", full_name="Peach State Coaches")
    content = pdf_bytes("Certificate of insurance", "Peach State Coaches")
    r = _upload(client, {"vendor_id": str(vendor.id), "document_category": "coi", "expires_at": "2030-05-01",
                         "description": "Auto liability $5M", "is_internal": "on"},
                content=content, file_name="../COI 2030.pdf")
    assert r.status_code == 303, r.text
    [doc] = _all_documents()
    assert (doc.file_name, doc.vendor_id, doc.is_internal, doc.uploaded_by) == ("COI 2030.pdf", vendor.id,
                                                                                True, user.id)
    assert doc.sha256 == hashlib.sha256(content).hexdigest()
    down = client.get(f"/admin/documents/{doc.id}/download")
    assert down.content == content and down.headers["x-content-type-options"] == "nosniff"
    assert down.headers["content-disposition"].startswith('attachment; filename="COI 2030.pdf"')


def test_upload_without_the_forms_token_is_refused(client):
    _as(client)
    acme = make_client()
    r = client.post("/admin/documents", data={"client_id": str(acme.id)},
                    files={"file": ("a.pdf", pdf_bytes("x"), "application/pdf")}, follow_redirects=False)
    assert r.status_code == 403 and "This form has expired" in r.text
    assert _all_documents() == []


def test_upload_without_a_file_shows_the_form_again(client):
    _as(client)
    acme = make_client()
    token = csrf_from(client.get("/admin/documents").text)
    r = client.post("/admin/documents", data={"client_id": str(acme.id), "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 422 and "Choose a file to upload." in r.text
    assert 'id="upload" open' in r.text


def test_upload_of_a_program_is_refused_with_a_clear_message(client):
    _as(client)
    acme = make_client()
    r = _upload(client, {"client_id": str(acme.id)}, content=ELF, file_name="invoice.pdf")
    assert r.status_code == 415
    assert "application/x-executable" in r.text and "Upload a PDF" in r.text
    assert _all_documents() == []


def test_upload_over_the_limit_is_refused_with_the_limit(client, monkeypatch):
    from coachway.config import get_settings

    _as(client)
    acme = make_client()
    monkeypatch.setenv("COACHWAY_DOCUMENT_MAX_BYTES", "500")
    get_settings.cache_clear()
    r = _upload(client, {"client_id": str(acme.id)})
    assert r.status_code == 413 and "at most 500 bytes" in r.text
    assert _all_documents() == []


def test_upload_attached_to_nothing_asks_where_it_belongs(client):
    _as(client)
    r = _upload(client, {"document_category": "other"})
    assert r.status_code == 422 and 'href="#f-attach">Attach to</a>' in r.text


def test_client_user_uploads_to_its_own_account_without_choosing(client):
    acme = make_client(name="Acme Tours")
    other = make_client()
    make_document(client_id=other.id, file_name="theirs.pdf")
    _as(client, "client", client_id=acme.id)
    html = client.get("/admin/documents").text
    assert "theirs.pdf" not in html and 'name="vendor_id"' not in html and "is_internal" not in html
    r = _upload(client, {"document_category": "client_document"}, file_name="roster.pdf")
    assert r.status_code == 303
    [doc] = [d for d in _all_documents() if d.file_name == "roster.pdf"]
    assert doc.client_id == acme.id


# ---------------------------------------------------------------- expiring soon

def test_expiring_view_lists_soonest_first_with_warnings(client):
    clock.set_clock(lambda: datetime(2025, 6, 1, 12, tzinfo=UTC))
    _as(client, "dispatcher")
    acme = make_client()
    today = datetime(2025, 6, 1).date()
    make_document(client_id=acme.id, file_name="later.pdf", expires_at=today + timedelta(days=20))
    make_document(client_id=acme.id, file_name="soon.pdf", expires_at=today + timedelta(days=2))
    make_document(client_id=acme.id, file_name="lapsed.pdf", expires_at=today - timedelta(days=3))
    html = client.get("/admin/documents/expiring").text
    assert html.index("soon.pdf") < html.index("later.pdf") and "lapsed.pdf" not in html
    assert "In 2 days" in html
    html = client.get("/admin/documents/expiring?days=7&expired=on").text
    assert "lapsed.pdf" in html and "Expired" in html and "later.pdf" not in html


# ---------------------------------------------------------------- one document, delete

def test_document_page_shows_its_details_and_saves_changes(client):
    _as(client)
    acme = make_client(name="Acme Tours")
    doc = make_document(client_id=acme.id, file_name="terms.pdf", document_category="contract")
    html = client.get(f"/admin/documents/{doc.id}").text
    assert "terms.pdf" in html and doc.sha256 in html and "Acme Tours" in html
    r = form_post(client, f"/admin/documents/{doc.id}/edit",
                  {"document_category": "terms_conditions", "description": "2025 edition",
                   "expires_at": "2026-01-01"}, page=f"/admin/documents/{doc.id}")
    assert r.status_code == 303
    html = client.get(r.headers["location"]).text
    assert "Saved the changes to terms.pdf." in html and "2025 edition" in html
    assert "Terms and conditions" in html


def test_document_page_shows_errors_of_a_bad_change(client):
    _as(client)
    doc = make_document(client_id=make_client().id)
    r = form_post(client, f"/admin/documents/{doc.id}/edit", {"document_category": "passport"},
                  page=f"/admin/documents/{doc.id}")
    assert r.status_code == 422 and "f-document_category-error" in r.text


def test_delete_after_confirming_removes_it_from_the_list(client):
    _as(client, "manager")
    acme = make_client()
    doc = make_document(client_id=acme.id, file_name="old-quote.pdf")
    html = client.get(f"/admin/documents?client_id={acme.id}").text
    assert f'action="/admin/documents/{doc.id}/delete?client_id={acme.id}"' in html
    r = client.post(f"/admin/documents/{doc.id}/delete?client_id={acme.id}",
                    data={"csrf_token": csrf_from(html)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/admin/documents?client_id={acme.id}"
    html = client.get(r.headers["location"]).text
    assert "old-quote.pdf is deleted." in html and f'href="/admin/documents/{doc.id}"' not in html
    assert client.get(f"/admin/documents/{doc.id}").status_code == 404


def test_dispatcher_gets_no_delete_button(client):
    _as(client, "dispatcher")
    make_document(client_id=make_client().id)
    assert "Yes, delete it" not in client.get("/admin/documents").text


def test_another_clients_document_is_not_found_for_a_client_user(client):
    acme, other = make_client(), make_client()
    doc = make_document(client_id=other.id)
    _as(client, "client", client_id=acme.id)
    assert client.get(f"/admin/documents/{doc.id}").status_code == 404
    assert client.get(f"/admin/documents/{doc.id}/download").status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client):
    r = client.get("/admin/documents", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
