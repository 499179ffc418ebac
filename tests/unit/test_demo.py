"""Demo data: every role can sign in, and loading twice with only_if_empty adds nothing."""

from sqlalchemy import func, select

from coachway import demo
from coachway.auth.models import User
from coachway.clients.models import Client
from coachway.core.permissions import ROLES
from coachway.fleet.models import Hub, Vehicle, VehicleType
from coachway.sales import demo as sales_demo
from tests.factories import login


def _counts(session) -> dict[str, int]:
    return {m.__name__: session.scalar(select(func.count()).select_from(m))
            for m in (User, Client, Hub, VehicleType, Vehicle)}


def test_load_creates_each_role_and_is_idempotent_with_only_if_empty(session):
    assert demo.load(only_if_empty=True) is True
    roles = set(session.scalars(select(User.role)))
    assert roles == set(ROLES)
    counts = _counts(session)
    assert counts["Hub"] == 2 and counts["VehicleType"] == 6 and 30 <= counts["Client"] <= 40
    assert 15 <= counts["Vehicle"] <= 25 and session.scalar(
        select(func.count()).select_from(User).where(User.role == "driver")) == 4
    assert demo.load(only_if_empty=True) is False
    session.expire_all()
    assert _counts(session) == counts


def test_sign_in_help_lists_a_working_sign_in_for_every_role(client):
    demo.load()
    help_text = demo.sign_in_help()
    for role in ROLES:
        assert f"  {role} " in help_text
    portal = login(client, demo.CLIENT_USER[1], demo.DEMO_PASSWORD)
    seen = client.get("/api/v1/clients", headers=portal).json()
    assert [c["name"] for c in seen["items"]] == [demo.CLIENT_USER_CLIENT]
    assert "notes" not in seen["items"][0]
    driver = login(client, demo.DRIVERS[0][0], demo.DEMO_PASSWORD)
    assert client.get("/api/v1/drivers", headers=driver).json()["total"] == 1


def test_scale_multiplies_clients_vehicles_and_drivers_with_unique_keys(session):
    demo.load(scale=3)
    counts = _counts(session)
    assert counts["Client"] == 3 * len(demo.CLIENTS) + sales_demo.CONVERTED  # + clients from demo leads
    assert counts["Vehicle"] == 3 * sum(len(units) for units in demo.FLEET.values())
    assert session.scalar(select(func.count()).select_from(User).where(User.role == "driver")) == 3 * 4
    emails = list(session.scalars(select(Client.email)))
    assert len(set(emails)) == len(emails)
