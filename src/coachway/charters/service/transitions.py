"""Moving a charter through its workflow: book, confirm, start, complete or cancel (see lifecycle.py)."""

from decimal import Decimal

from sqlalchemy.orm import Session

from coachway.charters.lifecycle import STAMPS, next_status
from coachway.charters.lifecycle import allowed_actions as actions_by_status
from coachway.charters.models import Charter
from coachway.charters.service._common import check_current, find, snapshot
from coachway.core import audit, clock
from coachway.core.errors import Invalid
from coachway.core.money import to_money
from coachway.core.permissions import Actor, require


def _move(session: Session, actor: Actor, charter_id: int, action: str, *,
          permission: str = "charters:update", **extra) -> Charter:
    """Take one workflow step: refused with 409 (nothing changed) unless the table allows it; audited."""
    require(actor, permission)
    charter = find(session, actor, charter_id, lock=True)
    check_current(charter)  # a quote replaced by a revision is history: neither booked nor cancelled
    target = next_status(charter.status, action)
    old = snapshot(charter)
    now = clock.now()
    charter.status = target
    setattr(charter, STAMPS[target], now)
    for key, value in extra.items():
        setattr(charter, key, value)
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=charter.id, action=action, old=old,
                 new=snapshot(charter))
    return charter


def book_charter(session: Session, actor: Actor, charter_id: int) -> Charter:
    """The client accepted the quote: it becomes a booking, with its payment plan (deposit and balance)."""
    # Imported here: the payments domain builds on charters (its modules import this package).
    from coachway.payments.service import plans

    charter = _move(session, actor, charter_id, "book")
    plans.create_for_booking(session, charter)
    return charter


def confirm_charter(session: Session, actor: Actor, charter_id: int) -> Charter:
    """The booking is confirmed (deposit, paperwork): the trip will run."""
    return _move(session, actor, charter_id, "confirm")


def start_charter(session: Session, actor: Actor, charter_id: int) -> Charter:
    """The trip is under way."""
    return _move(session, actor, charter_id, "start")


def complete_charter(session: Session, actor: Actor, charter_id: int) -> Charter:
    """The trip is over."""
    return _move(session, actor, charter_id, "complete")


def cancel_charter(session: Session, actor: Actor, charter_id: int, *, cancellation_reason: str,
                   cancellation_fee: Decimal | None = None) -> Charter:
    """Cancel a quote, booking or confirmed trip, saying why and what fee (if any) the client owes."""
    reason = (cancellation_reason or "").strip()
    if not reason:
        raise Invalid.field("cancellation_reason", "Say why the charter is cancelled.")
    if cancellation_fee is not None and cancellation_fee < 0:
        raise Invalid.field("cancellation_fee", "The fee cannot be negative.")
    fee = to_money(cancellation_fee) if cancellation_fee is not None else None
    return _move(session, actor, charter_id, "cancel", permission="charters:cancel",
                 cancellation_reason=reason, cancellation_fee=fee, cancelled_by=actor.user_id,
                 cancellation_fee_paid=False)


def change_status(session: Session, actor: Actor, charter_id: int, action: str, **extra) -> Charter:
    """Take the workflow step named action ("book", "confirm", "start", "complete" or "cancel")."""
    steps = {"book": book_charter, "confirm": confirm_charter, "start": start_charter,
             "complete": complete_charter, "cancel": cancel_charter}
    if action not in steps:
        raise Invalid.field("action", f"Choose one of: {', '.join(steps)}.")
    return steps[action](session, actor, charter_id, **extra)


def allowed_actions(actor: Actor, charter: Charter) -> list[str]:
    """The workflow steps the actor may take on the charter now (for buttons on pages and in the API)."""
    if charter.superseded_by_id is not None:
        return []  # replaced by a revision: history

    def permitted(action: str) -> bool:
        needed = "charters:cancel" if action == "cancel" else "charters:update"
        return "*" in actor.permissions or actor.can(needed)

    return [action for action in actions_by_status(charter.status) if permitted(action)]
