"""The admin navigation: links registered by domains, shown only to actors who hold their permission."""

from dataclasses import dataclass

from coachway.core.permissions import Actor


@dataclass(frozen=True)
class NavLink:
    """One navigation entry; description is shown on the dashboard."""

    label: str
    href: str
    permission: str | None = None
    description: str = ""
    order: int = 100
    staff_only: bool = True

    def is_current(self, path: str) -> bool:
        """True when path is this link's page or below it (the dashboard only matches itself)."""
        if self.href == "/admin":
            return path == "/admin"
        return path == self.href or path.startswith(self.href.rstrip("/") + "/")


_links: dict[str, NavLink] = {}


def register(label: str, href: str, *, permission: str | None = None, description: str = "",
             order: int = 100, staff_only: bool = True) -> NavLink:
    """Add (or replace, by href) a navigation link; call it at import time of a domain's pages.py."""
    link = NavLink(label, href, permission, description, order, staff_only)
    _links[href] = link
    return link


def links_for(actor: Actor | None) -> list[NavLink]:
    """The links this actor may follow, in menu order."""
    if actor is None:
        return []
    allowed = []
    for link in sorted(_links.values(), key=lambda item: (item.order, item.label)):
        if link.staff_only and not actor.is_staff:
            continue
        if link.permission and not ("*" in actor.permissions or actor.can(link.permission)):
            continue
        allowed.append(link)
    return allowed


register("Dashboard", "/admin", order=0, description="Where you start.")
register("Clients", "/admin/clients", permission="clients:read", order=10,
         description="Client accounts, contacts and their history.")
register("Fleet", "/admin/fleet", permission="fleet:read", order=20,
         description="Hubs, vehicle types and vehicles.")
register("Users", "/admin/users", permission="users:read", order=60,
         description="Staff and portal accounts: roles, activity, details.")
register("Roles & permissions", "/admin/settings/rbac/roles", permission="roles:read", order=70,
         description="What each role may do.")
register("Audit log", "/admin/audit", permission="audit:read", order=80,
         description="Who changed what, and when.")
register("Outbox", "/admin/outbox", permission="outbox:read", order=90,
         description="Emails and messages waiting, sent or failed.")
register("My account", "/account", order=100, staff_only=False,
         description="Your password and two-step sign-in.")
