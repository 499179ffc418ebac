"""Permissions of the auth domain and their default grants."""

PERMISSIONS = {
    "users:read": "See users",
    "users:create": "Create users",
    "users:update": "Change users (role, activity, details)",
    "roles:read": "See roles and their permissions",
    "roles:update": "Create roles and change their permissions",
    "audit:read": "Read the audit log",
    "outbox:read": "See queued and sent messages",
    "outbox:manage": "Resend messages",
}

DEFAULT_GRANTS = {
    "manager": ["users:read", "roles:read", "audit:read", "outbox:read", "outbox:manage"],
    "sales_agent": [],
    "sales_support": [],
    "dispatcher": ["users:read"],
    "accounting": ["audit:read", "outbox:read"],
    "vendor": [],
    "driver": [],
    "client": [],
}
