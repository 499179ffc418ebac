"""Which sales agent a charter belongs to, and handing it to another."""

from sqlalchemy.orm import Session

from coachway.auth import service as auth_service
from coachway.charters.models import Charter
from coachway.charters.service._common import check_editable, check_sales_agent, find, snapshot
from coachway.core import audit, clock
from coachway.core.errors import Forbidden
from coachway.core.permissions import Actor, require


def _may_assign_any(actor: Actor) -> bool:
    return "*" in actor.permissions or actor.can("charters:assign")


def assign_agent(session: Session, actor: Actor, charter_id: int, *, sales_agent_id: int) -> Charter:
    """Hand a charter to another sales agent: managers any charter, an agent only its own.

    The charter row is locked, so two reassignments at once happen one after the other (both audited).
    """
    if not _may_assign_any(actor):
        require(actor, "charters:update")
    charter = find(session, actor, charter_id, lock=True)
    if not _may_assign_any(actor) and charter.assigned_sales_agent_id != actor.user_id:
        raise Forbidden("You can hand over only quotes that are yours.")
    check_editable(charter)
    check_sales_agent(session, sales_agent_id)
    if charter.assigned_sales_agent_id == sales_agent_id:
        return charter
    old = snapshot(charter)
    charter.assigned_sales_agent_id = sales_agent_id
    charter.assigned_at = clock.now()
    charter.assigned_by = actor.user_id
    session.flush()
    audit.record(session, actor, entity_type="charter", entity_id=charter.id, action="assign_agent", old=old,
                 new=snapshot(charter))
    return charter


def list_assignable_agents(session: Session, actor: Actor) -> list:
    """The active sales agents a charter can be handed to, by name."""
    require(actor, "charters:read")
    return auth_service.users_by_role(session, "sales_agent")
