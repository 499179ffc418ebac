"""Permissions of the payments domain (receivables, payables, financial reports) and their default grants."""

PERMISSIONS = {
    "payments:read": "See payments, their applications to charters and charters' payment plans",
    "payments:record": "Record offline payments (check, ACH, wire, PO, cash) and apply them to charters",
    "payments:charge_card": "Charge a client's card by hand (Stripe)",
    "payments:refund": "Refund or void a payment (always a new record)",
    "payments:adjust": "Change a payment's date (audited) and a charter's payment plan",
    "payment_config:manage": "Change the payment terms: deposit, due dates, autopay, PO, cancellations",
    "vendor_bills:read": "See vendor bills and their payments",
    "vendor_bills:manage": "Enter and correct vendor bills, mark them disputed",
    "vendor_bills:approve": "Approve a vendor bill for payment",
    "vendor_bills:pay": "Record payments of approved vendor bills",
    "financial_reports:read": "See the AR/AP and financial reports and export them",
}

_ACCOUNTING = sorted(PERMISSIONS)
DEFAULT_GRANTS = {
    "manager": ["payments:read", "vendor_bills:read", "vendor_bills:approve", "financial_reports:read",
                "payment_config:manage", "payments:charge_card"],
    "sales_agent": [],
    "sales_support": ["payments:read", "payments:record"],
    "dispatcher": [],
    "accounting": _ACCOUNTING,
    "vendor": [],
    "driver": [],
    "client": [],
}
