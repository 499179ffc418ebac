"""Permissions of the fleet domain and their default grants."""

PERMISSIONS = {
    "fleet:read": "See hubs, vehicle types and vehicles",
    "fleet:manage": "Create and change hubs, vehicle types and vehicles",
    "drivers:read": "See drivers (a driver sees only itself)",
    "drivers:manage": "Change drivers' CDL and hub",
}

DEFAULT_GRANTS = {
    "manager": ["fleet:read", "fleet:manage", "drivers:read", "drivers:manage"],
    "sales_agent": ["fleet:read"],
    "sales_support": ["fleet:read"],
    "dispatcher": ["fleet:read", "fleet:manage", "drivers:read", "drivers:manage"],
    "accounting": ["fleet:read"],
    "vendor": [],
    "driver": ["drivers:read"],
    "client": [],
}
