"""Payments over HTTP: payment terms, payments and applications, plans, Stripe, vendor bills, reports."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from coachway.core.deps import CurrentActor, PageDep, SessionDep
from coachway.core.fields import MAX_ID
from coachway.core.pagination import Page
from coachway.core.permissions import Actor, require
from coachway.payments import api_bills, api_reports, api_stripe, service
from coachway.payments.models import PAYMENT_METHODS, PAYMENT_STATUSES, PAYMENT_TYPES, Payment
from coachway.payments.schemas import (
    ApplicationRead,
    ApplicationsRead,
    ApplyMultiple,
    DateAdjust,
    PaymentConfigRead,
    PaymentConfigUpdate,
    PaymentCreate,
    PaymentRead,
    PlanRead,
    PlanUpdate,
    RefundRequest,
    Unapply,
    VoidRequest,
)
from coachway.payments.service import idempotency

router = APIRouter(prefix="/api/v1", tags=["payments"])
router.include_router(api_stripe.router)
router.include_router(api_bills.router)
router.include_router(api_reports.router)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
RefFilter = Annotated[int | None, Query(ge=1, le=MAX_ID)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


def config_read(session: Session) -> PaymentConfigRead:
    row = service.get_payment_configuration(session)
    return PaymentConfigRead(
        id=row.id, config_name=row.config_name, deposit_percentage=row.deposit_percentage,
        deposit_days_before=row.deposit_days_before, balance_due_days_before=row.balance_due_days_before,
        allow_autopay=row.allow_autopay, require_cc_on_file=row.require_cc_on_file,
        po_allowed_client_types=row.po_allowed_client_types, po_credit_limit=row.po_credit_limit,
        cancellation_policy=service.cancellation_policy(row), updated_by=row.updated_by,
        updated_at=row.updated_at)


@router.get("/payment-config", response_model=PaymentConfigRead)
def get_payment_config(actor: CurrentActor, session: SessionDep):
    """The payment terms: deposit share and due days, balance due days, autopay, card on file, PO rules and
    the cancellation policy."""
    require(actor, "payments:read")
    return config_read(session)


@router.put("/payment-config", response_model=PaymentConfigRead)
def put_payment_config(body: PaymentConfigUpdate, actor: CurrentActor, session: SessionDep):
    """Change the payment terms (only the fields sent); new bookings follow them."""
    service.update_payment_configuration(session, actor, body.model_dump(exclude_unset=True, mode="python"))
    return config_read(session)


def payment_reads(session: Session, payments: list[Payment]) -> list[PaymentRead]:
    """The API shape of payments with their applied / refunded / unapplied amounts (two queries)."""
    split = service.positions(session, payments)
    out = []
    for p in payments:
        data = PaymentRead.model_validate(p)
        if p.payment_type == "payment":
            pos = split[p.id]
            data.applied_amount, data.refunded_amount, data.unapplied_amount = (pos.applied, pos.refunded,
                                                                                pos.unapplied)
        out.append(data)
    return out


def payment_read(session: Session, payment: Payment) -> PaymentRead:
    return payment_reads(session, [payment])[0]


def _create(session: Session, actor: Actor, body: PaymentCreate, key: str | None) -> Payment:
    data = body.model_dump(exclude={"payment_method_id"})
    applications = data.pop("applications")
    if body.payment_method == "card":
        return service.charge_card(session, actor, client_id=body.client_id, amount=body.amount,
                                   payment_method_id=body.payment_method_id or "", notes=body.notes,
                                   applications=applications, idempotency_key=key)
    return service.record_payment(session, actor, applications=applications, **data)


@router.post("/payments", response_model=PaymentRead, status_code=201)
def create_payment(body: PaymentCreate, actor: CurrentActor, session: SessionDep,
                   idempotency_key: IdempotencyKey = None):
    """Record money received (check with number and bank, ACH, wire, PO with its number, cash) or charge a
    card through Stripe (its own permission; unavailable without Stripe keys), optionally applied to charters
    at once. With an Idempotency-Key header a retry of the same request returns the first answer and creates
    nothing; the same key with a different body is a 409."""
    claim = None
    if idempotency_key is not None:
        body_json = body.model_dump(mode="json")
        claim = idempotency.claim(session, actor, "payments.create", idempotency_key, body_json)
        if claim.replay is not None:
            status, stored = claim.replay
            return JSONResponse(stored, status_code=status, headers={"Idempotent-Replayed": "true"})
    payment = _create(session, actor, body, idempotency_key)
    data = payment_read(session, payment)
    if claim is not None:
        idempotency.finish(session, claim, 201, data.model_dump(mode="json"))
    return data


@router.get("/payments", response_model=Page[PaymentRead])
def list_payments(actor: CurrentActor, session: SessionDep, page: PageDep, client_id: RefFilter = None,
                  charter_id: RefFilter = None, payment_method: Literal[PAYMENT_METHODS] | None = None,
                  payment_type: Literal[PAYMENT_TYPES] | None = None,
                  status: Literal[PAYMENT_STATUSES] | None = None, date_from: date | None = None,
                  date_to: date | None = None, q: Annotated[str | None, Query(max_length=100)] = None):
    """Payments, refunds and voids, newest first; filter by client, charter, method, type, status, date
    range, or search client name, check, PO and reference numbers."""
    rows, total = service.list_payments(session, actor, limit=page.limit, offset=page.offset,
                                        client_id=client_id, charter_id=charter_id,
                                        payment_method=payment_method, payment_type=payment_type,
                                        status=status, date_from=date_from, date_to=date_to, q=q)
    return Page(items=payment_reads(session, rows), total=total, limit=page.limit, offset=page.offset)


@router.get("/payments/{payment_id}", response_model=PaymentRead)
def get_payment(payment_id: Id, actor: CurrentActor, session: SessionDep):
    """One payment, refund or void."""
    return payment_read(session, service.find(session, actor, payment_id))


def _applications(session: Session, actor: Actor, payment_id: int) -> ApplicationsRead:
    payment, lines = service.applications_of(session, actor, payment_id)
    pos = service.position(session, payment)
    return ApplicationsRead(
        payment_id=payment.id, client_id=payment.client_id, amount=pos.amount, applied_amount=pos.applied,
        refunded_amount=pos.refunded, unapplied_amount=pos.unapplied,
        applications=[ApplicationRead(id=a.id, payment_id=a.payment_id, charter_id=a.charter_id,
                                      amount_applied=a.amount_applied, applied_at=a.applied_at,
                                      applied_by=a.applied_by, reversal_payment_id=a.reversal_payment_id,
                                      note=a.note, trip_date=a.trip_date, charter_status=a.charter_status,
                                      charter_balance=a.balance) for a in lines])


@router.post("/payments/{payment_id}/apply-multiple", response_model=ApplicationsRead, status_code=201)
def apply_multiple(payment_id: Id, body: ApplyMultiple, actor: CurrentActor, session: SessionDep):
    """Split the payment across charters of its client, all or nothing: the applied total never exceeds the
    payment, nor does any charter's balance go below zero (409 naming each refusal)."""
    service.apply_payment(session, actor, payment_id, [a.model_dump() for a in body.applications])
    return _applications(session, actor, payment_id)


@router.get("/payments/{payment_id}/applications", response_model=ApplicationsRead)
def get_applications(payment_id: Id, actor: CurrentActor, session: SessionDep):
    """The payment's breakdown: each charter it went on (and came off), what went back, what is left."""
    return _applications(session, actor, payment_id)


@router.post("/payments/{payment_id}/unapply", response_model=ApplicationsRead)
def unapply(payment_id: Id, body: Unapply, actor: CurrentActor, session: SessionDep):
    """Take (part of) the payment off a charter, free to apply elsewhere (a negative application)."""
    service.unapply_payment(session, actor, payment_id, body.charter_id, body.amount, body.note)
    return _applications(session, actor, payment_id)


@router.post("/payments/{payment_id}/refund", response_model=PaymentRead, status_code=201)
def refund(payment_id: Id, body: RefundRequest, actor: CurrentActor, session: SessionDep):
    """Give money back: a new refund record (card payments through Stripe). It comes off the unapplied part
    first, then the charters named (else the most recently applied)."""
    charters = [c.model_dump() for c in body.charters] if body.charters else None
    return payment_read(session, service.refund_payment(session, actor, payment_id, body.amount, body.reason,
                                                        charters))


@router.post("/payments/{payment_id}/void", response_model=PaymentRead, status_code=201)
def void(payment_id: Id, body: VoidRequest, actor: CurrentActor, session: SessionDep):
    """Void an offline payment (a bounced check, one recorded in error): a new void record taking it off
    every charter."""
    return payment_read(session, service.void_payment(session, actor, payment_id, body.reason))


@router.put("/payments/{payment_id}/payment-date", response_model=PaymentRead)
def adjust_date(payment_id: Id, body: DateAdjust, actor: CurrentActor, session: SessionDep):
    """Correct the date the payment was received; audited with the reason."""
    return payment_read(session, service.adjust_payment_date(session, actor, payment_id, body.payment_date,
                                                             body.reason))


def _plan(session: Session, actor: Actor, charter_id: int) -> PlanRead:
    plan, rows = service.get_plan(session, actor, charter_id)
    money = service.balance_of(session, charter_id)
    return PlanRead(charter_id=charter_id, deposit_amount=plan.deposit_amount,
                    deposit_due_date=plan.deposit_due_date, deposit_paid=plan.deposit_paid,
                    deposit_paid_at=plan.deposit_paid_at, balance_amount=plan.balance_amount,
                    balance_due_date=plan.balance_due_date, balance_paid=plan.balance_paid,
                    balance_paid_at=plan.balance_paid_at, custom_installments=plan.custom_installments,
                    installments=rows, receivable=money.receivable, paid=money.paid, balance=money.balance)


@router.get("/charters/{charter_id}/payment-plan", response_model=PlanRead)
def get_payment_plan(charter_id: Id, actor: CurrentActor, session: SessionDep):
    """When the charter's money is due (made at booking), with what is paid and the balance."""
    return _plan(session, actor, charter_id)


@router.put("/charters/{charter_id}/payment-plan", response_model=PlanRead)
def put_payment_plan(charter_id: Id, body: PlanUpdate, actor: CurrentActor, session: SessionDep):
    """Replace the plan with custom installments that add up to the charter's price (dates in order)."""
    service.set_custom_plan(session, actor, charter_id, [i.model_dump() for i in body.installments])
    return _plan(session, actor, charter_id)
