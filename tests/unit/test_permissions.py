"""The permission catalog and the action and field checks every service shares."""

import re

import pytest

from coachway.core.errors import Forbidden
from coachway.core.permissions import ROLES, STAFF_ROLES, SYSTEM, Actor, catalog, hide_fields, require


def actor(*perms: str, role: str = "sales_agent") -> Actor:
    return Actor(user_id=1, role=role, permissions=frozenset(perms))


def test_require_passes_with_the_permission():
    require(actor("users:read"), "users:read")


def test_require_refuses_without_the_permission():
    with pytest.raises(Forbidden) as exc:
        require(actor("users:read"), "users:update")
    assert "users:update" in exc.value.detail and exc.value.status == 403


def test_system_actor_may_do_everything():
    require(SYSTEM, "anything:at_all")


def test_hide_fields_drops_what_the_actor_may_not_read():
    data = {"name": "Trip", "cost": 10, "margin": 2}
    rules = {"cost": "charters:read_cost", "margin": "charters:read_margin"}
    assert hide_fields(actor("charters:read_cost"), data, rules) == {"name": "Trip", "cost": 10}
    assert hide_fields(SYSTEM, data, rules) == data


def test_every_permission_is_resource_colon_action():
    perms, _ = catalog()
    for name, description in perms.items():
        assert re.fullmatch(r"[a-z_]+:[a-z_]+", name), name
        assert description


def test_every_default_grant_names_a_declared_permission_and_a_known_role():
    perms, grants = catalog()
    assert set(grants) == set(ROLES)
    for role, names in grants.items():
        assert set(names) <= set(perms), role


def test_admin_is_granted_every_permission():
    perms, grants = catalog()
    assert set(grants["admin"]) == set(perms)


def test_only_admin_may_manage_users_and_roles_by_default():
    _, grants = catalog()
    for role, names in grants.items():
        if role != "admin":
            assert not {"users:create", "users:update", "roles:update"} & set(names), role


def test_outside_roles_get_no_staff_permissions():
    _, grants = catalog()
    for role in ("vendor", "driver", "client"):
        assert not {"users:read", "audit:read", "outbox:read"} & set(grants[role]), role
    assert {"vendor", "driver", "client"}.isdisjoint(STAFF_ROLES)
