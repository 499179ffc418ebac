"""Test data of vendor bills: vendors (users of role vendor for now) and bills made through the service."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from tests.factories import make_user

_n = itertools.count(1)


def make_vendor(*, active: bool = True, **kw):
    """A vendor (a user of role vendor until the vendors domain exists), committed."""
    from coachway.auth.service import update_user

    n = next(_n)
    kw.setdefault("full_name", f"Peach State Coaches {n}")
    user = make_user(role="vendor", **kw)
    if not active:
        with transaction() as session:
            user = update_user(session, SYSTEM, user.id, is_active=False)
    return user


def today() -> date:
    """Today in company time, as the bill rules see it."""
    from coachway.payments.service.bills import company_today

    return company_today()


def make_bill(*, vendor_id: int | None = None, status: str = "received", paid: Decimal | str | None = None,
              **kw):
    """A bill (for a new vendor unless given), committed, then taken to status: approved, partially_paid
    (paid: how much, default a third), paid or disputed. Returns the row (detached)."""
    from coachway.payments.service import bills

    n = next(_n)
    kw.setdefault("bill_number", f"VB-{n:05d}")
    kw.setdefault("bill_date", today() - timedelta(days=5))
    kw.setdefault("payment_terms", "Net 30")
    kw.setdefault("subtotal", Decimal("900.00"))
    kw.setdefault("tax", Decimal("0.00"))
    vendor_id = vendor_id or make_vendor().id
    with transaction() as session:
        bill = bills.create_bill(session, SYSTEM, vendor_id=vendor_id, **kw)
        if status == "disputed":
            bills.dispute_bill(session, SYSTEM, bill.id, reason="Wrong mileage")
        elif status != "received":
            bills.approve_bill(session, SYSTEM, bill.id)
        if status in ("partially_paid", "paid"):
            part = Decimal(paid or (bill.total_amount / 3)).quantize(Decimal("0.01"))
            amount = bill.balance_due if status == "paid" else part
            bills.pay_bill(session, SYSTEM, bill.id, amount=amount, payment_method="ach")
        session.flush()
        session.refresh(bill)
        session.expunge(bill)
    return bill


def bill_body(vendor_id: int, **kw) -> dict:
    """A valid POST /api/v1/vendor-bills body."""
    n = next(_n)
    body = {"bill_number": f"INV-{n:05d}", "vendor_id": vendor_id, "bill_date": str(today()),
            "payment_terms": "Net 30", "subtotal": "1200.00", "tax": "84.00"}
    body.update(kw)
    return body
