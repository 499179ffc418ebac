"""Cloning charters to new dates and recurring series: RRULE dates, numbering, removal, scoped edits."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.factories import user_headers
from tests.factories_domain import audit_rows, make_charter, make_stop
from tests.factories_pricing import make_amenity, make_modifier, priced_setup


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


def _next_monday(after_days: int = 10) -> date:
    from coachway.core import clock

    day = clock.now().date() + timedelta(days=after_days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


@pytest.fixture
def quote(client, manager):
    """A priced quote with two stops, a vehicle and an amenity, on a Monday."""
    hub, vtype = priced_setup(hourly_rate="100.00", per_mile_rate="1.00")
    monday = _next_monday()
    charter = make_charter(hub_id=hub.id, trip_date=monday, pickup_time=None)
    client.put(f"/api/v1/charters/{charter.id}", json={"pickup_time": "07:00"}, headers=manager)
    make_stop(charter.id, address="Atlanta, GA", dwell_minutes=10)
    make_stop(charter.id, address="Chattanooga, TN")
    client.post(f"/api/v1/charters/{charter.id}/geocode-stops", headers=manager)
    r = client.post(
        f"/api/v1/charters/{charter.id}/vehicles", json={"vehicle_type_id": vtype.id}, headers=manager
    )
    assert r.status_code == 201, r.text
    wifi = make_amenity(name="Wi-Fi", base_price="50.00", pricing_type="flat_fee")
    r = client.post(f"/api/v1/charters/{charter.id}/amenities", json={"amenity_id": wifi.id}, headers=manager)
    assert r.status_code in (200, 201), r.text
    r = client.post(f"/api/v1/charters/{charter.id}/calculate", headers=manager)
    assert r.status_code == 200, r.text
    return client.get(f"/api/v1/charters/{charter.id}", headers=manager).json()


def _detail(client, headers, charter_id):
    return client.get(f"/api/v1/charters/{charter_id}", headers=headers).json()


# ---------------------------------------------------------------- clone


def test_clone_copies_itinerary_vehicles_and_amenities_to_the_new_date(client, manager, quote):
    new_date = date.fromisoformat(quote["trip_date"]) + timedelta(days=14)
    r = client.post(
        f"/api/v1/charters/{quote['id']}/clone", json={"new_date": new_date.isoformat()}, headers=manager
    )
    assert r.status_code == 201, r.text
    clone = _detail(client, manager, r.json()["id"])
    assert clone["status"] == "quote" and clone["trip_date"] == new_date.isoformat()
    assert clone["cloned_from_charter_id"] == quote["id"]
    assert [s["address"] for s in clone["stops"]] == [s["address"] for s in quote["stops"]]
    assert [(v["vehicle_type_id"], v["quantity"]) for v in clone["vehicles"]] == [
        (v["vehicle_type_id"], v["quantity"]) for v in quote["vehicles"]
    ]
    # the local pickup time is kept, the stop times moved by exactly two weeks
    assert clone["start_local"][11:16] == quote["start_local"][11:16] == "07:00"
    for old, new in zip(quote["stops"], clone["stops"], strict=True):
        if old["estimated_arrival"]:
            delta = date.fromisoformat(new["estimated_arrival"][:10]) - date.fromisoformat(
                old["estimated_arrival"][:10]
            )
            assert delta == timedelta(days=14)
    amenities = client.get(f"/api/v1/charters/{clone['id']}/amenities", headers=manager).json()
    assert [a["name"] for a in amenities] == ["Wi-Fi"]
    assert Decimal(clone["quoted_price"]) == Decimal(quote["quoted_price"])  # same rates, no modifiers


def test_adjust_pricing_applies_the_modifiers_of_the_new_date(client, manager, quote):
    make_modifier(
        name="Weekend",
        modifier_type="day_of_week",
        adjustment_type="percentage",
        adjustment_value="10",
        applicable_days=["saturday"],
    )
    monday = date.fromisoformat(quote["trip_date"])
    saturday, tuesday = monday + timedelta(days=5), monday + timedelta(days=8)
    r = client.post(
        f"/api/v1/charters/{quote['id']}/clone-multiple",
        headers=manager,
        json={"new_dates": [saturday.isoformat(), tuesday.isoformat()], "adjust_pricing": True},
    )
    assert r.status_code == 201, r.text
    made = {c["trip_date"]: c for c in r.json()["charters"]}
    base = Decimal(quote["quoted_price"])
    assert Decimal(made[tuesday.isoformat()]["quoted_price"]) == base
    assert Decimal(made[saturday.isoformat()]["quoted_price"]) > base
    sat = _detail(client, manager, made[saturday.isoformat()]["id"])
    lines = sat["price_breakdown"]["quote"]["lines"]
    assert any(line["label"] == "Weekend" for line in lines)
    assert sum(Decimal(line["amount"]) for line in lines) == Decimal(sat["quoted_price"])
    # without adjust_pricing a copy keeps the source's price
    r = client.post(
        f"/api/v1/charters/{quote['id']}/clone-multiple",
        headers=manager,
        json={"new_dates": [(saturday + timedelta(days=7)).isoformat()], "adjust_pricing": False},
    )
    assert Decimal(r.json()["charters"][0]["quoted_price"]) == base


@pytest.mark.parametrize(
    "dates, field",
    [
        (lambda d: [d, d], "new_dates.1"),
        (lambda d: [d, date(2020, 1, 6)], "new_dates"),
        (lambda d: [], "new_dates"),
        (lambda d: ["not a date"], "new_dates.0"),
        (lambda d: [d] * 0 + [(d + timedelta(days=i)) for i in range(101)], "new_dates"),
    ],
)
def test_bad_clone_dates_refuse_the_whole_request(client, manager, quote, dates, field):
    day = date.fromisoformat(quote["trip_date"]) + timedelta(days=30)
    values = [v if isinstance(v, str) else v.isoformat() for v in dates(day)]
    before = client.get("/api/v1/charters", headers=manager).json()["total"]
    r = client.post(
        f"/api/v1/charters/{quote['id']}/clone-multiple", json={"new_dates": values}, headers=manager
    )
    assert r.status_code == 422, r.text
    assert any(e["field"].startswith(field) for e in r.json()["errors"]), r.json()
    assert client.get("/api/v1/charters", headers=manager).json()["total"] == before


def test_clone_refusals(client, manager, quote):
    day = (date.fromisoformat(quote["trip_date"]) + timedelta(days=30)).isoformat()
    assert (
        client.post("/api/v1/charters/999999/clone", json={"new_date": day}, headers=manager).status_code
        == 404
    )
    other_agent = user_headers(client, "sales_agent")
    assert (
        client.post(
            f"/api/v1/charters/{quote['id']}/clone", json={"new_date": day}, headers=other_agent
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/charters/{quote['id']}/clone",
            json={"new_date": day},
            headers=user_headers(client, "accounting"),
        ).status_code
        == 403
    )
    r = client.post(
        f"/api/v1/charters/{quote['id']}/clone-multiple",
        headers=manager,
        json={"charter_id": quote["id"] + 1, "new_dates": [day]},
    )
    assert r.status_code == 422
    assert (
        client.post(
            f"/api/v1/charters/{quote['id']}/clone", json={"new_date": day, "extra": 1}, headers=manager
        ).status_code
        == 422
    )


def test_copy_documents_shares_the_files(client, manager, quote):
    from tests.factories_domain import make_document

    make_document(charter_id=quote["id"], document_category="contract")
    day = (date.fromisoformat(quote["trip_date"]) + timedelta(days=7)).isoformat()
    r = client.post(
        f"/api/v1/charters/{quote['id']}/clone",
        headers=manager,
        json={"new_date": day, "copy_documents": True},
    )
    docs = client.get("/api/v1/documents", params={"charter_id": r.json()["id"]}, headers=manager).json()
    assert [d["document_category"] for d in docs["items"]] == ["contract"]


# ---------------------------------------------------------------- recurring


def _recurring(client, headers, quote, **body):
    data = {
        "base_charter_id": quote["id"],
        "series_name": "Campus shuttle",
        "recurrence_rule": "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=60",
        "start_date": quote["trip_date"],
    } | body
    return client.post("/api/v1/charters/create-recurring", json=data, headers=headers)


def test_sixty_weekday_instances_from_a_monday(client, manager, quote):
    r = _recurring(client, manager, quote)
    assert r.status_code == 201, r.text
    series = r.json()
    instances = series["instances"]
    assert series["total_instances"] == series["active_instances"] == 60 and len(instances) == 60
    monday = date.fromisoformat(quote["trip_date"])
    dates = [date.fromisoformat(i["trip_date"]) for i in instances]
    assert dates[0] == monday and all(d.weekday() < 5 for d in dates) and len(set(dates)) == 60
    assert dates[-1] == monday + timedelta(weeks=11, days=4)
    assert [i["instance_number"] for i in instances] == list(range(1, 61))
    assert instances[6]["day_label"] == "Day 7 of 60"
    one = _detail(client, manager, instances[6]["id"])
    assert one["series_id"] == series["id"] and one["parent_charter_id"] == quote["id"]
    assert one["instance_number"] == 7 and one["series_total"] == 60 and one["day_label"] == "Day 7 of 60"
    assert _detail(client, manager, quote["id"])["is_series_master"] is True
    assert (
        client.get(f"/api/v1/charters/series/{series['id']}", headers=manager).json()["total_instances"] == 60
    )


def test_deleting_instance_seven_of_twenty(client, manager, quote):
    series = _recurring(client, manager, quote, recurrence_rule="FREQ=DAILY;COUNT=20").json()
    seventh = series["instances"][6]
    r = client.delete(f"/api/v1/charters/{seventh['id']}/from-series", headers=manager)
    assert r.status_code == 200, r.text
    after = r.json()
    assert after["active_instances"] == 19 and after["total_instances"] == 20
    running = [i for i in after["instances"] if i["removed_from_series_at"] is None]
    assert len(running) == 19
    assert [i["instance_number"] for i in running] == [n for n in range(1, 21) if n != 7]
    assert _detail(client, manager, seventh["id"])["status"] == "cancelled"
    eighth = _detail(client, manager, series["instances"][7]["id"])
    assert (
        eighth["instance_number"] == 8
        and eighth["series_total"] == 19
        and eighth["day_label"] == "Day 7 of 19"
    )
    rows = audit_rows(client, manager, entity_type="charter", entity_id=str(seventh["id"]))
    removal = [row for row in rows if row["action"] == "remove_from_series"]
    assert removal and removal[0]["actor_id"] is not None
    # again: 409; the master or a plain charter: 409; nothing changes
    assert client.delete(f"/api/v1/charters/{seventh['id']}/from-series", headers=manager).status_code == 409
    assert client.delete(f"/api/v1/charters/{quote['id']}/from-series", headers=manager).status_code == 409
    assert (
        client.get(f"/api/v1/charters/series/{series['id']}", headers=manager).json()["active_instances"]
        == 19
    )


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SOMETIMES",
        "COUNT=3",
        "FREQ=DAILY",
        "FREQ=DAILY;COUNT=1001",
        "FREQ=DAILY;BYDAY=XX;COUNT=3",
        "FREQ=DAILY;COUNT=3;UNTIL=20300101",
    ],
)
def test_invalid_rules_are_a_clear_422_and_make_nothing(client, manager, quote, rule):
    before = client.get("/api/v1/charters", headers=manager).json()["total"]
    r = _recurring(client, manager, quote, recurrence_rule=rule)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "recurrence_rule" and r.json()["errors"][0]["message"]
    assert client.get("/api/v1/charters", headers=manager).json()["total"] == before


def test_preview_lists_the_dates(client, manager, quote):
    r = client.post(
        "/api/v1/charters/recurrence-preview",
        headers=manager,
        json={
            "recurrence_rule": "FREQ=WEEKLY;BYDAY=MO,WE,FR;COUNT=12",
            "start_date": quote["trip_date"],
            "exclude_dates": [quote["trip_date"]],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 11 and quote["trip_date"] not in r.json()["dates"]
    assert r.json()["summary"].startswith("11 dates")


def test_series_refusals(client, manager, quote):
    assert _recurring(client, manager, quote, start_date="2020-01-06").status_code == 422
    assert _recurring(client, manager, quote, series_name="").status_code == 422
    assert _recurring(client, manager, quote, base_charter_id=999999).status_code == 404
    assert _recurring(client, user_headers(client, "sales_agent"), quote).status_code == 404
    assert client.get("/api/v1/charters/series/999999", headers=manager).status_code == 404
    assert _recurring(client, manager, quote, recurrence_rule="FREQ=DAILY;COUNT=2").status_code == 201
    assert _recurring(client, manager, quote, recurrence_rule="FREQ=DAILY;COUNT=2").status_code == 409


def test_edit_this_following_or_all(client, manager, quote):
    series = _recurring(client, manager, quote, recurrence_rule="FREQ=DAILY;COUNT=6").json()
    ids = [i["id"] for i in series["instances"]]

    def pax(charter_id):
        return _detail(client, manager, charter_id)["passenger_count"]

    r = client.put(
        f"/api/v1/charters/{ids[1]}/series-edit",
        headers=manager,
        json={"scope": "this", "changes": {"passenger_count": 11}},
    )
    assert r.status_code == 200 and r.json()["edited"] == [ids[1]]
    r = client.put(
        f"/api/v1/charters/{ids[3]}/series-edit",
        headers=manager,
        json={"scope": "following", "changes": {"passenger_count": 22, "pickup_time": "09:30"}},
    )
    assert r.json()["edited"] == ids[3:]
    assert [pax(i) for i in ids] == [40, 11, 40, 22, 22, 22]
    assert _detail(client, manager, ids[4])["start_local"][11:16] == "09:30"
    client.post(f"/api/v1/charters/{ids[5]}/cancel", json={"cancellation_reason": "Holiday"}, headers=manager)
    r = client.put(
        f"/api/v1/charters/{ids[0]}/series-edit",
        headers=manager,
        json={"scope": "all", "changes": {"passenger_count": 33, "reprice": True}},
    )
    assert r.json()["edited"] == ids[:5] and r.json()["skipped"][0]["id"] == ids[5]
    assert [pax(i) for i in ids] == [33, 33, 33, 33, 33, 22]
    for body in (
        {"scope": "sometimes", "changes": {"passenger_count": 3}},
        {"scope": "all", "changes": {}},
        {"scope": "all", "changes": {"passenger_count": 0}},
        {"scope": "all", "changes": {"hub_id": 1}},
    ):
        assert (
            client.put(f"/api/v1/charters/{ids[0]}/series-edit", json=body, headers=manager).status_code
            == 422
        ), body
    assert (
        client.put(
            f"/api/v1/charters/{quote['id']}/series-edit",
            headers=manager,
            json={"scope": "all", "changes": {"passenger_count": 5}},
        ).status_code
        == 409
    )


def test_series_edit_with_nulls_changes_only_what_is_given(client, manager, quote):
    series = _recurring(client, manager, quote, recurrence_rule="FREQ=DAILY;COUNT=2").json()
    first = series["instances"][0]["id"]
    body = {"scope": "this", "changes": {"vehicles": None, "passenger_count": 12, "notes": None}}
    r = client.put(f"/api/v1/charters/{first}/series-edit", json=body, headers=manager)
    assert r.status_code == 200, r.text
    detail = _detail(client, manager, first)
    assert detail["passenger_count"] == 12 and len(detail["vehicles"]) == 1
    r = client.put(f"/api/v1/charters/{first}/series-edit", headers=manager,
                   json={"scope": "this", "changes": {"passenger_count": None}})
    assert r.status_code == 422
