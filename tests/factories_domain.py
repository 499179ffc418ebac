"""Keyword-argument helpers that build clients and fleet data through the services."""

import itertools

from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from tests.factories import login, make_user

_seq = itertools.count(1)


def make_client(*, name: str | None = None, client_type: str = "corporate", **kw):
    """A client, committed; returns the row (detached)."""
    from coachway.clients.service import create_client

    n = next(_seq)
    kw.setdefault("email", f"client{n}@example.com")
    with transaction() as session:
        client = create_client(session, SYSTEM, name=name or f"Client {n}", client_type=client_type, **kw)
        client.contacts  # noqa: B018 - load them before the session closes
    return client


def make_hub(*, code: str | None = None, name: str | None = None, timezone: str = "America/New_York", **kw):
    """A hub, committed."""
    from coachway.fleet.service import create_hub

    n = next(_seq)
    with transaction() as session:
        return create_hub(session, SYSTEM, code=code or f"H{n}", name=name or f"Hub {n}", timezone=timezone,
                          **kw)


def make_vehicle_type(*, code: str | None = None, capacity: int = 56, **kw):
    """A vehicle type, committed."""
    from coachway.fleet.service import create_vehicle_type

    n = next(_seq)
    kw.setdefault("name", f"Type {n}")
    with transaction() as session:
        return create_vehicle_type(session, SYSTEM, code=code or f"type_{n}", capacity=capacity, **kw)


def make_vehicle(*, hub_id: int | None = None, vehicle_type_id: int | None = None,
                 unit_number: str | None = None, **kw):
    """A vehicle (with a new hub and type unless given), committed."""
    from coachway.fleet.service import create_vehicle

    n = next(_seq)
    hub_id = hub_id or make_hub().id
    vehicle_type_id = vehicle_type_id or make_vehicle_type().id
    with transaction() as session:
        return create_vehicle(session, SYSTEM, unit_number=unit_number or f"U{n}", hub_id=hub_id,
                              vehicle_type_id=vehicle_type_id, **kw)


def make_driver(**kw):
    """A user of role driver, committed."""
    return make_user(role="driver", **kw)


def client_user_headers(client, client_id: int) -> dict:
    """Sign in a new portal user of the given client."""
    user = make_user(role="client", client_id=client_id)
    return login(client, user.email)


def audit_rows(client, admin_headers: dict, **filters) -> list[dict]:
    """Audit log entries matching filters, newest first (read through the API as an admin)."""
    r = client.get("/api/v1/audit-log", params={"limit": 200, **filters}, headers=admin_headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


# ---------------------------------------------------------------- documents

def pdf_bytes(title: str = "Charter agreement", *lines: str) -> bytes:
    """A real one-page PDF (different titles give different files)."""
    from coachway.documents.pdf import text_pdf

    return text_pdf(title, list(lines) or ["Signed copy."])


def make_document(*, content: bytes | None = None, file_name: str = "agreement.pdf", actor=SYSTEM, **kw):
    """A document uploaded through the service (a new PDF unless content is given), committed."""
    from coachway.documents.service import upload_document

    n = next(_seq)
    content = content if content is not None else pdf_bytes(f"Document {n}")
    with transaction() as session:
        return upload_document(session, actor, content=content, file_name=file_name, **kw)


def upload(client, headers: dict, *, content: bytes | None = None, file_name: str = "agreement.pdf",
           content_type: str = "application/pdf", **fields):
    """POST a file to /api/v1/documents as a multipart form; returns the response."""
    content = content if content is not None else pdf_bytes(f"Upload {next(_seq)}")
    data = {k: ("true" if v is True else "false" if v is False else str(v)) for k, v in fields.items()}
    return client.post("/api/v1/documents", files={"file": (file_name, content, content_type)}, data=data,
                       headers=headers)


def seed_templates() -> None:
    """Put the shipped message templates into the test database (emptied before each test)."""
    from coachway.notifications.templates_seed import seed_default_templates

    with transaction() as session:
        seed_default_templates(session)


def template_id(key: str, channel: str = "email") -> int:
    """The id of a seeded message template."""
    from coachway.notifications import service

    with transaction() as session:
        found = service.list_templates(session, SYSTEM, channel=channel, key=key)
    assert found, f"no {channel} template {key!r}: call seed_templates() first"
    return found[0].id


def send_notification(**kw):
    """Send a message through the notifications service as the system, committed; returns the row."""
    from coachway.notifications import service

    kw.setdefault("context", None)
    with transaction() as session:
        return service.send(session, SYSTEM, **kw)


# ---------------------------------------------------------------- charters

ATL_HUB = {"code": "ATL", "name": "Atlanta", "city": "Hapeville", "state": "GA",
           "latitude": "33.6601000", "longitude": "-84.4102000", "timezone": "America/New_York"}


def make_charter(*, client_id: int | None = None, hub_id: int | None = None, actor=SYSTEM, passenger_count=40,
                 trip_date=None, **kw):
    """A quote (with a new client and hub unless given), committed; returns the row (detached)."""
    from datetime import timedelta

    from coachway.charters.service import create_charter
    from coachway.core import clock

    client_id = client_id or make_client().id
    hub_id = hub_id or make_hub().id
    trip_date = trip_date or clock.now().date() + timedelta(days=30)
    with transaction() as session:
        return create_charter(session, actor, client_id=client_id, hub_id=hub_id,
                              passenger_count=passenger_count, trip_date=trip_date, **kw)


def make_stop(charter_id: int, *, actor=SYSTEM, **kw):
    """A stop added at the end of a charter's itinerary (or at position), committed."""
    from coachway.charters.service import add_stop

    kw.setdefault("address", "Atlanta, GA")
    with transaction() as session:
        return add_stop(session, actor, charter_id, **kw)


def seed_dot_regulations() -> None:
    """Put the shipped DOT hours-of-service rules into the test database (emptied before each test)."""
    from coachway.charters.service import seed_dot_regulations as seed

    with transaction() as session:
        seed(session)
