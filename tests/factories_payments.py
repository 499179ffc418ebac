"""Booked charters with prices and plans, and payments, for the payments tests."""

from datetime import date, timedelta
from decimal import Decimal

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from tests.factories_domain import make_charter, make_client, make_hub


def booked_charter(
    *,
    client_id: int | None = None,
    price: str | Decimal = "1000.00",
    trip_in_days: int = 60,
    hub_id: int | None = None,
    status: str = "booked",
    **kw,
):
    """A charter with a quoted price, booked through the workflow (so it has its standard plan); committed."""
    from coachway.charters.models import Charter
    from coachway.charters.service import transitions

    charter = make_charter(
        client_id=client_id or make_client().id,
        hub_id=hub_id or make_hub().id,
        trip_date=clock.now().date() + timedelta(days=trip_in_days),
        **kw,
    )
    with transaction() as session:
        row = session.get(Charter, charter.id)
        row.quoted_price = Decimal(str(price))
        session.flush()
        transitions.book_charter(session, SYSTEM, charter.id)
        if status == "confirmed":
            transitions.confirm_charter(session, SYSTEM, charter.id)
        row = session.get(Charter, charter.id)
        session.expunge(row)
    return row


def client_with_charters(n: int = 3, prices=("1000.00", "1500.00", "2500.00")):
    """A client and n booked charters of theirs: (client, [charters])."""
    client = make_client()
    hub = make_hub()
    return client, [
        booked_charter(
            client_id=client.id, hub_id=hub.id, price=prices[i % len(prices)], trip_in_days=30 + 10 * i
        )
        for i in range(n)
    ]


def check_body(client_id: int, amount: str = "5000.00", **kw) -> dict:
    """The JSON of a check payment."""
    return {
        "client_id": client_id,
        "amount": amount,
        "payment_method": "check",
        "check_number": "10452",
        "bank_name": "First Bank",
        **kw,
    }


def record(
    client_id: int,
    amount: str = "5000.00",
    *,
    applications=None,
    method: str = "check",
    payment_date: date | None = None,
    **kw,
):
    """A recorded payment through the service, committed; returns its id."""
    from coachway.payments import service

    details = {"check_number": "991", "bank_name": "First Bank"} if method == "check" else {}
    if method == "po":
        details = {"po_number": "PO-1"}
    with transaction() as session:
        payment = service.record_payment(
            session,
            SYSTEM,
            client_id=client_id,
            amount=Decimal(amount),
            payment_method=method,
            payment_date=payment_date,
            applications=applications,
            **details,
            **kw,
        )
        return payment.id
