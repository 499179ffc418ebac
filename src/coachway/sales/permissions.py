"""Permissions of the sales domain and their default grants."""

PERMISSIONS = {
    "leads:read": "See and work the leads assigned to you",
    "leads:read_all": "See every lead, whoever it is assigned to",
    "leads:create": "Enter a new lead (it is assigned automatically)",
    "leads:update": "Change a lead's details and status, log activities and schedule follow-ups",
    "leads:assign": "Assign or reassign leads by hand",
    "leads:convert": "Turn a lead into a quote",
    "leads:manage_queue": "Change the round-robin order, who takes leads and the daily caps",
    "sales_dashboard:read": "See your sales dashboard and reports",
    "sales_dashboard:read_all": "See any agent's sales dashboard and the whole team's",
}

_WORK = ["leads:read", "leads:create", "leads:update", "leads:convert", "sales_dashboard:read"]
DEFAULT_GRANTS = {
    "manager": _WORK + ["leads:read_all", "leads:assign", "leads:manage_queue", "sales_dashboard:read_all"],
    "sales_agent": _WORK,
    "sales_support": _WORK + ["leads:read_all"],
    "dispatcher": [],
    "accounting": [],
    "vendor": [],
    "driver": [],
    "client": [],
}
