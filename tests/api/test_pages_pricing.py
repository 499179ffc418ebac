"""Pricing pages: the rate matrix edited in place, the policy, "Try a price", amenities, promo codes and
modifiers, with their forms, errors and who may use them."""

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.pricing import service
from coachway.web.testing import csrf_from, form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import make_client, make_hub, make_vehicle_type
from tests.factories_pricing import make_amenity, make_modifier, make_promo, make_rate, priced_setup

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def fixed_now():
    clock.set_clock(lambda: datetime(2026, 3, 2, 15, 0, tzinfo=UTC))


def _as(client, role: str = "manager", **kw):
    if role == "client":
        kw.setdefault("client_id", make_client().id)
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _read(fn, *args, **kw):
    with transaction() as session:
        return fn(session, SYSTEM, *args, **kw)


def _rates():
    return _read(service.list_rates)


# ---------------------------------------------------------------- who may see what

def test_a_manager_sees_the_matrix_the_policy_form_and_try_a_price(client):
    hub, vtype = priced_setup(hourly_rate="165.00")
    _as(client)
    r = client.get("/admin/pricing")
    assert r.status_code == 200
    for text in ("Rate matrix", "Company default", hub.code, "Motorcoach", "$165.00", "Save pricing policy",
                 "The greater of time and mileage", "Try a price", 'href="/admin/pricing/amenities"',
                 f'id="rate-{hub.id}-{vtype.id}"', "Vendor cost"):
        assert text in r.text, text


def test_a_hub_without_its_own_rate_says_it_uses_the_company_default(client):
    hub, vtype = priced_setup()
    own = make_hub(code="OWN")
    make_rate(hub_id=own.id, vehicle_type_id=vtype.id, hourly_rate="180")
    make_vehicle_type(name="Trolley", capacity=30)
    _as(client)
    html = client.get("/admin/pricing").text
    row = re.search(rf'<tr id="rate-{hub.id}-{vtype.id}".*?</tr>', html, re.S).group(0)
    assert "Company default" in row
    row = re.search(rf'<tr id="rate-{own.id}-{vtype.id}".*?</tr>', html, re.S).group(0)
    assert "Own rate" in row and "$180.00" in row
    assert "No rate: cannot be quoted" in html


def test_a_sales_agent_reads_pricing_without_forms(client):
    priced_setup()
    _as(client, "sales_agent")
    r = client.get("/admin/pricing")
    assert r.status_code == 200 and "Rate matrix" in r.text and "Try a price" in r.text
    assert "Save pricing policy" not in r.text and "/admin/pricing/rates/edit" not in r.text
    for path in ("/admin/pricing/amenities", "/admin/pricing/promo-codes", "/admin/pricing/modifiers"):
        page = client.get(path)
        assert page.status_code == 200 and "New " not in page.text, path
    for path in ("/admin/pricing/amenities/new", "/admin/pricing/promo-codes/new",
                 "/admin/pricing/modifiers/new"):
        assert client.get(path).status_code == 403, path


def test_a_role_without_read_internal_does_not_see_vendor_costs(client):
    admin = make_user(role="admin")
    with transaction() as session:
        from coachway.auth.service import create_role

        create_role(session, SYSTEM, name="rate_viewer", description="Reads pricing",
                    permissions=["pricing:read"])
    priced_setup(vendor_hourly_cost="77.00")
    _as(client, "rate_viewer")
    html = client.get("/admin/pricing").text
    assert "Vendor cost" not in html and "$77.00" not in html and admin


@pytest.mark.parametrize("role", ["client", "dispatcher", "vendor", "driver"])
def test_roles_without_pricing_read_get_the_403_page(client, role):
    _as(client, role)
    for path in ("/admin/pricing", "/admin/pricing/amenities", "/admin/pricing/promo-codes",
                 "/admin/pricing/modifiers"):
        r = client.get(path)
        assert r.status_code == 403 and "You don&#39;t have access" in r.text, path


def test_pricing_is_in_the_navigation_for_those_who_read_it(client):
    _as(client, "accounting")
    assert 'href="/admin/pricing"' in client.get("/admin").text


def test_the_old_addresses_redirect(client):
    _as(client)
    r = client.get("/admin/pricing/dot-rules", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/settings/dot-regulations"
    r = client.get("/admin/settings/pricing", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin/pricing"


def test_a_form_without_its_csrf_token_is_refused(client):
    _as(client)
    r = client.post("/admin/pricing/amenities",
                    data={"name": "Wi-Fi", "category": "comfort", "base_price": "5"}, follow_redirects=False)
    assert r.status_code == 403 and "This form has expired" in r.text
    assert _read(service.list_amenities) == []


# ---------------------------------------------------------------- the rate matrix

def test_editing_a_cell_with_htmx_swaps_in_the_form_then_the_saved_row(client):
    hub, vtype = priced_setup(hourly_rate="100.00")
    _as(client)
    r = client.get(f"/admin/pricing/rates/edit?vehicle_type_id={vtype.id}&hub_id={hub.id}", headers=HTMX)
    assert r.status_code == 200 and r.text.strip().startswith(f'<tr id="rate-{hub.id}-{vtype.id}"')
    assert 'value="100.00"' in r.text and "<html" not in r.text  # starts from the company default
    data = {"hub_id": hub.id, "vehicle_type_id": vtype.id, "hourly_rate": "125", "minimum_hours": "4",
            "per_mile_rate": "4.50", "daily_rate": "", "deadhead_per_mile": "", "vendor_hourly_cost": "90"}
    r = client.post("/admin/pricing/rates", data={**data, "csrf_token": csrf_from(r.text)}, headers=HTMX)
    assert r.status_code == 200 and "$125.00" in r.text and "Own rate" in r.text
    assert '<p class="row-notice" role="status">Saved.</p>' in r.text
    own = [rate for rate in _rates() if rate.hub_id == hub.id]
    assert len(own) == 1 and own[0].hourly_rate == Decimal("125.00") and own[0].deadhead_per_mile == 0
    assert own[0].daily_rate is None and own[0].vendor_hourly_cost == Decimal("90.00")


def test_a_bad_cell_shows_the_errors_in_the_row_and_saves_nothing(client):
    hub, vtype = priced_setup(hourly_rate="100.00")
    _as(client)
    page = client.get(f"/admin/pricing/rates/edit?vehicle_type_id={vtype.id}&hub_id={hub.id}")
    data = {"hub_id": hub.id, "vehicle_type_id": vtype.id, "hourly_rate": "-5", "minimum_hours": "",
            "per_mile_rate": "lots", "csrf_token": csrf_from(page.text)}
    r = client.post("/admin/pricing/rates", data=data, headers=HTMX)
    assert r.status_code == 422 and "rate-editing" in r.text
    for field in ("hourly_rate", "minimum_hours", "per_mile_rate"):
        assert f'id="f-r{hub.id}-{vtype.id}-{field}-error"' in r.text, field
    assert [rate.hub_id for rate in _rates()] == [None]


def test_editing_a_cell_without_javascript_is_a_page_and_a_redirect(client):
    hub, vtype = priced_setup()
    _as(client)
    page = client.get(f"/admin/pricing/rates/edit?vehicle_type_id={vtype.id}")
    assert page.status_code == 200 and "<html" in page.text and "Save rate" in page.text
    r = form_post(client, "/admin/pricing/rates", {"vehicle_type_id": vtype.id, "hourly_rate": "111",
                                                   "minimum_hours": "5", "per_mile_rate": "4"},
                  page=f"/admin/pricing/rates/edit?vehicle_type_id={vtype.id}")
    assert r.status_code == 303 and r.headers["location"] == "/admin/pricing#rates-default"
    assert _rates()[0].hourly_rate == Decimal("111.00")


def test_removing_a_hub_rate_falls_back_to_the_default(client):
    hub, vtype = priced_setup()
    own = make_rate(hub_id=hub.id, vehicle_type_id=vtype.id, hourly_rate="150")
    _as(client)
    page = client.get(f"/admin/pricing/rates/edit?vehicle_type_id={vtype.id}&hub_id={hub.id}", headers=HTMX)
    assert "Use the company default instead" in page.text and "Yes, remove this rate" in page.text
    r = client.post(f"/admin/pricing/rates/{own.id}/delete", data={"csrf_token": csrf_from(page.text)},
                    headers=HTMX)
    assert r.status_code == 200 and "Company default" in r.text
    assert [rate.hub_id for rate in _rates()] == [None]


def test_cancel_brings_the_row_back(client):
    hub, vtype = priced_setup()
    _as(client)
    r = client.get(f"/admin/pricing/rates/row?vehicle_type_id={vtype.id}&hub_id={hub.id}", headers=HTMX)
    assert r.status_code == 200 and r.text.strip().startswith(f'<tr id="rate-{hub.id}-{vtype.id}"')


def test_a_sales_agent_cannot_edit_a_cell(client):
    hub, vtype = priced_setup()
    _as(client, "sales_agent")
    assert client.get(f"/admin/pricing/rates/edit?vehicle_type_id={vtype.id}").status_code == 403
    r = form_post(client, "/admin/pricing/rates", {"vehicle_type_id": vtype.id, "hourly_rate": "1",
                                                   "minimum_hours": "1", "per_mile_rate": "1"},
                  page="/admin/pricing")
    assert r.status_code == 403 and _rates()[0].hourly_rate == Decimal("100.00")


def test_an_unknown_cell_is_404(client):
    _as(client)
    assert client.get("/admin/pricing/rates/edit?vehicle_type_id=999").status_code == 404
    assert client.get("/admin/pricing/rates/edit?vehicle_type_id=abc").status_code == 404


# ---------------------------------------------------------------- the policy

def test_the_policy_is_saved_from_the_form(client):
    _as(client)
    data = {"price_rule": "time_only", "deadhead_policy": "all", "deadhead_free_miles": "0",
            "fuel_surcharge_pct": "4.5", "default_gratuity_pct": "10", "deposit_percentage": "30",
            "quote_valid_days": "21", "quote_terms": "Balance due 14 days before."}
    r = form_post(client, "/admin/pricing/policy", data, page="/admin/pricing")
    assert r.status_code == 303
    assert "Saved the pricing policy." in client.get(r.headers["location"]).text
    config = _read(service.get_config)
    assert (config.price_rule, config.fuel_surcharge_pct, config.quote_valid_days) == ("time_only",
                                                                                      Decimal("4.50"), 21)
    with transaction() as session:
        assert service.deposit_percentage(session) == Decimal("30.00")


def test_a_bad_policy_shows_each_error_and_saves_nothing(client):
    _as(client)
    data = {"price_rule": "time_only", "deadhead_policy": "all", "deadhead_free_miles": "",
            "fuel_surcharge_pct": "150", "default_gratuity_pct": "x", "deposit_percentage": "25",
            "quote_valid_days": "400"}
    r = form_post(client, "/admin/pricing/policy", data, page="/admin/pricing")
    assert r.status_code == 422
    for field in ("deadhead_free_miles", "fuel_surcharge_pct", "default_gratuity_pct", "quote_valid_days"):
        assert f'id="f-policy-{field}-error"' in r.text, field
    assert _read(service.get_config).price_rule == "greater_of"


# ---------------------------------------------------------------- try a price

def test_try_a_price_shows_the_lines_and_a_total_that_adds_up(client):
    hub, vtype = priced_setup(hourly_rate="100.00")
    water = make_amenity(name="Bottled water", pricing_type="per_passenger", base_price="1.50")
    _as(client)
    data = {"hub_id": hub.id, "trip_date": "2026-03-10", "trip_type": "round_trip", "passenger_count": "40",
            "vehicle_type_id": vtype.id, "quantity": "2", "hours": "6", "miles": "100",
            "amenity_ids": water.id}
    r = form_post(client, "/admin/pricing/try", data, page="/admin/pricing", headers={**HTMX,
                                                                                   "HX-Target": "try-result"})
    assert r.status_code == 200 and "<html" not in r.text
    amounts = [Decimal(a.replace("$", "").replace(",", "")) for a in re.findall(
        r'class="num line-amount">([^<]+)<', r.text)]
    assert amounts == [Decimal("1200.00"), Decimal("60.00")]
    assert "Total <strong>$1,260.00</strong>" in r.text and "Margin" in r.text


def test_try_a_price_says_what_is_missing(client):
    priced_setup()
    _as(client)
    r = form_post(client, "/admin/pricing/try", {"trip_type": "round_trip", "passenger_count": "0"},
                  page="/admin/pricing")
    assert r.status_code == 422
    for field in ("hub_id", "trip_date", "vehicle_type_id", "hours", "miles", "passenger_count"):
        assert f'id="f-try-{field}-error"' in r.text, field


def test_try_a_price_reports_a_promo_that_does_not_apply(client):
    hub, vtype = priced_setup()
    make_promo(code="GONE", valid_until=datetime(2026, 3, 1).date())
    _as(client)
    data = {"hub_id": hub.id, "trip_date": "2026-03-10", "trip_type": "one_way", "passenger_count": "4",
            "vehicle_type_id": vtype.id, "quantity": "1", "hours": "6", "miles": "100", "promo_code": "gone"}
    r = form_post(client, "/admin/pricing/try", data, page="/admin/pricing")
    assert r.status_code == 200 and "Promo code GONE expired on 2026-03-01." in r.text


# ---------------------------------------------------------------- amenities

def test_a_manager_adds_an_amenity_through_the_form(client):
    _as(client)
    r = form_post(client, "/admin/pricing/amenities", {"name": "Wi-Fi", "category": "entertainment",
                                                       "pricing_type": "per_day", "base_price": "25"},
                  page="/admin/pricing/amenities/new")
    assert r.status_code == 303
    html = client.get(r.headers["location"]).text
    assert "Wi-Fi is on offer." in html and "$25.00" in html and "Per day" in html


def test_a_bad_amenity_form_shows_the_errors_and_adds_nothing(client):
    make_amenity(name="Wi-Fi")
    _as(client)
    r = form_post(client, "/admin/pricing/amenities", {"name": "wi-fi", "category": "entertainment",
                                                       "base_price": "5"},
                  page="/admin/pricing/amenities/new")
    assert r.status_code == 409 and 'id="f-name-error"' in r.text
    r = form_post(client, "/admin/pricing/amenities", {"name": "Cooler", "base_price": "-1"},
                  page="/admin/pricing/amenities/new")
    assert r.status_code == 422 and 'id="f-category-error"' in r.text and 'id="f-base_price-error"' in r.text
    assert [a.name for a in _read(service.list_amenities)] == ["Wi-Fi"]


def test_an_amenity_is_edited_switched_off_and_moved(client):
    a, b = make_amenity(name="Water", base_price="1"), make_amenity(name="Cooler")
    _as(client)
    r = form_post(client, f"/admin/pricing/amenities/{a.id}/edit", {"name": "Bottled water",
                                                                    "category": "refreshments",
                                                                    "pricing_type": "per_passenger",
                                                                    "base_price": "1.5", "is_active": "on"})
    assert r.status_code == 303
    r = form_post(client, f"/admin/pricing/amenities/{a.id}/active", {"is_active": "0"},
                  page="/admin/pricing/amenities")
    assert "Bottled water is no longer offered." in client.get(r.headers["location"]).text
    form_post(client, f"/admin/pricing/amenities/{b.id}/move", {"direction": "up"},
              page="/admin/pricing/amenities")
    amenities = _read(service.list_amenities)
    assert [(x.name, x.is_active) for x in amenities] == [("Cooler", True), ("Bottled water", False)]
    assert amenities[1].base_price == Decimal("1.50")


def test_moving_an_amenity_nowhere_changes_nothing(client):
    a = make_amenity(name="Only")
    _as(client)
    r = form_post(client, f"/admin/pricing/amenities/{a.id}/move", {"direction": "up"},
                  page="/admin/pricing/amenities")
    assert r.status_code == 303
    r = form_post(client, f"/admin/pricing/amenities/{a.id}/move", {"direction": "sideways"},
                  page="/admin/pricing/amenities")
    assert r.status_code == 404


def test_a_sales_agent_cannot_add_an_amenity(client):
    _as(client, "sales_agent")
    r = form_post(client, "/admin/pricing/amenities", {"name": "Wi-Fi", "category": "entertainment",
                                                       "base_price": "5"}, page="/admin/pricing/amenities")
    assert r.status_code == 403 and _read(service.list_amenities) == []


# ---------------------------------------------------------------- promo codes

def test_a_manager_adds_a_promo_code_through_the_form(client):
    make_vehicle_type(code="motorcoach", name="Motorcoach")
    _as(client)
    data = {"code": "spring10", "discount_type": "percentage", "discount_value": "10",
            "valid_from": "2026-03-01", "valid_until": "2026-05-31", "max_uses": "10",
            "applicable_trip_types": ["round_trip", "one_way"],
            "applicable_vehicle_types": "motorcoach"}
    r = form_post(client, "/admin/pricing/promo-codes", data, page="/admin/pricing/promo-codes/new")
    assert r.status_code == 303
    html = client.get(r.headers["location"]).text
    assert "Promo code SPRING10 is ready to use." in html and "0 / 10" in html and "10 % off" in html
    assert "2026-03-01 to 2026-05-31" in html
    promo = _read(service.list_promo_codes)[0][0]
    assert promo.applicable_trip_types == ["round_trip", "one_way"] and promo.applicable_vehicle_types == [
        "motorcoach"]


def test_a_bad_promo_form_shows_the_errors(client):
    _as(client)
    data = {"code": "no spaces", "discount_type": "percentage", "discount_value": "120",
            "valid_from": "2026-06-01", "valid_until": "2026-05-01", "max_uses": "0"}
    r = form_post(client, "/admin/pricing/promo-codes", data, page="/admin/pricing/promo-codes/new")
    assert r.status_code == 422
    assert 'id="f-code-error"' in r.text and 'id="f-max_uses-error"' in r.text
    assert _read(service.list_promo_codes)[1] == 0


def test_a_promo_code_is_edited_and_deactivated(client):
    promo = make_promo(code="FALL5", discount_value="5", max_uses=3)
    _as(client)
    page = client.get(f"/admin/pricing/promo-codes/{promo.id}/edit")
    assert page.status_code == 200 and 'value="FALL5"' in page.text
    r = form_post(client, f"/admin/pricing/promo-codes/{promo.id}/edit", {
        "code": "FALL5", "discount_type": "fixed_amount", "discount_value": "25", "is_active": "on"})
    assert r.status_code == 303
    saved = _read(service.get_promo_code, promo.id)
    assert (saved.discount_type, saved.discount_value, saved.max_uses) == ("fixed_amount", Decimal("25.00"),
                                                                           None)
    r = form_post(client, f"/admin/pricing/promo-codes/{promo.id}/deactivate",
                  page="/admin/pricing/promo-codes")
    assert "Promo code FALL5 is deactivated." in client.get(r.headers["location"]).text
    assert _read(service.get_promo_code, promo.id).is_active is False


def test_promo_codes_are_searched_with_htmx(client):
    make_promo(code="ALPHA")
    make_promo(code="BRAVO")
    _as(client, "sales_agent")
    r = client.get("/admin/pricing/promo-codes?q=alp", headers={**HTMX, "HX-Target": "promo-results"})
    assert r.status_code == 200 and "ALPHA" in r.text and "BRAVO" not in r.text and "<html" not in r.text


# ---------------------------------------------------------------- modifiers

def test_a_manager_adds_a_holiday_modifier_with_date_ranges(client):
    _as(client)
    data = {"name": "Holidays", "modifier_type": "holiday", "adjustment_type": "percentage",
            "adjustment_value": "20", "priority": "20", "is_active": "on",
            "date_ranges": "2026-12-23 to 2026-12-31\n2026-07-04"}
    r = form_post(client, "/admin/pricing/modifiers", data, page="/admin/pricing/modifiers/new")
    assert r.status_code == 303, r.text
    html = client.get(r.headers["location"]).text
    assert "Added the modifier Holidays." in html and "+20 %" in html and "2026-12-23 to 2026-12-31" in html
    [rule] = _read(service.list_modifiers)
    assert rule.date_ranges == [{"start": "2026-12-23", "end": "2026-12-31"},
                                {"start": "2026-07-04", "end": "2026-07-04"}]


def test_a_modifier_without_its_condition_shows_where(client):
    _as(client)
    data = {"name": "Weekend", "modifier_type": "day_of_week", "adjustment_type": "percentage",
            "adjustment_value": "10", "priority": "0"}
    r = form_post(client, "/admin/pricing/modifiers", data, page="/admin/pricing/modifiers/new")
    assert r.status_code == 422 and 'id="f-applicable_days-error"' in r.text
    r = form_post(client, "/admin/pricing/modifiers", {**data, "modifier_type": "holiday",
                                                       "date_ranges": "2026-12-31 to 2026-12-01"},
                  page="/admin/pricing/modifiers/new")
    assert r.status_code == 422 and 'id="f-date_ranges-error"' in r.text
    assert _read(service.list_modifiers) == []


def test_a_modifier_is_edited_and_deleted(client):
    rule = make_modifier(name="Weekend")
    _as(client)
    page = client.get(f"/admin/pricing/modifiers/{rule.id}/edit")
    assert page.status_code == 200 and "checked" in page.text
    r = form_post(client, f"/admin/pricing/modifiers/{rule.id}/edit", {
        "name": "Weekend", "modifier_type": "day_of_week", "adjustment_type": "fixed_amount",
        "adjustment_value": "-25", "priority": "3", "applicable_days": ["saturday"], "is_active": "on"})
    assert r.status_code == 303
    assert "−$25.00" in client.get("/admin/pricing/modifiers").text
    r = form_post(client, f"/admin/pricing/modifiers/{rule.id}/delete", page="/admin/pricing/modifiers")
    assert "Deleted the modifier Weekend." in client.get(r.headers["location"]).text
    assert _read(service.list_modifiers) == []


def test_a_sales_agent_cannot_delete_a_modifier(client):
    rule = make_modifier()
    _as(client, "sales_agent")
    r = form_post(client, f"/admin/pricing/modifiers/{rule.id}/delete", page="/admin/pricing/modifiers")
    assert r.status_code == 403 and len(_read(service.list_modifiers)) == 1
