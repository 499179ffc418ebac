"""What an uploaded file is: its content type sniffed from the bytes, and a file name safe to show and send.

Neither the browser's claimed content type nor its file name is trusted: the type comes from the bytes
(the `filetype` library's signatures, then plain UTF-8 text), and the name is only ever a label, never a
path (the bytes are stored under their SHA-256).
"""

import re
import unicodedata
from pathlib import PurePosixPath
from typing import BinaryIO
from urllib.parse import quote

import filetype

from coachway.config import get_settings

MAX_NAME_LENGTH = 150
MAX_EXTENSION_LENGTH = 16
FALLBACK_NAME = "document"
# Reserved on Windows (and awkward everywhere): path separators, wildcards, quotes, pipes, redirects.
_RESERVED = re.compile(r'[<>:"/\\|?*]')
_SPACES = re.compile(r"\s+")
# Device names Windows refuses as file names, with or without an extension.
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{n}" for n in range(1, 10)),
                    *(f"lpt{n}" for n in range(1, 10))}
# Content types whose text we recognise when no binary signature matches.
TEXT_PLAIN = "text/plain"
TEXT_CSV = "text/csv"
# Control characters that text files do not contain (tab, line breaks and form feed are fine).
_BINARY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def sniff_content_type(data: bytes, file_name: str = "") -> str | None:
    """The content type of data judged by its bytes, or None when it is not recognisable.

    Binary formats are known by their signatures; anything else counts as text only when it is valid UTF-8
    without NUL characters, and as CSV when, in addition, its name ends in .csv.
    """
    kind = filetype.guess(data)
    if kind is not None:
        return kind.mime
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if _BINARY_CONTROLS.search(text):
        return None
    return TEXT_CSV if file_name.lower().endswith(".csv") else TEXT_PLAIN


def _is_unwanted(ch: str) -> bool:
    # Control (Cc), format (Cf: bidirectional overrides that disguise "exe.pdf"), unassigned, private use,
    # surrogates and line or paragraph separators.
    return unicodedata.category(ch) in {"Cc", "Cf", "Cn", "Co", "Cs", "Zl", "Zp"}


def _split_extension(name: str) -> tuple[str, str]:
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or not ext or len(ext) > MAX_EXTENSION_LENGTH or " " in ext:
        return name, ""
    return stem, "." + ext


def sanitize_file_name(name: str | None) -> str:
    """A file name safe to store, show and send back: no directories, no control or reserved characters,
    no leading dots, at most MAX_NAME_LENGTH characters with the extension kept; "document" if nothing is
    left."""
    text = unicodedata.normalize("NFC", name or "")
    text = text.replace("\\", "/")
    text = PurePosixPath(text).name if "/" in text else text  # the last path part only
    text = "".join(" " if ch in "\t\r\n" else ch for ch in text if ch in "\t\r\n" or not _is_unwanted(ch))
    text = _RESERVED.sub("_", text)
    text = _SPACES.sub(" ", text).strip().strip(".").strip()
    stem, ext = _split_extension(text)
    if stem.split(".")[0].lower() in _WINDOWS_DEVICES:
        stem = "_" + stem
    stem = stem[:MAX_NAME_LENGTH - len(ext)].rstrip(" .")
    if not stem:
        return FALLBACK_NAME + ext
    return stem + ext


def attachment_headers(file_name: str) -> dict[str, str]:
    """Headers that make a browser save a download under file_name instead of opening it in our origin.

    The content type sent is the sniffed one; nosniff stops a browser from second-guessing it, and the
    sandbox policy keeps anything opened anyway from running script with our cookies.
    """
    # Browsers that ignore filename* get the name with accents dropped (é -> e), not the bytes mangled.
    ascii_name = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode().strip()
    ascii_name = ascii_name or FALLBACK_NAME
    ascii_name = ascii_name.replace('"', "_").replace("\\", "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(file_name, safe='')}"
    return {
        "Content-Disposition": disposition,
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    }


def human_size(size: int) -> str:
    """A byte count as people read it: 640 bytes, 12.5 KB, 3.1 MB."""
    if size < 1024:
        return f"{size} byte{'' if size == 1 else 's'}"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def read_upload(stream: BinaryIO) -> bytes:
    """An uploaded file's bytes, read up to one byte past the size limit: enough to refuse a larger one
    without reading all of it into memory."""
    return stream.read(get_settings().document_max_bytes + 1)
