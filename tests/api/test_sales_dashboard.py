"""The sales dashboard and reports over HTTP (/api/v1/dashboard/sales-agent, /api/v1/reports/sales-agent/...):
exact figures on built data around every boundary, whose figures each role gets, bad input, and the pages.

"Now" is fixed at noon in New York (the company's timezone) on Sunday 15 June 2025: local midnight is
04:00 UTC, so 03:59 UTC still belongs to the day before.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from starlette.routing import NoMatchFound

from coachway.charters.models import Charter
from coachway.clients.models import Client
from coachway.core import clock
from coachway.core.db import transaction
from coachway.sales.models import Lead, LeadActivity
from coachway.web.testing import sign_in
from tests.api.test_query_counts import counted
from tests.factories import PASSWORD, login, make_user
from tests.factories_domain import client_user_headers, make_client, make_hub

NOW = datetime(2025, 6, 15, 16, 0, tzinfo=UTC)
TODAY = date(2025, 6, 15)
MIDNIGHT = datetime(2025, 6, 15, 4, 0, tzinfo=UTC)  # 00:00 in New York
MONTH_BEGINS = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)
DASH = "/api/v1/dashboard/sales-agent"
REPORTS = "/api/v1/reports/sales-agent"


# ---------------------------------------------------------------- building data


def add_lead(agent_id: int | None, *, created: datetime = NOW, status: str = "new", score: int = 0,
             follow_up: datetime | None = None, value: str | None = None, first: str = "Ann",
             last: str = "Lee", company: str | None = None, trip_date: date | None = None) -> int:
    """A lead row as the leads service would leave it, committed; returns its id."""
    with transaction() as s:
        lead = Lead(source="phone", status=status, lead_score=score, first_name=first, last_name=last,
                    email=f"{first.lower()}.{last.lower()}@example.com", assigned_to=agent_id,
                    assigned_at=created if agent_id else None, next_follow_up=follow_up,
                    estimated_value=Decimal(value) if value else None, contact_count=0, company=company,
                    trip_date=trip_date, created_at=created, updated_at=created)
        s.add(lead)
        s.flush()
        return lead.id


def add_activity(lead_id: int, *, at: datetime, kind: str = "call", text: str | None = None) -> None:
    with transaction() as s:
        s.add(LeadActivity(lead_id=lead_id, activity_type=kind, description=text, created_at=at))


class Places:
    """A hub and clients to hang charters on: plain (pays by invoice), by card, on auto-pay."""

    def __init__(self):
        self.hub = make_hub().id
        self.plain = make_client(name="Invoice Tours").id
        self.card = make_client(name="Card Travel").id
        self.autopay = make_client(name="Autopay Inc").id
        with transaction() as s:
            s.get(Client, self.card).stripe_customer_id = f"cus_{self.card}"
            s.get(Client, self.autopay).auto_pay_enabled = True


def add_charter(places: Places, agent_id: int | None, *, status: str = "quote", trip: date | None = None,
                price: str | None = "1000.00", cost: str | None = None, booked: datetime | None = None,
                client_id: int | None = None, superseded: bool = False, pickup: time | None = None,
                created: datetime = NOW, passengers: int = 40) -> int:
    """A charter row in the given state, committed; returns its id."""
    with transaction() as s:
        charter = Charter(client_id=client_id or places.plain, hub_id=places.hub, status=status,
                          passenger_count=passengers, trip_date=trip or TODAY + timedelta(days=30),
                          pickup_time=pickup, assigned_sales_agent_id=agent_id,
                          quoted_price=Decimal(price) if price else None,
                          estimated_vendor_cost=Decimal(cost) if cost else None, booked_at=booked,
                          created_at=created, updated_at=created)
        s.add(charter)
        s.flush()
        if superseded:
            newer = Charter(client_id=charter.client_id, hub_id=places.hub, status="quote",
                            passenger_count=40, trip_date=charter.trip_date, assigned_sales_agent_id=agent_id,
                            parent_quote_id=charter.id, revision_number=2, created_at=created,
                            updated_at=created)
            s.add(newer)
            s.flush()
            charter.superseded_by_id = newer.id
        return charter.id


@pytest.fixture
def frozen():
    clock.set_clock(lambda: NOW)


@pytest.fixture
def app(clean_db):
    """The app, with the dashboard pages mounted even before sales/pages.py includes them."""
    from coachway.app import create_app
    from coachway.sales import dashboard_pages

    application = create_app()
    try:
        application.url_path_for("sales_dashboard_page")
    except NoMatchFound:
        application.include_router(dashboard_pages.router)
    return application


@pytest.fixture
def team(client, frozen):
    """Two sales agents and a manager, signed in."""
    a, b, m = make_user(role="sales_agent"), make_user(role="sales_agent"), make_user(role="manager")
    return {"a": a, "b": b, "m": m, "ha": login(client, a.email), "hb": login(client, b.email),
            "hm": login(client, m.email)}


def get(client, url: str, headers: dict, **params) -> dict:
    r = client.get(url, headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def metrics(client, headers: dict, **params) -> dict:
    return get(client, DASH + "/metrics", headers, **params)["metrics"]


# ---------------------------------------------------------------- figures


def test_open_quotes_count_current_quotes_up_to_120_days_out(client, team):
    places, a = Places(), team["a"].id
    add_charter(places, a, trip=TODAY)
    add_charter(places, a, trip=TODAY + timedelta(days=120))
    add_charter(places, a, trip=TODAY + timedelta(days=121))
    add_charter(places, a, trip=TODAY - timedelta(days=1))
    add_charter(places, a, trip=TODAY + timedelta(days=10), superseded=True)  # its revision 2 counts
    add_charter(places, a, status="booked", trip=TODAY + timedelta(days=10))
    add_charter(places, a, status="cancelled", trip=TODAY + timedelta(days=10))
    add_charter(places, team["b"].id, trip=TODAY + timedelta(days=5))
    assert metrics(client, team["ha"])["open_quotes"] == 3
    assert metrics(client, team["hb"])["open_quotes"] == 1


def test_departures_count_trips_of_the_next_7_days_that_go_ahead(client, team):
    places, a = Places(), team["a"].id
    add_charter(places, a, status="booked", trip=TODAY)
    add_charter(places, a, status="confirmed", trip=TODAY + timedelta(days=7))
    add_charter(places, a, status="in_progress", trip=TODAY)
    add_charter(places, a, status="booked", trip=TODAY + timedelta(days=8))
    add_charter(places, a, status="booked", trip=TODAY - timedelta(days=1))
    add_charter(places, a, status="cancelled", trip=TODAY + timedelta(days=1))
    add_charter(places, a, status="completed", trip=TODAY)
    add_charter(places, a, status="quote", trip=TODAY + timedelta(days=2))
    assert metrics(client, team["ha"])["upcoming_departures_7days"] == 3


def test_non_card_money_due_sums_booked_trips_of_clients_not_paying_by_card(client, team):
    places, a = Places(), team["a"].id
    add_charter(places, a, status="booked", trip=TODAY + timedelta(days=10), price="1000.00")
    add_charter(places, a, status="confirmed", trip=TODAY, price="500.25")
    add_charter(places, a, status="booked", trip=TODAY - timedelta(days=1), price="300.00")
    add_charter(places, a, status="in_progress", trip=TODAY, price="300.00")
    add_charter(places, a, status="quote", trip=TODAY + timedelta(days=10), price="300.00")
    add_charter(places, a, status="booked", trip=TODAY + timedelta(days=10), price="2000.00",
                client_id=places.card)
    add_charter(places, a, status="confirmed", trip=TODAY + timedelta(days=10), price="4000.00",
                client_id=places.autopay)
    add_charter(places, team["b"].id, status="booked", trip=TODAY + timedelta(days=3), price="77.00")
    assert metrics(client, team["ha"])["non_cc_money_due"] == "1500.25"


def test_non_card_money_due_leaves_out_what_was_paid(client, team):
    from coachway.payments.models import Payment, PaymentApplication

    places, a = Places(), team["a"].id
    first = add_charter(places, a, status="booked", trip=TODAY + timedelta(days=10), price="1000.00")
    second = add_charter(places, a, status="confirmed", trip=TODAY, price="500.25")
    with transaction() as session:
        for status, charter_id, amount in (("succeeded", first, "400.00"), ("succeeded", second, "600.00"),
                                           ("failed", first, "100.00")):
            payment = Payment(client_id=places.plain, amount=Decimal(amount), payment_method="check",
                              status=status, payment_date=TODAY)
            session.add(payment)
            session.flush()
            session.add(PaymentApplication(payment_id=payment.id, charter_id=charter_id,
                                           amount_applied=Decimal(amount)))
    # 1000 - 400 on the first; the second is overpaid and counts as nothing owed; a failed payment is no pay
    assert metrics(client, team["ha"])["non_cc_money_due"] == "600.00"


def test_month_to_date_revenue_and_profit_count_bookings_of_this_local_month(client, team):
    places, a = Places(), team["a"].id
    add_charter(places, a, status="booked", price="1000.00", cost="700.00", booked=NOW - timedelta(hours=1))
    add_charter(places, a, status="booked", price="200.00", booked=MONTH_BEGINS)  # no cost: all profit
    add_charter(places, a, status="completed", price="300.00", cost="100.00",
                booked=datetime(2025, 6, 3, 15, tzinfo=UTC), trip=TODAY - timedelta(days=2))
    add_charter(places, a, status="booked", price="5000.00",
                booked=MONTH_BEGINS - timedelta(minutes=1))  # 23:59 on 31 May in New York
    add_charter(places, a, status="confirmed", price="5000.00", booked=datetime(2025, 5, 20, tzinfo=UTC))
    add_charter(places, a, status="cancelled", price="5000.00", booked=datetime(2025, 6, 5, tzinfo=UTC))
    add_charter(places, team["b"].id, status="booked", price="999.00", booked=NOW)
    m = metrics(client, team["ha"])
    assert m["mtd_booked_revenue"] == "1500.00"
    assert m["mtd_profit"] == "700.00"


def _leads_of_agent_a(a: int) -> dict[str, int]:
    later_today = datetime(2025, 6, 15, 20, 0, tzinfo=UTC)
    return {
        "today_now": add_lead(a, created=NOW, follow_up=later_today),
        "today_midnight": add_lead(a, created=MIDNIGHT, status="contacted", score=60),
        "yesterday": add_lead(a, created=MIDNIGHT - timedelta(minutes=1), status="qualified",
                              follow_up=MIDNIGHT - timedelta(minutes=1)),
        "first_of_month": add_lead(a, created=MONTH_BEGINS, status="quoted", score=59,
                                   follow_up=MIDNIGHT + timedelta(days=1)),
        "last_month": add_lead(a, created=MONTH_BEGINS - timedelta(minutes=1), status="converted", score=90,
                               follow_up=MIDNIGHT - timedelta(days=2)),
        "lost": add_lead(a, created=datetime(2025, 5, 2, tzinfo=UTC), status="lost", follow_up=later_today),
    }


def test_lead_figures_count_the_company_day_and_month_and_open_leads_only(client, team):
    _leads_of_agent_a(team["a"].id)
    add_lead(team["b"].id, created=NOW, follow_up=MIDNIGHT - timedelta(hours=5), score=80)
    m = metrics(client, team["ha"])
    assert m["leads_received_today"] == 2
    assert m["leads_received_this_month"] == 4
    assert m["follow_ups_due_today"] == 1
    assert m["follow_ups_overdue"] == 1
    assert m["hot_leads_count"] == 1


def test_dashboard_has_the_spec_shape_with_pipeline_and_latest_activities(client, team):
    a = team["a"].id
    ids = _leads_of_agent_a(a)
    theirs = add_lead(team["b"].id, first="Bo", last="Other")
    for n in range(25):
        add_activity(ids["today_now"], at=NOW - timedelta(minutes=30 + n), text=f"Call {n}")
    add_activity(ids["yesterday"], at=NOW - timedelta(minutes=5), kind="lead_assigned", text="Assigned.")
    add_activity(theirs, at=NOW, kind="note", text="Not yours")
    body = get(client, DASH, team["ha"])
    assert set(body) == {"agent_id", "scope", "metrics", "pipeline", "recent_activities"}
    assert body["agent_id"] == a and body["scope"] == "agent"
    assert set(body["metrics"]) == {"open_quotes", "leads_received_today", "leads_received_this_month",
                                    "follow_ups_due_today", "follow_ups_overdue", "upcoming_departures_7days",
                                    "non_cc_money_due", "mtd_booked_revenue", "mtd_profit", "hot_leads_count"}
    assert body["metrics"]["mtd_booked_revenue"] == "0.00"
    assert body["pipeline"] == {"new": 1, "contacted": 1, "qualified": 1, "quoted": 1, "converted": 1,
                                "lost": 1}
    recent = body["recent_activities"]
    assert len(recent) == 20
    assert recent[0] == {"type": "lead_assigned", "lead_id": ids["yesterday"],
                         "timestamp": "2025-06-15T15:55:00Z", "description": "Assigned.",
                         "lead_name": "Ann Lee"}
    assert [r["description"] for r in recent[1:4]] == ["Call 0", "Call 1", "Call 2"]
    assert all(r["lead_id"] != theirs for r in recent)


# ---------------------------------------------------------------- whose figures


def test_agent_sees_own_figures_with_or_without_their_own_id(client, team):
    places = Places()
    add_charter(places, team["a"].id)
    add_charter(places, team["b"].id)
    add_charter(places, team["b"].id)
    mine = get(client, DASH, team["ha"])
    assert mine["agent_id"] == team["a"].id and mine["metrics"]["open_quotes"] == 1
    assert get(client, DASH, team["ha"], agent_id=team["a"].id)["metrics"]["open_quotes"] == 1


@pytest.mark.parametrize("path", ["", "/metrics"])
def test_agent_asking_for_another_agents_dashboard_is_forbidden(client, team, path):
    r = client.get(DASH + path, headers=team["ha"], params={"agent_id": team["b"].id})
    assert r.status_code == 403


@pytest.mark.parametrize("report", ["pipeline", "mtd", "upcoming"])
def test_agent_asking_for_another_agents_report_is_forbidden(client, team, report):
    r = client.get(f"{REPORTS}/{report}", headers=team["ha"], params={"agent_id": team["b"].id})
    assert r.status_code == 403


def test_manager_sees_everyone_or_picks_one_agent(client, team):
    places = Places()
    add_charter(places, team["a"].id)
    add_charter(places, team["b"].id)
    add_charter(places, team["b"].id)
    add_charter(places, None)
    add_lead(team["a"].id)
    add_lead(None)
    everyone = get(client, DASH, team["hm"])
    assert everyone["scope"] == "all" and everyone["agent_id"] is None
    assert everyone["metrics"]["open_quotes"] == 4
    assert everyone["pipeline"]["new"] == 2
    one = get(client, DASH, team["hm"], agent_id=team["b"].id)
    assert one["scope"] == "agent" and one["agent_id"] == team["b"].id
    assert one["metrics"]["open_quotes"] == 2 and one["pipeline"]["new"] == 0


def test_manager_asking_for_an_unknown_agent_gets_404(client, team):
    assert client.get(DASH, headers=team["hm"], params={"agent_id": 999_999}).status_code == 404


def test_sales_support_sees_their_own_figures(client, team):
    support = make_user(role="sales_support")
    places = Places()
    add_charter(places, support.id)
    add_charter(places, team["a"].id)
    headers = login(client, support.email)
    assert get(client, DASH, headers)["metrics"]["open_quotes"] == 1
    assert client.get(DASH, headers=headers, params={"agent_id": team["a"].id}).status_code == 403


@pytest.mark.parametrize("url", [DASH, DASH + "/metrics", f"{REPORTS}/pipeline", f"{REPORTS}/mtd",
                                 f"{REPORTS}/upcoming"])
def test_dispatcher_may_not_see_sales_figures(client, frozen, url):
    headers = login(client, make_user(role="dispatcher").email)
    assert client.get(url, headers=headers).status_code == 403


def test_client_user_may_not_see_sales_figures(client, frozen):
    headers = client_user_headers(client, make_client().id)
    assert client.get(DASH, headers=headers).status_code == 403


def test_dashboard_needs_sign_in(client):
    assert client.get(DASH).status_code == 401


# ---------------------------------------------------------------- bad input


def test_agent_id_zero_is_rejected(client, team):
    assert client.get(DASH, headers=team["hm"], params={"agent_id": 0}).status_code == 422


def test_agent_id_beyond_the_id_range_is_rejected(client, team):
    assert client.get(DASH, headers=team["hm"], params={"agent_id": 2**31}).status_code == 422


@pytest.mark.parametrize("days", [0, 91, -1])
def test_upcoming_days_outside_1_to_90_are_rejected(client, team, days):
    assert client.get(f"{REPORTS}/upcoming", headers=team["ha"], params={"days": days}).status_code == 422


def test_month_that_is_not_a_date_is_rejected(client, team):
    assert client.get(f"{REPORTS}/mtd", headers=team["ha"], params={"month": "garbage"}).status_code == 422


def test_month_after_this_one_is_rejected(client, team):
    r = client.get(f"{REPORTS}/mtd", headers=team["ha"], params={"month": "2025-07-01"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "month"


def test_month_before_2000_is_rejected(client, team):
    r = client.get(f"{REPORTS}/mtd", headers=team["ha"], params={"month": "0001-01-01"})
    assert r.status_code == 422


def test_upcoming_days_out_of_range_are_refused_by_the_service_too(frozen, session):
    from coachway.core.errors import Invalid
    from coachway.core.permissions import SYSTEM
    from coachway.sales.service import dashboard

    with pytest.raises(Invalid):
        dashboard.report_upcoming(session, SYSTEM, days=91)


# ---------------------------------------------------------------- reports


def test_pipeline_report_counts_and_values_by_stage_and_by_agent(client, team):
    a, b = team["a"].id, team["b"].id
    add_lead(a, value="1000.50")
    add_lead(a, value="499.50")
    add_lead(a, status="quoted", value="250.00")
    add_lead(b, status="lost", value="80.00")
    add_lead(None)
    mine = get(client, f"{REPORTS}/pipeline", team["ha"])
    stages = {s["status"]: (s["count"], s["estimated_value"]) for s in mine["stages"]}
    assert stages["new"] == (2, "1500.00") and stages["quoted"] == (1, "250.00")
    assert stages["lost"] == (0, "0.00")
    assert mine["total_count"] == 3 and mine["open_estimated_value"] == "1750.00"
    assert mine["by_agent"] is None
    everyone = get(client, f"{REPORTS}/pipeline", team["hm"])
    assert everyone["total_count"] == 5 and everyone["total_estimated_value"] == "1830.00"
    assert everyone["open_count"] == 4
    rows = {row["agent_id"]: row for row in everyone["by_agent"]}
    assert rows[a]["counts"]["new"] == 2 and rows[a]["counts"]["quoted"] == 1 and rows[a]["total"] == 3
    assert rows[a]["agent_name"] == team["a"].full_name
    assert rows[b]["counts"]["lost"] == 1
    assert rows[None]["agent_name"] == "Unassigned" and rows[None]["total"] == 1
    assert everyone["by_agent"][-1]["agent_id"] is None


def test_mtd_report_totals_rates_and_day_by_day_series(client, team):
    places, a = Places(), team["a"].id
    add_charter(places, a, status="booked", price="1000.00", cost="700.00", booked=NOW - timedelta(hours=1))
    add_charter(places, a, status="booked", price="200.00", booked=MONTH_BEGINS)
    add_charter(places, a, status="booked", price="5000.00", booked=MONTH_BEGINS - timedelta(minutes=1),
                created=datetime(2025, 5, 30, tzinfo=UTC))
    add_charter(places, a, trip=TODAY + timedelta(days=40), superseded=True)  # 1 new quote, 1 revision
    add_lead(a, created=NOW, status="converted")
    add_lead(a, created=MONTH_BEGINS)
    add_lead(a, created=MONTH_BEGINS + timedelta(days=2))
    add_lead(a, created=MONTH_BEGINS - timedelta(minutes=1), status="converted")  # May
    body = get(client, f"{REPORTS}/mtd", team["ha"])
    assert body["month"] == "2025-06-01" and body["first_day"] == "2025-06-01"
    assert body["last_day"] == "2025-06-15"
    assert body["leads_received"] == 3 and body["leads_converted"] == 1
    assert body["conversion_rate"] == "33.3"
    assert body["quotes_created"] == 3  # the two bookings opened this month and the revised quote
    assert body["bookings"] == 2
    assert body["booked_revenue"] == "1200.00" and body["profit"] == "500.00"
    assert body["margin_pct"] == "41.7"
    days = body["days"]
    assert len(days) == 15 and days[0]["date"] == "2025-06-01" and days[-1]["date"] == "2025-06-15"
    assert days[0] == {"date": "2025-06-01", "leads_received": 1, "leads_converted": 0, "bookings": 1,
                       "booked_revenue": "200.00", "profit": "200.00"}
    assert days[2]["leads_received"] == 1 and days[2]["bookings"] == 0
    assert days[14] == {"date": "2025-06-15", "leads_received": 1, "leads_converted": 1, "bookings": 1,
                        "booked_revenue": "1000.00", "profit": "300.00"}


def test_mtd_report_of_a_past_month_covers_the_whole_month(client, team):
    places, a = Places(), team["a"].id
    add_charter(places, a, status="booked", price="5000.00", booked=MONTH_BEGINS - timedelta(minutes=1))
    add_lead(a, created=MONTH_BEGINS - timedelta(minutes=1), status="converted")
    body = get(client, f"{REPORTS}/mtd", team["ha"], month="2025-05-17")
    assert body["month"] == "2025-05-01" and len(body["days"]) == 31
    assert body["days"][-1]["bookings"] == 1 and body["days"][-1]["booked_revenue"] == "5000.00"
    assert body["booked_revenue"] == "5000.00" and body["conversion_rate"] == "100.0"
    assert body["margin_pct"] == "100.0"


def test_mtd_report_with_nothing_has_no_rates(client, team):
    body = get(client, f"{REPORTS}/mtd", team["ha"])
    assert body["conversion_rate"] is None and body["margin_pct"] is None
    assert body["booked_revenue"] == "0.00" and len(body["days"]) == 15


def test_upcoming_report_lists_departures_soonest_first(client, team):
    places, a = Places(), team["a"].id
    late = add_charter(places, a, status="confirmed", trip=TODAY + timedelta(days=7), pickup=time(9, 30),
                       price="800.00")
    early = add_charter(places, a, status="booked", trip=TODAY, pickup=time(7, 0), passengers=12)
    day8 = add_charter(places, a, status="booked", trip=TODAY + timedelta(days=8))
    add_charter(places, a, status="cancelled", trip=TODAY + timedelta(days=1))
    add_charter(places, team["b"].id, status="booked", trip=TODAY + timedelta(days=1))
    body = get(client, f"{REPORTS}/upcoming", team["ha"])
    assert body["days"] == 7 and body["first_day"] == "2025-06-15" and body["last_day"] == "2025-06-22"
    assert [d["charter_id"] for d in body["departures"]] == [early, late]
    first = body["departures"][0]
    assert first["client_name"] == "Invoice Tours" and first["pickup_time"] == "07:00:00"
    assert first["passenger_count"] == 12 and first["status"] == "booked"
    assert body["departures"][1]["quoted_price"] == "800.00"
    longer = get(client, f"{REPORTS}/upcoming", team["ha"], days=8)
    assert [d["charter_id"] for d in longer["departures"]] == [early, late, day8]
    assert len(get(client, f"{REPORTS}/upcoming", team["hm"])["departures"]) == 3


# ---------------------------------------------------------------- cost


def test_dashboard_queries_do_not_grow_with_leads_and_charters(client, team):
    places, a = Places(), team["a"].id

    def add_some(n: int) -> None:
        for i in range(n):
            lead = add_lead(a, created=NOW - timedelta(hours=i), score=70, follow_up=NOW + timedelta(hours=1))
            add_activity(lead, at=NOW - timedelta(minutes=i))
            add_charter(places, a, status="booked", trip=TODAY + timedelta(days=i % 7),
                        booked=NOW - timedelta(hours=i))

    def queries(url: str, headers: dict) -> int:
        with counted() as seen:
            r = client.get(url, headers=headers)
        assert r.status_code == 200, r.text
        return len(seen)

    asks = [(DASH, team["ha"]), (DASH, team["hm"]), (f"{REPORTS}/mtd", team["ha"]),
            (f"{REPORTS}/pipeline", team["hm"]), (f"{REPORTS}/upcoming", team["ha"])]
    add_some(2)
    few = [queries(url, headers) for url, headers in asks]
    add_some(15)
    assert [queries(url, headers) for url, headers in asks] == few
    assert few[0] <= 12


# ---------------------------------------------------------------- pages


def test_agent_dashboard_page_shows_own_tiles(client, team):
    places, a = Places(), team["a"].id
    add_charter(places, a, trip=TODAY + timedelta(days=3))
    add_charter(places, team["b"].id)
    lead = add_lead(a, first="Hana", last="Hot", score=75, follow_up=MIDNIGHT - timedelta(hours=1))
    departing = add_charter(places, a, status="booked", trip=TODAY + timedelta(days=1))
    sign_in(client, team["a"].email, PASSWORD)
    r = client.get("/admin/dashboard/sales")
    assert r.status_code == 200
    assert 'data-metric="open_quotes">1<' in r.text
    assert 'data-metric="follow_ups_overdue">1<' in r.text
    assert f'href="/admin/leads/{lead}"' in r.text and f'href="/admin/charters/{departing}"' in r.text
    assert "Everyone" not in r.text and "<svg" in r.text and "<title" in r.text
    assert client.get("/admin/dashboard/sales", params={"agent_id": team["b"].id}).status_code == 403


def test_manager_dashboard_page_has_an_agent_picker(client, team):
    places = Places()
    add_charter(places, team["b"].id)
    sign_in(client, team["m"].email, PASSWORD)
    r = client.get("/admin/dashboard/sales")
    assert r.status_code == 200 and ">Everyone<" in r.text and team["a"].full_name in r.text
    picked = client.get("/admin/dashboard/sales", params={"agent_id": team["b"].id})
    assert 'data-metric="open_quotes">1<' in picked.text
    assert client.get("/admin/dashboard/sales", params={"agent_id": team["a"].id}).text.count(
        'data-metric="open_quotes">0<') == 1


def test_report_pages_render_for_a_manager(client, team):
    add_lead(team["a"].id, value="100.00")
    sign_in(client, team["m"].email, PASSWORD)
    pipeline = client.get("/admin/reports/sales/pipeline")
    assert pipeline.status_code == 200 and "By agent" in pipeline.text and "Unassigned" not in pipeline.text
    mtd = client.get("/admin/reports/sales/mtd", params={"month": "2025-05"})
    assert mtd.status_code == 200 and "May 2025" in mtd.text
    assert client.get("/admin/reports/sales/mtd", params={"month": "garbage"}).status_code == 422


def test_dispatcher_gets_the_forbidden_page(client, frozen):
    dispatcher = make_user(role="dispatcher")
    sign_in(client, dispatcher.email, PASSWORD)
    assert client.get("/admin/dashboard/sales").status_code == 403
    assert client.get("/admin/reports/sales/pipeline").status_code == 403
