"""Payments pages: the payments list, recording a payment and applying it to a client's charters with a
running remainder, a payment's breakdown (apply the rest, refund, void, correct the date), every application,
and the payment terms. Vendor bills and the financial reports have their own modules, included below.

Every rule lives in payments/service; these handlers parse the form, call the service and pick a page.
"""

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from coachway.charters.models import Charter
from coachway.clients.models import Client
from coachway.core.deps import undo_refused
from coachway.core.errors import Conflict, DomainError, Invalid
from coachway.core.fields import MAX_ID
from coachway.core.permissions import Actor, require
from coachway.integrations import payments_gateway
from coachway.payments import pages_bills, pages_reports, service
from coachway.payments.models import OFFLINE_METHODS, Payment, PaymentApplication
from coachway.payments.schemas import (
    DateAdjust,
    PaymentConfigUpdate,
    PaymentCreate,
    RefundRequest,
    VoidRequest,
)
from coachway.web import nav
from coachway.web.deps import FormDep, PageActor, PageSession
from coachway.web.forms import FormErrors, validate, values
from coachway.web.templating import pager, redirect, render

router = APIRouter(include_in_schema=False)
router.include_router(pages_bills.router)
router.include_router(pages_reports.router)
nav.register(
    "Payments",
    "/admin/payments",
    permission="payments:read",
    order=40,
    description="Record payments, apply them to charters, refunds and voids.",
)
nav.register(
    "Payment terms",
    "/admin/settings/payment-config",
    permission="payment_config:manage",
    order=75,
    description="Deposit, due dates, purchase orders and the cancellation policy.",
)

BASE = "/admin/payments"
PAGE_SIZE = 25
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Short = Annotated[str, Query(max_length=100)]
PAYMENT_FIELDS = (
    "amount",
    "payment_method",
    "payment_date",
    "check_number",
    "bank_name",
    "po_number",
    "reference_number",
    "notes",
)
LABELS = {
    "client_id": "Client",
    "amount": "Amount",
    "payment_method": "Method",
    "payment_date": "Date received",
    "check_number": "Check number",
    "bank_name": "Bank",
    "po_number": "PO number",
    "reference_number": "Reference",
    "notes": "Notes",
    "reason": "Reason",
    "applications": "Applications",
    "deposit_percentage": "Deposit",
    "deposit_days_before": "Deposit due",
    "balance_due_days_before": "Balance due",
    "po_allowed_client_types": "Clients who may pay by PO",
    "po_credit_limit": "PO credit limit",
    "cancellation_policy": "Cancellation policy",
}
CONFIG_TIERS = 5


def _can(actor: Actor, permission: str) -> bool:
    return "*" in actor.permissions or actor.can(permission)


def _errors(exc: DomainError) -> FormErrors:
    return FormErrors.of(exc, LABELS)


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _applications_from(form: FormData) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """apply_<charter id> fields with an amount -> allocations; unreadable amounts are reported by field."""
    items, bad = [], {}
    for name, raw in form.multi_items():
        if not name.startswith("apply_") or not isinstance(raw, str) or not raw.strip():
            continue
        charter_id = name.removeprefix("apply_")
        try:
            amount = Decimal(raw.strip().replace(",", "").lstrip("$"))
        except InvalidOperation:
            bad[name] = "Enter an amount like 1250.00."
            continue
        if charter_id.isdigit() and amount != 0:
            items.append({"charter_id": int(charter_id), "amount": amount})
    return items, bad


def _open_rows(session: Session, actor: Actor, client_id: int) -> list[dict[str, Any]]:
    return [
        {"charter": c, "balance": b.balance, "room": b.room, "receivable": b.receivable}
        for c, b in service.open_charters(session, actor, client_id)
    ]


# --- the list ---------------------------------------------------------------------------------------------


@router.get("/admin/payments")
def payments_list(
    request: Request,
    actor: PageActor,
    session: PageSession,
    q: Short = "",
    payment_method: Short = "",
    payment_type: Short = "",
    date_from: Short = "",
    date_to: Short = "",
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
):
    """Payments, refunds and voids, newest first, with filters and each payment's unapplied remainder."""
    filters = {
        "q": q,
        "payment_method": payment_method if payment_method in service.METHOD_WORDS else "",
        "payment_type": payment_type if payment_type in service.TYPE_WORDS else "",
        "date_from": _day(date_from),
        "date_to": _day(date_to),
    }
    error = None
    try:
        rows, total = service.list_payments(
            session, actor, limit=PAGE_SIZE, offset=offset, **{k: v or None for k, v in filters.items()}
        )
    except Invalid as exc:
        rows, total, error = [], 0, exc.detail
    split = service.positions(session, [p for p in rows if p.payment_type == "payment"])
    return render(
        request,
        "payments/payments_list.html",
        {
            "title": "Payments",
            "rows": rows,
            "split": split,
            "filters": filters,
            "error": error,
            "methods": list(service.METHOD_WORDS.items()),
            "types": list(service.TYPE_WORDS.items()),
            "method_words": service.METHOD_WORDS,
            "type_words": service.TYPE_WORDS,
            "can_record": _can(actor, "payments:record"),
            "pager": pager(request, total=total, limit=PAGE_SIZE, offset=offset),
            "total": total,
        },
    )


# --- recording a payment --------------------------------------------------------------------------------


def _find_clients(session: Session, q: str) -> list[Client]:
    if not q.strip():
        return []
    like = f"%{q.strip().lower()}%"
    return list(
        session.scalars(
            select(Client)
            .where(or_(func.lower(Client.name).like(like), func.lower(Client.email).like(like)))
            .where(Client.is_active.is_(True))
            .order_by(Client.name)
            .limit(20)
        )
    )


def _new_page(
    request: Request,
    session: Session,
    actor: Actor,
    client: Client | None,
    *,
    q: str = "",
    values_: dict[str, Any] | None = None,
    form_errors: FormErrors | None = None,
    status_code: int = 200,
    card_errors: FormErrors | None = None,
    card_values: dict[str, Any] | None = None,
):
    return render(
        request,
        "payments/payment_new.html",
        {
            **_card_context(actor, client),
            "card_errors": card_errors,
            "card_values": card_values or {},
            "title": "Record a payment",
            "client": client,
            "q": q,
            "matches": _find_clients(session, q) if client is None else [],
            "open_rows": _open_rows(session, actor, client.id) if client else [],
            "values": values_
            or {"payment_method": "check", "payment_date": service.company_today().isoformat()},
            "form_errors": form_errors,
            "methods": [(m, service.METHOD_WORDS[m]) for m in OFFLINE_METHODS],
            "card_unavailable": payments_gateway.get_card_gateway() is None,
            "card_message": payments_gateway.CARD_UNAVAILABLE,
        },
        status_code=status_code,
    )


def _card_context(actor: Actor, client: Client | None) -> dict[str, Any]:
    """Whether staff may charge a card here, and the client's saved cards (asked of Stripe)."""
    gateway = payments_gateway.get_card_gateway()
    may = gateway is not None and client is not None and _can(actor, "payments:charge_card")
    cards, problem = [], None
    if may and client.stripe_customer_id:
        try:
            cards = gateway.list_cards(client.stripe_customer_id)
        except payments_gateway.GatewayError as exc:
            problem = f"Stripe did not list the saved cards: {exc}"
    return {"can_charge": may, "cards": cards, "cards_problem": problem}


@router.get("/admin/payments/new")
def payment_new(
    request: Request,
    actor: PageActor,
    session: PageSession,
    q: Short = "",
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
):
    """Pick the client (search), then enter the payment and how much goes on each open charter."""
    require(actor, "payments:record")
    client = session.get(Client, client_id) if client_id else None
    return _new_page(request, session, actor, client, q=q)


@router.get("/admin/payments/apply")
def payment_apply_alias(request: Request, actor: PageActor):
    """The spec's "payment application page": recording a payment applies it (a payment already recorded is
    applied from its own page)."""
    require(actor, "payments:record")
    return RedirectResponse("/admin/payments/new", status_code=307)


@router.post("/admin/payments")
def payment_create(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Record the payment with its applications, all or nothing."""
    require(actor, "payments:record")
    client_id = str(form.get("client_id") or "")
    client = session.get(Client, int(client_id)) if client_id.isdigit() and int(client_id) <= MAX_ID else None
    data = values(form, *PAYMENT_FIELDS)
    applications, bad = _applications_from(form)
    try:
        if client is None:
            raise Invalid.field("client_id", "Choose the client who paid.")
        if bad:
            raise Invalid(
                "Some amounts could not be read.", errors=[{"field": k, "message": v} for k, v in bad.items()]
            )
        body = validate(PaymentCreate, {"client_id": client.id, **data, "applications": applications})
        payment = service.record_payment(
            session,
            actor,
            client_id=client.id,
            amount=body.amount,
            payment_method=body.payment_method,
            payment_date=body.payment_date,
            check_number=body.check_number,
            bank_name=body.bank_name,
            po_number=body.po_number,
            reference_number=body.reference_number,
            notes=body.notes,
            applications=[a.model_dump() for a in body.applications],
        )
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        kept = {**data, **{k: v for k, v in form.items() if k.startswith("apply_")}}
        return _new_page(
            request, session, actor, client, values_=kept, form_errors=_errors(exc), status_code=exc.status
        )
    applied = sum((a["amount"] for a in applications), Decimal(0))
    note = f" and applied {applied:,.2f} to {len(applications)} charter(s)" if applications else ""
    return redirect(request, f"{BASE}/{payment.id}", flash=f"Payment {payment.id} recorded{note}.")


@router.post("/admin/payments/charge")
def payment_charge(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Charge one of the client's saved cards through Stripe; the payment is recorded whatever the answer
    (a declined card shows as failed, with Stripe's reason)."""
    require(actor, "payments:charge_card")
    client_id = str(form.get("client_id") or "")
    client = session.get(Client, int(client_id)) if client_id.isdigit() and int(client_id) <= MAX_ID else None
    data = values(form, "card_amount", "payment_method_id", "card_notes")
    try:
        if client is None:
            raise Invalid.field("client_id", "Choose the client whose card is charged.")
        if not data.get("payment_method_id"):
            raise Invalid.field("payment_method_id", "Choose the card to charge.")
        body = validate(PaymentCreate, {"client_id": client.id, "amount": data.get("card_amount", ""),
                                        "payment_method": "card", "notes": data.get("card_notes")})
        payment = service.charge_card(session, actor, client_id=client.id, amount=body.amount,
                                      payment_method_id=data["payment_method_id"], notes=body.notes)
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        errors = _errors(exc)
        errors.fields = {("card_amount" if k == "amount" else k): v for k, v in errors.fields.items()}
        return _new_page(request, session, actor, client, card_errors=errors, card_values=data,
                         status_code=exc.status)
    if payment.status == "failed":
        return redirect(request, f"{BASE}/{payment.id}", kind="error",
                        flash=f"The card was declined: {payment.failure_message or 'no reason given'}.")
    said = "charged" if payment.status == "succeeded" else "sent to Stripe (waiting for its answer)"
    return redirect(request, f"{BASE}/{payment.id}",
                    flash=f"Card {said}: payment {payment.id} of {payment.amount:,.2f}. Apply it below.")


# --- one payment ------------------------------------------------------------------------------------------


def _detail(
    request: Request, session: Session, actor: Actor, payment_id: int, *, status_code: int = 200, **extra: Any
):
    payment, lines = service.applications_of(session, actor, payment_id)
    position = service.position(session, payment)
    original = session.get(Payment, payment.original_payment_id) if payment.original_payment_id else None
    context = {
        "title": f"Payment {payment.id}"
        if payment.payment_type == "payment"
        else f"{service.TYPE_WORDS[payment.payment_type]} {payment.id}",
        "payment": payment,
        "position": position,
        "lines": lines,
        "original": original,
        "reversals": service.reversals_of(session, payment),
        "open_rows": _open_rows(session, actor, payment.client_id)
        if payment.payment_type == "payment" and position.unapplied > 0
        else [],
        "method_words": service.METHOD_WORDS,
        "type_words": service.TYPE_WORDS,
        "can_apply": _can(actor, "payments:record")
        and payment.payment_type == "payment"
        and payment.status in ("pending", "succeeded"),
        "can_refund": _can(actor, "payments:refund")
        and payment.payment_type == "payment"
        and payment.status == "succeeded"
        and position.amount > position.refunded,
        "can_adjust": _can(actor, "payments:adjust"),
        "form_errors": None,
        "form": None,
        "values": {},
    }
    context.update(extra)
    return render(request, "payments/payment_detail.html", context, status_code=status_code)


@router.get("/admin/payments/applications")
def applications_list(
    request: Request,
    actor: PageActor,
    session: PageSession,
    charter_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    client_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
):
    """Every application of a payment to a charter (and every one taken off), newest first."""
    require(actor, "payments:read")
    stmt = (
        select(PaymentApplication, Payment, Charter.trip_date)
        .join(Payment, Payment.id == PaymentApplication.payment_id)
        .join(Charter, Charter.id == PaymentApplication.charter_id)
    )
    if charter_id:
        stmt = stmt.where(PaymentApplication.charter_id == charter_id)
    if client_id:
        stmt = stmt.where(Payment.client_id == client_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(stmt.order_by(PaymentApplication.id.desc()).limit(PAGE_SIZE).offset(offset)).all()
    return render(
        request,
        "payments/applications.html",
        {
            "title": "Payment applications",
            "rows": rows,
            "charter_id": charter_id,
            "client_id": client_id,
            "method_words": service.METHOD_WORDS,
            "total": total,
            "pager": pager(request, total=total or 0, limit=PAGE_SIZE, offset=offset),
        },
    )


@router.get("/admin/payments/{payment_id}")
def payment_detail(request: Request, payment_id: Id, actor: PageActor, session: PageSession):
    """What the payment went on, what went back, what is left, and the actions on it."""
    return _detail(request, session, actor, payment_id)


def _refused(
    request: Request,
    session: Session,
    actor: Actor,
    payment_id: int,
    exc: DomainError,
    form: str,
    data: dict[str, Any],
):
    undo_refused(session, exc)
    return _detail(
        request,
        session,
        actor,
        payment_id,
        status_code=exc.status,
        form_errors=_errors(exc),
        form=form,
        values=data,
    )


@router.post("/admin/payments/{payment_id}/apply")
def payment_apply(request: Request, payment_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Apply (more of) the payment to the client's open charters."""
    applications, bad = _applications_from(form)
    data = {k: v for k, v in form.items() if k.startswith("apply_")}
    try:
        if bad:
            raise Invalid(
                "Some amounts could not be read.", errors=[{"field": k, "message": v} for k, v in bad.items()]
            )
        if not applications:
            raise Invalid.field("applications", "Enter an amount for at least one charter.")
        service.apply_payment(session, actor, payment_id, applications)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, payment_id, exc, "apply", data)
    total = sum((a["amount"] for a in applications), Decimal(0))
    return redirect(
        request, f"{BASE}/{payment_id}", flash=f"Applied {total:,.2f} to {len(applications)} charter(s)."
    )


@router.post("/admin/payments/{payment_id}/refund")
def payment_refund(request: Request, payment_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Give money back (a new refund record)."""
    data = values(form, "amount", "reason")
    try:
        body = validate(RefundRequest, {"amount": "", "reason": "", **data})
        refund = service.refund_payment(session, actor, payment_id, body.amount, body.reason)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, payment_id, exc, "refund", data)
    return redirect(
        request, f"{BASE}/{payment_id}", flash=f"Refund {refund.id} of {refund.amount:,.2f} recorded."
    )


@router.post("/admin/payments/{payment_id}/void")
def payment_void(request: Request, payment_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Void the payment (a new void record taking it off every charter)."""
    data = values(form, "reason")
    try:
        body = validate(VoidRequest, {"reason": "", **data})
        service.void_payment(session, actor, payment_id, body.reason)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, payment_id, exc, "void", data)
    return redirect(request, f"{BASE}/{payment_id}", flash=f"Payment {payment_id} is voided.")


@router.post("/admin/payments/{payment_id}/date")
def payment_date(request: Request, payment_id: Id, actor: PageActor, session: PageSession, form: FormDep):
    """Correct the date received (audited with the reason)."""
    data = values(form, "payment_date", "reason")
    try:
        body = validate(DateAdjust, {"payment_date": "", "reason": "", **data})
        service.adjust_payment_date(session, actor, payment_id, body.payment_date, body.reason)
    except (Invalid, Conflict) as exc:
        return _refused(request, session, actor, payment_id, exc, "date", data)
    return redirect(request, f"{BASE}/{payment_id}", flash="The payment date is changed.")


# --- payment terms ----------------------------------------------------------------------------------------


def _config_page(
    request: Request,
    session: Session,
    *,
    values_: dict[str, Any] | None = None,
    form_errors: FormErrors | None = None,
    status_code: int = 200,
):
    row = service.get_payment_configuration(session)
    tiers = [
        {"days_before": t["days_before"], "fee_percentage": t["fee_percentage"]}
        for t in service.cancellation_policy(row)
    ]
    current = {
        "deposit_percentage": row.deposit_percentage,
        "deposit_days_before": row.deposit_days_before,
        "balance_due_days_before": row.balance_due_days_before,
        "allow_autopay": row.allow_autopay,
        "require_cc_on_file": row.require_cc_on_file,
        "po_allowed_client_types": row.po_allowed_client_types or [],
        "po_credit_limit": row.po_credit_limit if row.po_credit_limit is not None else "",
        "tiers": tiers,
    }
    shown = {**current, **(values_ or {})}
    rows = list(shown["tiers"]) + [{"days_before": "", "fee_percentage": ""}] * (
        CONFIG_TIERS - len(shown["tiers"])
    )
    return render(
        request,
        "payments/payment_config.html",
        {
            "title": "Payment terms",
            "values": shown,
            "tier_rows": rows[: max(CONFIG_TIERS, len(rows))],
            "client_types": [(t, t.capitalize()) for t in service.CLIENT_TYPES],
            "form_errors": form_errors,
            "updated_at": row.updated_at,
        },
        status_code=status_code,
    )


@router.get("/admin/settings/payment-config")
def payment_config(request: Request, actor: PageActor, session: PageSession):
    """The payment terms new bookings follow."""
    require(actor, "payment_config:manage")
    return _config_page(request, session)


@router.post("/admin/settings/payment-config")
def payment_config_save(request: Request, actor: PageActor, session: PageSession, form: FormDep):
    """Save the payment terms (audited)."""
    require(actor, "payment_config:manage")
    data: dict[str, Any] = values(
        form, "deposit_percentage", "deposit_days_before", "balance_due_days_before", "po_credit_limit"
    )
    data["allow_autopay"] = form.get("allow_autopay") == "on"
    data["require_cc_on_file"] = form.get("require_cc_on_file") == "on"
    data["po_allowed_client_types"] = [
        t for t in form.getlist("po_allowed_client_types") if isinstance(t, str)
    ]
    days, pcts = form.getlist("tier_days"), form.getlist("tier_pct")
    tiers = [
        {"days_before": str(d).strip(), "fee_percentage": str(p).strip()}
        for d, p in zip(days, pcts, strict=False)
        if str(d).strip() or str(p).strip()
    ]
    data["cancellation_policy"] = tiers
    shown = {**data, "tiers": tiers}
    if "po_credit_limit" not in data:
        data["po_credit_limit"] = None
    try:
        body = validate(PaymentConfigUpdate, data)
        service.update_payment_configuration(session, actor, body.model_dump(exclude_unset=True))
    except (Invalid, Conflict) as exc:
        undo_refused(session, exc)
        return _config_page(request, session, values_=shown, form_errors=_errors(exc), status_code=exc.status)
    return redirect(request, "/admin/settings/payment-config", flash="Payment terms saved.")
