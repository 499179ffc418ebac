"""Payments: payment terms, payment plans, payments and their application to charters, refunds and voids,
cancellation fees, Stripe, vendor bills and the financial reports; the rules the API, pages and jobs share.

One module per concern; everything callers use is re-exported here.
"""

from coachway.payments.service.config import (
    DEFAULT_NAME,
    get_payment_configuration,
    update_deposit_percentage,
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

__all__ = [
    "DEFAULT_NAME", "Balance", "PaymentPosition", "balance_of", "balances", "get_payment_configuration",
    "position", "positions", "receivable_expr", "update_deposit_percentage",
]
