"""Who may see which document, and attach one to what: the row checks every documents query goes through.

- Staff with documents:read see every document; those marked internal need documents:read_internal too.
- A client user sees documents of its client, and of its charters once the charters domain says which
  those are (register_owner_check); a client never sees an internal document.
- A vendor user sees documents carrying its vendor id (until the vendors table exists, the vendor user's
  own id); a driver, and any other outside user, documents attached to itself (user_id).
- Until a charter owner check is registered, outside users never see a document attached only to a charter.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, literal, or_, select
from sqlalchemy.orm import Session

from coachway.core.errors import Forbidden
from coachway.core.permissions import Actor
from coachway.documents.models import CharterDocument

OWNER_FIELDS = ("charter_id", "client_id", "vendor_id", "user_id")
OWNER_KINDS = ("charter",)
# Which categories outside users may file their uploads under; staff may use every category.
OUTSIDE_CATEGORIES = {
    "client": ("client_document", "coi", "photo", "receipt", "other"),
    "vendor": ("vendor_bid", "coi", "invoice", "photo", "receipt", "other"),
    "driver": ("photo", "receipt", "other"),
}
DEFAULT_OUTSIDE_CATEGORIES = ("other",)


@dataclass(frozen=True)
class OwnerCheck:
    """How another domain tells documents about its rows.

    readable_ids(actor) is a SELECT of the ids an outside (non-staff) actor may see, or None for none;
    exists(session, id), when given, says whether a row exists (staff attaching a document to it).
    """

    readable_ids: Callable[[Actor], Select | None]
    exists: Callable[[Session, int], bool] | None = None


_owner_checks: dict[str, OwnerCheck] = {}


def register_owner_check(kind: str, readable_ids: Callable[[Actor], Select | None], *,
                         exists: Callable[[Session, int], bool] | None = None) -> None:
    """Let outside users see documents of the rows of kind ("charter") that readable_ids lets them see.

    The charters domain calls this at import time, e.g. a client's charters for a client user.
    """
    if kind not in OWNER_KINDS:
        raise ValueError(f"documents are attached to {', '.join(OWNER_KINDS)} rows, not {kind!r}")
    _owner_checks[kind] = OwnerCheck(readable_ids, exists)


def unregister_owner_check(kind: str) -> None:
    """Forget the owner check of kind (tests)."""
    _owner_checks.pop(kind, None)


def owner_check(kind: str) -> OwnerCheck | None:
    """The registered owner check of kind, if any."""
    return _owner_checks.get(kind)


def may_read_internal(actor: Actor) -> bool:
    """True when the actor may see documents marked internal (never a client)."""
    if actor.role == "client":
        return False
    return "*" in actor.permissions or actor.can("documents:read_internal")


def _charter_ids(actor: Actor) -> Select | None:
    check = _owner_checks.get("charter")
    return check.readable_ids(actor) if check else None


def _own_documents(actor: Actor) -> ColumnElement[bool]:
    """The documents an outside actor may see, by what they are attached to."""
    conditions: list[ColumnElement[bool]] = []
    if actor.user_id is not None:
        conditions.append(CharterDocument.user_id == actor.user_id)
    if actor.role == "client" and actor.client_id is not None:
        conditions.append(CharterDocument.client_id == actor.client_id)
    if actor.role == "vendor" and actor.user_id is not None:
        conditions.append(CharterDocument.vendor_id == actor.user_id)
    charters = _charter_ids(actor)
    if charters is not None:
        conditions.append(CharterDocument.charter_id.in_(charters))
    return or_(*conditions) if conditions else false()


def readable(actor: Actor) -> Select[tuple[CharterDocument]]:
    """The documents the actor may see (deleted ones are gone for everybody)."""
    stmt = select(CharterDocument).where(CharterDocument.deleted_at.is_(None))
    if not may_read_internal(actor):
        stmt = stmt.where(CharterDocument.is_internal.is_(False))
    if actor.is_staff:
        return stmt
    return stmt.where(_own_documents(actor))


def _may_see_charter(session: Session, actor: Actor, charter_id: int) -> bool:
    charters = _charter_ids(actor)
    if charters is None:
        return False
    return bool(session.scalar(select(literal(True)).where(literal(charter_id).in_(charters))))


def _owns(session: Session, actor: Actor, field: str, value: int) -> bool:
    if field == "user_id":
        return value == actor.user_id
    if field == "client_id":
        return actor.role == "client" and value == actor.client_id
    if field == "vendor_id":
        return actor.role == "vendor" and value == actor.user_id
    return _may_see_charter(session, actor, value)


def check_attach(session: Session, actor: Actor, owners: dict[str, int | None]) -> None:
    """Staff may attach a document to anything; an outside user only to what is its own."""
    if actor.is_staff:
        return
    for field in OWNER_FIELDS:
        value = owners.get(field)
        if value is not None and not _owns(session, actor, field, value):
            what = field.removesuffix("_id")
            raise Forbidden(f"You can attach documents only to your own {what} (not {what} {value}).",
                            errors=[{"field": field, "message": f"This {what} is not yours."}])


def categories_for(actor: Actor) -> tuple[str, ...] | None:
    """The categories an outside actor may file documents under; None: every category (staff)."""
    if actor.is_staff:
        return None
    return OUTSIDE_CATEGORIES.get(actor.role, DEFAULT_OUTSIDE_CATEGORIES)


def default_owner(actor: Actor) -> dict[str, int]:
    """What an outside user's upload is attached to when its form offers no choice."""
    if actor.role == "client" and actor.client_id is not None:
        return {"client_id": actor.client_id}
    if actor.role == "vendor" and actor.user_id is not None:
        return {"vendor_id": actor.user_id}
    if not actor.is_staff and actor.user_id is not None:
        return {"user_id": actor.user_id}
    return {}


def may_change(actor: Actor, document: CharterDocument) -> bool:
    """Staff may change any document they see; an outside user only the ones it uploaded."""
    return actor.is_staff or (actor.user_id is not None and document.uploaded_by == actor.user_id)
