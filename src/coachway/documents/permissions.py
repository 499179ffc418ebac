"""Permissions of the documents domain and their default grants."""

PERMISSIONS = {
    "documents:read": "See and download documents of what you may see (a client its own, a vendor what is "
                      "shared with it)",
    "documents:create": "Upload documents",
    "documents:delete": "Delete documents",
    "documents:read_internal": "See documents marked internal (vendor bids, contracts in draft)",
}

_STAFF = ["documents:read", "documents:create", "documents:read_internal"]
DEFAULT_GRANTS = {
    "manager": _STAFF + ["documents:delete"],
    "sales_agent": _STAFF + ["documents:delete"],
    "sales_support": _STAFF + ["documents:delete"],
    "dispatcher": _STAFF,
    "accounting": _STAFF + ["documents:delete"],
    "vendor": ["documents:read", "documents:create"],
    "driver": ["documents:read"],
    "client": ["documents:read", "documents:create"],
}
