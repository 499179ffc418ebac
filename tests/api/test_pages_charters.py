"""Charter pages: the list and its filters, the quote form, the charter page (status steps, agent, vehicles,
itinerary, route, DOT check) and the DOT rules settings page."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from coachway.charters import service
from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.web.testing import csrf_from, form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import (
    ATL_HUB,
    make_charter,
    make_client,
    make_hub,
    make_stop,
    make_vehicle_type,
    seed_dot_regulations,
)

ROUTE = {"HX-Request": "true", "HX-Target": "route"}
VEHICLES = {"HX-Request": "true", "HX-Target": "vehicles"}
FIVE = ["Atlanta, GA", "Chattanooga, TN", "Nashville, TN", "Louisville, KY", "Cincinnati, OH"]


def _as(client, role: str = "sales_agent", **kw):
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _parts(charter_id: int):
    with transaction() as session:
        charter, lines, stops = service.get_charter_parts(session, SYSTEM, charter_id)
        return charter, lines, [(s.id, s.address) for s in stops]


def _count() -> int:
    with transaction() as session:
        return service.list_charters(session, SYSTEM)[1]


def _step(charter_id: int, *actions: str) -> None:
    with transaction() as session:
        for action in actions:
            service.change_status(session, SYSTEM, charter_id, action)


@pytest.fixture
def hub():
    seed_dot_regulations()
    return make_hub(**ATL_HUB)


@pytest.fixture
def acme():
    return make_client(name="Acme Tours")


@pytest.fixture
def fleet_types():
    coach = make_vehicle_type(code="coach56", name="Motorcoach", capacity=56, default_hourly_rate="150.00")
    mini = make_vehicle_type(code="mini28", name="Minibus", capacity=28, default_hourly_rate="95.00")
    return coach, mini


def _quote(hub, client, agent=None, **kw):
    kw.setdefault("pickup_time", time(7, 0))
    return make_charter(hub_id=hub.id, client_id=client.id,
                        assigned_sales_agent_id=agent.id if agent else None, **kw)


def _with_stops(charter, addresses=FIVE):
    return [make_stop(charter.id, address=a, geocode=True).id for a in addresses]


# ---------------------------------------------------------------- the list

def test_sales_agent_sees_its_own_charters_with_a_new_quote_button(client, hub, acme):
    agent = _as(client)
    other = make_user(role="sales_agent")
    mine = _quote(hub, acme, agent)
    theirs = _quote(hub, make_client(name="Savannah Choir"), other)
    r = client.get("/admin/charters")
    assert r.status_code == 200
    assert f'href="/admin/charters/{mine.id}"' in r.text and "Acme Tours" in r.text
    assert f'href="/admin/charters/{theirs.id}"' not in r.text and "Savannah Choir" not in r.text
    assert 'href="/admin/charters/new"' in r.text and 'aria-current="page"' in r.text
    assert 'data-label="Status"' in r.text and "charter-quote" in r.text


def test_manager_filters_by_status_trip_type_hub_agent_and_dates(client, hub, acme):
    _as(client, "manager")
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    other_hub = make_hub(code="BNA", name="Nashville")
    today = clock.now().date()
    booked = _quote(hub, acme, agent, trip_type="round_trip", trip_date=today + timedelta(days=10))
    _step(booked.id, "book")
    later = _quote(hub, acme, None, trip_type="one_way", trip_date=today + timedelta(days=40))
    elsewhere = make_charter(hub_id=other_hub.id, client_id=acme.id, trip_type="event",
                             trip_date=today + timedelta(days=20))

    def shown(query: str) -> set[int]:
        html = client.get(f"/admin/charters?{query}").text
        return {c.id for c in (booked, later, elsewhere) if f'href="/admin/charters/{c.id}"' in html}

    assert shown("") == {booked.id, later.id, elsewhere.id}
    assert shown("status=booked") == {booked.id}
    assert shown("trip_type=one_way") == {later.id}
    assert shown(f"hub_id={other_hub.id}") == {elsewhere.id}
    assert shown(f"agent_id={agent.id}") == {booked.id}
    window = f"date_from={today + timedelta(days=15)}&date_to={today + timedelta(days=30)}"
    assert shown(window) == {elsewhere.id}


def test_unknown_filter_values_are_ignored(client, hub, acme):
    _as(client, "manager")
    charter = _quote(hub, acme)
    r = client.get("/admin/charters?status=flying&trip_type=rocket&hub_id=x&date_from=soon")
    assert r.status_code == 200 and f'href="/admin/charters/{charter.id}"' in r.text


def test_client_search_answers_htmx_with_the_results_block_only(client, hub, acme):
    _as(client, "manager")
    _quote(hub, acme)
    _quote(hub, make_client(name="Savannah Choir"))
    r = client.get("/admin/charters?q=savannah",
                   headers={"HX-Request": "true", "HX-Target": "charter-results"})
    assert r.status_code == 200 and "<html" not in r.text and "<table" in r.text
    assert "Savannah Choir" in r.text and "Acme Tours" not in r.text


def test_no_match_offers_to_clear_the_filters(client, hub, acme):
    _as(client, "manager")
    _quote(hub, acme)
    html = client.get("/admin/charters?q=zzz").text
    assert "No charters match." in html and 'href="/admin/charters">Clear the filters' in html


def test_my_quotes_lists_only_the_agents_open_quotes(client, hub, acme):
    agent = _as(client)
    open_quote = _quote(hub, acme, agent)
    booked = _quote(hub, acme, agent)
    _step(booked.id, "book")
    _quote(hub, acme, make_user(role="sales_agent"))
    html = client.get("/admin/charters?mine=1").text
    assert "<h1>My open quotes</h1>" in html
    assert f'href="/admin/charters/{open_quote.id}"' in html
    assert f'href="/admin/charters/{booked.id}"' not in html


def test_list_paginates_keeping_the_filters(client, hub, acme):
    _as(client, "manager")
    for _ in range(27):
        _quote(hub, acme)
    first = client.get("/admin/charters?status=quote").text
    assert "1–25 of 27 charters" in first and 'href="/admin/charters?status=quote&amp;offset=25"' in first
    assert "26–27 of 27 charters" in client.get("/admin/charters?status=quote&offset=25").text


def test_vendor_and_driver_get_the_403_page(client, hub, acme):
    charter = _quote(hub, acme)
    _as(client, "vendor")
    r = client.get("/admin/charters")
    assert r.status_code == 403 and "You don&#39;t have access" in r.text
    client.cookies.clear()
    _as(client, "driver")
    assert client.get(f"/admin/charters/{charter.id}").status_code == 403


# ---------------------------------------------------------------- the quote form

def test_new_quote_form_offers_clients_hubs_and_trip_types(client, hub, acme):
    _as(client)
    r = client.get(f"/admin/charters/new?client_id={acme.id}")
    assert r.status_code == 200
    assert f'<option value="{acme.id}" selected>Acme Tours</option>' in r.text
    assert "ATL · Atlanta" in r.text and '<option value="multi_day">Multi-day</option>' in r.text
    assert 'name="internal_notes"' in r.text
    assert 'name="assigned_sales_agent_id"' not in r.text  # an agent's quote is its own


def test_sales_agent_opens_a_quote_through_the_form(client, hub, acme):
    agent = _as(client)
    trip = clock.now().date() + timedelta(days=30)
    data = {"client_id": acme.id, "hub_id": hub.id, "trip_type": "multi_day", "trip_date": trip.isoformat(),
            "pickup_time": "07:30", "end_date": (trip + timedelta(days=2)).isoformat(), "end_time": "18:00",
            "passenger_count": "48", "luggage_pieces": "40", "notes": "Choir tour", "internal_notes": "VIP"}
    r = form_post(client, "/admin/charters", data, page="/admin/charters/new")
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert "Add its stops and vehicles below" in page.text and "Choir tour" in page.text
    charter = _parts(int(r.headers["location"].rsplit("/", 1)[1]))[0]
    assert charter.assigned_sales_agent_id == agent.id
    assert (charter.passenger_count, charter.trip_type) == (48, "multi_day")
    assert charter.pickup_time == time(7, 30) and charter.internal_notes == "VIP"
    ends = datetime.combine(trip + timedelta(days=2), time(18), tzinfo=ZoneInfo("America/New_York"))
    assert charter.end_datetime == ends  # 18:00 at the hub, kept as an instant


def test_new_quote_with_missing_fields_shows_each_error_and_adds_nothing(client, hub, acme):
    _as(client)
    r = form_post(client, "/admin/charters", {"passenger_count": "0"}, page="/admin/charters/new")
    assert r.status_code == 422
    for name in ("client_id", "hub_id", "trip_date", "passenger_count"):
        assert f'id="f-{name}-error"' in r.text, name
    assert "Enter a number of at least 1." in r.text and _count() == 0


def test_new_quote_ending_before_it_starts_shows_the_error_on_the_end_date(client, hub, acme):
    _as(client)
    trip = clock.now().date() + timedelta(days=30)
    data = {"client_id": acme.id, "hub_id": hub.id, "trip_type": "one_way", "trip_date": trip.isoformat(),
            "end_date": (trip - timedelta(days=1)).isoformat(), "passenger_count": "10"}
    r = form_post(client, "/admin/charters", data, page="/admin/charters/new")
    assert r.status_code == 422 and 'id="f-end_date-error"' in r.text
    assert "cannot end before it starts" in r.text and _count() == 0


def test_new_quote_post_without_csrf_is_refused(client, hub, acme):
    _as(client)
    r = client.post("/admin/charters", data={"client_id": acme.id, "hub_id": hub.id, "passenger_count": 5,
                                             "trip_date": "2031-01-01"}, follow_redirects=False)
    assert r.status_code == 403 and "This form has expired" in r.text and _count() == 0


def test_dispatcher_cannot_open_the_quote_form(client, hub):
    _as(client, "dispatcher")
    assert client.get("/admin/charters/new").status_code == 403


def test_client_picker_narrows_to_the_typed_name(client, hub, acme):
    _as(client)
    make_client(name="Savannah Choir")
    r = client.get("/admin/charters/client-options?client_q=choir",
                   headers={"HX-Request": "true", "HX-Target": "f-client_id"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "Savannah Choir" in r.text and "Acme Tours" not in r.text
    r = client.get(f"/admin/charters/client-options?client_q=choir&client_id={acme.id}")
    assert f'<option value="{acme.id}" selected>Acme Tours</option>' in r.text  # the chosen one stays
    assert "No client matches" in client.get("/admin/charters/client-options?client_q=zzz").text


def test_edit_form_is_filled_in_and_saves_the_changes(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent, passenger_count=40, notes="First draft")
    r = client.get(f"/admin/charters/{charter.id}/edit")
    assert r.status_code == 200 and 'value="07:00"' in r.text and "First draft" in r.text
    html = r.text
    data = {"client_id": acme.id, "hub_id": hub.id, "trip_type": "round_trip",
            "trip_date": charter.trip_date.isoformat(), "pickup_time": "09:15", "passenger_count": "52",
            "luggage_pieces": "0", "notes": "", "csrf_token": csrf_from(html)}
    r = client.post(f"/admin/charters/{charter.id}/edit", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    saved = _parts(charter.id)[0]
    assert (saved.passenger_count, saved.pickup_time, saved.notes) == (52, time(9, 15), None)


def test_editing_with_no_passengers_re_renders_and_changes_nothing(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent, passenger_count=40)
    data = {"client_id": acme.id, "hub_id": hub.id, "trip_type": "one_way",
            "trip_date": charter.trip_date.isoformat(), "passenger_count": ""}
    r = form_post(client, f"/admin/charters/{charter.id}/edit", data)
    assert r.status_code == 422 and 'id="f-passenger_count-error"' in r.text
    assert _parts(charter.id)[0].passenger_count == 40


# ---------------------------------------------------------------- the charter page

def test_charter_page_shows_stops_with_local_times_totals_dot_and_map(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    _with_stops(charter)
    r = client.get(f"/admin/charters/{charter.id}")
    assert r.status_code == 200
    html = r.text
    assert html.index("Atlanta, GA") < html.index("Chattanooga, TN") < html.index("Cincinnati, OH")
    assert "Leave <strong>07:00</strong>" in html and "(EDT)" in html or "(EST)" in html
    for words in ("Live miles", "Deadhead miles", "Total miles", "Driving time", "Garage to garage"):
        assert words in html
    assert "10-hour driving limit" in html and "Overnight rest required" in html
    assert 'data-route-map data-map="{&#34;tiles&#34;:&#34;&#34;,&#34;hub&#34;' in html
    assert "data-sortable-stops" in html and 'class="drag-handle"' in html
    assert "/static/charters.js" in html and "/static/charters.css" in html


def test_another_agents_charter_is_a_404_page(client, hub, acme):
    _as(client)
    theirs = _quote(hub, acme, make_user(role="sales_agent"))
    r = client.get(f"/admin/charters/{theirs.id}")
    assert r.status_code == 404 and "Page not found" in r.text and "Acme Tours" not in r.text
    assert client.get(f"/admin/charters/{theirs.id}/edit").status_code == 404
    r = form_post(client, f"/admin/charters/{theirs.id}/stops", {"address": "Macon, GA"},
                  page="/admin/charters")
    assert r.status_code == 404 and _parts(theirs.id)[2] == []


def test_dispatcher_changes_trips_but_not_final_ones(client, hub, acme, fleet_types):
    _as(client, "dispatcher")
    charter = _quote(hub, acme)
    html = client.get(f"/admin/charters/{charter.id}").text
    assert 'class="add-stop"' in html and "Add vehicles" in html  # dispatchers may change trips
    assert f"/admin/charters/{charter.id}/cancel" not in html  # but not cancel them
    with transaction() as session:
        service.cancel_charter(session, SYSTEM, charter.id, cancellation_reason="Weather")
    html = client.get(f"/admin/charters/{charter.id}").text
    assert 'class="add-stop"' not in html and "Add vehicles" not in html and "Edit trip details" not in html
    assert "Weather" in html


def test_booking_through_the_page_moves_the_status_on(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    page = client.get(f"/admin/charters/{charter.id}").text
    assert f'action="/admin/charters/{charter.id}/actions/book"' in page
    # Steps the workflow does not allow now are not offered.
    assert f'action="/admin/charters/{charter.id}/actions/complete"' not in page
    r = form_post(client, f"/admin/charters/{charter.id}/actions/book", page=f"/admin/charters/{charter.id}")
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert f"Charter {charter.id} is booked." in page and "charter-booked" in page
    assert f'action="/admin/charters/{charter.id}/actions/confirm"' in page
    assert _parts(charter.id)[0].status == "booked"


def test_a_refused_step_shows_the_409_message_and_changes_nothing(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/actions/complete", page=page)
    assert r.status_code == 409
    assert "A quote cannot be completed; only a trip in progress can." in r.text
    assert _parts(charter.id)[0].status == "quote"


def test_cancelling_needs_a_reason_then_records_it_with_the_fee(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/cancel", {"cancellation_fee": "-5"}, page=page)
    assert r.status_code == 422 and 'id="f-cancel-cancellation_reason-error"' in r.text
    assert _parts(charter.id)[0].status == "quote"
    r = form_post(client, f"{page}/cancel",
                  {"cancellation_reason": "Group too small", "cancellation_fee": "150"}, page=page)
    assert r.status_code == 303
    html = client.get(page).text
    assert "Group too small" in html and "$150.00" in html
    assert _parts(charter.id)[0].status == "cancelled"


def test_manager_assigns_the_charter_to_an_agent(client, hub, acme):
    _as(client, "manager")
    agent = make_user(role="sales_agent", full_name="Sam Sales")
    charter = _quote(hub, acme)
    page = f"/admin/charters/{charter.id}"
    assert "Assign to" in client.get(page).text
    r = form_post(client, f"{page}/assign-agent", {"sales_agent_id": agent.id}, page=page)
    assert r.status_code == 303
    assert f"Charter {charter.id} is now Sam Sales&#39;s." in client.get(page).text
    assert _parts(charter.id)[0].assigned_sales_agent_id == agent.id


def test_agent_hands_over_its_quote_and_no_longer_sees_it(client, hub, acme):
    agent = _as(client)
    other = make_user(role="sales_agent", full_name="Alex Other")
    charter = _quote(hub, acme, agent)
    page = f"/admin/charters/{charter.id}"
    assert "Hand over to" in client.get(page).text
    r = form_post(client, f"{page}/assign-agent", {"sales_agent_id": other.id}, page=page)
    assert r.status_code == 303 and r.headers["location"] == "/admin/charters"
    assert "handed over to Alex Other" in client.get("/admin/charters").text
    assert client.get(page).status_code == 404


def test_assigning_to_someone_who_is_not_an_agent_shows_the_error(client, hub, acme):
    _as(client, "manager")
    dispatcher = make_user(role="dispatcher")
    charter = _quote(hub, acme)
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/assign-agent", {"sales_agent_id": dispatcher.id}, page=page)
    assert r.status_code == 422 and "is not an active sales agent" in r.text
    assert _parts(charter.id)[0].assigned_sales_agent_id is None


# ---------------------------------------------------------------- itinerary

def test_adding_a_stop_geocodes_it_and_answers_htmx_with_the_route_block(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/stops", {"stop_type": "pickup", "address": "Atlanta, GA",
                                            "dwell_minutes": "15"}, page=page, headers=ROUTE)
    assert r.status_code == 200 and "<html" not in r.text
    assert "Added stop 1, Atlanta, GA." in r.text and 'id="stop-list"' in r.text
    assert "autofocus" in r.text  # the address box, ready for the next stop
    [(_, address)] = _parts(charter.id)[2]
    assert address == "Atlanta, GA"


def test_adding_a_stop_without_js_redirects_back_to_the_itinerary(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/stops", {"address": "Macon, GA"}, page=page)
    assert r.status_code == 303 and r.headers["location"] == f"{page}#route"
    assert "Added stop 1, Macon, GA." in client.get(r.headers["location"]).text


def test_adding_a_stop_without_an_address_shows_the_error_in_the_block(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/stops", {"location_name": "", "dwell_minutes": "15"}, page=page,
                  headers=ROUTE)
    assert r.status_code == 422 and "<html" not in r.text
    assert 'id="f-stop-address-error"' in r.text and _parts(charter.id)[2] == []


def test_a_stop_whose_address_is_not_found_is_kept_and_flagged(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/stops", {"address": "Nowhere, ZZ"}, page=page, headers=ROUTE)
    assert r.status_code == 200 and "found no place for it" in r.text
    assert "Not found: No place found for &#39;Nowhere, ZZ&#39;." in r.text


def test_geocode_stops_reports_each_stop_not_found(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    make_stop(charter.id, address="Atlanta, GA")
    make_stop(charter.id, address="Atlantis, ZZ")
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/geocode-stops", page=page, headers=ROUTE)
    assert r.status_code == 200
    assert "Found 1 of 2 places." in r.text and "Stop 2 (Atlantis, ZZ): No place found" in r.text


def test_dropped_order_is_saved_and_the_route_block_comes_back(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    ids = _with_stops(charter)
    new_order = [ids[0], ids[4], ids[3], ids[2], ids[1]]
    page = f"/admin/charters/{charter.id}"
    html = client.get(page).text
    r = client.post(f"{page}/reorder-stops", data={"stop_ids": new_order, "csrf_token": csrf_from(html)},
                    headers=ROUTE)
    assert r.status_code == 200 and "Saved the new order of the stops." in r.text
    assert r.text.index("Cincinnati, OH") < r.text.index("Chattanooga, TN")
    assert [sid for sid, _ in _parts(charter.id)[2]] == new_order


def test_a_stale_order_is_refused_and_the_stops_keep_theirs(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    ids = _with_stops(charter, FIVE[:3])
    page = f"/admin/charters/{charter.id}"
    html = client.get(page).text
    r = client.post(f"{page}/reorder-stops", headers=ROUTE,
                    data={"stop_ids": [ids[1], ids[0]], "csrf_token": csrf_from(html)})
    assert r.status_code == 422 and "List every stop of charter" in r.text
    assert [sid for sid, _ in _parts(charter.id)[2]] == ids


def test_reorder_without_csrf_is_refused(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    ids = _with_stops(charter, FIVE[:2])
    r = client.post(f"/admin/charters/{charter.id}/reorder-stops", data={"stop_ids": ids[::-1]})
    assert r.status_code == 403 and [sid for sid, _ in _parts(charter.id)[2]] == ids


def test_move_buttons_reorder_and_keep_the_focus_on_the_moved_stop(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    ids = _with_stops(charter, FIVE[:3])
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/stops/{ids[2]}/move", {"direction": "up"}, page=page, headers=ROUTE)
    assert r.status_code == 200 and "Moved Nashville, TN up to stop 2." in r.text
    assert 'aria-label="Move Nashville, TN up" autofocus' in r.text
    assert [sid for sid, _ in _parts(charter.id)[2]] == [ids[0], ids[2], ids[1]]
    r = form_post(client, f"{page}/stops/{ids[0]}/move", {"direction": "down"}, page=page)
    assert r.status_code == 303
    assert [sid for sid, _ in _parts(charter.id)[2]] == [ids[2], ids[0], ids[1]]
    r = form_post(client, f"{page}/stops/{ids[2]}/move", {"direction": "up"}, page=page)
    assert r.status_code == 404  # the first stop cannot move up


def test_editing_and_removing_a_stop(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    ids = _with_stops(charter, FIVE[:3])
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/stops/{ids[1]}/edit", {"stop_type": "stop", "address": "Macon, GA",
                                                          "location_name": "Lunch", "dwell_minutes": "45"},
                  page=page, headers=ROUTE)
    assert r.status_code == 200 and "Saved stop 2, Lunch." in r.text and "45 min there" in r.text
    r = form_post(client, f"{page}/stops/{ids[1]}/edit", {"stop_type": "stop", "dwell_minutes": "-1"},
                  page=page, headers=ROUTE)
    assert r.status_code == 422 and f'id="f-stop{ids[1]}-dwell_minutes-error"' in r.text
    r = form_post(client, f"{page}/stops/{ids[0]}/delete", page=page, headers=ROUTE)
    assert r.status_code == 200 and "Removed the stop." in r.text
    assert _parts(charter.id)[2] == [(ids[1], "Macon, GA"), (ids[2], "Nashville, TN")]


def test_a_twelve_hour_day_shows_second_driver_required_naming_the_10_hour_rule(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    _with_stops(charter, ["Atlanta, GA", "Jacksonville, FL", "Atlanta, GA"])
    html = client.get(f"/admin/charters/{charter.id}").text
    assert "Second driver required" in html and "Overnight rest required" not in html
    assert "<strong>10-hour driving limit</strong>" in html and "49 CFR 395.5(a)(1)" in html
    assert "2nd driver" in client.get("/admin/charters").text


def test_a_short_trip_is_within_the_limits_for_one_driver(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    _with_stops(charter, ["Atlanta, GA", "Macon, GA"])
    html = client.get(f"/admin/charters/{charter.id}").text
    assert "One driver is enough" in html and "Second driver required" not in html


def test_stops_of_a_completed_charter_cannot_change(client, hub, acme):
    _as(client, "manager")
    charter = _quote(hub, acme)
    _with_stops(charter, FIVE[:2])
    _step(charter.id, "book", "confirm", "start", "complete")
    page = f"/admin/charters/{charter.id}"
    html = client.get(page).text
    assert 'class="add-stop"' not in html and "data-sortable-stops" not in html
    r = form_post(client, f"{page}/stops", {"address": "Macon, GA"}, page=page, headers=ROUTE)
    assert r.status_code == 409 and "can no longer change" in r.text
    assert len(_parts(charter.id)[2]) == 2


# ---------------------------------------------------------------- vehicles

def test_adding_changing_and_removing_vehicles(client, hub, acme, fleet_types):
    coach, mini = fleet_types
    agent = _as(client)
    charter = _quote(hub, acme, agent, passenger_count=80)
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/vehicles", {"vehicle_type_id": coach.id, "quantity": "1"}, page=page,
                  headers=VEHICLES)
    assert r.status_code == 200 and "<html" not in r.text and "Added 1 vehicle." in r.text
    assert "Not enough seats" in r.text
    [line] = _parts(charter.id)[1]
    edit = f"{page}/vehicles/{line['id']}/edit"
    r = form_post(client, edit, {"vehicle_type_id": coach.id, "quantity": "2"}, page=page, headers=VEHICLES)
    assert r.status_code == 200 and "112 seats for 80 passengers" in r.text
    r = form_post(client, edit, {"vehicle_type_id": coach.id, "quantity": "0"}, page=page, headers=VEHICLES)
    assert r.status_code == 422 and f'id="f-line{line["id"]}-quantity-error"' in r.text
    assert _parts(charter.id)[0].vehicle_count == 2
    r = form_post(client, f"{page}/vehicles/{line['id']}/delete", page=page)
    assert r.status_code == 303 and _parts(charter.id)[1] == []


def test_using_a_recommended_mix_replaces_the_vehicles(client, hub, acme, fleet_types):
    coach, mini = fleet_types
    agent = _as(client)
    charter = _quote(hub, acme, agent, passenger_count=80)
    page = f"/admin/charters/{charter.id}"
    html = client.get(page).text
    assert "Use this mix" in html and "about $" in html  # agents read the estimated cost
    r = client.post(f"{page}/vehicles/use-mix", headers=VEHICLES,
                    data={"vehicle_type_id": [coach.id, mini.id], "quantity": [1, 1],
                          "csrf_token": csrf_from(html)})
    assert r.status_code == 200 and "The charter now uses this vehicle mix." in r.text and "In use" in r.text
    lines = _parts(charter.id)[1]
    assert sorted((v["vehicle_type_id"], v["quantity"]) for v in lines) == sorted([(coach.id, 1),
                                                                                    (mini.id, 1)])


# ---------------------------------------------------------------- DOT rules

def test_manager_tunes_a_dot_rule(client, hub):
    _as(client, "manager")
    r = client.get("/admin/settings/dot-regulations")
    assert r.status_code == 200 and "10-hour driving limit" in r.text and "Solves it" in r.text
    with transaction() as session:
        rule = next(r for r in service.list_dot_regulations(session, SYSTEM)
                    if r.regulation_name == "10-hour driving limit")
    page = f"/admin/settings/dot-regulations/{rule.id}/edit"
    assert 'value="10.00"' in client.get(page).text
    r = form_post(client, page, {"regulation_name": "10-hour driving limit", "threshold_value": "0",
                                 "requires_second_driver": "on", "is_active": "on"})
    assert r.status_code == 422 and 'id="f-threshold_value-error"' in r.text
    r = form_post(client, page, {"regulation_name": "10-hour driving limit", "threshold_value": "9.5",
                                 "requires_second_driver": "on", "is_active": "on",
                                 "description": "Company rule (49 CFR 395.5(a)(1))."})
    assert r.status_code == 303
    assert "Saved 10-hour driving limit." in client.get("/admin/settings/dot-regulations").text
    with transaction() as session:
        saved = next(r for r in service.list_dot_regulations(session, SYSTEM) if r.id == rule.id)
    assert str(saved.threshold_value) == "9.50"


def test_sales_agent_cannot_open_the_dot_rules(client, hub):
    _as(client)
    assert client.get("/admin/settings/dot-regulations").status_code == 403
    assert "DOT rules" not in client.get("/admin").text


def test_charters_link_is_in_the_navigation_for_staff_only(client, hub):
    _as(client)
    assert 'href="/admin/charters"' in client.get("/admin").text
    client.cookies.clear()
    _as(client, "client", client_id=make_client().id)
    assert 'href="/admin/charters"' not in client.get("/account").text


def test_trip_dates_are_shown_as_the_hub_sees_them(client, hub, acme):
    agent = _as(client)
    charter = _quote(hub, acme, agent, trip_date=date(2031, 1, 15), pickup_time=time(23, 30))
    _with_stops(charter, ["Atlanta, GA", "Macon, GA"])
    html = client.get(f"/admin/charters/{charter.id}").text
    assert "23:30 EST" in html and "Wednesday 2031-01-15" in html
    assert "Thu Jan 16," in html  # the arrival in Macon is after midnight at the hub


def test_client_user_reads_its_own_charter_without_internal_details(client, hub, acme, fleet_types):
    charter = _quote(hub, acme, internal_notes="Margin is thin", passenger_count=80)
    _with_stops(charter, ["Atlanta, GA", "Jacksonville, FL", "Atlanta, GA"])
    other = _quote(hub, make_client(name="Savannah Choir"))
    _as(client, "client", client_id=acme.id)
    r = client.get(f"/admin/charters/{charter.id}")
    assert r.status_code == 200 and "Second driver required" in r.text
    assert "Margin is thin" not in r.text and "10-hour driving limit" not in r.text
    assert "$" not in r.text.split('id="vehicles"')[1].split("</section>")[0]  # no estimated costs
    assert "Book it" not in r.text and 'class="add-stop"' not in r.text and "Use this mix" not in r.text
    assert client.get(f"/admin/charters/{other.id}").status_code == 404


def test_an_itinerary_change_asks_the_vehicles_block_to_follow(client, hub, acme, fleet_types):
    agent = _as(client)
    charter = _quote(hub, acme, agent)
    page = f"/admin/charters/{charter.id}"
    r = form_post(client, f"{page}/stops", {"address": "Atlanta, GA"}, page=page, headers=ROUTE)
    assert r.headers["HX-Trigger"] == "charter-route-changed"
    r = client.get(page, headers=VEHICLES)
    assert r.status_code == 200 and "<html" not in r.text and "Recommended for 40 passengers" in r.text


def test_the_charter_page_links_its_history_for_who_may_read_the_audit_log(client, hub, acme):
    _as(client, role="manager")
    charter = _quote(hub, acme, None)
    html = client.get(f"/admin/charters/{charter.id}").text
    link = f"/admin/audit?entity_type=charter&amp;entity_id={charter.id}"
    assert link in html
    assert client.get(link.replace("&amp;", "&")).status_code == 200
