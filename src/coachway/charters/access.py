"""What the documents domain may ask about charters: which a client user may read, and which exist.

Registered with coachway.documents.access when the charters package is imported, so a client user sees the
documents attached to its own client's charters.
"""

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coachway.charters.models import Charter
from coachway.core.permissions import Actor


def readable_charter_ids(actor: Actor) -> Select | None:
    """Ids of the charters an outside (non-staff) actor may read: a client user its client's; others none."""
    if actor.role == "client" and actor.client_id is not None:
        return select(Charter.id).where(Charter.client_id == actor.client_id)
    return None


def charter_exists(session: Session, charter_id: int) -> bool:
    """True when charter_id is a charter."""
    return session.scalar(select(Charter.id).where(Charter.id == charter_id)) is not None


def register_with_documents() -> None:
    """Tell the documents domain how to check charter owners (idempotent)."""
    from coachway.documents import access

    access.register_owner_check("charter", readable_charter_ids, exists=charter_exists)
