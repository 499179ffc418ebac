"""What an uploaded file is: its type judged by its bytes, and a file name safe to keep and send."""

import pytest

from coachway.documents.files import attachment_headers, sanitize_file_name, sniff_content_type
from coachway.documents.pdf import text_pdf

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 30


@pytest.mark.parametrize(("data", "name", "expected"), [
    (text_pdf("Agreement", ["Signed."]), "agreement.pdf", "application/pdf"),
    (PNG, "photo.png", "image/png"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "bus.jpg", "image/jpeg"),
    ("Passenger list: José, Zoë\n".encode(), "list.txt", "text/plain"),
    (b"name,seat\nAvery,1\n", "roster.CSV", "text/csv"),
    (b"name,seat\nAvery,1\n", "roster.txt", "text/plain"),
])
def test_content_type_comes_from_the_bytes(data, name, expected):
    assert sniff_content_type(data, name) == expected


@pytest.mark.parametrize(("data", "expected"), [(ELF, "application/x-executable"),
                                                (EXE, "application/x-msdownload"), (ZIP, "application/zip")])
def test_a_misnamed_binary_is_known_for_what_it_is(data, expected):
    assert sniff_content_type(data, "invoice.pdf") == expected


@pytest.mark.parametrize("data", [b"\xff\xfe\xfd not utf-8", b"text with a NUL\x00 inside",
                                  b"\x1b\x02 control bytes", b"\x7fELF"])
def test_binary_that_no_signature_matches_is_not_taken_for_text(data):
    assert sniff_content_type(data, "notes.txt") is None


@pytest.mark.parametrize(("claimed", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("..\\..\\Windows\\System32\\drivers.sys", "drivers.sys"),
    ("/var/www/index.html", "index.html"),
    ("C:\\Users\\dana\\Desktop\\COI 2025.pdf", "COI 2025.pdf"),
    ("re\x00port\x1f\x7f.pdf", "report.pdf"),
    ("line\nbreak\ttab.pdf", "line break tab.pdf"),
    ("invoice\u202efdp.exe", "invoicefdp.exe"),
    ('a<b>c:d"e|f?g*h.pdf', "a_b_c_d_e_f_g_h.pdf"),
    ("  .hidden  ", "hidden"),
    ("..", "document"),
    ("", "document"),
    (None, "document"),
    ("CON.txt", "_CON.txt"),
    ("Résumé.pdf", "Résumé.pdf"),
])
def test_file_names_are_made_safe(claimed, safe):
    assert sanitize_file_name(claimed) == safe


def test_a_long_name_is_shortened_keeping_its_extension():
    safe = sanitize_file_name("x" * 400 + ".pdf")
    assert len(safe) == 150 and safe.endswith("x.pdf")


def test_attachment_headers_carry_the_name_safely_and_forbid_sniffing():
    headers = attachment_headers("Résumé 2025.pdf")
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"Resume 2025.pdf\"; filename*=UTF-8''R%C3%A9sum%C3%A9%202025.pdf")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in headers["Content-Security-Policy"]
