"""A minimal PDF writer: one page of plain text (demo documents, tests); no dependency needed.

Produces a valid PDF 1.4 file: catalog, one US Letter page, the standard Helvetica font, and a
cross-reference table with the byte offsets readers use to find each object.
"""

PAGE_WIDTH, PAGE_HEIGHT = 612, 792  # US Letter, in points
MARGIN = 72
LINE_HEIGHT = 16


def _escape(text: str) -> str:
    # PDF string literals: backslash and parentheses are special; keep to Latin-1 for the standard font.
    safe = text.encode("latin-1", "replace").decode("latin-1")
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content_stream(title: str, lines: list[str]) -> bytes:
    y = PAGE_HEIGHT - MARGIN
    ops = [f"BT /F1 18 Tf {MARGIN} {y} Td ({_escape(title)}) Tj ET"]
    y -= 2 * LINE_HEIGHT
    for line in lines:
        ops.append(f"BT /F1 11 Tf {MARGIN} {y} Td ({_escape(line)}) Tj ET")
        y -= LINE_HEIGHT
    return "\n".join(ops).encode("latin-1")


def text_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF showing title and then each line."""
    stream = _content_stream(title, lines)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
         f"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>").encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
