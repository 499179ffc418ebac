"""Payments: payment terms, payment plans, payments and their application to charters, refunds and voids,
cancellation fees, Stripe, vendor bills and the financial reports; the rules the API, pages and jobs share.

One module per concern; everything callers use is re-exported here.
"""

from coachway.payments.service.cancellation import cancel, policy_fee, refund_credit
from coachway.payments.service.config import (
    CLIENT_TYPES,
    CONFIG_FIELDS,
    DEFAULT_NAME,
    cancellation_policy,
    get_payment_configuration,
    update_deposit_percentage,
    update_payment_configuration,
)
from coachway.payments.service.ledger import (
    Balance,
    PaymentPosition,
    balance_of,
    balances,
    position,
    positions,
    receivable_expr,
)
from coachway.payments.service.payments import (
    METHOD_WORDS,
    TYPE_WORDS,
    Allocation,
    ApplicationLine,
    adjust_payment_date,
    applications_of,
    apply_payment,
    charge_card,
    find,
    list_payments,
    open_charters,
    record_payment,
    record_refund,
    refund_payment,
    reversals_of,
    unapply_payment,
    void_payment,
)
from coachway.payments.service.plans import company_today, create_for_booking, get_plan, set_custom_plan

__all__ = [
    "CLIENT_TYPES", "CONFIG_FIELDS", "DEFAULT_NAME", "METHOD_WORDS", "TYPE_WORDS", "Allocation",
    "ApplicationLine", "Balance", "PaymentPosition", "adjust_payment_date", "applications_of",
    "apply_payment",
    "balance_of", "balances", "cancel", "cancellation_policy", "charge_card", "company_today",
    "create_for_booking", "find", "get_payment_configuration", "get_plan", "list_payments", "open_charters",
    "policy_fee", "position", "positions", "receivable_expr", "record_payment", "record_refund",
    "refund_credit", "refund_payment", "reversals_of", "set_custom_plan", "unapply_payment",
    "update_deposit_percentage", "update_payment_configuration", "void_payment",
]
