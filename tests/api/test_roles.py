"""Roles and their resource:action permissions, seeded and editable by admins."""

from sqlalchemy import select

from coachway.auth.models import RolePermission
from coachway.core.permissions import ROLES
from tests.factories import login, make_user, user_headers


def grants(session, role: str) -> set[str]:
    session.expire_all()
    stmt = select(RolePermission.permission_name).where(RolePermission.role_name == role)
    return set(session.scalars(stmt))


def test_the_nine_roles_are_seeded_with_permissions(client):
    admin = user_headers(client, "admin")
    roles = {r["name"]: r for r in client.get("/api/v1/roles", headers=admin).json()}
    assert set(roles) == set(ROLES)
    every = {p["name"] for p in client.get("/api/v1/permissions", headers=admin).json()}
    assert set(roles["admin"]["permissions"]) == every
    assert "clients:read" in roles["sales_agent"]["permissions"]
    assert "users:create" not in roles["manager"]["permissions"]
    assert all(r["is_system"] for r in roles.values())
    assert roles["admin"]["user_count"] == 1


def test_permission_names_are_resource_colon_action(client):
    admin = user_headers(client, "admin")
    for p in client.get("/api/v1/permissions", headers=admin).json():
        resource, _, action = p["name"].partition(":")
        assert resource and action and p["description"]


def test_admin_creates_a_role_and_its_user_gets_exactly_its_permissions(client):
    admin = user_headers(client, "admin")
    r = client.post("/api/v1/roles", json={"name": "auditor", "description": "Reads the audit log",
                                           "permissions": ["audit:read", "users:read"]}, headers=admin)
    assert r.status_code == 201, r.text
    assert r.json()["is_system"] is False and r.json()["permissions"] == ["audit:read", "users:read"]
    auditor = make_user(role="auditor")
    headers = login(client, auditor.email)
    assert sorted(client.get("/api/v1/auth/me", headers=headers).json()["permissions"]) == ["audit:read",
                                                                                            "users:read"]
    assert client.get("/api/v1/audit-log", headers=headers).status_code == 200
    assert client.get("/api/v1/users", headers=headers).status_code == 200
    assert client.get("/api/v1/roles", headers=headers).status_code == 403
    assert client.get("/api/v1/clients", headers=headers).status_code == 403


def test_set_permissions_replaces_them(client, session):
    admin = user_headers(client, "admin")
    r = client.put("/api/v1/roles/dispatcher/permissions",
                   json={"permissions": ["users:read", "fleet:read"], "description": "Dispatch desk"},
                   headers=admin)
    assert r.status_code == 200
    assert r.json()["permissions"] == ["fleet:read", "users:read"]
    assert r.json()["description"] == "Dispatch desk"
    assert grants(session, "dispatcher") == {"fleet:read", "users:read"}


def test_removing_a_permission_takes_the_action_away_at_once(client):
    admin = user_headers(client, "admin")
    agent = user_headers(client, "sales_agent")
    assert client.get("/api/v1/clients", headers=agent).status_code == 200
    keep = [p for p in client.get("/api/v1/roles/sales_agent", headers=admin).json()["permissions"]
            if p != "clients:read"]
    assert client.put("/api/v1/roles/sales_agent/permissions", json={"permissions": keep},
                      headers=admin).status_code == 200
    assert client.get("/api/v1/clients", headers=agent).status_code == 403


def test_granting_a_permission_opens_the_action(client):
    admin = user_headers(client, "admin")
    agent = user_headers(client, "sales_agent")
    assert client.get("/api/v1/users", headers=agent).status_code == 403
    now = client.get("/api/v1/roles/sales_agent", headers=admin).json()["permissions"]
    client.put("/api/v1/roles/sales_agent/permissions", json={"permissions": now + ["users:read"]},
               headers=admin)
    assert client.get("/api/v1/users", headers=agent).status_code == 200


def test_unknown_permission_is_422_and_nothing_changes(client, session):
    admin = user_headers(client, "admin")
    before = grants(session, "dispatcher")
    r = client.put("/api/v1/roles/dispatcher/permissions", json={"permissions": ["users:read", "moon:land"]},
                   headers=admin)
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "permissions", "message": "unknown: moon:land"}]
    assert grants(session, "dispatcher") == before


def test_creating_a_role_with_an_unknown_permission_is_422(client):
    admin = user_headers(client, "admin")
    r = client.post("/api/v1/roles", json={"name": "ghost", "permissions": ["moon:land"]}, headers=admin)
    assert r.status_code == 422
    assert client.get("/api/v1/roles/ghost", headers=admin).status_code == 404


def test_cannot_remove_roles_update_from_own_role(client, session):
    admin = user_headers(client, "admin")
    before = grants(session, "admin")
    r = client.put("/api/v1/roles/admin/permissions", json={"permissions": ["users:read"]}, headers=admin)
    assert r.status_code == 409
    assert grants(session, "admin") == before


def test_duplicate_role_name_is_409(client):
    admin = user_headers(client, "admin")
    assert client.post("/api/v1/roles", json={"name": "manager"}, headers=admin).status_code == 409


def test_badly_formed_role_name_is_422(client):
    admin = user_headers(client, "admin")
    r = client.post("/api/v1/roles", json={"name": "Night Shift!"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "name"


def test_unknown_role_is_404(client):
    admin = user_headers(client, "admin")
    assert client.get("/api/v1/roles/pilot", headers=admin).status_code == 404
    r = client.put("/api/v1/roles/pilot/permissions", json={"permissions": []}, headers=admin)
    assert r.status_code == 404


def test_manager_reads_roles_but_may_not_change_them(client, session):
    manager = user_headers(client, "manager")
    assert client.get("/api/v1/roles", headers=manager).status_code == 200
    before = grants(session, "manager")
    r = client.put("/api/v1/roles/manager/permissions", headers=manager,
                   json={"permissions": sorted(before | {"users:create"})})
    assert r.status_code == 403
    assert grants(session, "manager") == before
    assert client.post("/api/v1/roles", json={"name": "helper"}, headers=manager).status_code == 403


def test_sales_agent_may_not_read_roles(client):
    agent = user_headers(client, "sales_agent")
    assert client.get("/api/v1/roles", headers=agent).status_code == 403
    assert client.get("/api/v1/permissions", headers=agent).status_code == 403


def test_role_editor_may_not_grant_what_they_do_not_hold(client, session):
    admin = user_headers(client, "admin")
    client.post("/api/v1/roles", json={"name": "role_keeper", "permissions": ["roles:read", "roles:update"]},
                headers=admin)
    keeper = login(client, make_user(role="role_keeper").email)
    r = client.put("/api/v1/roles/role_keeper/permissions",
                   json={"permissions": ["roles:read", "roles:update", "users:create"]}, headers=keeper)
    assert r.status_code == 403
    assert grants(session, "role_keeper") == {"roles:read", "roles:update"}
    r = client.put("/api/v1/roles/admin/permissions", json={"permissions": ["roles:update"]}, headers=keeper)
    assert r.status_code == 403


def test_nul_character_in_role_description_is_422(client):
    admin = user_headers(client, "admin")
    r = client.post("/api/v1/roles", json={"name": "night_shift", "description": "late\x00"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "description"


def test_role_name_with_control_characters_in_the_path_is_422(client):
    admin = user_headers(client, "admin")
    assert client.get("/api/v1/roles/a%00b", headers=admin).status_code == 422
