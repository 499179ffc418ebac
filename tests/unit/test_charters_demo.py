"""Demo charters: every status, geocoded itineraries with totals, and one trip flagged for a second driver."""

from sqlalchemy import select

from coachway import demo
from coachway.charters import demo as charters_demo
from coachway.charters.models import Charter, ItineraryStop
from coachway.fleet.models import VehicleType
from coachway.sales import demo as sales_demo
from tests.factories import login
from tests.factories_domain import seed_dot_regulations


def test_demo_has_a_charter_in_every_status_with_geocoded_routes(session):
    seed_dot_regulations()
    demo.load()
    charters = list(session.scalars(select(Charter)))
    assert len(charters) == len(charters_demo.CHARTERS) + sales_demo.CONVERTED  # + quotes from demo leads
    assert {c.status for c in charters} == {"quote", "booked", "confirmed", "completed", "cancelled"}
    assert all(t.default_hourly_rate is not None for t in session.scalars(select(VehicleType)))
    stops = list(session.scalars(select(ItineraryStop)))
    assert stops and all(s.geocode_status == "ok" and s.estimated_arrival for s in stops)
    assert all(c.total_miles and c.deadhead_miles is not None and c.vehicle_count >= 1 for c in charters)
    assert [c.requires_second_driver for c in charters].count(True) >= 1
    cancelled = next(c for c in charters if c.status == "cancelled")
    assert cancelled.cancellation_reason and cancelled.cancellation_fee is not None


def test_demo_sales_agent_sees_its_quotes_and_the_client_user_its_churchs_trip(client):
    demo.load()
    agent = login(client, "sales@coachway.demo", demo.DEMO_PASSWORD)
    assert client.get("/api/v1/charters", headers=agent).json()["total"] == \
        len(charters_demo.CHARTERS) + sales_demo.CONVERTED
    assert client.get("/api/v1/charters/my-quotes", headers=agent).json()["total"] >= 2
    portal = login(client, demo.CLIENT_USER[1], demo.DEMO_PASSWORD)
    seen = client.get("/api/v1/charters", headers=portal).json()["items"]
    assert [c["client_name"] for c in seen] == [demo.CLIENT_USER_CLIENT]
    assert "internal_notes" not in seen[0]
