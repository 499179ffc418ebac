"""Revising a quote: a new charter row for revision n + 1 takes over the trip, itinerary, vehicles, amenities
and promo code; the old one stays, unchanged and final, as history."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coachway.charters.models import Charter
from coachway.core.db import transaction
from coachway.pricing.models import PromoCodeUsage
from tests.api.test_charter_quotes import ATLANTA, MACON, SAVANNAH, calculate, make_quote, promo_uses, read
from tests.factories import login, make_user, user_headers
from tests.factories_domain import audit_rows, client_user_headers
from tests.factories_pricing import make_amenity, make_promo


@pytest.fixture
def manager(client):
    return user_headers(client, "manager")


@pytest.fixture
def priced(client, manager):
    """A priced quote with three stops, two coaches and Wi-Fi."""
    charter, _, _ = make_quote(stops=(ATLANTA, MACON, SAVANNAH), quantity=2, notes="Banner at the front")
    wifi = make_amenity(name="Wi-Fi", base_price="40.00")
    client.post(f"/api/v1/charters/{charter.id}/amenities", json={"amenity_id": wifi.id}, headers=manager)
    calculate(client, manager, charter.id)
    return charter


def revise(client, headers, charter_id: int, body=None):
    return client.post(f"/api/v1/charters/{charter_id}/revise", json=body, headers=headers)


def charter_count() -> int:
    with transaction() as session:
        return session.scalar(select(func.count()).select_from(Charter))


def test_revising_makes_revision_2_as_a_new_charter_with_everything_copied(client, manager, priced):
    old = read(client, manager, priced.id)
    r = revise(client, manager, priced.id)
    assert r.status_code == 201, r.text
    new = r.json()
    assert new["id"] != priced.id and new["revision_number"] == 2 and new["parent_quote_id"] == priced.id
    assert new["status"] == "quote" and new["notes"] == "Banner at the front"
    assert new["client_id"] == old["client_id"] and new["trip_date"] == old["trip_date"]
    def stops(charter):
        return [(s["sequence"], s["location_name"], s["latitude"], s["estimated_arrival"])
                for s in charter["stops"]]

    assert stops(new) == stops(old) and len(stops(new)) == 3
    assert [(v["vehicle_type_id"], v["quantity"]) for v in new["vehicles"]] \
        == [(v["vehicle_type_id"], v["quantity"]) for v in old["vehicles"]]
    amenities = client.get(f"/api/v1/charters/{new['id']}/amenities", headers=manager).json()
    assert [(a["name"], a["quantity"]) for a in amenities] == [("Wi-Fi", 1)]
    assert new["quoted_price"] == old["quoted_price"] and new["priced_at"] is not None
    assert new["quote_sent_at"] is None and new["quote_accepted_at"] is None


def test_the_old_quote_points_at_its_revision_and_is_final(client, manager, priced):
    new = revise(client, manager, priced.id).json()
    old = read(client, manager, priced.id)
    assert old["superseded_by_id"] == new["id"] and old["superseded_at"] is not None
    assert old["status"] == "quote" and old["allowed_actions"] == []
    base = f"/api/v1/charters/{priced.id}"
    wifi = make_amenity(name="Snacks")
    for method, path, body in [
        ("put", base, {"passenger_count": 12}), ("post", f"{base}/stops", {"address": "Macon, GA"}),
        ("post", f"{base}/calculate", None), ("post", f"{base}/amenities", {"amenity_id": wifi.id}),
        ("put", f"{base}/promo-code", {"code": None}), ("post", f"{base}/book", None),
        ("post", f"{base}/cancel", {"cancellation_reason": "no"}), ("post", f"{base}/revise", None),
        ("get", f"{base}/secure-link", None), ("post", f"{base}/send-quote", None),
    ]:
        r = client.request(method, path, json=body, headers=manager)
        assert r.status_code == 409, (method, path, r.status_code, r.text)
        assert "revision 2" in r.json()["detail"] or "replaced" in r.json()["detail"], r.json()
    assert read(client, manager, priced.id) == old


def test_both_revisions_are_audited(client, manager, priced):
    new = revise(client, manager, priced.id).json()
    admin = user_headers(client, "admin")
    [old_row] = [r for r in audit_rows(client, admin, entity_type="charter", entity_id=str(priced.id))
                 if r["action"] == "revise"]
    assert old_row["new_values"]["superseded_by_id"] == new["id"]
    rows = audit_rows(client, admin, entity_type="charter", entity_id=str(new["id"]))
    actions = [r["action"] for r in rows]
    assert "create" in actions and "price" in actions


def test_history_lists_every_revision_oldest_first_from_any_of_them(client, manager, priced):
    second = revise(client, manager, priced.id).json()
    third = revise(client, manager, second["id"]).json()
    for charter_id in (priced.id, second["id"], third["id"]):
        r = client.get(f"/api/v1/charters/{charter_id}/revisions", headers=manager)
        assert r.status_code == 200
        history = r.json()
        assert [(h["id"], h["revision_number"]) for h in history] == [(priced.id, 1), (second["id"], 2),
                                                                      (third["id"], 3)]
    assert history[0]["superseded_at"] and history[1]["superseded_at"] and history[2]["superseded_at"] is None
    assert history[2]["quoted_price"] == third["quoted_price"] and history[0]["status"] == "quote"


def test_a_quote_never_revised_has_a_history_of_one(client, manager, priced):
    history = client.get(f"/api/v1/charters/{priced.id}/revisions", headers=manager).json()
    assert [h["revision_number"] for h in history] == [1]


def test_lists_hide_replaced_quotes_unless_asked(client, manager, priced):
    new = revise(client, manager, priced.id).json()
    listed = client.get("/api/v1/charters", headers=manager).json()
    assert [c["id"] for c in listed["items"]] == [new["id"]] and listed["total"] == 1
    everything = client.get("/api/v1/charters", params={"include_superseded": True}, headers=manager).json()
    assert sorted(c["id"] for c in everything["items"]) == sorted([priced.id, new["id"]])


def test_my_quotes_hides_replaced_quotes(client):
    agent = make_user(role="sales_agent")
    headers = login(client, agent.email)
    charter, _, _ = make_quote(assigned_sales_agent_id=agent.id)
    calculate(client, headers, charter.id)
    new = revise(client, headers, charter.id).json()
    mine = client.get("/api/v1/charters/my-quotes", headers=headers).json()
    assert [c["id"] for c in mine["items"]] == [new["id"]]
    assert new["assigned_sales_agent_id"] == agent.id


def test_changes_given_with_the_revision_apply_to_it_and_price_it_again(client, manager, priced):
    snacks = make_amenity(name="Snacks", base_price="2.00", pricing_type="per_passenger")
    client.post(f"/api/v1/charters/{priced.id}/amenities", json={"amenity_id": snacks.id}, headers=manager)
    old = read(client, manager, priced.id)
    new = revise(client, manager, priced.id, {"passenger_count": 50, "notes": "Now fifty"}).json()
    assert new["passenger_count"] == 50 and new["notes"] == "Now fifty"
    assert Decimal(new["quoted_price"]) == Decimal(old["quoted_price"]) + Decimal("20.00")
    assert read(client, manager, priced.id)["passenger_count"] == old["passenger_count"]


@pytest.mark.parametrize("body", [{"passenger_count": 0}, {"passenger_count": "many"}, {"status": "booked"},
                                  {"trip_type": "rocket"}, {"client_id": 999_999}])
def test_bad_changes_are_refused_and_no_revision_is_made(client, manager, priced, body):
    count = charter_count()
    r = revise(client, manager, priced.id, body)
    assert r.status_code == 422, r.text
    assert charter_count() == count and read(client, manager, priced.id)["superseded_by_id"] is None


def test_the_promo_code_moves_to_the_revision_without_a_second_use(client, manager, priced):
    make_promo(code="SPRING10", max_uses=1)
    assert client.put(f"/api/v1/charters/{priced.id}/promo-code", json={"code": "SPRING10"},
                      headers=manager).status_code == 200
    new = revise(client, manager, priced.id).json()
    assert promo_uses("SPRING10") == 1 and new["promo_code_id"] is not None
    assert any(line["kind"] == "promo" for line in new["price_breakdown"]["quote"]["lines"])
    with transaction() as session:
        usages = session.scalars(select(PromoCodeUsage.charter_id)).all()
    assert usages == [new["id"]]
    removed = client.put(f"/api/v1/charters/{new['id']}/promo-code", json={"code": None}, headers=manager)
    assert removed.status_code == 200 and promo_uses("SPRING10") == 0


def test_a_booked_charter_cannot_be_revised(client, manager, priced):
    client.post(f"/api/v1/charters/{priced.id}/book", headers=manager)
    count = charter_count()
    r = revise(client, manager, priced.id)
    assert r.status_code == 409 and charter_count() == count


def test_an_unpriced_quote_is_revised_without_a_price(client, manager):
    charter, _, _ = make_quote()
    new = revise(client, manager, charter.id).json()
    assert new["revision_number"] == 2 and new["quoted_price"] is None


def test_another_agent_cannot_revise_and_a_client_may_not(client, manager, priced):
    other = login(client, make_user(role="sales_agent").email)
    count = charter_count()
    assert revise(client, other, priced.id).status_code == 404
    assert revise(client, client_user_headers(client, priced.client_id), priced.id).status_code == 403
    assert revise(client, manager, 999_999).status_code == 404
    assert charter_count() == count


def test_a_malformed_revision_body_is_422(client, manager, priced):
    r = client.post(f"/api/v1/charters/{priced.id}/revise", content=b"{not json",
                    headers={**manager, "Content-Type": "application/json"})
    assert r.status_code == 422 and read(client, manager, priced.id)["superseded_by_id"] is None
