"""Payment configuration: the deposit, due-date, PO and cancellation terms bookings and payments follow."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coachway.core import audit
from coachway.core.errors import Invalid
from coachway.core.permissions import Actor, require
from coachway.payments.models import DEFAULT_CANCELLATION_POLICY, PaymentConfiguration

DEFAULT_NAME = "default"


def get_payment_configuration(session: Session) -> PaymentConfiguration:
    """The payment terms named "default", created with the model's defaults when missing."""
    named = select(PaymentConfiguration).where(PaymentConfiguration.config_name == DEFAULT_NAME)
    found = session.scalar(named)
    if found is not None:
        return found
    try:
        # A savepoint: when another request adds the row first, only this insert is undone.
        with session.begin_nested():
            row = PaymentConfiguration(config_name=DEFAULT_NAME)
            session.add(row)
        session.expire(row)  # read back as stored (the percentage with its two decimals)
        return row
    except IntegrityError:
        return session.scalars(named).one()


def update_deposit_percentage(
    session: Session, actor: Actor, deposit_percentage: Decimal
) -> PaymentConfiguration:
    """Set the share of a quote's total due as the deposit (0 to 100 %); audited.

    The pricing managers set this with the rest of the pricing policy; the payment-terms page sets it too.
    """
    require(actor, "pricing:manage")
    return _update(session, actor, {"deposit_percentage": deposit_percentage})


CONFIG_FIELDS = (
    "deposit_percentage",
    "deposit_days_before",
    "balance_due_days_before",
    "allow_autopay",
    "require_cc_on_file",
    "po_allowed_client_types",
    "po_credit_limit",
    "cancellation_policy",
)
# May not be cleared; the others may (no PO limit, any client may pay by PO, the default cancellation policy).
REQUIRED_FIELDS = ("deposit_percentage", "deposit_days_before", "balance_due_days_before", "allow_autopay",
                   "require_cc_on_file")
CLIENT_TYPES = ("individual", "corporate", "government", "school", "nonprofit")
MAX_DAYS = 365


def cancellation_policy(row: PaymentConfiguration) -> list[dict[str, Any]]:
    """The cancellation tiers in force, the most days before the trip first."""
    tiers = row.cancellation_policy or DEFAULT_CANCELLATION_POLICY
    return sorted(
        (
            {"days_before": int(t["days_before"]), "fee_percentage": Decimal(str(t["fee_percentage"]))}
            for t in tiers
        ),
        key=lambda t: -t["days_before"],
    )


def cancellation_fee(
    row: PaymentConfiguration, price: Decimal, days_before_trip: int
) -> tuple[Decimal, Decimal]:
    """The fee the policy keeps when a trip priced price is cancelled days_before_trip days ahead, and its
    percentage: the first tier (most days first) whose days_before the notice meets."""
    for tier in cancellation_policy(row):
        if days_before_trip >= tier["days_before"]:
            pct = tier["fee_percentage"]
            return (price * pct / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), pct
    return price, Decimal(100)  # later than every tier: the whole price


def _check_policy(tiers: list[dict[str, Any]]) -> list[dict[str, str | int]]:
    if not 1 <= len(tiers) <= 10:
        raise Invalid.field("cancellation_policy", "Give 1 to 10 tiers.")
    seen, out = set(), []
    for n, tier in enumerate(tiers):
        days, pct = int(tier["days_before"]), Decimal(str(tier["fee_percentage"]))
        if not 0 <= days <= MAX_DAYS:
            raise Invalid.field(f"cancellation_policy.{n}.days_before", f"0 to {MAX_DAYS} days.")
        if not Decimal(0) <= pct <= Decimal(100):
            raise Invalid.field(f"cancellation_policy.{n}.fee_percentage", "0 to 100 percent.")
        if days in seen:
            raise Invalid.field(f"cancellation_policy.{n}.days_before", f"{days} days is listed twice.")
        seen.add(days)
        out.append({"days_before": days, "fee_percentage": str(pct.quantize(Decimal("0.01")))})
    if 0 not in seen:
        raise Invalid.field("cancellation_policy", "Include a tier for 0 days (cancelling on the day).")
    return sorted(out, key=lambda t: -t["days_before"])


def update_payment_configuration(
    session: Session, actor: Actor, changes: dict[str, Any]
) -> PaymentConfiguration:
    """Change the payment terms (only the fields given); audited. New bookings follow them; plans already
    made keep their dates and amounts."""
    require(actor, "payment_config:manage")
    return _update(session, actor, changes)


def _update(session: Session, actor: Actor, changes: dict[str, Any]) -> PaymentConfiguration:
    """Check and save changed payment terms (the caller checked the permission); audited when they change."""
    unknown = set(changes) - set(CONFIG_FIELDS)
    if unknown:
        raise Invalid.field(sorted(unknown)[0], "Not a payment-terms setting.")
    for name in REQUIRED_FIELDS:
        if name in changes and changes[name] is None:
            raise Invalid.field(name, "This setting cannot be empty.")
    row = get_payment_configuration(session)
    old = audit.snapshot(row)
    values = dict(changes)
    if "deposit_percentage" in values:
        pct = Decimal(str(values["deposit_percentage"]))
        if not Decimal(0) <= pct <= Decimal(100):
            raise Invalid.field("deposit_percentage", "The deposit is 0 to 100 percent of the total.")
        values["deposit_percentage"] = pct.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    for name in ("deposit_days_before", "balance_due_days_before"):
        if name in values and not 0 <= int(values[name]) <= MAX_DAYS:
            raise Invalid.field(name, f"0 to {MAX_DAYS} days before the trip.")
    deposit_days = values.get("deposit_days_before", row.deposit_days_before)
    balance_days = values.get("balance_due_days_before", row.balance_due_days_before)
    if balance_days > deposit_days:
        raise Invalid.field(
            "balance_due_days_before",
            "The balance cannot fall due before the deposit (fewer days before the trip).",
        )
    if values.get("po_allowed_client_types") is not None:
        types = list(dict.fromkeys(values["po_allowed_client_types"]))
        bad = [t for t in types if t not in CLIENT_TYPES]
        if bad:
            raise Invalid.field(
                "po_allowed_client_types",
                f"Unknown client type {bad[0]!r}; choose from {', '.join(CLIENT_TYPES)}.",
            )
        values["po_allowed_client_types"] = types
    if values.get("po_credit_limit") is not None:
        limit = Decimal(str(values["po_credit_limit"]))
        if limit < 0:
            raise Invalid.field("po_credit_limit", "The limit cannot be negative.")
        values["po_credit_limit"] = limit.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if values.get("cancellation_policy") is not None:
        values["cancellation_policy"] = _check_policy(values["cancellation_policy"])
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by = actor.user_id
    session.flush()
    new = audit.snapshot(row)
    stamps = ("updated_by", "updated_at")
    if {k: v for k, v in old.items() if k not in stamps} != {k: v for k, v in new.items() if k not in stamps}:
        audit.record(
            session,
            actor,
            entity_type="payment_configuration",
            entity_id=row.id,
            action="update",
            old=old,
            new=new,
        )
    return row
