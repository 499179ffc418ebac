"""Copying a charter to other dates and recurring series through the pages: the copy calendar, the wizard
with its live preview, the series page (remove an instance, scoped edits), the banners, and who may do
what."""

import re
from datetime import date, time, timedelta

import pytest
from sqlalchemy import func, select

from coachway.charters import service
from coachway.charters.models import Charter
from coachway.core import clock
from coachway.core.db import transaction
from coachway.core.permissions import SYSTEM
from coachway.integrations import geocoding
from coachway.web.testing import csrf_from, form_post, sign_in
from tests.factories import PASSWORD, make_user
from tests.factories_domain import make_charter, make_client, make_stop
from tests.factories_pricing import make_amenity, priced_setup

WEEKDAYS_60 = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=60"


def _as(client, role: str = "sales_agent", **kw):
    user = make_user(role=role, **kw)
    sign_in(client, user.email, PASSWORD)
    return user


def _next_monday(after_days: int = 10) -> date:
    day = clock.now().date() + timedelta(days=after_days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _count() -> int:
    with transaction() as session:
        return session.scalar(select(func.count()).select_from(Charter))


def _htmx(client, target: str, page: str) -> dict[str, str]:
    token = csrf_from(client.get(page).text)
    return {"HX-Request": "true", "HX-Target": target, "X-CSRF-Token": token}


def _post(client, path: str, data: dict, *, page: str, target: str | None = None):
    """Post a form as the page would: with HTMX (aimed at target) or as a plain form."""
    if target is None:
        return form_post(client, path, data, page=page)
    headers = _htmx(client, target, page)
    return client.post(path, data={**data, "csrf_token": headers["X-CSRF-Token"]}, headers=headers,
                       follow_redirects=False)


@pytest.fixture
def agent():
    return make_user(role="sales_agent", full_name="Sam Sales")


@pytest.fixture
def quote(agent):
    """A priced quote of the agent's, on a Monday: two stops, a coach and an amenity."""
    geocoding.OfflineGazetteer().warm()
    hub, coach = priced_setup(hourly_rate="100.00", per_mile_rate="1.00")
    charter = make_charter(hub_id=hub.id, client_id=make_client(name="Campus Co").id,
                           trip_date=_next_monday(), pickup_time=time(7, 0), assigned_sales_agent_id=agent.id)
    make_stop(charter.id, address="Atlanta, GA", dwell_minutes=10, geocode=True)
    make_stop(charter.id, address="Chattanooga, TN", geocode=True)
    wifi = make_amenity(name="Wi-Fi", base_price="50.00", pricing_type="flat_fee")
    with transaction() as session:
        service.add_charter_vehicle(session, SYSTEM, charter.id, vehicle_type_id=coach.id, quantity=1)
        service.add_charter_amenity(session, SYSTEM, charter.id, wifi.id, quantity=1)
        service.calculate_charter(session, SYSTEM, charter.id, save=True)
    return charter


def _series(charter, count: int = 20) -> dict:
    with transaction() as session:
        series = service.create_recurring(session, SYSTEM, base_charter_id=charter.id, series_name="Shuttle",
                                          recurrence_rule=f"FREQ=DAILY;COUNT={count}",
                                          start_date=charter.trip_date)
        series_id = series.id
    return _found(series_id)


def _found(series_id: int) -> dict:
    with transaction() as session:
        found = service.get_series(session, SYSTEM, series_id)
        return {"id": series_id, "active": found["series"].active_instances,
                "instances": [{"id": c.id, "number": c.instance_number, "removed": c.removed_from_series_at,
                               "passengers": c.passenger_count, "pickup": c.pickup_time,
                               "label": found["labels"].get(c.id, {}).get("label")}
                              for c in found["instances"]]}


# ---------------------------------------------------------------- the copy calendar


def test_the_charter_page_shows_the_calendar_at_the_trip_month(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    html = client.get(f"/admin/charters/{quote.id}").text
    assert 'id="clone-calendar"' in html and "Copy to other dates" in html
    assert f"{quote.trip_date:%B %Y}" in html
    own = re.search(rf'<td class="cal-day[^"]*own[^"]*">\s*<input[^>]*value="{quote.trip_date.isoformat()}"',
                    html)
    assert own, "the charter's own date is marked"
    assert f'href="/admin/charters/{quote.id}/recurring"' in html


def test_the_calendar_moves_months_and_keeps_the_ticked_dates(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    picked = quote.trip_date + timedelta(days=2)
    following = (quote.trip_date.replace(day=1) + timedelta(days=32)).replace(day=1)
    headers = {"HX-Request": "true", "HX-Target": "clone-calendar"}
    r = client.get(f"/admin/charters/{quote.id}/clone", headers=headers,
                   params={"month": f"{following:%Y-%m}", "new_dates": picked.isoformat()})
    assert r.status_code == 200
    assert f"{following:%B %Y}" in r.text and "<html" not in r.text
    assert f'type="hidden" name="new_dates" value="{picked.isoformat()}"' in r.text  # carried along
    assert f'data-iso="{picked.isoformat()}"' in r.text  # listed as a chip
    # no JavaScript: the whole page, at that month
    page = client.get(f"/admin/charters/{quote.id}/clone", params={"month": f"{following:%Y-%m}"}).text
    assert "<html" in page and f"{following:%B %Y}" in page


def test_past_days_are_disabled_and_earlier_months_are_not_offered(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    today = clock.now().date()
    headers = {"HX-Request": "true", "HX-Target": "clone-calendar"}
    html = client.get(f"/admin/charters/{quote.id}/clone", headers=headers,
                      params={"month": f"{today:%Y-%m}"}).text
    earlier = (today.replace(day=1) - timedelta(days=1))
    assert f"month={earlier:%Y-%m}" not in html
    if today.day > 1:
        yesterday = (today - timedelta(days=1)).isoformat()
        assert re.search(rf'value="{yesterday}" data-text="[^"]*" disabled', html)
    assert re.search(rf'value="{today.isoformat()}" data-text="[^"]*">', html)  # today is allowed


def test_cloning_two_dates_through_the_page_makes_two_quotes(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    days = [quote.trip_date + timedelta(days=7), quote.trip_date + timedelta(days=14)]
    before = _count()
    r = _post(client, f"/admin/charters/{quote.id}/clone",
              {"new_dates": [d.isoformat() for d in days], "adjust_pricing": "on"},
              page=f"/admin/charters/{quote.id}")
    assert r.status_code == 303, r.text
    assert _count() == before + 2
    page = client.get(r.headers["location"]).text
    assert "Made 2 copies of charter" in page
    made = re.findall(r'<li><a href="/admin/charters/(\d+)">Charter \d+</a> · ([^<]+?) · Quote', page)
    assert len(made) == 2
    assert [m[1].split(" · ")[0] for m in made] == [f"{d:%a} {d.day} {d:%b %Y}" for d in days]


def test_cloning_with_htmx_answers_with_a_redirect(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    day = quote.trip_date + timedelta(days=21)
    r = _post(client, f"/admin/charters/{quote.id}/clone", {"new_dates": [day.isoformat()]},
              page=f"/admin/charters/{quote.id}", target="clone")
    assert r.status_code == 200
    assert r.headers["HX-Redirect"].startswith(f"/admin/charters/{quote.id}/clone?made=")


def test_a_date_ticked_twice_shows_the_error_and_makes_nothing(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    day = (quote.trip_date + timedelta(days=7)).isoformat()
    before = _count()
    r = _post(client, f"/admin/charters/{quote.id}/clone", {"new_dates": [day, day]},
              page=f"/admin/charters/{quote.id}", target="clone")
    assert r.status_code == 422
    assert "No copies were made." in r.text and f"{day} is listed twice." in r.text
    assert 'id="clone-form"' in r.text  # the form again, with its dates still ticked
    assert _count() == before


def test_a_past_date_shows_the_error_and_makes_nothing(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    future = (quote.trip_date + timedelta(days=7)).isoformat()
    before = _count()
    r = _post(client, f"/admin/charters/{quote.id}/clone", {"new_dates": [future, "2020-01-06"]},
              page=f"/admin/charters/{quote.id}")
    assert r.status_code == 422
    assert "2020-01-06 is in the past." in r.text and "<html" in r.text
    assert _count() == before


def test_no_date_ticked_says_so(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    r = _post(client, f"/admin/charters/{quote.id}/clone", {}, page=f"/admin/charters/{quote.id}",
              target="clone")
    assert r.status_code == 422 and "Choose at least one date." in r.text


def test_a_date_that_is_not_a_date_is_refused(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    r = _post(client, f"/admin/charters/{quote.id}/clone", {"new_dates": ["soon"]},
              page=f"/admin/charters/{quote.id}", target="clone")
    assert r.status_code == 422 and "is not a date like" in r.text


# ---------------------------------------------------------------- the wizard


def _wizard(quote, **fields) -> dict:
    return {"series_name": "Campus shuttle", "freq": "DAILY", "interval": "1",
            "byday": ["MO", "TU", "WE", "TH", "FR"], "ends": "count", "count": "60", "until": "",
            "recurrence_rule": "", "composed_rule": "", "start_date": quote.trip_date.isoformat(),
            "end_date": "", "exclude_dates": ""} | fields


def test_the_wizard_opens_with_the_trip_date_and_a_preview(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    html = client.get(f"/admin/charters/{quote.id}/recurring").text
    assert f'value="{quote.trip_date.isoformat()}"' in html
    assert "FREQ=WEEKLY;BYDAY=MO;COUNT=10" in html  # composed from the builder's defaults
    assert "10 dates, Mon" in html


def test_the_preview_of_sixty_weekdays_from_a_monday_shows_sixty_dates(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    r = _post(client, f"/admin/charters/{quote.id}/recurring/preview", _wizard(quote),
              page=f"/admin/charters/{quote.id}/recurring", target="recurring-preview")
    assert r.status_code == 200 and "<html" not in r.text
    monday = quote.trip_date
    assert f"60 dates, Mon {monday.day} {monday:%b %Y} to " in r.text
    shown = re.findall(r'data-date="([\d-]+)"', r.text)
    assert len(shown) == 60 and shown[0] == monday.isoformat()
    assert all(date.fromisoformat(d).weekday() < 5 for d in shown)
    assert "Every weekday (Mon to Fri), 60 times" in r.text


def test_a_typed_rule_wins_over_the_builder(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    data = _wizard(quote, recurrence_rule=WEEKDAYS_60, composed_rule="FREQ=WEEKLY;BYDAY=MO;COUNT=10",
                   freq="WEEKLY", byday=["MO"], count="10")
    r = _post(client, f"/admin/charters/{quote.id}/recurring/preview", data,
              page=f"/admin/charters/{quote.id}/recurring", target="recurring-preview")
    assert len(re.findall(r'data-date="', r.text)) == 60


def test_an_invalid_rule_shows_the_error_next_to_the_field(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    r = _post(client, f"/admin/charters/{quote.id}/recurring/preview",
              _wizard(quote, recurrence_rule="FREQ=HOURLY;COUNT=3"),
              page=f"/admin/charters/{quote.id}/recurring", target="recurring-preview")
    assert r.status_code == 200
    assert 'id="rule-error" class="rule-error" hx-swap-oob="true"' in r.text
    assert "FREQ=HOURLY is not a daily, weekly, monthly or yearly repeat." in r.text
    assert 'data-date="' not in r.text


def test_a_rule_that_never_ends_is_explained(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    r = _post(client, f"/admin/charters/{quote.id}/recurring/preview", _wizard(quote, count=""),
              page=f"/admin/charters/{quote.id}/recurring", target="recurring-preview")
    assert "The series never ends" in r.text


def test_creating_the_series_goes_to_the_series_page(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    r = _post(client, f"/admin/charters/{quote.id}/recurring",
              _wizard(quote, adjust_pricing_per_instance="on", exclude_dates=""),
              page=f"/admin/charters/{quote.id}/recurring")
    assert r.status_code == 303, r.text
    assert re.fullmatch(r"/admin/charters/series/\d+", r.headers["location"])
    page = client.get(r.headers["location"]).text
    assert "Series “Campus shuttle” is created: 60 quotes." in page
    assert "60 running</strong> of 60 instances" in page
    assert len(re.findall(r'<tr class="instance"', page)) == 60
    assert "Day 60 of 60" in page and WEEKDAYS_60 in page
    # the template and an instance say where they belong
    master = client.get(f"/admin/charters/{quote.id}").text
    assert "Template of series" in master and "(60 running of 60)" in master
    assert f'href="/admin/charters/{quote.id}/recurring"' not in master
    first = re.search(r'data-instance="1">.*?href="/admin/charters/(\d+)"', page, re.S).group(1)
    assert "Day 1 of 60 of series" in client.get(f"/admin/charters/{first}").text


def test_a_series_name_left_empty_is_refused_with_nothing_made(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    before = _count()
    r = _post(client, f"/admin/charters/{quote.id}/recurring", _wizard(quote, series_name=""),
              page=f"/admin/charters/{quote.id}/recurring")
    assert r.status_code == 422 and "Give the series a name." in r.text
    assert _count() == before


def test_exclusion_dates_that_are_not_dates_are_refused(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    r = _post(client, f"/admin/charters/{quote.id}/recurring", _wizard(quote, exclude_dates="easter"),
              page=f"/admin/charters/{quote.id}/recurring")
    assert r.status_code == 422 and "“easter” is not a date like" in r.text


def test_new_recurring_goes_to_the_wizard_of_the_charter_or_lists_quotes(client, agent, quote):
    sign_in(client, agent.email, PASSWORD)
    r = client.get(f"/admin/charters/new-recurring?charter_id={quote.id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/admin/charters/{quote.id}/recurring"
    page = client.get("/admin/charters/new-recurring").text
    assert f'href="/admin/charters/{quote.id}/recurring"' in page


# ---------------------------------------------------------------- the series page


def test_removing_instance_7_of_20_leaves_19_running_with_numbers_kept(client, agent, quote):
    series = _series(quote, 20)
    seventh = series["instances"][6]
    sign_in(client, agent.email, PASSWORD)
    page = f"/admin/charters/series/{series['id']}"
    r = _post(client, f"{page}/instances/{seventh['id']}/remove", {"reason": "Campus closed"}, page=page,
              target="series-body")
    assert r.status_code == 200, r.text
    assert "19 running</strong> of 20 instances" in r.text and "<html" not in r.text
    assert "Removed instance 7" in r.text
    after = _found(series["id"])
    assert after["active"] == 19
    assert [i["number"] for i in after["instances"]] == list(range(1, 21))
    assert after["instances"][6]["removed"] is not None
    assert after["instances"][7]["label"] == "Day 7 of 19"
    assert re.search(r'<tr class="instance removed" data-instance="7">', r.text)


def test_removing_without_javascript_redirects_to_the_series_page(client, agent, quote):
    series = _series(quote, 5)
    sign_in(client, agent.email, PASSWORD)
    page = f"/admin/charters/series/{series['id']}"
    r = _post(client, f"{page}/instances/{series['instances'][0]['id']}/remove", {}, page=page)
    assert r.status_code == 303 and r.headers["location"] == page
    assert "4 of 5 instances run" in client.get(page).text


def test_removing_an_instance_twice_says_why(client, agent, quote):
    series = _series(quote, 5)
    sign_in(client, agent.email, PASSWORD)
    page = f"/admin/charters/series/{series['id']}"
    path = f"{page}/instances/{series['instances'][1]['id']}/remove"
    _post(client, path, {}, page=page, target="series-body")
    r = _post(client, path, {}, page=page, target="series-body")
    assert r.status_code == 409 and "is cancelled" in r.text


def test_an_instance_of_another_series_is_not_found_here(client, agent, quote):
    series = _series(quote, 3)
    other = make_charter(hub_id=quote.hub_id, client_id=quote.client_id, assigned_sales_agent_id=agent.id)
    sign_in(client, agent.email, PASSWORD)
    page = f"/admin/charters/series/{series['id']}"
    assert _post(client, f"{page}/instances/{other.id}/remove", {}, page=page).status_code == 404


def test_editing_this_and_the_following_instances_through_the_page(client, agent, quote):
    series = _series(quote, 10)
    fifth = series["instances"][4]
    sign_in(client, agent.email, PASSWORD)
    page = f"/admin/charters/series/{series['id']}"
    r = _post(client, f"{page}/edit", {"charter_id": str(fifth["id"]), "scope": "following",
                                       "passenger_count": "30", "pickup_time": "08:15"},
              page=page, target="series-body")
    assert r.status_code == 200, r.text
    assert "Changed 6 instances (instance 5 and the following ones)." in r.text
    after = _found(series["id"])["instances"]
    assert [i["passengers"] for i in after] == [quote.passenger_count] * 4 + [30] * 6
    assert [i["pickup"] for i in after][4:] == [time(8, 15)] * 6
    assert after[0]["pickup"] == time(7, 0)


def test_editing_only_this_instance_with_vehicles_and_reprice(client, agent, quote):
    series = _series(quote, 4)
    second = series["instances"][1]
    sign_in(client, agent.email, PASSWORD)
    page = f"/admin/charters/series/{series['id']}"
    vehicle_type = re.search(r'<select id="f-edit-vehicle_type_id"[^>]*>.*?<option value="(\d+)"',
                             client.get(page).text, re.S).group(1)
    r = _post(client, f"{page}/edit", {"charter_id": str(second["id"]), "scope": "this",
                                       "vehicle_type_id": vehicle_type, "quantity": "2", "reprice": "on"},
              page=page)
    assert r.status_code == 303
    assert "Changed 1 instance (instance 2)." in client.get(page).text
    with transaction() as session:
        lines = service.get_charter_parts(session, SYSTEM, second["id"])[1]
    assert [(line["vehicle_type_id"], line["quantity"]) for line in lines] == [(int(vehicle_type), 2)]


def test_an_edit_with_no_change_says_what_is_missing(client, agent, quote):
    series = _series(quote, 3)
    sign_in(client, agent.email, PASSWORD)
    page = f"/admin/charters/series/{series['id']}"
    r = _post(client, f"{page}/edit", {"charter_id": str(series["instances"][0]["id"]), "scope": "all"},
              page=page, target="series-body")
    assert r.status_code == 422 and "Say what to change." in r.text


def test_an_edit_with_bad_passengers_shows_the_field_error(client, agent, quote):
    series = _series(quote, 3)
    sign_in(client, agent.email, PASSWORD)
    page = f"/admin/charters/series/{series['id']}"
    r = _post(client, f"{page}/edit", {"charter_id": str(series["instances"][0]["id"]), "scope": "all",
                                       "passenger_count": "0"}, page=page, target="series-body")
    assert r.status_code == 422 and 'id="f-edit-passenger_count-error"' in r.text


def test_the_list_shows_day_x_of_y(client, agent, quote):
    _series(quote, 3)
    sign_in(client, agent.email, PASSWORD)
    html = client.get("/admin/charters").text
    assert "Day 1 of 3" in html and "Day 3 of 3" in html and "Series template" in html


# ---------------------------------------------------------------- who may do what


def test_accounting_sees_no_controls_and_is_refused_the_posts(client, agent, quote):
    series = _series(quote, 3)
    _as(client, "accounting")
    detail = client.get(f"/admin/charters/{quote.id}").text
    assert 'id="clone-calendar"' not in detail and "/recurring" not in detail
    page = f"/admin/charters/series/{series['id']}"
    html = client.get(page).text
    assert "Remove instance" not in html and "Edit instances" not in html
    day = (quote.trip_date + timedelta(days=7)).isoformat()
    first = series["instances"][0]["id"]
    clone = f"/admin/charters/{quote.id}/clone"
    assert _post(client, clone, {"new_dates": [day]}, page=page).status_code == 403
    assert _post(client, f"/admin/charters/{quote.id}/recurring", _wizard(quote),
                 page=page).status_code == 403
    assert _post(client, f"/admin/charters/{quote.id}/recurring/preview", _wizard(quote),
                 page=page).status_code == 403
    assert _post(client, f"{page}/instances/{first}/remove", {}, page=page).status_code == 403
    assert _post(client, f"{page}/edit", {"charter_id": str(first), "scope": "all", "passenger_count": "3"},
                 page=page).status_code == 403
    assert client.get(f"/admin/charters/{quote.id}/recurring").status_code == 403
    assert _found(series["id"])["active"] == 3


def test_client_users_are_refused(client, agent, quote):
    series = _series(quote, 3)
    _as(client, "client", client_id=quote.client_id)
    assert client.get(f"/admin/charters/series/{series['id']}").status_code == 403
    assert client.get(f"/admin/charters/{quote.id}/recurring").status_code == 403
    assert client.get(f"/admin/charters/{quote.id}/clone").status_code == 403
    assert 'id="clone-calendar"' not in client.get(f"/admin/charters/{quote.id}").text
    day = (quote.trip_date + timedelta(days=7)).isoformat()
    clone = f"/admin/charters/{quote.id}/clone"
    assert _post(client, clone, {"new_dates": [day]}, page="/").status_code == 403


def test_a_client_of_another_company_finds_nothing(client, agent, quote):
    _as(client, "client", client_id=make_client().id)
    assert client.get(f"/admin/charters/{quote.id}/recurring").status_code == 404
    assert client.get(f"/admin/charters/{quote.id}/clone").status_code == 404


def test_another_agents_charter_is_not_found(client, agent, quote):
    series = _series(quote, 3)
    _as(client, "sales_agent")
    day = (quote.trip_date + timedelta(days=7)).isoformat()
    assert client.get(f"/admin/charters/{quote.id}/recurring").status_code == 404
    assert client.get(f"/admin/charters/series/{series['id']}").status_code == 404
    clone = f"/admin/charters/{quote.id}/clone"
    assert _post(client, clone, {"new_dates": [day]}, page="/").status_code == 404
    page = f"/admin/charters/series/{series['id']}"
    first = series["instances"][0]["id"]
    assert _post(client, f"{page}/instances/{first}/remove", {}, page="/").status_code == 404
