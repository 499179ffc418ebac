"""Permissions of the clients domain and their default grants."""

PERMISSIONS = {
    "clients:read": "See clients (a client user sees only its own account)",
    "clients:create": "Create clients",
    "clients:update": "Change clients and their contacts",
    "clients:delete": "Deactivate clients",
    "clients:read_internal": "See internal client fields (notes, Stripe id, assigned agent)",
}

_SALES = ["clients:read", "clients:create", "clients:update", "clients:read_internal"]
DEFAULT_GRANTS = {
    "manager": _SALES + ["clients:delete"],
    "sales_agent": _SALES,
    "sales_support": _SALES,
    "dispatcher": ["clients:read"],
    "accounting": ["clients:read", "clients:update", "clients:read_internal"],
    "vendor": [],
    "driver": [],
    "client": ["clients:read"],
}
