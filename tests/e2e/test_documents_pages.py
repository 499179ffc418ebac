"""Document pages in a real browser: upload a file through the form and download it back, a refused upload,
deleting after confirming, and how every documents page looks on a desktop and a phone."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coachway.core import clock
from tests.e2e.helpers import screenshot, sign_in
from tests.factories import make_user
from tests.factories_domain import make_client, make_document, pdf_bytes

pytestmark = pytest.mark.e2e
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def _script_problems(tab) -> list[str]:
    """Console errors other than the browser noting a 4xx page (a refused upload is a 415)."""
    return [p for p in tab.console_problems if "the server responded with a status of 4" not in p]


def _no_sideways_scroll(tab, what: str) -> None:
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what} scrolls sideways"


def test_sales_agent_uploads_a_file_for_a_client_and_downloads_it(page, tmp_path):
    agent = make_user(role="sales_agent")
    acme = make_client(name="Acme Tours")
    content = pdf_bytes("Charter Agreement", "Client: Acme Tours", "Two 56-seat coaches")
    file = tmp_path / "Acme charter agreement.pdf"
    file.write_bytes(content)
    sign_in(page, agent.email)

    page.goto(f"/admin/documents?client_id={acme.id}")
    expect(page.get_by_role("heading", name="Documents of Acme Tours")).to_be_visible()
    page.get_by_text("Upload a document for Acme Tours").click()
    page.get_by_label("File", exact=True).set_input_files(str(file))
    page.get_by_label("Category").select_option("contract")
    page.get_by_label("Expires on").fill((clock.now().date() + timedelta(days=12)).isoformat())
    page.get_by_label("Description").fill("Signed by Jordan Lee")
    screenshot(page, "desktop-documents-upload-form")
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("status")).to_contain_text("Acme charter agreement.pdf is uploaded.")
    row = page.locator("#document-results tr", has_text="Acme charter agreement.pdf")
    expect(row).to_contain_text("Contract")
    expect(row).to_contain_text("In 12 days")
    screenshot(page, "desktop-documents-uploaded")
    with page.expect_download() as download:
        row.get_by_role("link", name="Download Acme charter agreement.pdf").click()
    assert download.value.suggested_filename == "Acme charter agreement.pdf"
    assert open(download.value.path(), "rb").read() == content
    assert _script_problems(page) == []


def test_a_program_renamed_pdf_is_refused_with_a_message(page, tmp_path):
    agent = make_user(role="sales_agent")
    acme = make_client(name="Acme Tours")
    file = tmp_path / "invoice.pdf"
    file.write_bytes(ELF)
    sign_in(page, agent.email)
    page.goto(f"/admin/documents?client_id={acme.id}")
    page.get_by_text("Upload a document").click()
    page.get_by_label("File", exact=True).set_input_files(str(file))
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_role("alert")).to_contain_text("application/x-executable")
    expect(page.locator("#f-file-error")).to_contain_text("Upload a PDF")
    screenshot(page, "desktop-documents-upload-refused")
    expect(page.locator("#document-results")).to_contain_text("No documents of Acme Tours yet.")


def test_manager_deletes_a_document_after_confirming(page):
    manager = make_user(role="manager")
    acme = make_client(name="Acme Tours")
    make_document(client_id=acme.id, file_name="old-quote.pdf")
    sign_in(page, manager.email)
    page.goto("/admin/documents")
    row = page.locator("#document-results tr", has_text="old-quote.pdf")
    button = row.get_by_role("button", name="Yes, delete it")
    expect(button).to_be_hidden()
    row.get_by_text("Delete", exact=True).click()
    button.click()
    expect(page.get_by_role("status")).to_contain_text("old-quote.pdf is deleted.")
    expect(page.locator("#document-results")).not_to_contain_text("old-quote.pdf")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_documents_page_renders_cleanly(request, width):
    tab = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    manager = make_user(role="manager", full_name="Morgan Manager")
    vendor = make_user(role="vendor", full_name="Peach State Coaches")
    driver = make_user(role="driver", full_name="Devon Brooks")
    acme = make_client(name="Acme Tours & Travel of Greater Atlanta")
    today = clock.now().date()
    doc = make_document(client_id=acme.id, file_name="Acme Tours 2025 master charter services agreement.pdf",
                        document_category="contract", description="Signed by Jordan Lee, Office Manager",
                        expires_at=today + timedelta(days=200))
    make_document(vendor_id=vendor.id, file_name="COI-Peach-State-2025.pdf", document_category="coi",
                  expires_at=today + timedelta(days=9), description="Auto liability $5M")
    make_document(vendor_id=vendor.id, file_name="rate-notes.pdf", document_category="vendor_bid",
                  is_internal=True)
    make_document(user_id=driver.id, file_name="DOT-medical-card.pdf", expires_at=today + timedelta(days=1))
    make_document(content=b"name,seat\nAvery,1\n", file_name="roster.csv", client_id=acme.id,
                  document_category="client_document")
    sign_in(tab, manager.email)
    for name, path in [("documents", "/admin/documents"),
                       ("documents-client", f"/admin/documents?client_id={acme.id}"),
                       ("documents-empty", "/admin/documents?q=nothing-like-this"),
                       ("documents-expiring", "/admin/documents/expiring?days=365&expired=on"),
                       ("document-detail", f"/admin/documents/{doc.id}")]:
        tab.goto(path)
        expect(tab.locator("h1")).to_be_visible()
        screenshot(tab, f"{width}-{name}")
        _no_sideways_scroll(tab, f"{path} at {width} width")
    tab.goto("/admin/documents")
    tab.get_by_text("Upload a document").click()
    tab.get_by_role("button", name="Upload").click()
    expect(tab.locator("#f-file-error")).to_be_visible()
    screenshot(tab, f"{width}-documents-upload-errors")
    _no_sideways_scroll(tab, f"the upload form with errors at {width} width")
    assert _script_problems(tab) == []
