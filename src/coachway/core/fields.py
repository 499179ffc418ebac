"""Field types that request schemas of every domain share: trimmed text, phone numbers, ids."""

import re
from typing import Annotated

from pydantic import AfterValidator, EmailStr, Field, StringConstraints

MAX_ID = 2_147_483_647  # ids are 32-bit integers in PostgreSQL
_PHONE = re.compile(r"^\+?[0-9 ().\-]+(\s*(x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


def _check_phone(value: str) -> str:
    main = re.split(r"x|ext", value, flags=re.IGNORECASE)[0]
    if not _PHONE.match(value) or not 7 <= sum(c.isdigit() for c in main) <= 15:
        raise ValueError("Enter a phone number like (404) 555-0134 or +1 404 555 0134.")
    return value


# Text people type: no control characters (PostgreSQL cannot even store NUL); notes may span lines.
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
NO_CONTROL_BUT_LINE_BREAKS = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def Line(max_length: int, min_length: int = 0):  # noqa: N802 - reads like a type
    """One line of text, trimmed, without control characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length, pattern=NO_CONTROL)]


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - reads like a type
    """Free text that may span lines (notes), trimmed, without other control characters."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length, pattern=NO_CONTROL_BUT_LINE_BREAKS)]


Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_check_phone)]
Email = Annotated[EmailStr, Field(max_length=255)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
