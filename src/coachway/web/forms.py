"""Reading submitted forms, validating them with the API's Pydantic schemas, and showing errors."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from coachway.core.errors import DomainError, Invalid

M = TypeVar("M", bound=BaseModel)

_FRIENDLY = {
    "missing": "This field is required.",
    "string_too_short": "Use at least {min_length} characters.",
    "string_too_long": "Use at most {max_length} characters.",
    "string_pattern_mismatch": "This is not in the expected form.",
    "int_parsing": "Enter a whole number.",
    "greater_than_equal": "Enter a number of at least {ge}.",
    "less_than_equal": "Enter a number of at most {le}.",
    "date_from_datetime_parsing": "Enter a date like 2025-06-30.",
    "date_parsing": "Enter a date like 2025-06-30.",
}


def values(form: FormData, *names: str, raw: tuple[str, ...] = ()) -> dict[str, str]:
    """The named single-value fields, trimmed (except those in raw: passwords); blank ones left out."""
    out = {}
    for name in (*names, *raw):
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            out[name] = value if name in raw else value.strip()
    return out


def _message(error: dict) -> str:
    friendly = _FRIENDLY.get(error.get("type", ""))
    if friendly and error.get("type") == "string_too_short" and error.get("ctx", {}).get("min_length") == 1:
        friendly = _FRIENDLY["missing"]
    fallback = str(error.get("msg", "Invalid value."))
    try:
        text = friendly.format(**error.get("ctx", {})) if friendly else fallback
    except (KeyError, IndexError):
        text = fallback
    text = text.removeprefix("Value error, ").removeprefix("value is not a valid email address: ")
    return text[:1].upper() + text[1:]


def validate(schema: type[M], data: Mapping[str, Any]) -> M:
    """data as schema, or Invalid naming each bad field (the same rules as the API)."""
    try:
        return schema.model_validate(dict(data))
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ())) or "form", "message": _message(e)}
                  for e in exc.errors()]
        raise Invalid("Some fields are missing or invalid.", errors=errors) from None


@dataclass
class FormErrors:
    """What went wrong with a submitted form: a summary and one message per field."""

    message: str
    fields: dict[str, str] = field(default_factory=dict)
    # How the summary names fields whose form label is not their name ("hub_id" -> "Hub").
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, exc: DomainError, labels: dict[str, str] | None = None) -> "FormErrors":
        """The errors a domain error (or a failed validation) carries, named with the form's labels."""
        fields: dict[str, str] = {}
        for item in exc.errors:
            fields.setdefault(str(item.get("field") or "form"), str(item.get("message") or exc.detail))
        return cls(exc.detail, fields, labels or {})

    def get(self, name: str) -> str | None:
        """The message for one field, if any."""
        return self.fields.get(name)

    @property
    def summary(self) -> list[tuple[str, str, str]]:
        """(field name, label, message) for the error summary at the top of the form."""
        return [(name, self.labels.get(name) or name.replace("_", " ").capitalize(), msg)
                for name, msg in self.fields.items()]
