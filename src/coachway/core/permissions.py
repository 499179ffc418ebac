"""Who is acting, and the action / row / field checks every service shares."""

import importlib
from dataclasses import dataclass, field
from typing import Any

from coachway.core.errors import Forbidden

ROLES = {
    "admin": "Administrator: everything, including users, roles and permissions",
    "manager": "Manager: all operations and reports, team oversight",
    "sales_agent": "Sales agent: own leads and quotes",
    "sales_support": "Sales support: post-booking changes and client service",
    "dispatcher": "Dispatcher: fleet, drivers and trip operations",
    "accounting": "Accounting: payments, AR/AP and QuickBooks",
    "vendor": "Vendor: own bids and assignments (vendor portal)",
    "driver": "Driver: own trips (driver app)",
    "client": "Client: own charters, payments and documents (client portal)",
}
STAFF_ROLES = frozenset({"admin", "manager", "sales_agent", "sales_support", "dispatcher", "accounting"})

# Domains that declare PERMISSIONS and DEFAULT_GRANTS in their permissions.py.
DOMAINS_WITH_PERMISSIONS = ["auth", "clients", "fleet", "documents", "notifications", "charters",
                            "pricing", "sales", "payments"]


@dataclass(frozen=True)
class Actor:
    """The signed-in user as services see them."""

    user_id: int | None
    role: str
    permissions: frozenset[str] = field(default_factory=frozenset)
    email: str = ""
    name: str = ""
    client_id: int | None = None
    ip: str | None = None
    session_id: int | None = None
    impersonated_by: int | None = None

    @property
    def is_staff(self) -> bool:
        """Staff of the charter company (not a client, vendor or driver)."""
        return self.role in STAFF_ROLES

    def can(self, permission: str) -> bool:
        """True when the role is granted permission."""
        return permission in self.permissions


SYSTEM = Actor(user_id=None, role="admin", permissions=frozenset({"*"}), name="system")


def require(actor: Actor, permission: str) -> None:
    """Raise Forbidden unless the actor's role has permission."""
    if "*" in actor.permissions or permission in actor.permissions:
        return
    raise Forbidden(f"Your role ({actor.role}) may not do this ({permission}).")


def hide_fields(actor: Actor, data: dict[str, Any], rules: dict[str, str]) -> dict[str, Any]:
    """Drop each field whose reading permission (rules: field -> permission) the actor lacks."""
    if "*" in actor.permissions:
        return data
    return {k: v for k, v in data.items() if k not in rules or rules[k] in actor.permissions}


def catalog() -> tuple[dict[str, str], dict[str, list[str]]]:
    """Every declared permission with its description, and the default grants per role."""
    perms: dict[str, str] = {}
    grants: dict[str, list[str]] = {r: [] for r in ROLES}
    for domain in DOMAINS_WITH_PERMISSIONS:
        mod = importlib.import_module(f"coachway.{domain}.permissions")
        perms.update(mod.PERMISSIONS)
        for role, names in mod.DEFAULT_GRANTS.items():
            grants[role].extend(names)
    grants["admin"] = sorted(perms)
    return perms, grants
