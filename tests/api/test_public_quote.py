"""The public quote calculator (/quote): the page without sign-in, the estimate (the pricing service's own
total, never the internal numbers), the submitted lead and its routing, the honeypot, the rate limits and
every kind of bad input; and the JSON twin of the estimate."""

import html
import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coachway.config import get_settings
from coachway.core import clock, ratelimit
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.sales.models import Lead
from tests.factories import make_user
from tests.factories_pricing import priced_setup

# Monday 2026-03-02, 10:00 in Atlanta.
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
API = "/api/v1/public/quote-estimate"


@pytest.fixture(autouse=True)
def fixed_now_and_fresh_limits():
    clock.set_clock(lambda: NOW)
    ratelimit.reset()
    yield
    ratelimit.reset()


@pytest.fixture
def setup():
    """A hub and a motorcoach with a rate whose vendor costs differ from every client amount."""
    return priced_setup(hourly_rate="150.00", per_mile_rate="3.00", minimum_hours="5",
                        vendor_hourly_cost="97.00", vendor_per_mile_cost="1.37")


@pytest.fixture
def agent():
    """A sales agent who is first (and only) in the round robin."""
    from coachway.sales import service as sales_service

    user = make_user(role="sales_agent")
    with transaction() as session:
        sales_service.update_queue(session, SYSTEM, [{"user_id": user.id, "is_active": True,
                                                      "max_daily_leads": None}])
    return user


def trip(setup, **changes) -> dict[str, str]:
    hub, vtype = setup
    fields = {"hub_id": str(hub.id), "trip_date": "2026-03-10", "trip_type": "round_trip",
              "origin": "Atlanta, GA", "destination": "Macon, GA", "passenger_count": "40",
              "vehicle_type_id": str(vtype.id)}
    return {**fields, **changes}


def contact(**changes) -> dict[str, str]:
    fields = {"first_name": "Dana", "last_name": "Reyes", "email": "dana@example.org",
              "phone": "404 555 0134", "company": "Grady High Band",
              "notes": "Instruments in the luggage bay."}
    return {**fields, **changes}


def csrf(client) -> str:
    r = client.get("/quote")
    assert r.status_code == 200
    return re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)


def post(client, url: str, data: dict, **kw):
    return client.post(url, data={"csrf_token": csrf(client), **data}, follow_redirects=False, **kw)


def leads(session) -> list[Lead]:
    session.rollback()
    return list(session.scalars(select(Lead).order_by(Lead.id)))


def lead_count(session) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(Lead))


def service_quote(setup, **changes) -> dict:
    """What the pricing service says for the trip of trip(setup), with its stops and one vehicle (in its own
    committed transaction: the first pricing stores the default policy)."""
    from coachway.pricing import service as pricing_service
    from coachway.pricing.schemas import QuoteRequest

    hub, vtype = setup
    body = {"hub_id": hub.id, "trip_date": "2026-03-10", "trip_type": "round_trip", "passenger_count": 40,
            "vehicles": [{"vehicle_type_id": vtype.id, "quantity": 1}],
            "stops": [{"address": "Atlanta, GA"}, {"address": "Macon, GA"}, {"address": "Atlanta, GA"}]}
    with transaction() as session:
        return pricing_service.calculate_quote(session, SYSTEM, QuoteRequest(**{**body, **changes}))


def money(value) -> str:
    return f"${Decimal(value):,.2f}"


# ---------------------------------------------------------------- the page and the estimate

def test_the_page_opens_without_sign_in(client, setup):
    r = client.get("/quote")
    assert r.status_code == 200
    assert "Get an instant charter estimate" in r.text
    assert "Motorcoach" in r.text and 'name="website"' in r.text
    assert "Sign out" not in r.text and "site-nav" not in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]


def test_the_estimate_is_the_pricing_services_total(client, session, setup):
    expected = service_quote(setup)
    r = post(client, "/quote/estimate", trip(setup))
    assert r.status_code == 200
    assert money(expected["total"]) in r.text and money(expected["deposit"]) in r.text
    assert "1 × Motorcoach" in r.text
    assert "<html" in r.text  # without HTMX: the whole page, the values kept
    assert 'value="Macon, GA"' in r.text


def test_an_htmx_estimate_returns_only_the_calculator(client, session, setup):
    expected = service_quote(setup)
    r = post(client, "/quote/estimate", trip(setup), headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert "<html" not in r.text and 'id="calculator"' in r.text
    assert money(expected["total"]) in r.text


def test_the_estimate_never_shows_vendor_cost_or_margin(client, session, setup):
    expected = service_quote(setup)
    assert expected["estimated_vendor_cost"] != expected["total"]
    r = post(client, "/quote/estimate", trip(setup))
    text = r.text.lower().replace("/static/vendor/", "/static/")
    assert "vendor" not in text and "margin" not in text
    assert money(expected["estimated_vendor_cost"]) not in r.text and money(expected["margin"]) not in r.text


def test_enough_vehicles_are_priced_for_the_passengers(client, session, setup):
    _, vtype = setup
    expected = service_quote(setup, passenger_count=100,
                             vehicles=[{"vehicle_type_id": vtype.id, "quantity": 2}])
    r = post(client, "/quote/estimate", trip(setup, passenger_count="100"))
    assert "2 × Motorcoach" in r.text and money(expected["total"]) in r.text


def test_an_address_that_cannot_be_found_is_said_kindly(client, setup):
    r = post(client, "/quote/estimate", trip(setup, destination="Nowhere Special, ZZ"))
    assert r.status_code == 200
    text = html.unescape(r.text)
    assert "We couldn't find “Nowhere Special, ZZ”" in text and "send your details" in text


# ---------------------------------------------------------------- sending the request

def test_sending_creates_one_online_lead_assigned_to_the_queue_agent(client, session, setup, agent):
    expected = service_quote(setup)
    r = post(client, "/quote", {**trip(setup), **contact()})
    assert r.status_code == 303 and r.headers["location"] == "/quote/thanks"
    [lead] = leads(session)
    assert lead.source == "online" and lead.status == "new"
    assert lead.assigned_to == agent.id
    assert lead.estimated_value == Decimal(expected["total"])
    assert (lead.first_name, lead.last_name, lead.email) == ("Dana", "Reyes", "dana@example.org")
    assert lead.vehicle_type == "Motorcoach" and lead.passenger_count == 40
    assert lead.origin == "Atlanta, GA" and lead.destination == "Macon, GA"
    assert str(lead.trip_date) == "2026-03-10" and lead.trip_type == "round_trip"
    assert money(expected["total"]) in lead.notes and "Instruments in the luggage bay." in lead.notes


def test_the_thank_you_page_names_no_agent(client, setup, agent):
    post(client, "/quote", {**trip(setup), **contact()})
    r = client.get("/quote/thanks")
    assert r.status_code == 200 and "will be in touch" in r.text
    assert agent.full_name not in r.text and agent.email not in r.text


def test_a_route_that_cannot_be_mapped_still_makes_a_lead_without_an_estimate(client, session, setup, agent):
    r = post(client, "/quote", {**trip(setup, destination="Nowhere Special, ZZ"), **contact()})
    assert r.status_code == 303
    [lead] = leads(session)
    assert lead.estimated_value is None and "No online estimate" in lead.notes
    assert lead.assigned_to == agent.id


def test_a_filled_honeypot_gets_the_thank_you_page_and_creates_nothing(client, session, setup, agent):
    r = post(client, "/quote", {**trip(setup), **contact(), "website": "http://spam.example"})
    assert r.status_code == 303 and r.headers["location"] == "/quote/thanks"
    assert lead_count(session) == 0


def test_a_form_without_the_csrf_token_is_refused(client, session, setup, agent):
    client.get("/quote")
    r = client.post("/quote", data={**trip(setup), **contact()}, follow_redirects=False)
    assert r.status_code == 403 and lead_count(session) == 0


def test_a_body_too_large_is_refused(client, session, setup, agent):
    r = post(client, "/quote", {**trip(setup), **contact(notes="x" * 20_000)})
    assert r.status_code == 413 and lead_count(session) == 0


# ---------------------------------------------------------------- rate limits

def test_the_sixth_request_in_a_minute_is_refused_with_retry_after(client, session, setup, agent):
    for n in range(5):
        r = post(client, "/quote", {**trip(setup), **contact(email=f"p{n}@example.org")})
        assert r.status_code == 303
    r = post(client, "/quote", {**trip(setup), **contact(email="p6@example.org")})
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert "try again" in r.text and 'value="p6@example.org"' in r.text
    assert lead_count(session) == 5


def test_estimates_past_their_limit_are_refused(client, setup, monkeypatch):
    monkeypatch.setenv("COACHWAY_PUBLIC_QUOTE_RATE_LIMIT", "2/minute")
    get_settings.cache_clear()
    for _ in range(2):
        assert post(client, "/quote/estimate", trip(setup)).status_code == 200
    r = post(client, "/quote/estimate", trip(setup), headers={"HX-Request": "true"})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert 'id="calculator"' in r.text and "try again" in r.text


# ---------------------------------------------------------------- bad input: 422, the form again, no lead

def _refused(client, session, data: dict, field: str) -> str:
    r = post(client, "/quote", data)
    assert r.status_code == 422, r.text[:500]
    assert f'id="f-{field}-error"' in r.text
    assert lead_count(session) == 0
    return r.text


def test_a_missing_email_is_refused(client, session, setup, agent):
    data = {**trip(setup), **contact()}
    del data["email"]
    text = _refused(client, session, data, "email")
    assert 'value="Dana"' in text  # what was typed is kept


def test_a_malformed_email_is_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup), **contact(email="dana-at-example")}, "email")


def test_a_past_trip_date_is_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup, trip_date="2026-03-01"), **contact()}, "trip_date")


def test_a_trip_date_that_is_not_a_date_is_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup, trip_date="next friday"), **contact()}, "trip_date")


def test_zero_passengers_are_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup, passenger_count="0"), **contact()}, "passenger_count")


def test_five_thousand_passengers_are_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup, passenger_count="5000"), **contact()}, "passenger_count")


def test_passengers_that_are_not_a_number_are_refused(client, session, setup, agent):
    text = _refused(client, session, {**trip(setup, passenger_count="abc"), **contact()}, "passenger_count")
    assert "Enter a whole number." in text


def test_an_overlong_first_name_is_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup), **contact(first_name="D" * 101)}, "first_name")


def test_an_overlong_last_name_is_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup), **contact(last_name="R" * 101)}, "last_name")


def test_an_overlong_pickup_address_is_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup, origin="A" * 201), **contact()}, "origin")


def test_a_hub_that_is_not_ours_is_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup, hub_id="999"), **contact()}, "hub_id")


def test_an_unknown_trip_type_is_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup, trip_type="teleport"), **contact()}, "trip_type")


def test_a_bad_phone_number_is_refused(client, session, setup, agent):
    _refused(client, session, {**trip(setup), **contact(phone="call me maybe")}, "phone")


def test_an_estimate_with_bad_input_shows_the_errors_by_the_fields(client, setup):
    r = post(client, "/quote/estimate", trip(setup, passenger_count="0", trip_date="2020-01-01"),
             headers={"HX-Request": "true"})
    assert r.status_code == 422
    assert 'id="f-passenger_count-error"' in r.text and 'id="f-trip_date-error"' in r.text


# ---------------------------------------------------------------- the JSON twin

def _json_trip(setup, **changes) -> dict:
    hub, vtype = setup
    body = {"hub_id": hub.id, "trip_date": "2026-03-10", "trip_type": "round_trip", "origin": "Atlanta, GA",
            "destination": "Macon, GA", "passenger_count": 40, "vehicle_type_id": vtype.id}
    return {**body, **changes}


def test_the_json_estimate_matches_the_pricing_service(client, session, setup):
    expected = service_quote(setup)
    r = client.post(API, json=_json_trip(setup))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["valid"] is True
    assert Decimal(body["total"]) == Decimal(expected["total"])
    assert Decimal(body["deposit"]) == Decimal(expected["deposit"])
    assert body["vehicles"][0]["name"] == "Motorcoach" and body["vehicles"][0]["quantity"] == 1
    assert "margin" not in r.text and "vendor" not in r.text


def test_the_json_estimate_of_an_unmappable_route_is_not_valid(client, setup):
    r = client.post(API, json=_json_trip(setup, destination="Nowhere Special, ZZ"))
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is False and body["total"] is None and "Nowhere Special" in body["message"]


def test_the_json_estimate_refuses_a_past_date(client, setup):
    r = client.post(API, json=_json_trip(setup, trip_date="2026-03-01"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "trip_date"


def test_the_json_estimate_refuses_too_many_passengers(client, setup):
    r = client.post(API, json=_json_trip(setup, passenger_count=5000))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "passenger_count"


def test_the_json_estimate_is_rate_limited(client, setup, monkeypatch):
    monkeypatch.setenv("COACHWAY_PUBLIC_QUOTE_RATE_LIMIT", "1/minute")
    get_settings.cache_clear()
    assert client.post(API, json=_json_trip(setup)).status_code == 200
    r = client.post(API, json=_json_trip(setup))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert r.headers["content-type"].startswith("application/problem+json")

