"""Permissions of the notifications domain and their default grants."""

PERMISSIONS = {
    "notifications:read": "See sent notifications and their delivery and tracking",
    "notifications:send": "Send a notification from a template",
    "notification_templates:manage": "Change message templates",
    "email_preferences:read": "See clients' email preferences (a client sees its own)",
    "email_preferences:update": "Change clients' email preferences (a client changes its own)",
}

_SALES = ["notifications:read", "notifications:send", "email_preferences:read", "email_preferences:update"]
DEFAULT_GRANTS = {
    "manager": _SALES + ["notification_templates:manage"],
    "sales_agent": _SALES,
    "sales_support": _SALES,
    "dispatcher": ["notifications:read", "notifications:send", "email_preferences:read"],
    "accounting": _SALES,
    "vendor": [],
    "driver": [],
    "client": ["email_preferences:read", "email_preferences:update"],
}
