"""Keyword-argument helpers for the financial report tests: bookings with payment plans, payments applied to
charters, refunds, vendor bills and their payments, written as ORM rows (the payment services are not what
these tests are about)."""

import itertools
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from coachway.charters.models import Charter
from coachway.core.db import transaction
from coachway.payments.models import (
    Payment,
    PaymentApplication,
    PaymentPlan,
    PaymentPlanInstallment,
    VendorBill,
    VendorBillPayment,
)
from tests.factories import make_user
from tests.factories_domain import make_client, make_hub

_seq = itertools.count(1)
COMPANY = ZoneInfo("America/New_York")


def noon(day: date) -> datetime:
    """Midday of a company-timezone day, as aware UTC."""
    return datetime.combine(day, time(12), tzinfo=COMPANY).astimezone(UTC)


def hub_id() -> int:
    """A hub for bookings: the first one there is, made when there is none."""
    from sqlalchemy import select

    from coachway.fleet.models import Hub

    with transaction() as session:
        found = session.scalar(select(Hub.id).order_by(Hub.id).limit(1))
    return found or make_hub().id


def make_booking(*, client_id: int | None = None, quoted_price: str | Decimal = "1000.00",
                 trip_date: date | None = None, booked_on: date | None = None, status: str = "booked",
                 installments: list[tuple[date, str | Decimal]] | None = None,
                 cancelled_on: date | None = None, cancellation_fee: str | Decimal | None = None,
                 cancellation_reason: str | None = None, agent_id: int | None = None) -> Charter:
    """A booked charter (committed), with a payment plan when installments [(due_date, amount)] are given."""
    client_id = client_id or make_client().id
    trip_date = trip_date or date(2025, 6, 1)
    booked_on = booked_on or trip_date - timedelta(days=200)
    hub = hub_id()
    with transaction() as session:
        charter = Charter(client_id=client_id, hub_id=hub, passenger_count=40, trip_date=trip_date,
                          status=status, quoted_price=Decimal(quoted_price), booked_at=noon(booked_on),
                          assigned_sales_agent_id=agent_id)
        if status == "cancelled" or cancelled_on:
            charter.cancellation_date = noon(cancelled_on or booked_on)
            charter.cancellation_fee = None if cancellation_fee is None else Decimal(cancellation_fee)
            charter.cancellation_reason = cancellation_reason
        if status == "completed":
            charter.completed_at = noon(trip_date)
        session.add(charter)
        session.flush()
        if installments:
            add_plan(session, charter.id, installments)
        session.expunge(charter)
    return charter


def add_plan(session, charter_id: int, installments: list[tuple[date, str | Decimal]]) -> PaymentPlan:
    """A payment plan of these (due_date, amount) installments, in the caller's transaction."""
    first, last = installments[0], installments[-1]
    plan = PaymentPlan(charter_id=charter_id, deposit_amount=Decimal(first[1]), deposit_due_date=first[0],
                       balance_amount=Decimal(last[1]), balance_due_date=last[0])
    session.add(plan)
    session.flush()
    for seq, (due, amount) in enumerate(installments, start=1):
        session.add(PaymentPlanInstallment(payment_plan_id=plan.id, charter_id=charter_id, sequence=seq,
                                           label="Deposit" if seq == 1 else f"Installment {seq}",
                                           due_date=due, amount=Decimal(amount)))
    return plan


def make_payment(*, client_id: int, amount: str | Decimal, applications: list[tuple[int, str | Decimal]],
                 paid_on: date | None = None, applied_on: date | None = None, status: str = "succeeded",
                 method: str = "check", check_number: str | None = None, bank_name: str | None = None) -> int:
    """A payment from a client applied to charters [(charter_id, amount)]; returns its id."""
    paid_on = paid_on or date(2025, 1, 2)
    applied_at = noon(applied_on or paid_on)
    with transaction() as session:
        payment = Payment(client_id=client_id, amount=Decimal(amount), payment_method=method, status=status,
                          payment_date=paid_on, check_number=check_number or f"{1000 + next(_seq)}",
                          bank_name=bank_name or "First Bank",
                          applied_to_multiple_charters=len(applications) > 1,
                          succeeded_at=applied_at if status == "succeeded" else None)
        session.add(payment)
        session.flush()
        for charter_id, share in applications:
            session.add(PaymentApplication(payment_id=payment.id, charter_id=charter_id,
                                           amount_applied=Decimal(share), applied_at=applied_at))
        return payment.id


def make_refund(*, payment_id: int, client_id: int, charter_id: int, amount: str | Decimal,
                refunded_on: date | None = None) -> int:
    """A refund of part of a payment, taken off a charter (a negative application); returns its id."""
    refunded_on = refunded_on or date(2025, 2, 1)
    with transaction() as session:
        refund = Payment(client_id=client_id, amount=Decimal(amount), payment_type="refund",
                         payment_method="check", status="succeeded", payment_date=refunded_on,
                         original_payment_id=payment_id, succeeded_at=noon(refunded_on))
        session.add(refund)
        session.flush()
        session.add(PaymentApplication(payment_id=payment_id, charter_id=charter_id,
                                       amount_applied=-Decimal(amount), applied_at=noon(refunded_on),
                                       reversal_payment_id=refund.id))
        return refund.id


def make_vendor(**kw):
    """A vendor user."""
    return make_user(role="vendor", **kw)


def make_bill(*, vendor_id: int, total: str | Decimal, bill_date: date, due_date: date,
              payments: list[tuple[date, str | Decimal]] = (), status: str = "approved",
              charter_id: int | None = None) -> int:
    """A vendor bill with payments [(payment_date, amount)]; returns its id."""
    total = Decimal(total)
    paid = sum((Decimal(a) for _d, a in payments), Decimal(0))
    with transaction() as session:
        bill = VendorBill(bill_number=f"B-{next(_seq):05d}", vendor_id=vendor_id, charter_id=charter_id,
                          bill_date=bill_date, due_date=due_date, subtotal=total, tax=Decimal(0),
                          total_amount=total, paid_amount=paid, balance_due=total - paid, status=status)
        session.add(bill)
        session.flush()
        for day, amount in payments:
            session.add(VendorBillPayment(vendor_bill_id=bill.id, amount=Decimal(amount), payment_date=day,
                                          payment_method="ach"))
        return bill.id
