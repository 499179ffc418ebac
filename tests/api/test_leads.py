"""Leads over HTTP: entering and routing them, who sees which, the pipeline and its transitions, activities
and follow-ups, conversion to a quote (and on to a booking), the queue, and bad input."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coachway.core import clock
from coachway.core.db import transaction
from coachway.notifications.models import EmailTracking, Notification
from coachway.sales.models import Lead, LeadActivity
from tests.factories import user_headers
from tests.factories_domain import audit_rows, make_client, seed_templates
from tests.factories_pricing import priced_setup
from tests.factories_sales import in_days, lead_body, make_agent, make_lead

URL = "/api/v1/leads"


def _lead_count() -> int:
    with transaction() as session:
        return session.scalar(select(func.count()).select_from(Lead))


def _activities(lead_id: int) -> list[str]:
    with transaction() as session:
        return list(
            session.scalars(
                select(LeadActivity.activity_type)
                .where(LeadActivity.lead_id == lead_id)
                .order_by(LeadActivity.id)
            )
        )


# ---------------------------------------------------------------- entering and routing


def test_leads_go_round_the_queue_in_position_order(client):
    manager = user_headers(client, "manager")
    agents = [make_agent()[0] for _ in range(3)]
    got = []
    for _ in range(7):
        r = client.post(URL, json=lead_body(), headers=manager)
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["assignment_method"] == "round_robin" and body["status"] == "new"
        got.append(body["assigned_to"])
    ids = [a.id for a in agents]
    assert got == ids + ids + ids[:1]
    assert _activities(r.json()["id"]) == ["created", "lead_assigned"]


def test_a_lead_from_an_existing_clients_email_goes_to_that_clients_agent(client):
    manager = user_headers(client, "manager")
    make_agent()
    own_agent, _ = make_agent(in_queue=False)
    known = make_client(email="booker@acme.example", assigned_sales_agent_id=own_agent.id)
    r = client.post(URL, json=lead_body(email="Booker@ACME.example"), headers=manager)
    assert r.status_code == 201
    assert r.json()["assigned_to"] == own_agent.id
    assert r.json()["assignment_method"] == "existing_client"
    assert r.json()["client_id"] == known.id


def test_a_lead_matching_a_clients_phone_goes_to_that_clients_agent(client):
    manager = user_headers(client, "manager")
    make_agent()
    own_agent, _ = make_agent(in_queue=False)
    make_client(phone="+1 (404) 555-7788", assigned_sales_agent_id=own_agent.id)
    r = client.post(URL, json=lead_body(phone="404.555.7788"), headers=manager)
    assert (r.json()["assigned_to"], r.json()["assignment_method"]) == (own_agent.id, "existing_client")


def test_existing_client_without_an_active_agent_falls_back_to_round_robin(client):
    manager = user_headers(client, "manager")
    queued, _ = make_agent()
    make_client(email="orphan@acme.example")
    r = client.post(URL, json=lead_body(email="orphan@acme.example"), headers=manager)
    assert (r.json()["assigned_to"], r.json()["assignment_method"]) == (queued.id, "round_robin")


def test_inactive_and_capped_agents_are_skipped(client):
    manager = user_headers(client, "manager")
    off, _ = make_agent(active=False)
    capped, _ = make_agent(cap=1)
    free, _ = make_agent()
    got = [client.post(URL, json=lead_body(), headers=manager).json()["assigned_to"] for _ in range(4)]
    assert off.id not in got
    assert got.count(capped.id) == 1
    assert got.count(free.id) == 3


def test_caps_restart_the_next_local_day(client):
    manager = user_headers(client, "manager")
    capped, _ = make_agent(cap=1)
    other, _ = make_agent(cap=1)
    first = [client.post(URL, json=lead_body(), headers=manager).json()["assigned_to"] for _ in range(3)]
    assert sorted(first[:2]) == sorted([capped.id, other.id]) and first[2] is None  # both at cap: waits
    tomorrow = clock.now() + timedelta(days=1)
    clock.set_clock(lambda: tomorrow)
    manager = user_headers(client, "manager")  # yesterday's sign-in has expired
    assert client.post(URL, json=lead_body(trip_date=str(in_days(20))), headers=manager).json()[
        "assigned_to"
    ] in (capped.id, other.id)


def test_with_nobody_in_the_queue_the_lead_waits_unassigned(client):
    manager = user_headers(client, "manager")
    r = client.post(URL, json=lead_body(), headers=manager)
    assert r.status_code == 201 and r.json()["assigned_to"] is None


def test_a_manager_may_name_the_agent_but_an_agent_may_not(client):
    manager = user_headers(client, "manager")
    make_agent()
    chosen, _ = make_agent(in_queue=False)
    r = client.post(URL, json=lead_body(assigned_to=chosen.id), headers=manager)
    assert (r.json()["assigned_to"], r.json()["assignment_method"]) == (chosen.id, "manual")
    _, agent = make_agent(client)
    before = _lead_count()
    r = client.post(URL, json=lead_body(assigned_to=chosen.id), headers=agent)
    assert r.status_code == 403 and _lead_count() == before


# ---------------------------------------------------------------- who sees what


def test_agents_see_their_own_leads_only(client):
    manager = user_headers(client, "manager")
    mine, me = make_agent(client)
    theirs, _ = make_agent()
    a = client.post(URL, json=lead_body(), headers=manager).json()
    b = client.post(URL, json=lead_body(), headers=manager).json()
    assert (a["assigned_to"], b["assigned_to"]) == (mine.id, theirs.id)
    listed = client.get(URL, headers=me).json()
    assert [x["id"] for x in listed["items"]] == [a["id"]] and listed["total"] == 1
    assert client.get(f"{URL}/{b['id']}", headers=me).status_code == 404
    assert client.put(f"{URL}/{b['id']}", json={"notes": "x"}, headers=me).status_code == 404
    assert client.post(f"{URL}/{b['id']}/convert", headers=me).status_code == 404
    assert (
        client.post(f"{URL}/{b['id']}/activities", json={"activity_type": "call"}, headers=me).status_code
        == 404
    )
    assert [x["id"] for x in client.get(f"{URL}/my-leads", headers=me).json()["items"]] == [a["id"]]
    assert client.get(URL, headers=manager).json()["total"] == 2


@pytest.mark.parametrize("role", ["dispatcher", "accounting", "client", "driver", "vendor"])
def test_roles_outside_sales_may_not_touch_leads(client, role):
    headers = user_headers(client, role, **({"client_id": make_client().id} if role == "client" else {}))
    lead = make_lead()
    assert client.get(URL, headers=headers).status_code == 403
    assert client.get(f"{URL}/{lead.id}", headers=headers).status_code == 403
    assert client.post(URL, json=lead_body(), headers=headers).status_code == 403
    assert client.get(f"{URL}/pipeline", headers=headers).status_code == 403
    assert client.get(f"{URL}/assignment-queue", headers=headers).status_code == 403
    assert _lead_count() == 1


def test_signed_out_is_401(client):
    assert client.get(URL).status_code == 401
    assert client.post(URL, json=lead_body()).status_code == 401


# ---------------------------------------------------------------- lists and filters


def test_filters_and_recent(client):
    manager = user_headers(client, "manager")
    agent, _ = make_agent()
    old = make_lead(source="referral")
    with transaction() as session:
        session.get(Lead, old.id).created_at = clock.now() - timedelta(days=45)
    fresh = make_lead(source="online", company="Acme Travel")
    lost = make_lead(source="phone")
    client.put(f"{URL}/{lost.id}", json={"status": "lost", "lost_reason": "Went by train"}, headers=manager)

    def ids(**params):
        r = client.get(URL, params=params, headers=manager)
        assert r.status_code == 200, r.text
        return {x["id"] for x in r.json()["items"]}

    assert ids(recent="true") == {fresh.id, lost.id}
    assert ids(source="online") == {fresh.id}
    assert ids(status="lost") == {lost.id}
    assert ids(status="open") == {old.id, fresh.id}
    assert ids(q="acme") == {fresh.id}
    assert ids(assigned_to=agent.id) == {old.id, fresh.id, lost.id}
    today = str(in_days(0))
    assert ids(date_from=today, date_to=today) == {fresh.id, lost.id}
    assert ids(unassigned="true") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"status": "won"},
        {"source": "fax"},
        {"sort": "name"},
        {"limit": 0},
        {"limit": 500},
        {"date_from": "yesterday"},
        {"assigned_to": 0},
        {"follow_up": "later"},
        {"q": "x" * 101},
        {"date_from": "2026-12-10", "date_to": "2026-12-01"},
    ],
)
def test_bad_list_filters_are_422(client, params):
    manager = user_headers(client, "manager")
    assert client.get(URL, params=params, headers=manager).status_code == 422


def test_sort_by_score_and_hot_filter(client):
    manager = user_headers(client, "manager")
    make_agent()
    cold = make_lead()
    hot = make_lead(trip_date=in_days(5), estimated_value=Decimal("12000"))
    r = client.get(URL, params={"sort": "score"}, headers=manager).json()
    assert [x["id"] for x in r["items"]] == [hot.id, cold.id]
    assert r["items"][0]["is_hot"] is True and r["items"][1]["is_hot"] is False
    assert {x["id"] for x in client.get(URL, params={"hot": "true"}, headers=manager).json()["items"]} == {
        hot.id
    }
    parts = client.get(f"{URL}/{hot.id}/score", headers=manager).json()
    assert parts == {"recency": 25, "value": 25, "trip_date": 25, "engagement": 0, "total": 75, "hot": True}


# ---------------------------------------------------------------- the pipeline


def test_status_moves_only_along_the_pipeline(client):
    manager = user_headers(client, "manager")
    lead = make_lead()
    put = lambda body: client.put(f"{URL}/{lead.id}", json=body, headers=manager)  # noqa: E731
    assert put({"status": "qualified"}).json()["status"] == "qualified"
    assert put({"status": "new"}).status_code == 409
    assert put({"status": "converted"}).status_code == 409
    r = put({"status": "lost"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lost_reason"
    lost = put({"status": "lost", "lost_reason": "Chose a competitor"}).json()
    assert (lost["status"], lost["lost_reason"]) == ("lost", "Chose a competitor")
    reopened = put({"status": "contacted"}).json()
    assert (reopened["status"], reopened["lost_reason"]) == ("contacted", None)
    assert _activities(lead.id)[-3:] == ["status_change", "status_change", "status_change"]


def test_pipeline_groups_by_status_with_counts_and_values(client):
    manager = user_headers(client, "manager")
    make_agent()
    a = make_lead(estimated_value=Decimal("1000.10"))
    make_lead(estimated_value=Decimal("2000.20"))
    client.put(f"{URL}/{a.id}", json={"status": "contacted"}, headers=manager)
    stages = {s["status"]: s for s in client.get(f"{URL}/pipeline", headers=manager).json()["stages"]}
    assert list(stages) == ["new", "contacted", "qualified", "quoted", "converted", "lost"]
    assert (stages["new"]["count"], Decimal(str(stages["new"]["estimated_value"]))) == (1, Decimal("2000.20"))
    assert [x["id"] for x in stages["contacted"]["leads"]] == [a.id]
    assert stages["lost"]["count"] == 0 and stages["lost"]["leads"] == []


# ---------------------------------------------------------------- activities and follow-ups


def test_a_call_counts_as_contact_and_schedules_the_next_follow_up(client):
    _, agent = make_agent(client)
    lead = make_lead()
    when = (clock.now() + timedelta(days=2)).isoformat()
    r = client.post(
        f"{URL}/{lead.id}/activities",
        json={"activity_type": "call", "description": "Left a message", "next_follow_up": when},
        headers=agent,
    )
    assert r.status_code == 201 and r.json()["activity_type"] == "call"
    got = client.get(f"{URL}/{lead.id}", headers=agent).json()
    assert got["status"] == "contacted" and got["contact_count"] == 1 and got["last_contact_date"]
    assert got["next_follow_up"] is not None
    client.post(
        f"{URL}/{lead.id}/activities",
        json={"activity_type": "note", "description": "Budget $5k"},
        headers=agent,
    )
    assert client.get(f"{URL}/{lead.id}", headers=agent).json()["contact_count"] == 1  # a note is not contact
    timeline = client.get(f"{URL}/{lead.id}/activities", headers=agent).json()
    assert [t["activity_type"] for t in timeline] == [
        "note",
        "status_change",
        "call",
        "lead_assigned",
        "created",
    ]


@pytest.mark.parametrize(
    "body",
    [
        {"activity_type": "fax"},
        {"activity_type": "note"},
        {},
        {"activity_type": "call", "next_follow_up": "2020-01-01T10:00:00Z"},
        {"activity_type": "call", "next_follow_up": "tomorrow"},
        {"activity_type": "call", "description": "x" * 5001},
        {"activity_type": "call", "extra": 1},
    ],
)
def test_bad_activities_are_422_and_change_nothing(client, body):
    manager = user_headers(client, "manager")
    lead = make_lead()
    r = client.post(f"{URL}/{lead.id}/activities", json=body, headers=manager)
    assert r.status_code == 422, r.text
    assert _activities(lead.id) == ["created"]


def test_follow_ups_due_today_and_overdue(client):
    manager = user_headers(client, "manager")
    start = clock.now()
    due, overdue, later = make_lead(), make_lead(), make_lead()
    with transaction() as session:
        session.get(Lead, due.id).next_follow_up = start + timedelta(minutes=1)
        session.get(Lead, overdue.id).next_follow_up = start - timedelta(days=2)
        session.get(Lead, later.id).next_follow_up = start + timedelta(days=3)
    r = client.get(f"{URL}/follow-ups", headers=manager).json()
    assert [x["id"] for x in r["overdue"]] == [overdue.id]
    assert [x["id"] for x in r["today"]] == [due.id]
    assert {
        x["id"] for x in client.get(URL, params={"follow_up": "due"}, headers=manager).json()["items"]
    } == {due.id, overdue.id}


def test_follow_up_email_is_tracked_and_respects_client_preferences(client):
    seed_templates()
    manager = user_headers(client, "manager")
    lead = make_lead()
    r = client.post(
        f"{URL}/{lead.id}/follow-up-email",
        json={"subject": "Your trip", "message": "Shall we talk?"},
        headers=manager,
    )
    assert r.status_code == 200 and r.json()["sent"] is True
    with transaction() as session:
        row = session.scalars(select(EmailTracking).where(EmailTracking.lead_id == lead.id)).one()
        assert row.recipient_email == lead.email and row.email_type == "lead_follow_up"
    assert client.get(f"{URL}/{lead.id}", headers=manager).json()["contact_count"] == 1
    # A lead from a client who turned automated follow-ups off is not emailed.
    known = make_client(email="quiet@acme.example")
    assert (
        client.put(
            f"/api/v1/email-preferences/{known.id}",
            json={"automated_followups_enabled": False},
            headers=manager,
        ).status_code
        == 200
    )
    quiet = make_lead(email="quiet@acme.example")
    r = client.post(
        f"{URL}/{quiet.id}/follow-up-email", json={"subject": "Hi", "message": "Hello"}, headers=manager
    )
    assert r.json()["sent"] is False and "follow" in r.json()["reason"]
    with transaction() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(EmailTracking).where(EmailTracking.lead_id == quiet.id)
            )
            == 0
        )
        assert (
            session.scalars(select(Notification.status).where(Notification.lead_id == quiet.id)).one()
            == "suppressed"
        )
    assert client.get(f"{URL}/{quiet.id}", headers=manager).json()["contact_count"] == 0


def test_opens_and_clicks_raise_the_score(client):
    seed_templates()
    manager = user_headers(client, "manager")
    lead = make_lead()
    client.post(
        f"{URL}/{lead.id}/follow-up-email", json={"subject": "Trip", "message": "Hello"}, headers=manager
    )
    before = client.get(f"{URL}/{lead.id}/score", headers=manager).json()["engagement"]
    with transaction() as session:
        session.scalars(
            select(EmailTracking).where(EmailTracking.lead_id == lead.id)
        ).one().opened_at = clock.now()
    after = client.get(f"{URL}/{lead.id}/score", headers=manager).json()["engagement"]
    assert after == before + 5


# ---------------------------------------------------------------- conversion (Phase 1: lead -> quote -> book)


def test_lead_to_quote_to_booking(client):
    manager = user_headers(client, "manager")
    hub, vtype = priced_setup()
    agent, agent_headers = make_agent(client)
    r = client.post(
        URL,
        json=lead_body(
            hub_id=hub.id,
            vehicle_type=vtype.name,
            passenger_count=80,
            origin="Atlanta, GA",
            destination="Macon, GA",
            company="Peach State Band",
            trip_type="round_trip",
        ),
        headers=manager,
    )
    lead = r.json()
    assert lead["assigned_to"] == agent.id
    r = client.post(f"{URL}/{lead['id']}/convert", json={"pickup_time": "08:30"}, headers=agent_headers)
    assert r.status_code == 201, r.text
    out = r.json()
    assert (
        out["lead"]["status"] == "converted" and out["lead"]["converted_to_charter_id"] == out["charter_id"]
    )
    assert out["client_created"] is True and out["priced"] is True and Decimal(str(out["quoted_price"])) > 0
    charter = client.get(f"/api/v1/charters/{out['charter_id']}", headers=agent_headers).json()
    assert charter["status"] == "quote" and charter["client_id"] == out["client_id"]
    assert charter["assigned_sales_agent_id"] == agent.id and charter["passenger_count"] == 80
    assert charter["trip_type"] == "round_trip"
    stops = client.get(f"/api/v1/charters/{out['charter_id']}/stops", headers=agent_headers).json()
    assert [s["address"] for s in stops] == ["Atlanta, GA", "Macon, GA"]
    vehicles = client.get(f"/api/v1/charters/{out['charter_id']}/vehicles", headers=agent_headers).json()
    assert [(v["vehicle_type_id"], v["quantity"]) for v in vehicles] == [(vtype.id, 2)]  # 80 people, 56 seats
    new_client = client.get(f"/api/v1/clients/{out['client_id']}", headers=manager).json()
    assert new_client["name"] == "Peach State Band" and new_client["email"] == lead["email"]
    booked = client.post(f"/api/v1/charters/{out['charter_id']}/book", headers=agent_headers)
    assert booked.status_code == 200, booked.text
    assert booked.json()["status"] == "booked"
    # Converting twice is refused, and the lead keeps its charter.
    assert client.post(f"{URL}/{lead['id']}/convert", headers=agent_headers).status_code == 409
    assert [a["action"] for a in audit_rows(client, manager, entity_type="lead", entity_id=str(lead["id"]))][
        0
    ] == "convert"


def test_converting_uses_the_matched_client_and_needs_a_date_and_group_size(client):
    manager = user_headers(client, "manager")
    hub, _ = priced_setup()
    known = make_client(email="repeat@acme.example")
    lead = client.post(
        URL,
        json=lead_body(email="repeat@acme.example", hub_id=hub.id, trip_date=None, passenger_count=None),
        headers=manager,
    ).json()
    r = client.post(f"{URL}/{lead['id']}/convert", headers=manager)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "trip_date"
    r = client.post(f"{URL}/{lead['id']}/convert", json={"trip_date": str(in_days(10))}, headers=manager)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "passenger_count"
    r = client.post(
        f"{URL}/{lead['id']}/convert",
        json={"trip_date": str(in_days(10)), "passenger_count": 20},
        headers=manager,
    )
    assert r.status_code == 201 and r.json()["client_id"] == known.id and r.json()["client_created"] is False
    assert r.json()["priced"] is False and r.json()["pricing_note"]


def test_a_lost_lead_must_be_reopened_before_converting(client):
    manager = user_headers(client, "manager")
    priced_setup()
    lead = make_lead(trip_date=in_days(9), passenger_count=10)
    client.put(f"{URL}/{lead.id}", json={"status": "lost", "lost_reason": "No budget"}, headers=manager)
    assert client.post(f"{URL}/{lead.id}/convert", headers=manager).status_code == 409
    with transaction() as session:
        assert session.get(Lead, lead.id).converted_to_charter_id is None


def test_a_converted_lead_keeps_its_details(client):
    manager = user_headers(client, "manager")
    hub, _ = priced_setup()
    lead = make_lead(trip_date=in_days(9), passenger_count=10, hub_id=hub.id)
    assert client.post(f"{URL}/{lead.id}/convert", headers=manager).status_code == 201
    assert client.put(f"{URL}/{lead.id}", json={"passenger_count": 12}, headers=manager).status_code == 409
    assert (
        client.put(
            f"{URL}/{lead.id}", json={"status": "lost", "lost_reason": "x"}, headers=manager
        ).status_code
        == 409
    )
    assert (
        client.put(
            f"{URL}/{lead.id}", json={"notes": "Booked after a site visit"}, headers=manager
        ).status_code
        == 200
    )


# ---------------------------------------------------------------- manual assignment and the queue


def test_managers_reassign_by_hand_and_agents_may_not(client):
    manager = user_headers(client, "manager")
    first, first_headers = make_agent(client)
    second, _ = make_agent(in_queue=False)
    lead = make_lead()
    r = client.post(
        f"{URL}/assign",
        json={"lead_ids": [lead.id], "assigned_to": second.id, "note": "Speaks German"},
        headers=manager,
    )
    assert r.status_code == 200 and r.json()[0]["assigned_to"] == second.id
    assert r.json()[0]["assignment_method"] == "manual"
    assert (
        client.post(
            f"{URL}/assign", json={"lead_ids": [lead.id], "assigned_to": first.id}, headers=first_headers
        ).status_code
        == 403
    )
    dispatcher = make_agent(in_queue=False, role="dispatcher")[0]
    r = client.post(
        f"{URL}/assign", json={"lead_ids": [lead.id], "assigned_to": dispatcher.id}, headers=manager
    )
    assert r.status_code == 422
    assert (
        client.post(
            f"{URL}/assign", json={"lead_ids": [lead.id, lead.id], "assigned_to": first.id}, headers=manager
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"{URL}/assign", json={"lead_ids": [], "assigned_to": first.id}, headers=manager
        ).status_code
        == 422
    )
    assert (
        client.post(
            f"{URL}/assign", json={"lead_ids": [999999], "assigned_to": first.id}, headers=manager
        ).status_code
        == 404
    )


def test_queue_view_and_edit(client):
    manager = user_headers(client, "manager")
    a, agent_headers = make_agent(client)
    b, _ = make_agent()
    c, _ = make_agent(in_queue=False)
    q = client.get(f"{URL}/assignment-queue", headers=manager).json()
    assert [(e["user_id"], e["position"], e["next_up"]) for e in q] == [(a.id, 1, True), (b.id, 2, False)]
    body = {"entries": [{"user_id": c.id, "max_daily_leads": 5}, {"user_id": a.id, "is_active": False}]}
    r = client.put(f"{URL}/assignment-queue", json=body, headers=manager)
    assert r.status_code == 200, r.text
    assert [(e["user_id"], e["position"], e["is_active"], e["max_daily_leads"]) for e in r.json()] == [
        (c.id, 1, True, 5),
        (a.id, 2, False, None),
    ]
    assert client.post(URL, json=lead_body(), headers=manager).json()["assigned_to"] == c.id
    assert client.put(f"{URL}/assignment-queue", json=body, headers=agent_headers).status_code == 403
    assert client.get(f"{URL}/assignment-queue", headers=agent_headers).status_code == 200


@pytest.mark.parametrize(
    "entries",
    [
        [{"user_id": 1, "max_daily_leads": -1}],
        [{"user_id": "x"}],
        [{"user_id": 999999}],
        [{"user_id": 1, "extra": True}],
        [{}],
    ],
)
def test_bad_queue_edits_are_422_and_change_nothing(client, entries):
    manager = user_headers(client, "manager")
    a, _ = make_agent()
    entries = [{**e, "user_id": a.id} if e.get("user_id") == 1 else e for e in entries]
    assert (
        client.put(f"{URL}/assignment-queue", json={"entries": entries}, headers=manager).status_code == 422
    )
    assert [e["user_id"] for e in client.get(f"{URL}/assignment-queue", headers=manager).json()] == [a.id]


def test_listing_a_person_twice_in_the_queue_is_422(client):
    manager = user_headers(client, "manager")
    a, _ = make_agent()
    body = {"entries": [{"user_id": a.id}, {"user_id": a.id}]}
    assert client.put(f"{URL}/assignment-queue", json=body, headers=manager).status_code == 422


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "change",
    [
        {"email": "not-an-email"},
        {"email": None},
        {"first_name": ""},
        {"first_name": "x" * 101},
        {"source": "fax"},
        {"passenger_count": 0},
        {"passenger_count": 5000},
        {"passenger_count": "many"},
        {"trip_date": "2020-01-01"},
        {"trip_date": "soon"},
        {"phone": "call me"},
        {"estimated_value": -5},
        {"estimated_value": "12.345"},
        {"hub_id": 999999},
        {"hub_id": 0},
        {"trip_type": "cruise"},
        {"notes": "bad\x00byte"},
        {"assigned_to": 999999},
        {"unknown": 1},
    ],
)
def test_bad_leads_are_refused_and_nothing_is_created(client, change):
    manager = user_headers(client, "manager")
    body = {k: v for k, v in {**lead_body(), **change}.items()}
    r = client.post(URL, json=body, headers=manager)
    assert r.status_code == 422, r.text
    assert _lead_count() == 0


def test_malformed_and_oversized_bodies(client):
    manager = user_headers(client, "manager")
    r = client.post(URL, content=b"{not json", headers={**manager, "Content-Type": "application/json"})
    assert r.status_code == 422
    r = client.post(URL, json=lead_body(notes="x" * 6000), headers=manager)
    assert r.status_code == 422
    assert client.post(URL, json=[lead_body()], headers=manager).status_code == 422
    assert _lead_count() == 0


@pytest.mark.parametrize(
    "body", [{"first_name": None}, {"status": "won"}, {"email": "x"}, {"trip_date": "2020-01-01"}]
)
def test_bad_updates_change_nothing(client, body):
    manager = user_headers(client, "manager")
    lead = make_lead()
    assert client.put(f"{URL}/{lead.id}", json=body, headers=manager).status_code == 422
    got = client.get(f"{URL}/{lead.id}", headers=manager).json()
    assert (got["first_name"], got["status"], got["email"]) == ("Dana", "new", lead.email)


def test_unknown_lead_is_404(client):
    manager = user_headers(client, "manager")
    assert client.get(f"{URL}/999999", headers=manager).status_code == 404
    assert client.get(f"{URL}/0", headers=manager).status_code == 422
    assert client.get(f"{URL}/abc", headers=manager).status_code == 422


def test_contacts_emails_and_phones_match_and_inactive_clients_do_not(client):
    manager = user_headers(client, "manager")
    make_agent()
    own_agent, _ = make_agent(in_queue=False)
    org = make_client(
        assigned_sales_agent_id=own_agent.id,
        contacts=[
            {"name": "Pat Booker", "email": "Pat.Booker@Acme.example", "phone": "+1 (615) 555-0199 x12"}
        ],
    )
    by_mail = client.post(URL, json=lead_body(email="pat.booker@acme.example"), headers=manager).json()
    assert (by_mail["client_id"], by_mail["assignment_method"]) == (org.id, "existing_client")
    by_phone = client.post(URL, json=lead_body(phone="615-555-0199 ext 12"), headers=manager).json()
    assert (by_phone["client_id"], by_phone["assigned_to"]) == (org.id, own_agent.id)
    gone = make_client(email="closed@acme.example", assigned_sales_agent_id=own_agent.id)
    assert client.delete(f"/api/v1/clients/{gone.id}", headers=manager).status_code in (200, 204)
    stranger = client.post(URL, json=lead_body(email="closed@acme.example"), headers=manager).json()
    assert stranger["client_id"] is None and stranger["assignment_method"] == "round_robin"


def test_the_agent_is_emailed_their_new_lead_unless_the_template_is_off(client):
    manager = user_headers(client, "manager")
    agent, _ = make_agent()
    lead = client.post(
        URL, json=lead_body(first_name="Robin", estimated_value="4300"), headers=manager
    ).json()
    with transaction() as session:
        note = session.scalars(select(Notification).where(Notification.template_key == "lead_assigned")).one()
        assert (note.user_id, note.lead_id, note.recipient, note.status) == (
            agent.id,
            lead["id"],
            agent.email,
            "queued",
        )
        assert f"/admin/leads/{lead['id']}" in note.body_text and "$4,300.00" in note.body_text
    seed_templates()
    r = client.get("/api/v1/notification-templates", headers=user_headers(client, "admin")).json()
    template = next(t for t in r if t["key"] == "lead_assigned" and t["channel"] == "email")
    admin = user_headers(client, "admin")
    assert (
        client.put(
            f"/api/v1/notification-templates/{template['id']}", json={"is_active": False}, headers=admin
        ).status_code
        == 200
    )
    assert client.post(URL, json=lead_body(), headers=manager).status_code == 201
    with transaction() as session:
        assert (
            session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.template_key == "lead_assigned")
            )
            == 1
        )


def test_an_agent_taking_a_lead_for_themselves_is_not_emailed(client):
    manager_user, _ = make_agent(role="manager", in_queue=True)
    from tests.factories import login

    headers = login(client, manager_user.email)
    assert client.post(URL, json=lead_body(), headers=headers).json()["assigned_to"] == manager_user.id
    with transaction() as session:
        assert session.scalar(select(func.count()).select_from(Notification)) == 0
