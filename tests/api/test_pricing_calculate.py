"""POST /api/v1/calculate-quote: a trip priced from miles and hours or from its stops, who sees what, and
every kind of bad request."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coachway.integrations import geocoding
from tests.factories import login, make_user, user_headers
from tests.factories_domain import make_client, make_hub, make_vehicle_type
from tests.factories_pricing import make_amenity, make_modifier, make_promo, priced_setup, set_policy

URL = "/api/v1/calculate-quote"
# Monday 2026-03-02, 10:00 in Atlanta.
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fixed_now():
    from coachway.core import clock

    clock.set_clock(lambda: NOW)


@pytest.fixture
def agent(client):
    return user_headers(client, "sales_agent")


@pytest.fixture
def setup():
    return priced_setup(hourly_rate="100.00", per_mile_rate="4.00", minimum_hours="5", daily_rate="900.00",
                        vendor_hourly_cost="70.00", vendor_per_mile_cost="2.00")


def trip(setup, **changes):
    hub, vtype = setup
    body = {"hub_id": hub.id, "trip_date": "2026-03-10", "trip_type": "round_trip", "passenger_count": 40,
            "vehicles": [{"vehicle_type_id": vtype.id, "quantity": 1}], "miles": "100", "hours": "6"}
    return {**body, **changes}


def _fields(r) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


def _quote(client, headers, body) -> dict:
    r = client.post(URL, json=body, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_trip_is_priced_and_its_lines_add_up_to_the_total(client, agent, setup):
    quote = _quote(client, agent, trip(setup))
    assert [line["kind"] for line in quote["lines"]] == ["vehicle"]
    assert quote["lines"][0]["amount"] == "600.00"  # 6 h x $100 beats 100 mi x $4
    assert quote["total"] == "600.00" == str(sum(Decimal(line["amount"]) for line in quote["lines"]))
    assert (quote["deposit"], quote["balance"]) == ("150.00", "450.00")
    assert quote["estimated_vendor_cost"] == "420.00" and quote["margin"] == "180.00"
    # 08:00 on the 10th in Atlanta is 189 hours away: 8 days less 2 hours, less the hour clocks go forward.
    assert quote["inputs"] == {"miles": "100", "hours": "6", "days": 1, "deadhead_miles": "0",
                               "lead_time_hours": "189.00", "requires_second_driver": False}


def test_a_client_user_gets_a_price_without_cost_or_margin(client, setup):
    portal = login(client, make_user(role="client", client_id=make_client().id).email)
    quote = _quote(client, portal, trip(setup))
    assert quote["total"] == "600.00"
    assert "margin" not in quote and "estimated_vendor_cost" not in quote


def test_amenities_modifiers_and_a_promo_code_all_show_as_lines(client, agent, setup):
    water = make_amenity(name="Bottled water", pricing_type="per_passenger", base_price="1.50")
    make_modifier(name="Weekend", applicable_days=["saturday"], adjustment_value="10")
    make_promo(code="SPRING10", discount_value="10")
    quote = _quote(client, agent, trip(setup, trip_date="2026-03-07", promo_code="spring10",
                                       amenities=[{"amenity_id": water.id, "quantity": 1}]))
    assert [(line["kind"], line["amount"]) for line in quote["lines"]] == [
        ("vehicle", "600.00"), ("amenity", "60.00"), ("modifier", "66.00"), ("promo", "-72.60")]
    assert quote["total"] == "653.40" and quote["promo_code"] == "SPRING10" and quote["promo_problem"] is None


def test_a_promo_that_cannot_be_used_says_why_and_discounts_nothing(client, agent, setup):
    make_promo(code="BIG50", discount_type="fixed_amount", discount_value="50", min_purchase_amount="1000")
    quote = _quote(client, agent, trip(setup, promo_code="BIG50"))
    assert quote["total"] == "600.00" and quote["promo_code"] is None
    assert quote["promo_problem"] == "Code BIG50 needs a trip of at least $1,000.00."
    expired = _quote(client, agent, trip(setup, promo_code="NOSUCH"))
    assert expired["promo_problem"] == "There is no promo code NOSUCH."


def test_short_notice_trips_get_the_asap_modifier(client, agent, setup):
    make_modifier(name="Short notice", modifier_type="asap", lead_time_hours=72, adjustment_value="15")
    soon = _quote(client, agent, trip(setup, trip_date="2026-03-04", pickup_time="09:00"))
    assert soon["inputs"]["lead_time_hours"] == "47.00"
    assert [line["label"] for line in soon["lines"]] == ["Motorcoach", "Short notice"]
    later = _quote(client, agent, trip(setup, trip_date="2026-03-06"))
    assert [line["label"] for line in later["lines"]] == ["Motorcoach"]


def test_a_multi_day_trip_counts_calendar_days_and_uses_the_daily_rate(client, agent, setup):
    quote = _quote(client, agent, trip(setup, end_date="2026-03-12", trip_type="multi_day", hours="20"))
    assert quote["inputs"]["days"] == 3
    assert quote["lines"][0]["amount"] == "2700.00"


def test_stops_are_looked_up_and_routed_from_the_hub(client, agent, setup):
    quote = _quote(client, agent, trip(setup, miles=None, hours=None, stops=[
        {"address": "Atlanta, GA"}, {"address": "Nashville, TN", "dwell_minutes": 60}]))
    inputs = quote["inputs"]
    assert Decimal(inputs["miles"]) > 200 and Decimal(inputs["deadhead_miles"]) > 200
    assert Decimal(inputs["hours"]) > 4
    assert quote["total"] == str(sum(Decimal(line["amount"]) for line in quote["lines"]))


def test_an_address_that_cannot_be_found_names_the_stop(client, agent, setup):
    r = client.post(URL, json=trip(setup, miles=None, hours=None, stops=[
        {"address": "Atlanta, GA"}, {"address": "Nowhere Special, ZZ"}]), headers=agent)
    assert r.status_code == 422 and _fields(r) == {"stops.1.address"}


def test_when_geocoding_is_down_the_stop_says_so(client, agent, setup, monkeypatch):
    class Down:
        def geocode(self, query):
            raise geocoding.GeocodingUnavailable("timed out")

    monkeypatch.setattr(geocoding, "geocoder", lambda: Down())
    r = client.post(URL, json=trip(setup, miles=None, hours=None, stops=[{"address": "A"}, {"address": "B"}]),
                    headers=agent)
    assert r.status_code == 422 and _fields(r) == {"stops.0.address"}


def test_a_vehicle_type_without_a_rate_uses_the_fleet_rate_with_a_note(client, agent, setup):
    hub, _ = setup
    mini = make_vehicle_type(name="Minibus", capacity=28, default_hourly_rate=Decimal("120.00"))
    quote = _quote(client, agent, trip(setup, vehicles=[{"vehicle_type_id": mini.id, "quantity": 2}]))
    assert quote["lines"][0]["amount"] == "1440.00" and "Minibus" in quote["notes"][0]


def test_a_vehicle_type_without_any_rate_is_422(client, agent, setup):
    trolley = make_vehicle_type(name="Trolley", capacity=30)
    r = client.post(URL, json=trip(setup, vehicles=[{"vehicle_type_id": trolley.id}]), headers=agent)
    assert r.status_code == 422 and _fields(r) == {"vehicles.0.vehicle_type_id"}
    assert "Trolley" in r.json()["detail"]


def test_an_amenity_no_longer_offered_is_422(client, agent, setup):
    gone = make_amenity(name="Karaoke", is_active=False)
    r = client.post(URL, json=trip(setup, amenities=[{"amenity_id": gone.id}]), headers=agent)
    assert r.status_code == 422 and _fields(r) == {"amenities"}


def test_the_policy_changes_the_price(client, agent, setup):
    set_policy(price_rule="mileage_only", fuel_surcharge_pct=Decimal(10), deposit_percentage=Decimal(50))
    quote = _quote(client, agent, trip(setup))
    assert [(line["kind"], line["amount"]) for line in quote["lines"]] == [("vehicle", "400.00"),
                                                                          ("fuel", "40.00")]
    assert quote["deposit"] == "220.00"


@pytest.mark.parametrize(("changes", "field"), [
    ({"miles": None}, "miles"), ({"hours": None}, "hours"),
    ({"stops": [{"address": "Atlanta, GA"}, {"address": "Macon, GA"}]}, "stops"),
    ({"miles": None, "hours": None, "stops": [{"address": "Atlanta, GA"}]}, "stops"),
    ({"miles": None, "hours": None, "stops": [{"address": f"Stop {i}"} for i in range(26)]}, "stops"),
    ({"end_date": "2026-03-09"}, "end_date"), ({"end_date": "2026-06-10"}, "end_date"),
    ({"trip_date": "2026-03-01"}, "trip_date"), ({"trip_date": "2026-02-30"}, "trip_date"),
    ({"passenger_count": 0}, "passenger_count"), ({"passenger_count": 1001}, "passenger_count"),
    ({"passenger_count": "many"}, "passenger_count"), ({"vehicles": []}, "vehicles"),
    ({"vehicles": [{"vehicle_type_id": 1, "quantity": 0}]}, "vehicles"),
    ({"vehicles": [{"vehicle_type_id": 1}] * 21}, "vehicles"), ({"miles": "-1"}, "miles"),
    ({"miles": "10001"}, "miles"), ({"hours": "721"}, "hours"), ({"trip_type": "cruise"}, "trip_type"),
    ({"pickup_time": "25:00"}, "pickup_time"), ({"pickup_time": "08:00+02:00"}, "pickup_time"),
    ({"hub_id": 999}, "hub_id"), ({"hub_id": "ATL"}, "hub_id"), ({"discount": "50"}, "discount"),
    ({"amenities": [{"amenity_id": 999}]}, "amenities"), ({"promo_code": "x" * 101}, "promo_code"),
])
def test_a_bad_quote_request_is_422(client, agent, setup, changes, field):
    body = {k: v for k, v in trip(setup, **changes).items() if v is not None}
    r = client.post(URL, json=body, headers=agent)
    assert r.status_code == 422, r.text
    assert field in {f.split(".")[0] for f in _fields(r)}, r.json()


def test_an_unknown_vehicle_type_is_422(client, agent, setup):
    r = client.post(URL, json=trip(setup, vehicles=[{"vehicle_type_id": 999}]), headers=agent)
    assert r.status_code == 422 and _fields(r) == {"vehicles.0.vehicle_type_id"}


@pytest.mark.parametrize("role", ["vendor", "driver"])
def test_vendors_and_drivers_cannot_calculate(client, setup, role):
    headers = user_headers(client, role)
    assert client.post(URL, json=trip(setup), headers=headers).status_code == 403


def test_a_dispatcher_may_calculate(client, setup):
    dispatcher = user_headers(client, "dispatcher")
    assert client.post(URL, json=trip(setup), headers=dispatcher).status_code == 200


def test_without_signing_in_it_is_401(client, setup):
    assert client.post(URL, json=trip(setup)).status_code == 401


def test_a_hub_without_coordinates_prices_stops_without_deadhead(client, agent):
    hub = make_hub(code="NOGPS")
    _, vtype = priced_setup()
    quote = _quote(client, agent, {"hub_id": hub.id, "trip_date": "2026-03-10", "trip_type": "one_way",
                                   "passenger_count": 10, "vehicles": [{"vehicle_type_id": vtype.id}],
                                   "stops": [{"address": "Atlanta, GA"}, {"address": "Macon, GA"}]})
    assert quote["inputs"]["deadhead_miles"] == "0.0"
