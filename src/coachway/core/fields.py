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


def Text(max_length: int, min_length: int = 0):  # noqa: N802 - reads like a type
    """A string trimmed of surrounding spaces, at most max_length long."""
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length)]


Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_check_phone)]
Email = Annotated[EmailStr, Field(max_length=255)]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
