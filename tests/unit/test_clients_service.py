"""Clients service rules that the API cannot easily reach: races, bulk import, row scoping."""

import pytest
from sqlalchemy import func, select

from coachway.clients import service
from coachway.clients.models import Client
from coachway.clients.schemas import ClientCreate
from coachway.core.errors import Conflict, Invalid
from coachway.core.models import AuditLog
from coachway.core.permissions import SYSTEM, Actor


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_duplicate_email_that_slips_past_the_check_is_still_a_conflict(session, monkeypatch):
    service.create_client(session, SYSTEM, name="Acme", email="events@acme.example")
    session.commit()
    # As if another request inserted the same email between our check and our insert.
    monkeypatch.setattr(service, "_email_taken", lambda *a, **kw: False)
    with pytest.raises(Conflict, match="events@acme.example"):
        service.create_client(session, SYSTEM, name="Acme Again", email="Events@Acme.example")
    session.rollback()
    assert _count(session, Client) == 1


def test_import_creates_every_client_with_contacts_and_audit_rows(session):
    rows = [ClientCreate(name=f"Club {n}", email=f"club{n}@example.com",
                         contacts=[{"name": f"Organiser {n}"}]) for n in range(5)]
    clients = service.import_clients(session, SYSTEM, rows)
    assert [c.name for c in clients] == [f"Club {n}" for n in range(5)]
    assert all(c.contacts[0].is_primary for c in clients)
    assert _count(session, AuditLog) == 10  # one per client and one per contact


def test_import_with_an_email_twice_is_refused_whole(session):
    rows = [ClientCreate(name="A", email="same@example.com"),
            ClientCreate(name="B", email="SAME@example.com")]
    with pytest.raises(Conflict):
        service.import_clients(session, SYSTEM, rows)
    assert _count(session, Client) == 0


def test_import_with_an_existing_email_is_refused_whole(session):
    service.create_client(session, SYSTEM, name="Acme", email="events@acme.example")
    rows = [ClientCreate(name="New"), ClientCreate(name="Acme copy", email="events@acme.example")]
    with pytest.raises(Conflict):
        service.import_clients(session, SYSTEM, rows)


def test_import_checks_the_sales_agent(session):
    with pytest.raises(Invalid):
        service.import_clients(session, SYSTEM, [ClientCreate(name="A", assigned_sales_agent_id=987654)])


@pytest.mark.parametrize(("role", "client_id", "sees"), [
    ("manager", None, {"A", "B"}), ("dispatcher", None, {"A", "B"}), ("client", "A", {"A"}),
    ("client", None, set()), ("vendor", None, set()), ("driver", None, set()),
])
def test_readable_scopes_rows_by_role(session, role, client_id, sees):
    ids = {c.name: c.id for c in (service.create_client(session, SYSTEM, name=n) for n in ("A", "B"))}
    actor = Actor(user_id=1, role=role, client_id=ids.get(client_id))
    assert {c.name for c in session.scalars(service.readable(actor))} == sees
