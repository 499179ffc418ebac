"""Permissions of the charters domain and their default grants."""

PERMISSIONS = {
    "charters:read": "See charters (a sales agent its own, a client user its own client's)",
    "charters:read_all": "See every charter, not only the ones assigned to you",
    "charters:read_internal": "See internal charter fields (internal notes, DOT detail, estimated costs)",
    "charters:create": "Create quotes, and use the vehicle recommendation and DOT check tools",
    "charters:update": "Change charters: trip details, itinerary, vehicles, booking and trip status",
    "charters:assign": "Reassign any charter to another sales agent (agents may hand over their own)",
    "charters:cancel": "Cancel charters, with a reason and an optional fee",
    "charters:send_quote": "Send quotes to clients: secure links, quote PDFs and the quote email",
    "dot_regulations:manage": "Change the DOT hours-of-service rules the compliance check applies",
}

_OWN = ["charters:read", "charters:read_internal", "charters:create", "charters:update", "charters:cancel"]
DEFAULT_GRANTS = {
    "manager": _OWN + ["charters:read_all", "charters:assign", "charters:send_quote",
                       "dot_regulations:manage"],
    "sales_agent": _OWN + ["charters:send_quote"],
    "sales_support": _OWN + ["charters:read_all", "charters:send_quote"],
    "dispatcher": ["charters:read", "charters:read_all", "charters:read_internal", "charters:update"],
    "accounting": ["charters:read", "charters:read_all", "charters:read_internal"],
    "vendor": [],
    "driver": [],
    "client": ["charters:read"],
}
