"""Fleet pages: vehicles, hubs, vehicle types and drivers, their forms and who may use them."""

from datetime import UTC, date, datetime
from decimal import Decimal

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.fleet import service
from coachway.web.testing import form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import make_client, make_driver, make_hub, make_vehicle, make_vehicle_type


def _as(client, role: str = "dispatcher", **kw):
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _vehicles(**filters):
    with transaction() as session:
        return service.list_vehicles(session, SYSTEM, **filters)[0]


# ---------------------------------------------------------------- who may see the fleet

def test_dispatcher_sees_the_vehicles_tab_with_every_tab_and_a_new_vehicle_button(client):
    _as(client)
    hub = make_hub(code="ATL", name="Atlanta Garage")
    coach = make_vehicle_type(name="Motorcoach", capacity=56)
    make_vehicle(unit_number="1203", hub_id=hub.id, vehicle_type_id=coach.id, make="MCI", model="J4500",
                 year=2019, license_plate="GA-1203")
    r = client.get("/admin/fleet")
    assert r.status_code == 200
    for text in ("1203", "Motorcoach", "56 seats", "ATL", "2019 MCI J4500", "GA-1203", "Active",
                 'href="/admin/fleet/vehicles/new"', 'href="/admin/fleet/hubs"',
                 'href="/admin/fleet/vehicle-types"', 'href="/admin/fleet/drivers"'):
        assert text in r.text, text


def test_sales_agent_reads_the_fleet_without_forms_or_drivers(client):
    _as(client, "sales_agent")
    make_vehicle(unit_number="1203")
    r = client.get("/admin/fleet")
    assert r.status_code == 200 and "1203" in r.text
    assert "/admin/fleet/vehicles/new" not in r.text and 'href="/admin/fleet/drivers"' not in r.text
    assert client.get("/admin/fleet/vehicles/new").status_code == 403
    assert client.get("/admin/fleet/hubs/new").status_code == 403
    assert client.get("/admin/fleet/drivers").status_code == 403


def test_client_user_gets_the_403_page_on_the_fleet(client):
    own = make_client(name="Own Club")
    _as(client, "client", client_id=own.id)
    for path in ("/admin/fleet", "/admin/fleet/hubs", "/admin/fleet/vehicle-types", "/admin/fleet/drivers"):
        r = client.get(path)
        assert r.status_code == 403 and "You don&#39;t have access" in r.text, path


def test_vendor_cannot_add_a_vehicle(client):
    hub, vtype = make_hub(), make_vehicle_type()
    _as(client, "vendor")
    r = form_post(client, "/admin/fleet/vehicles", {"unit_number": "X1", "hub_id": str(hub.id),
                                                    "vehicle_type_id": str(vtype.id)}, page="/account")
    assert r.status_code == 403 and _vehicles() == []


# ---------------------------------------------------------------- vehicles

def test_vehicles_search_and_filters(client):
    _as(client)
    atl, bna = make_hub(code="ATL"), make_hub(code="BNA")
    coach, mini = make_vehicle_type(name="Motorcoach"), make_vehicle_type(name="Minibus", capacity=24)
    make_vehicle(unit_number="1203", hub_id=atl.id, vehicle_type_id=coach.id, make="MCI")
    make_vehicle(unit_number="2201", hub_id=bna.id, vehicle_type_id=mini.id, make="Ford",
                 status="maintenance")
    html = client.get("/admin/fleet?q=ford").text
    assert "2201" in html and "1203" not in html
    html = client.get(f"/admin/fleet?hub_id={atl.id}").text
    assert "1203" in html and "2201" not in html
    html = client.get(f"/admin/fleet?vehicle_type_id={mini.id}").text
    assert "2201" in html and "1203" not in html
    html = client.get("/admin/fleet?status=maintenance").text
    assert "2201" in html and "1203" not in html and "Maintenance" in html
    html = client.get("/admin/fleet?q=zzz").text
    assert "No vehicles match." in html


def test_bad_filter_values_show_everything(client):
    _as(client)
    make_vehicle(unit_number="1203")
    r = client.get("/admin/fleet?hub_id=abc&vehicle_type_id=-1&status=flying")
    assert r.status_code == 200 and "1203" in r.text


def test_vehicle_search_from_htmx_returns_only_the_results(client):
    _as(client)
    make_vehicle(unit_number="1203", make="MCI")
    make_vehicle(unit_number="2201", make="Ford")
    r = client.get("/admin/fleet?q=mci", headers={"HX-Request": "true", "HX-Target": "vehicle-results"})
    assert r.status_code == 200 and "<html" not in r.text
    assert "1203" in r.text and "2201" not in r.text


def test_vehicles_paginate(client):
    _as(client)
    hub, vtype = make_hub(), make_vehicle_type()
    for n in range(27):
        make_vehicle(unit_number=f"U{n:02d}", hub_id=hub.id, vehicle_type_id=vtype.id)
    html = client.get("/admin/fleet").text
    assert "1–25 of 27 vehicles" in html and 'href="/admin/fleet?offset=25"' in html
    assert "26–27 of 27 vehicles" in client.get("/admin/fleet?offset=25").text


def test_empty_fleet_invites_to_add_a_vehicle(client):
    _as(client)
    assert "Add the first vehicle" in client.get("/admin/fleet").text


def test_vehicle_form_without_hubs_says_to_open_one_first(client):
    _as(client)
    html = client.get("/admin/fleet/vehicles/new").text
    assert "Open a hub</a> first." in html and "Add a vehicle type</a> first." in html


def test_dispatcher_adds_a_vehicle_through_the_form(client):
    _as(client)
    hub, vtype = make_hub(code="ATL"), make_vehicle_type(name="Motorcoach")
    r = form_post(client, "/admin/fleet/vehicles",
                  {"unit_number": "mc-12", "hub_id": str(hub.id), "vehicle_type_id": str(vtype.id),
                   "status": "active", "make": "Prevost", "model": "H3-45", "year": "2021",
                   "vin": "2pcva3494m1234567", "license_plate": "", "notes": ""},
                  page="/admin/fleet/vehicles/new")
    assert r.status_code == 303 and r.headers["location"] == "/admin/fleet"
    assert "Vehicle MC-12 is added to the fleet." in client.get("/admin/fleet").text
    [vehicle] = _vehicles()
    assert (vehicle.unit_number, vehicle.vin, vehicle.year, vehicle.license_plate) == (
        "MC-12", "2PCVA3494M1234567", 2021, None)


def test_new_vehicle_without_hub_or_unit_re_renders_with_errors(client):
    _as(client)
    vtype = make_vehicle_type()
    make_hub()
    r = form_post(client, "/admin/fleet/vehicles", {"unit_number": "", "vehicle_type_id": str(vtype.id),
                                                    "status": "active", "year": "1890"},
                  page="/admin/fleet/vehicles/new")
    assert r.status_code == 422
    for name in ("unit_number", "hub_id", "year"):
        assert f'id="f-{name}-error"' in r.text, name
    assert 'value="1890"' in r.text and _vehicles() == []


def test_new_vehicle_with_a_taken_unit_number_shows_it_on_the_field(client):
    _as(client)
    existing = make_vehicle(unit_number="1203")
    r = form_post(client, "/admin/fleet/vehicles",
                  {"unit_number": "1203", "hub_id": str(existing.hub_id),
                   "vehicle_type_id": str(existing.vehicle_type_id), "status": "active"},
                  page="/admin/fleet/vehicles/new")
    assert r.status_code == 409
    assert 'id="f-unit_number-error">A vehicle with unit number 1203 already exists.' in r.text
    assert len(_vehicles()) == 1


def test_editing_a_vehicle_moves_it_and_clears_fields(client):
    _as(client)
    atl, bna = make_hub(code="ATL"), make_hub(code="BNA")
    vehicle = make_vehicle(unit_number="1203", hub_id=atl.id, make="MCI", license_plate="GA-1")
    path = f"/admin/fleet/vehicles/{vehicle.id}/edit"
    html = client.get(path).text
    assert 'value="1203"' in html and 'value="GA-1"' in html
    r = form_post(client, path, {"unit_number": "1203", "hub_id": str(bna.id),
                                 "vehicle_type_id": str(vehicle.vehicle_type_id), "status": "maintenance",
                                 "make": "MCI", "license_plate": ""})
    assert r.status_code == 303
    assert "Saved vehicle 1203." in client.get(r.headers["location"]).text
    [saved] = _vehicles()
    assert (saved.hub_id, saved.status, saved.license_plate, saved.make) == (
        bna.id, "maintenance", None, "MCI")


def test_editing_a_vehicle_with_a_bad_vin_changes_nothing(client):
    _as(client)
    vehicle = make_vehicle(unit_number="1203", vin="2PCVA3494M1234567")
    r = form_post(client, f"/admin/fleet/vehicles/{vehicle.id}/edit",
                  {"unit_number": "1203", "hub_id": str(vehicle.hub_id),
                   "vehicle_type_id": str(vehicle.vehicle_type_id), "status": "active", "vin": "SHORT"})
    assert r.status_code == 422 and 'id="f-vin-error"' in r.text and 'value="SHORT"' in r.text
    assert _vehicles()[0].vin == "2PCVA3494M1234567"


def test_unknown_vehicle_is_404(client):
    _as(client)
    assert client.get("/admin/fleet/vehicles/999999/edit").status_code == 404


# ---------------------------------------------------------------- hubs

def test_hubs_tab_lists_hubs_with_time_zones(client):
    _as(client, "accounting")
    make_hub(code="ATL", name="Atlanta Garage", city="Atlanta", state="GA", timezone="America/New_York")
    make_hub(code="DEN", name="Denver Yard", timezone="America/Denver")
    r = client.get("/admin/fleet/hubs")
    assert r.status_code == 200
    for text in ("ATL", "Atlanta Garage", "Atlanta, GA", "America/New York", "Denver Yard", "Open"):
        assert text in r.text, text
    assert "/admin/fleet/hubs/new" not in r.text  # accounting reads only


def test_dispatcher_opens_a_hub_through_the_form(client):
    _as(client)
    r = form_post(client, "/admin/fleet/hubs",
                  {"code": "bna", "name": "Nashville Garage", "city": "Nashville", "state": "TN",
                   "timezone": "America/Chicago", "latitude": "36.1627", "longitude": "-86.7816"},
                  page="/admin/fleet/hubs/new")
    assert r.status_code == 303 and r.headers["location"] == "/admin/fleet/hubs"
    assert "Hub BNA (Nashville Garage) is open." in client.get("/admin/fleet/hubs").text
    with transaction() as session:
        [hub] = service.list_hubs(session, SYSTEM)
        assert (hub.code, hub.timezone, str(hub.latitude)) == ("BNA", "America/Chicago", "36.1627000")


def test_new_hub_with_an_unknown_time_zone_shows_the_error(client):
    _as(client)
    r = form_post(client, "/admin/fleet/hubs", {"code": "BNA", "name": "Nashville", "timezone": "Central"},
                  page="/admin/fleet/hubs/new")
    assert r.status_code == 422 and 'id="f-timezone-error"' in r.text and "IANA" in r.text
    with transaction() as session:
        assert service.list_hubs(session, SYSTEM) == []


def test_new_hub_with_a_taken_code_shows_it_on_the_code_field(client):
    make_hub(code="ATL")
    _as(client)
    r = form_post(client, "/admin/fleet/hubs",
                  {"code": "atl", "name": "Second", "timezone": "America/New_York"},
                  page="/admin/fleet/hubs/new")
    assert r.status_code == 409 and 'id="f-code-error">A hub with code ATL already exists.' in r.text


def test_closing_a_hub_from_its_form(client):
    hub = make_hub(code="ATL", name="Atlanta Garage", city="Atlanta")
    _as(client)
    path = f"/admin/fleet/hubs/{hub.id}/edit"
    assert 'name="is_active" checked' in client.get(path).text
    r = form_post(client, path, {"code": "ATL", "name": "Atlanta Garage", "timezone": "America/New_York"})
    assert r.status_code == 303
    with transaction() as session:
        saved = service.get_hub(session, SYSTEM, hub.id)
        assert saved.is_active is False and saved.city is None
    assert "Closed" in client.get("/admin/fleet/hubs").text


def test_editing_a_hub_with_a_blank_name_changes_nothing(client):
    hub = make_hub(code="ATL", name="Atlanta Garage")
    _as(client)
    r = form_post(client, f"/admin/fleet/hubs/{hub.id}/edit",
                  {"code": "ATL", "name": "", "timezone": "America/New_York", "is_active": "on"})
    assert r.status_code == 422 and 'id="f-name-error"' in r.text
    with transaction() as session:
        assert service.get_hub(session, SYSTEM, hub.id).name == "Atlanta Garage"


# ---------------------------------------------------------------- vehicle types

def test_dispatcher_adds_and_retires_a_vehicle_type(client):
    _as(client)
    r = form_post(client, "/admin/fleet/vehicle-types",
                  {"code": "Coach_56", "name": "56-passenger motorcoach", "capacity": "56"},
                  page="/admin/fleet/vehicle-types/new")
    assert r.status_code == 303
    html = client.get(r.headers["location"]).text
    assert "Vehicle type 56-passenger motorcoach (56 seats) is added." in html and "coach_56" in html
    with transaction() as session:
        [vtype] = service.list_vehicle_types(session, SYSTEM)
    r = form_post(client, f"/admin/fleet/vehicle-types/{vtype.id}/edit",
                  {"code": "coach_56", "name": "56-passenger motorcoach", "capacity": "56",
                   "sort_order": "5"})
    assert r.status_code == 303
    with transaction() as session:
        saved = service.get_vehicle_type(session, SYSTEM, vtype.id)
        assert saved.is_active is False and saved.sort_order == 5
    assert "Retired" in client.get("/admin/fleet/vehicle-types").text


def test_vehicle_type_with_too_many_seats_is_refused(client):
    _as(client)
    r = form_post(client, "/admin/fleet/vehicle-types", {"code": "huge", "name": "Huge", "capacity": "300"},
                  page="/admin/fleet/vehicle-types/new")
    assert r.status_code == 422 and 'id="f-capacity-error">Enter a number of at most 100.' in r.text
    with transaction() as session:
        assert service.list_vehicle_types(session, SYSTEM) == []


def test_a_vehicle_types_luggage_and_hourly_rate_are_set_on_the_form_and_shown_in_the_list(client):
    _as(client)
    r = form_post(client, "/admin/fleet/vehicle-types",
                  {"code": "coach_56", "name": "56-passenger motorcoach", "capacity": "56",
                   "luggage_capacity": "60", "default_hourly_rate": "185.5"},
                  page="/admin/fleet/vehicle-types/new")
    assert r.status_code == 303
    with transaction() as session:
        [vtype] = service.list_vehicle_types(session, SYSTEM)
        assert (vtype.luggage_capacity, vtype.default_hourly_rate) == (60, Decimal("185.50"))
    html = client.get("/admin/fleet/vehicle-types").text
    assert "$185.50" in html and ">60<" in html
    edit = client.get(f"/admin/fleet/vehicle-types/{vtype.id}/edit").text
    assert 'value="185.50"' in edit and 'value="60"' in edit
    r = form_post(client, f"/admin/fleet/vehicle-types/{vtype.id}/edit",
                  {"code": "coach_56", "name": "56-passenger motorcoach", "capacity": "56",
                   "default_hourly_rate": "-3", "is_active": "on"})
    assert r.status_code == 422 and 'id="f-default_hourly_rate-error"' in r.text
    with transaction() as session:
        assert service.get_vehicle_type(session, SYSTEM, vtype.id).default_hourly_rate == Decimal("185.50")


# ---------------------------------------------------------------- drivers

def test_drivers_tab_flags_expired_and_expiring_cdls(client):
    clock.set_clock(lambda: datetime(2025, 6, 1, 12, tzinfo=UTC))
    hub = make_hub(code="ATL")
    make_driver(full_name="Ann Expired", cdl_number="GA111", cdl_expiry=date(2025, 5, 31), hub_id=hub.id)
    make_driver(full_name="Bob Soon", cdl_number="GA222", cdl_expiry=date(2025, 6, 20))
    make_driver(full_name="Cy Fine", cdl_number="GA333", cdl_expiry=date(2026, 1, 1))
    make_driver(full_name="Di None")
    _as(client)
    r = client.get("/admin/fleet/drivers")
    assert r.status_code == 200
    rows = {name: r.text.split(name, 1)[1].split("</tr>", 1)[0]
            for name in ("Ann Expired", "Bob Soon", "Cy Fine", "Di None")}
    assert "Expired" in rows["Ann Expired"] and "ATL" in rows["Ann Expired"]
    assert "Expires in 19 days" in rows["Bob Soon"]
    assert "status" not in rows["Cy Fine"] and "2026-01-01" in rows["Cy Fine"]
    assert "Not on file" in rows["Di None"]
    html = client.get("/admin/fleet/drivers?cdl=expiring").text
    assert "Ann Expired" in html and "Bob Soon" in html and "Cy Fine" not in html


def test_dispatcher_sets_a_drivers_cdl_and_hub(client):
    hub = make_hub(code="ATL")
    driver = make_driver(full_name="Dee Driver")
    _as(client)
    path = f"/admin/fleet/drivers/{driver.id}/edit"
    assert "Dee Driver" in client.get(path).text
    r = form_post(client, path, {"cdl_number": "ga-12345", "cdl_expiry": "2027-03-31", "hub_id": str(hub.id),
                                 "phone": "(404) 555-0134"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/fleet/drivers"
    assert "Saved driver Dee Driver." in client.get("/admin/fleet/drivers").text
    with transaction() as session:
        saved = service.get_driver(session, SYSTEM, driver.id)
        assert (saved.cdl_number, saved.cdl_expiry, saved.hub_id) == ("GA-12345", date(2027, 3, 31), hub.id)


def test_driver_form_with_a_bad_date_changes_nothing(client):
    driver = make_driver(full_name="Dee Driver", cdl_number="GA111")
    _as(client)
    r = form_post(client, f"/admin/fleet/drivers/{driver.id}/edit",
                  {"cdl_number": "GA999", "cdl_expiry": "next spring"})
    assert r.status_code == 422 and 'id="f-cdl_expiry-error"' in r.text and 'value="GA999"' in r.text
    with transaction() as session:
        assert service.get_driver(session, SYSTEM, driver.id).cdl_number == "GA111"


def test_accounting_cannot_edit_drivers(client):
    driver = make_driver(full_name="Dee Driver")
    _as(client, "accounting")
    assert client.get("/admin/fleet/drivers").status_code == 403
    assert client.get(f"/admin/fleet/drivers/{driver.id}/edit").status_code == 403


def test_a_non_driver_user_is_not_a_driver_page(client):
    other = make_user(role="sales_agent")
    _as(client)
    assert client.get(f"/admin/fleet/drivers/{other.id}/edit").status_code == 404
