"""Permissions of the pricing domain and their default grants."""

PERMISSIONS = {
    "pricing:read": "See the pricing policy, rate matrix, amenities, promo codes and modifiers",
    "pricing:manage": "Change the pricing policy, rates, amenities, promo codes and modifiers",
    "pricing:quote": "Calculate quotes, list the amenities on offer and check promo codes",
    "pricing:read_internal": "See estimated vendor cost and margin, and the vendor rates of the rate matrix",
}

_STAFF = ["pricing:read", "pricing:quote", "pricing:read_internal"]
DEFAULT_GRANTS = {
    "manager": _STAFF + ["pricing:manage"],
    "sales_agent": _STAFF,
    "sales_support": _STAFF,
    "dispatcher": ["pricing:quote"],
    "accounting": _STAFF,
    "vendor": [],
    "driver": [],
    "client": ["pricing:quote"],
}
