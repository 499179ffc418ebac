"""Demo money: payment plans, payments (check, ACH, wire) and vendor bills for the demo company, and a fast
bulk generator of bookings with their plans, payments and vendor bills for `coachway demo-data --scale N`.

- load(session, today=...): after charters.demo.load. Gives each demo booking a plan (25% deposit, the
  balance two weeks before the trip), pays some of them (one check is applied across three charters), and
  enters two vendor bills, one part-paid and one disputed.
- load_scale(session, scale=N, today=...): after the scaled-up clients exist. Inserts CHARTERS_PER_COPY
  bookings per copy (booked, confirmed, completed and cancelled, trips from 500 days ago to 200 days on)
  with their installments, payments, applications, refunds of cancelled trips, and vendor bills with
  payments, in batches of Core executemany inserts with ids given here (sequences are moved on after).
  It writes charters rows directly: it is a loader of bulk data for benchmarks, not a way to book.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from coachway.auth.models import User
from coachway.charters.models import Charter
from coachway.core import clock
from coachway.core.money import to_money
from coachway.payments.models import (
    Payment,
    PaymentApplication,
    PaymentPlan,
    PaymentPlanInstallment,
    VendorBill,
    VendorBillPayment,
)

CHARTERS_PER_COPY = 1500
BATCH = 10_000
DEPOSIT_SHARE = Decimal("0.25")
BALANCE_DAYS_BEFORE = 14
BILL_EVERY = 12  # one vendor bill per this many bookings
METHODS = ("check", "check", "check", "ach", "ach", "wire", "card")
BANKS = ("Truist", "Regions Bank", "Pinnacle Bank", "Wells Fargo", "Bank of America", "Synovus")
VENDOR_NAMES = ("Blue Ridge Coaches", "Peach State Motorcoach", "Music City Charters", "Southern Star Bus",
                "Cumberland Coach Lines", "Magnolia Transit", "Riverbend Tours", "Appalachian Express")
CANCEL_REASONS = ("Event cancelled", "Group too small", "Booked elsewhere", "Weather", "Budget cut")


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(17), tzinfo=UTC)


def _plan_dates(booked: date, trip: date) -> tuple[date, date]:
    deposit_due = min(booked + timedelta(days=7), trip)
    return deposit_due, max(trip - timedelta(days=BALANCE_DAYS_BEFORE), deposit_due)


def _split(price: Decimal) -> tuple[Decimal, Decimal]:
    deposit = to_money(price * DEPOSIT_SHARE)
    return deposit, price - deposit


# ---------------------------------------------------------------- the small demo


def load(session: Session, *, today: date) -> None:
    """Plans (for bookings without one yet), payments and vendor bills for the demo company's bookings, in
    the caller's transaction."""
    bookings = list(session.scalars(
        select(Charter).where(Charter.status.in_(("booked", "confirmed", "in_progress", "completed")),
                              Charter.quoted_price > 0).order_by(Charter.id)))
    planned = set(session.scalars(select(PaymentPlan.charter_id)))
    for charter in bookings:
        if charter.id in planned:  # booking made the standard plan already
            continue
        booked = (charter.booked_at or clock.now()).date()
        deposit_due, balance_due = _plan_dates(min(booked, today) - timedelta(days=40), charter.trip_date)
        deposit, balance = _split(charter.quoted_price)
        plan = PaymentPlan(charter_id=charter.id, deposit_amount=deposit, deposit_due_date=deposit_due,
                           balance_amount=balance, balance_due_date=balance_due)
        session.add(plan)
        session.flush()
        session.add_all([
            PaymentPlanInstallment(payment_plan_id=plan.id, charter_id=charter.id, sequence=1,
                                   label="Deposit", due_date=deposit_due, amount=deposit),
            PaymentPlanInstallment(payment_plan_id=plan.id, charter_id=charter.id, sequence=2,
                                   label="Balance", due_date=balance_due, amount=balance)])
    session.flush()
    methods = [("check", "1041", "Truist"), ("ach", None, None), ("wire", None, None)]
    for index, charter in enumerate(bookings[:3]):
        deposit, _balance = _split(charter.quoted_price)
        method, number, bank = methods[index]
        _pay(session, charter.client_id, [(charter.id, deposit)], today - timedelta(days=20 - index), method,
             number, bank)
    # One check paying the deposits of three bookings of one client (a payment only goes on its client's
    # charters), the first client with three bookings not paid above.
    by_client: dict[int, list[Charter]] = {}
    for charter in bookings[3:]:
        by_client.setdefault(charter.client_id, []).append(charter)
    trio = next((group[:3] for group in by_client.values() if len(group) >= 3), None)
    if trio:
        _pay(session, trio[0].client_id, [(c.id, _split(c.quoted_price)[0]) for c in trio], today, "check",
             "2207", "Regions Bank")
    vendor = session.scalar(select(User).where(User.role == "vendor").order_by(User.id).limit(1))
    if vendor is not None and bookings:
        first = bookings[0]
        cost = to_money(first.quoted_price * Decimal("0.6"))
        bill = VendorBill(bill_number="VB-1001", vendor_id=vendor.id, charter_id=first.id,
                          bill_date=today - timedelta(days=45), due_date=today - timedelta(days=15),
                          subtotal=cost, tax=Decimal("0.00"), total_amount=cost,
                          paid_amount=to_money(cost / 2), balance_due=cost - to_money(cost / 2),
                          status="partially_paid", payment_terms="Net 30")
        session.add(bill)
        session.flush()
        session.add(VendorBillPayment(vendor_bill_id=bill.id, amount=to_money(cost / 2),
                                      payment_date=today - timedelta(days=10), payment_method="ach"))
        session.add(VendorBill(bill_number="VB-1002", vendor_id=vendor.id,
                               bill_date=today - timedelta(days=5),
                               due_date=today + timedelta(days=25), subtotal=Decimal("850.00"),
                               tax=Decimal("0.00"), total_amount=Decimal("850.00"),
                               paid_amount=Decimal("0.00"),
                               balance_due=Decimal("850.00"), status="disputed", payment_terms="Net 30",
                               notes="Mileage charged twice"))
    session.flush()


def _pay(session: Session, client_id: int, shares: list[tuple[int, Decimal]], day: date, method: str,
         check_number: str | None, bank: str | None) -> None:
    amount = sum((a for _c, a in shares), Decimal(0))
    payment = Payment(client_id=client_id, amount=amount, payment_method=method, status="succeeded",
                      payment_date=day, check_number=check_number, bank_name=bank,
                      reference_number=None if method == "check" else f"{method.upper()}-{day:%Y%m%d}",
                      applied_to_multiple_charters=len(shares) > 1, succeeded_at=_noon(day))
    session.add(payment)
    session.flush()
    for charter_id, share in shares:
        session.add(PaymentApplication(payment_id=payment.id, charter_id=charter_id, amount_applied=share,
                                       applied_at=_noon(day)))


# ---------------------------------------------------------------- the bulk generator


class _Ids:
    """The next free id of each table (explicit ids make one pass of inserts possible)."""

    def __init__(self, session: Session, *models) -> None:
        self.next = {m: (session.scalar(select(func.max(m.id))) or 0) + 1 for m in models}

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


class _Rows:
    """Rows waiting to be inserted, flushed table by table in dependency order."""

    ORDER = (User, Charter, PaymentPlan, PaymentPlanInstallment, Payment, PaymentApplication, VendorBill,
             VendorBillPayment)

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[Any, list[dict[str, Any]]] = {m: [] for m in self.ORDER}

    def add(self, model, row: dict[str, Any]) -> None:
        self.rows[model].append(row)

    def flush(self, force: bool = False) -> None:
        if not force and len(self.rows[Charter]) < BATCH:
            return
        for model in self.ORDER:
            batch = self.rows[model]
            if batch:
                keys = set().union(*(row.keys() for row in batch))  # one statement needs one set of keys
                self.session.execute(insert(model.__table__), [dict.fromkeys(keys) | row for row in batch])
                self.rows[model] = []


def _vendors(session: Session, ids: _Ids, rows: _Rows, scale: int, now: datetime) -> list[int]:
    vendors = []
    for n in range(min(40, 4 + scale // 2)):
        vid = ids.take(User)
        name = f"{VENDOR_NAMES[n % len(VENDOR_NAMES)]}{'' if n < len(VENDOR_NAMES) else f' {n // 8 + 1}'}"
        rows.add(User, {"id": vid, "email": f"vendor-bulk-{vid}@coachway.demo", "full_name": name,
                        "password_hash": None, "role": "vendor", "is_active": True, "mfa_enabled": False,
                        "created_at": now, "updated_at": now})
        vendors.append(vid)
    return vendors


def _status(rng: random.Random, trip: date, today: date) -> str:
    roll = rng.random()
    if trip < today:
        return "completed" if roll < 0.88 else "cancelled"
    return "booked" if roll < 0.65 else ("confirmed" if roll < 0.9 else "cancelled")


def load_scale(session: Session, *, scale: int, today: date, seed: int = 20250101) -> dict[str, int]:
    """Bulk bookings with plans, payments and vendor bills: CHARTERS_PER_COPY per copy, copies 2..scale
    (so the base demo stays as it is). Returns how many rows of each kind were inserted."""
    rng = random.Random(seed)
    now = clock.now()
    clients = [cid for (cid,) in session.execute(text("SELECT id FROM clients ORDER BY id"))]
    hubs = [hid for (hid,) in session.execute(text("SELECT id FROM hubs ORDER BY id"))]
    agents = list(session.scalars(select(User.id).where(User.role == "sales_agent"))) or [None]
    ids = _Ids(session, User, Charter, PaymentPlan, PaymentPlanInstallment, Payment, PaymentApplication,
               VendorBill, VendorBillPayment)
    rows = _Rows(session)
    vendors = _vendors(session, ids, rows, scale, now)
    counts = dict.fromkeys(("charters", "installments", "payments", "applications", "vendor_bills"), 0)
    total = CHARTERS_PER_COPY * max(scale - 1, 0)
    for n in range(total):
        _one_booking(rng, ids, rows, counts, today=today, now=now, client_id=rng.choice(clients),
                     hub_id=rng.choice(hubs), agent_id=rng.choice(agents), vendors=vendors, serial=n)
        rows.flush()
    rows.flush(force=True)
    if session.get_bind().dialect.name == "postgresql":
        for model in _Rows.ORDER:
            name = model.__tablename__
            session.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                 f"(SELECT coalesce(max(id), 1) FROM {name}))"))
    return counts


def _one_booking(rng: random.Random, ids: _Ids, rows: _Rows, counts: dict[str, int], *, today: date,
                 now: datetime, client_id: int, hub_id: int, agent_id: int | None, vendors: list[int],
                 serial: int) -> None:
    trip = today + timedelta(days=rng.randint(-500, 200))
    booked = min(trip - timedelta(days=rng.randint(7, 180)), today - timedelta(days=rng.randint(0, 5)))
    status = _status(rng, trip, today)
    price = Decimal(rng.randint(40_000, 1_200_000)).scaleb(-2)
    cid = ids.take(Charter)
    charter: dict[str, Any] = {
        "id": cid, "client_id": client_id, "hub_id": hub_id, "assigned_sales_agent_id": agent_id,
        "status": status, "trip_type": "round_trip", "passenger_count": rng.randint(10, 56),
        "luggage_pieces": 0, "trip_date": trip, "requires_second_driver": False, "vehicle_count": 1,
        "revision_number": 1, "cancellation_fee_paid": False, "is_series_master": False,
        "quoted_price": price, "booked_at": _noon(booked), "created_at": _noon(booked - timedelta(days=3)),
        "updated_at": now, "cancellation_date": None, "cancellation_fee": None, "cancellation_reason": None,
        "completed_at": _noon(trip) if status == "completed" else None}
    cancelled_on = None
    if status == "cancelled":
        latest = min(trip, today)
        cancelled_on = booked + timedelta(days=rng.randint(0, max((latest - booked).days, 0)))
        charter.update(cancellation_date=_noon(cancelled_on), cancellation_reason=rng.choice(CANCEL_REASONS),
                       cancellation_fee=to_money(price * Decimal(rng.choice((0, 10, 25, 50))) / 100))
    rows.add(Charter, charter)
    counts["charters"] += 1
    deposit, balance = _split(price)
    deposit_due, balance_due = _plan_dates(booked, trip)
    dues = [(deposit_due, deposit), (balance_due, balance)]
    if rng.random() < 0.9:  # a tenth are old bookings without a plan: the price is due on the trip date
        plan_id = ids.take(PaymentPlan)
        rows.add(PaymentPlan, {"id": plan_id, "charter_id": cid, "deposit_amount": deposit,
                               "deposit_due_date": deposit_due, "deposit_paid": False,
                               "balance_amount": balance,
                               "balance_due_date": balance_due, "balance_paid": False, "created_at": now,
                               "updated_at": now})
        for seq, (due, amount) in enumerate(dues, start=1):
            rows.add(PaymentPlanInstallment, {"id": ids.take(PaymentPlanInstallment),
                                              "payment_plan_id": plan_id,
                                              "charter_id": cid, "sequence": seq,
                                              "label": "Deposit" if seq == 1 else "Balance", "due_date": due,
                                              "amount": amount})
            counts["installments"] += 1
    else:
        dues = [(trip, price)]
    habit = rng.random()
    pays = len(dues) if habit < 0.6 else (1 if habit < 0.85 else 0)
    paid_total = Decimal(0)
    last_payment = None
    for due, amount in dues[:pays]:
        day = due + timedelta(days=rng.randint(-15, 75))
        if day > today or (cancelled_on and day > cancelled_on):
            break
        if habit > 0.8 and rng.random() < 0.5:
            amount = to_money(amount * Decimal(rng.randint(20, 90)) / 100)  # a part payment
        last_payment = _bulk_payment(rng, ids, rows, counts, client_id, cid, amount, day, now)
        paid_total += amount
    overpaid = status == "cancelled" and paid_total > charter["cancellation_fee"]
    if overpaid and last_payment and rng.random() < 0.7:
        refund_day = min(cancelled_on + timedelta(days=rng.randint(1, 20)), today)
        back = paid_total - charter["cancellation_fee"]
        rid = ids.take(Payment)
        rows.add(Payment, {"id": rid, "client_id": client_id, "amount": back, "payment_type": "refund",
                           "payment_method": "check", "status": "succeeded", "payment_date": refund_day,
                           "applied_to_multiple_charters": False, "original_payment_id": last_payment,
                           "succeeded_at": _noon(refund_day), "created_at": now, "updated_at": now})
        rows.add(PaymentApplication, {"id": ids.take(PaymentApplication), "payment_id": last_payment,
                                      "charter_id": cid, "amount_applied": -back,
                                      "applied_at": _noon(refund_day),
                                      "reversal_payment_id": rid})
        counts["payments"] += 1
        counts["applications"] += 1
    if serial % BILL_EVERY == 0 and status != "cancelled":
        _bulk_bill(rng, ids, rows, counts, cid, price, booked, trip, today, rng.choice(vendors), now)


def _bulk_payment(rng: random.Random, ids: _Ids, rows: _Rows, counts: dict[str, int], client_id: int,
                  charter_id: int, amount: Decimal, day: date, now: datetime) -> int:
    pid = ids.take(Payment)
    method = rng.choice(METHODS)
    failed = rng.random() < 0.02
    rows.add(Payment, {"id": pid, "client_id": client_id, "amount": amount, "payment_type": "payment",
                       "payment_method": method, "status": "failed" if failed else "succeeded",
                       "payment_date": day, "applied_to_multiple_charters": False,
                       "check_number": f"{rng.randint(1000, 99999)}" if method == "check" else None,
                       "bank_name": rng.choice(BANKS) if method == "check" else None,
                       "succeeded_at": None if failed else _noon(day), "created_at": now, "updated_at": now})
    rows.add(PaymentApplication, {"id": ids.take(PaymentApplication), "payment_id": pid,
                                  "charter_id": charter_id,
                                  "amount_applied": amount, "applied_at": _noon(day),
                                  "reversal_payment_id": None})
    counts["payments"] += 1
    counts["applications"] += 1
    return pid


def _bulk_bill(rng: random.Random, ids: _Ids, rows: _Rows, counts: dict[str, int], charter_id: int,
               price: Decimal, booked: date, trip: date, today: date, vendor_id: int, now: datetime) -> None:
    bill_date = min(trip + timedelta(days=rng.randint(-10, 10)), today)
    bill_date = max(bill_date, booked)
    due = bill_date + timedelta(days=rng.choice((0, 15, 30, 30, 45, 60)))
    total = to_money(price * Decimal(rng.randint(50, 75)) / 100)
    bid = ids.take(VendorBill)
    paid = Decimal(0)
    payments = []
    if rng.random() < 0.7:
        day = due + timedelta(days=rng.randint(-20, 40))
        if day <= today:
            paid = total if rng.random() < 0.8 else to_money(total / 2)
            payments.append({"id": ids.take(VendorBillPayment), "vendor_bill_id": bid, "amount": paid,
                             "payment_date": max(day, bill_date), "payment_method": rng.choice(("ach",
                                                                                                "check")),
                             "created_at": now})
    status = "paid" if paid == total else ("partially_paid" if paid else
                                          ("disputed" if rng.random() < 0.05 else "approved"))
    rows.add(VendorBill, {"id": bid, "bill_number": f"VB-{bid:07d}", "vendor_id": vendor_id,
                          "charter_id": charter_id, "bill_date": bill_date, "due_date": due,
                          "subtotal": total,
                          "tax": Decimal("0.00"), "total_amount": total, "paid_amount": paid,
                          "balance_due": total - paid, "status": status, "payment_terms": "Net 30",
                          "created_at": now, "updated_at": now})
    for p in payments:
        rows.add(VendorBillPayment, p)
    counts["vendor_bills"] += 1
